#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod backend;
mod db;
mod jobs;
mod pace;
mod queue;
mod slots;

pub use db::Store;
pub use jobs::SqliteJobStore;
pub use pace::SqlitePacer;
pub use queue::SqliteQueue;
pub use slots::SqliteSlots;
