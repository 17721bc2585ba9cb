#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod batch;
mod conn;
mod names;
mod pace;
mod queue;
mod slots;
mod store;
mod worker;

pub use batch::{BatchJob, JobCreate, RUNBLOB_PRODUCTS, RunBlobCreate};
pub use conn::Fleet;
pub use pace::RedisPacer;
pub use queue::{Backlog, BatchQueue, Delivery};
pub use slots::RedisSlots;
pub use store::RedisJobStore;
pub use worker::{Clients, Outcome, OutcomeFn, WorkerOptions, WorkerReport, run_worker};
