#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod helpers;
mod transport;

pub use client::{CancelHandle, Client, ClientBuilder, Downloaded, ProgressFn, WaitOptions};
pub use kling_core::{
    Config, Created, HttpRequest, HttpResponse, Progress, StreamingResponse, Transport,
};
pub use kling_errors::{Error, ErrorKind};
pub use transport::UreqTransport;
