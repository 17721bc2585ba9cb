#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod slots;
mod transport;

pub use client::{Client, ClientBuilder, TokioSleep};
pub use slots::MemorySlots;
pub use transport::ReqwestTransport;

// One dependency is enough: everything a user of this client names.
/// The attribute that implements [`AsyncTransport`] (and `AsyncSleep`, `AsyncBody`):
/// `#[kling_client_async::async_trait]`.
pub use async_trait::async_trait;
pub use kling_auth::{Credentials, WebhookVerifier};
/// Configuration presets and numbers.
pub use kling_core::config;
pub use kling_core::fleet;
pub use kling_core::job::{FileKind, ResultFile};
/// The request budget: how fast the client (or a fleet) may send.
pub use kling_core::pace;
/// Injected time and randomness (test clocks and sleeps).
pub use kling_core::time;
pub use kling_core::{
    AsyncKling, AsyncStreamingResponse, AsyncTransport, AsyncTransportFn, CallbackDedupe,
    CancelHandle, Config, CreateTask, Created, Downloaded, HttpRequest, HttpResponse, Pollable,
    Progress, ProgressFn, Reply, SlotLease, TaskOf, TaskSlot, TaskState, TaskView, WaitOptions,
};
pub use kling_core::{AsyncRequestPacer, MemoryPacer, RateConfig, RequestClass};
/// Error codes of every dialect, and the error's context types.
pub use kling_errors as errors;
pub use kling_errors::{Error, ErrorKind};
/// The request and response types of every API (legacy, new standard, RunBlob).
pub use kling_types as types;

/// The traits whose methods the client has, in scope without taking their names:
/// `use kling_client_async::prelude::*;`.
pub mod prelude {
    pub use kling_core::{AsyncKling as _, TaskView as _};
}
