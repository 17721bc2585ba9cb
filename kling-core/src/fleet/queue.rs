//! The batch queue and the backend a fleet keeps its jobs in: what a worker and `kling batch`
//! need from them, whatever holds them (Redis in `kling-redis`, a SQLite file in
//! `kling-store`).

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_errors::Error;

use super::batch::BatchJob;
use super::slots::AsyncTaskSlots;
use super::store::{JobRecord, JobState, JobStore};
use crate::pace::{AsyncRequestPacer, RateConfig};

/// An entry of the queue handed to one worker.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The entry's id in its queue (to touch, acknowledge or park it).
    pub entry: String,
    /// The job, or why the entry is not one (a worker rejects it, with the reason).
    pub job: Result<BatchJob, String>,
    /// Whether it was taken over from a worker that stopped working on it (that worker may
    /// have posted the job already: it is looked up before it is posted).
    pub redelivered: bool,
}

impl Delivery {
    /// The entry `entry` carrying `job`, taken over from another worker when `redelivered`.
    pub fn new(entry: impl Into<String>, job: Result<BatchJob, String>, redelivered: bool) -> Self {
        Self {
            entry: entry.into(),
            job,
            redelivered,
        }
    }
}

/// What is left in a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Backlog {
    /// Entries the queue holds (a Redis stream keeps the acknowledged ones too; kling-store's
    /// queue deletes them).
    pub entries: u64,
    /// Entries no worker has taken yet.
    pub undelivered: u64,
    /// Entries taken and not yet acknowledged (running, or left by a dead worker).
    pub pending: u64,
}

impl Backlog {
    /// `entries` in the queue, of which `undelivered` were never taken and `pending` are
    /// taken and not yet acknowledged.
    pub fn new(entries: u64, undelivered: u64, pending: u64) -> Self {
        Self {
            entries,
            undelivered,
            pending,
        }
    }

    /// Nothing left to do.
    pub fn is_empty(&self) -> bool {
        self.undelivered == 0 && self.pending == 0
    }
}

/// A batch queue as one worker (a consumer) sees it: each entry is handed to one worker at a
/// time, kept by it while it runs the job ([`touch`](Self::touch)), and taken over by another
/// when it is left idle too long (its worker is presumed dead). Jobs are queued once per
/// `external_task_id`, recorded in the job store that goes with the queue in the same step.
#[async_trait]
pub trait JobQueue: Send + Sync + Debug {
    /// Sets the queue up where it is missing (a Redis consumer group); nothing where there is
    /// nothing to set up.
    ///
    /// # Errors
    ///
    /// When the queue cannot be reached.
    async fn prepare(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Queues a keyed job ([`BatchJob::keyed`]): records it as queued and adds its entry, in
    /// one step, unless its id is recorded already (then nothing is done: `false`). The job is
    /// checked first ([`BatchJob::create`]).
    ///
    /// # Errors
    ///
    /// The job's [`ValidationError`](kling_errors::ValidationError) (not keyed, unknown
    /// family, a field out of range); the queue's failure.
    async fn submit(&self, job: &BatchJob) -> Result<bool, Error>;

    /// The next entry for this worker: first one left untouched longer than `claim_idle` by
    /// any worker (a dead one's: [`Delivery::redelivered`]), else one never taken; `None`
    /// when there is neither.
    ///
    /// # Errors
    ///
    /// When the queue cannot be read.
    async fn next(&self, claim_idle: Duration) -> Result<Option<Delivery>, Error>;

    /// Keeps `entry` from going idle while this worker works on it; `false` when another
    /// worker has taken it over (stop working on it: post nothing, record nothing).
    ///
    /// # Errors
    ///
    /// When the queue cannot be reached.
    async fn touch(&self, entry: &str) -> Result<bool, Error>;

    /// Acknowledges a finished entry: it leaves the queue.
    ///
    /// # Errors
    ///
    /// When the queue cannot be reached (the entry then stays, and comes back).
    async fn ack(&self, entry: &str) -> Result<(), Error>;

    /// Parks a job the account cannot run now (its record says
    /// [`Blocked`](JobState::Blocked)): keeps `job` for [`resume`](Self::resume) and
    /// acknowledges `entry`, in one step, so no worker takes it again and it is never lost.
    ///
    /// # Errors
    ///
    /// When the queue cannot be reached (the entry then stays, and comes back).
    async fn park(&self, entry: &str, job: &BatchJob) -> Result<(), Error>;

    /// Queues every parked job whose record still says blocked again (after a top-up, or
    /// access granted): its record back to queued and its entry into the queue, once. How
    /// many were queued.
    ///
    /// # Errors
    ///
    /// When the queue cannot be reached.
    async fn resume(&self) -> Result<u64, Error>;

    /// What is left.
    ///
    /// # Errors
    ///
    /// When the queue cannot be read.
    async fn backlog(&self) -> Result<Backlog, Error>;
}

/// Queues shared by several owners.
#[async_trait]
impl<T: JobQueue + ?Sized> JobQueue for Arc<T> {
    async fn prepare(&self) -> Result<(), Error> {
        (**self).prepare().await
    }
    async fn submit(&self, job: &BatchJob) -> Result<bool, Error> {
        (**self).submit(job).await
    }
    async fn next(&self, claim_idle: Duration) -> Result<Option<Delivery>, Error> {
        (**self).next(claim_idle).await
    }
    async fn touch(&self, entry: &str) -> Result<bool, Error> {
        (**self).touch(entry).await
    }
    async fn ack(&self, entry: &str) -> Result<(), Error> {
        (**self).ack(entry).await
    }
    async fn park(&self, entry: &str, job: &BatchJob) -> Result<(), Error> {
        (**self).park(entry, job).await
    }
    async fn resume(&self) -> Result<u64, Error> {
        (**self).resume().await
    }
    async fn backlog(&self) -> Result<Backlog, Error> {
        (**self).backlog().await
    }
}

/// Where a fleet keeps its jobs: the queue, the job store, the account's task slots and its
/// request budget, together (one Redis, one database file). A worker loop and the `kling
/// batch` commands are written once over it; `kling_redis::Fleet` and `kling_store::Store`
/// implement it.
#[async_trait]
pub trait FleetBackend: Send + Sync + Debug {
    /// What holds the jobs, in a word (`redis`, `sqlite`).
    fn kind(&self) -> &'static str;

