//! Fleet scale: the pieces that let many workers share one Kling account.
//!
//! Kling limits concurrency (1303) and rate (1302) per account, not per process, and a paid
//! task must outlive the worker that created it. These traits carry that, with in-memory
//! versions as the default (one process), Redis versions in `kling-redis` (a fleet) and
//! SQLite ones in `kling-store` (the processes of one machine):
//!
//! - [`TaskSlots`] / [`AsyncTaskSlots`]: a counting semaphore held from a create to its task's
//!   end. Shared implementations hold leases with a time to live, renewed while the slot is
//!   held, so a dead worker's slots come back by themselves.
//! - [`JobStore`]: a durable [`JobRecord`] per job, keyed by `external_task_id`, written
//!   before the first POST and after each change, so any worker can resume any job.
//! - [`JobQueue`]: a batch queue of [`BatchJob`]s, each handed to one worker at a time and
//!   taken over from a worker that went quiet; [`FleetBackend`] puts the queue, the store,
//!   the slots and the request budget of one fleet together (a Redis, a SQLite file), so
//!   one worker loop runs on any of them.
//!
//! [`run_stored_job`] runs one job through a store: it never re-posts a job that may exist
//! (a job found half-created is looked up by its `external_task_id` first).

mod batch;
mod inbox;
mod queue;
mod slots;
mod store;
mod stored;

pub use batch::{BatchJob, JobCreate, RUNBLOB_PRODUCTS, RunBlobCreate};
pub use inbox::{CallbackInbox, CallbackReceipt};
pub use queue::{Backlog, Delivery, FleetBackend, JobQueue, count_states};
pub use slots::{AsyncTaskSlots, TaskSlots};
pub use store::{
    JobBrief, JobRecord, JobState, JobStore, MemoryJobStore, StoredCode, StoredFile, check_note,
    fingerprint, request_fingerprint,
};
pub use stored::{Claim, StoredJob, run_stored_job, wait_for_record};
