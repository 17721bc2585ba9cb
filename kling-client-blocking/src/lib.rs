#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod resolve;
mod slots;
mod transport;

pub use client::{Client, ClientBuilder};
pub use slots::MemorySlots;
pub use transport::UreqTransport;

// One dependency is enough: everything a user of this client names.
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
    CallbackDedupe, CancelHandle, Config, CreateTask, Created, Downloaded, HttpRequest,
    HttpResponse, Kling, Pollable, Progress, ProgressFn, Reply, StreamingResponse, TaskOf,
    TaskSlot, TaskState, TaskView, Transport, TransportFn, WaitOptions,
};
pub use kling_core::{MemoryPacer, RateConfig, RequestClass, RequestPacer};
/// Error codes of every dialect, and the error's context types.
pub use kling_errors as errors;
pub use kling_errors::{Error, ErrorKind};
/// The request and response types of every API (legacy, new standard, RunBlob).
pub use kling_types as types;

/// The traits whose methods the client has, in scope without taking their names:
/// `use kling_client_blocking::prelude::*;`.
pub mod prelude {
    pub use kling_core::{Kling as _, TaskView as _};
}
