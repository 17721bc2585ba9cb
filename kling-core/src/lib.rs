#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod builder;
mod callback;
mod cancel;
mod client;
pub mod config;
pub mod download;
mod engine;
pub mod fleet;
pub mod http;
pub mod job;
mod machine;
mod nudge;
pub mod pace;
mod pem;
mod poll;
mod retry;
mod run;
pub mod time;
mod transport;

pub use builder::{ClientBuilder, ClientKind, ClientParts, ClientState, ENV_BASE_URL, IntoArc};
/// The chunks of an [`AsyncBody`]: shared bytes, handed on without a copy.
pub use bytes::Bytes;
pub use callback::CallbackDedupe;
pub use cancel::{CancelHandle, Cancelled};
pub use client::{
    AsyncKling, AsyncKlingBackend, Downloaded, Kling, KlingBackend, ProgressFn, SlotLease,
    TaskSlot, WaitOptions,
};
pub use config::{Backoff, Config, DownloadConfig, PollConfig, RetryConfig};
pub use engine::{Engine, Prepared, Reply};
pub use http::{HttpRequest, HttpResponse};
pub use job::{CreateTask, Pollable, TaskOf, TaskState, TaskView};
pub use machine::{Call, Create, Created, Machine, Progress, Step, Wait};
pub use nudge::Nudge;
pub use pace::{AsyncRequestPacer, MemoryPacer, RateConfig, RequestClass, RequestPacer};
pub use retry::{Attempt, Decision, RetryBudget, RetryPolicy};
pub use run::{Observer, run_async, run_blocking};
pub use transport::{
    AsyncBody, AsyncStreamingResponse, AsyncTransport, AsyncTransportFn, StreamingResponse,
    Transport, TransportFn,
};
