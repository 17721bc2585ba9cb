#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod callback;
pub mod config;
pub mod download;
mod engine;
pub mod http;
mod machine;
mod pollable;
mod retry;
mod run;
pub mod time;
mod transport;

pub use callback::CallbackDedupe;
pub use config::{Backoff, Config, DownloadConfig, PollConfig, RetryConfig};
pub use engine::{Engine, Prepared};
pub use http::{HttpRequest, HttpResponse};
pub use machine::{Call, Create, Created, Machine, Progress, Step, Wait};
pub use pollable::{Pollable, TaskState};
pub use retry::{Attempt, Decision, RetryBudget, RetryPolicy};
pub use run::{Observer, run_async, run_blocking};
pub use transport::{
    AsyncBody, AsyncStreamingResponse, AsyncTransport, AsyncTransportFn, StreamingResponse,
    Transport,
};
