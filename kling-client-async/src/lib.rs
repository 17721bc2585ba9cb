#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod helpers;
mod transport;

pub use client::{Client, ClientBuilder, Downloaded, ProgressFn, TokioSleep, WaitOptions};
pub use kling_core::{
    AsyncTransport, AsyncTransportFn, Config, Created, HttpRequest, HttpResponse, Progress,
};
pub use kling_errors::{Error, ErrorKind};
pub use transport::ReqwestTransport;
