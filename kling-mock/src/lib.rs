#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Handlers refuse with the answer itself (`Result<_, Response>`, so `?` reads as the API's
// checks): a 128-byte `Response` on a cold path is no cost worth boxing for.
#![allow(clippy::result_large_err)]

mod auth;
mod billing;
mod callbacks;
mod config;
mod faults;
mod files;
mod reply;
mod routes;
mod serve;
mod server;
mod state;
mod task;
mod tls;

pub use config::MockConfig;
pub use faults::{Fault, FaultAction};
pub use serve::{ServeArgs, Started};
pub use server::MockServer;
pub use state::MockStats;

/// The access key of the demo account.
pub const DEMO_ACCESS_KEY: &str = "AKdemo0000000000";
/// The secret key of the demo account (a demo value, not a secret).
pub const DEMO_SECRET_KEY: &str = "SKdemo-kling-mock";
/// A static API key the mock accepts (every route; the only credential of the new standard and
/// RunBlob routes).
pub const DEMO_API_KEY: &str = "sk-demo-kling-mock";

/// The sample video served for every video result (2 s, 160×90, H.264 + AAC).
pub const SAMPLE_MP4: &[u8] = include_bytes!("../assets/sample.mp4");
/// The sample image served for every image result.
pub const SAMPLE_PNG: &[u8] = include_bytes!("../assets/sample.png");
/// The sample MP3 served for every audio result (1 s, 440 Hz).
pub const SAMPLE_MP3: &[u8] = include_bytes!("../assets/sample.mp3");
/// The sample WAV served for every audio result (0.5 s, 440 Hz).
pub const SAMPLE_WAV: &[u8] = include_bytes!("../assets/sample.wav");
