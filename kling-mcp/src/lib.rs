#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod budget;
mod files;
mod server;
mod tools;

pub use server::{KlingMcp, McpSettings, job_folder};
