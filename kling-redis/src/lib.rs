#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod bells;
mod conn;
mod names;
mod pace;
mod queue;
mod slots;
mod store;
mod worker;

pub use conn::Fleet;
/// The batch's jobs and the queue's types live in kling-core (every backend shares them);
/// they keep their names here.
pub use kling_core::fleet::{
    Backlog, BatchJob, Delivery, FleetBackend, JobCreate, JobQueue, RUNBLOB_PRODUCTS, RunBlobCreate,
};
pub use names::saved_names;
pub use pace::RedisPacer;
pub use queue::BatchQueue;
pub use slots::RedisSlots;
pub use store::RedisJobStore;
pub use worker::{
    Clients, Outcome, OutcomeFn, WorkerOptions, WorkerReport, run_worker, save_files,
};
