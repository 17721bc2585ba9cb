#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod budget;
mod files;
mod http;
mod jobs;
mod server;
mod tools;

pub use http::{HttpToken, serve_http};
pub use server::{KlingMcp, McpSettings, job_folder};