    /// Where, for people: a Redis URL (its password replaced) and key prefix, or a file.
    fn location(&self) -> String;

    /// The queue as the consumer `consumer` (unique per worker) sees it.
    fn job_queue(&self, consumer: &str) -> Arc<dyn JobQueue>;

    /// The job store that goes with the queue.
    fn job_store(&self) -> Arc<dyn JobStore>;

    /// The account's task slots: at most `limit` held at once by every worker together, each
    /// a lease of `ttl` renewed while held (a dead worker's slots come back within `ttl`).
    fn task_slots(&self, limit: usize, ttl: Duration) -> Arc<dyn AsyncTaskSlots>;

    /// The account's request budget (`config`'s rates), shared by every worker that uses it.
    fn request_pacer(&self, config: RateConfig) -> Arc<dyn AsyncRequestPacer>;

    /// How many jobs are in each state (every known state, zeros included).
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    async fn counts(&self) -> Result<Vec<(JobState, u64)>, Error>;

    /// Every job's record, in no particular order.
    ///
    /// # Errors
    ///
    /// When the store cannot be read or holds a record that does not decode.
    async fn records(&self) -> Result<Vec<JobRecord>, Error>;

    /// The task slots held now by every worker together (expired leases not counted).
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    async fn slots_held(&self) -> Result<usize, Error>;
}

/// How many records of each state `states` holds: every known state (zeros included), then
/// the unknown ones seen.
pub fn count_states(states: impl IntoIterator<Item = JobState>) -> Vec<(JobState, u64)> {
    let mut counts: Vec<(JobState, u64)> = JobState::ALL.iter().map(|&s| (s, 0)).collect();
    for state in states {
        match counts.iter_mut().find(|(s, _)| *s == state) {
            Some((_, n)) => *n += 1,
            None => counts.push((state, 1)),
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlogs_and_counts() {
        assert!(Backlog::new(0, 0, 0).is_empty());
        assert!(!Backlog::new(1, 0, 1).is_empty());
        assert!(!Backlog::new(1, 1, 0).is_empty());
        let counts = count_states([JobState::Done, JobState::Done, JobState::Unknown]);
        assert_eq!(counts.len(), JobState::ALL.len() + 1);
        assert!(counts.contains(&(JobState::Done, 2)));
        assert!(counts.contains(&(JobState::Queued, 0)));
        assert!(counts.contains(&(JobState::Unknown, 1)));
    }
}
