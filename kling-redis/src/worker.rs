//! [`run_worker`]: one worker of a fleet: takes jobs from the queue, runs each through the job
//! store holding the fleet's task slots, downloads the results, acknowledges; backs off and
//! goes on through connection losses and Redis restarts. Written over kling-core's
//! [`FleetBackend`], so the same loop runs on Redis and on kling-store's SQLite file.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kling_core::fleet::{
    Claim, Delivery, FleetBackend, JobCreate, JobQueue, JobRecord, JobState, JobStore,
    RunBlobCreate, StoredJob, run_stored_job,
};
use kling_core::{AsyncKling, CancelHandle, CreateTask, WaitOptions};
use kling_errors::{CancelledError, Error, ErrorKind};
use tokio::task::JoinSet;

use crate::bells::{AbortOnDrop, Bells};

/// How a worker runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WorkerOptions {
    /// Jobs this worker runs at once (the fleet's slots bound them all together).
    pub concurrency: usize,
    /// An entry left pending this long is taken over (its worker is presumed dead). Live
    /// workers touch theirs every third of it.
    pub claim_idle: Duration,
    /// Where result files go (`None`: not downloaded; `kling batch results` lists the URLs).
    /// They are named by the job's key (`<external_task_id>.mp4`; with several files
    /// `<external_task_id>-0.png`, ...), so a file leads back to its batch line, and where each
    /// was saved is written into the job's record (`StoredFile::path`).
    pub download_dir: Option<PathBuf>,
    /// Stop once the queue is empty and nothing is pending; otherwise run until cancelled.
    pub until_empty: bool,
    /// How long one task may be waited for.
    pub max_wait: Option<Duration>,
    /// How long an idle worker sleeps before it reads the queue again.
    pub idle_poll: Duration,
    /// The URL Kling posts each task's status changes to: a receiver that notes them in the
    /// job store (`kling batch receive`, or your server with a
    /// [`CallbackInbox`](kling_core::fleet::CallbackInbox)), usually ending in a callback token
    /// (`kling_auth::CallbackToken`). Tasks are created with it; their waits
    /// then poll only as a slow fallback
    /// ([`PollConfig::callback_fallback`](kling_core::PollConfig::callback_fallback)) and look
    /// at a task as soon as its callback is noted. `None`: waits poll.
    pub callback_url: Option<String>,
    /// How often the worker reads the store's callback notes for its running jobs (250 ms).
    pub callback_check: Duration,
    /// The nudges of the running jobs (made by `run_worker` from `callback_url`).
    bells: Option<Bells>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            claim_idle: Duration::from_secs(60),
            download_dir: None,
            until_empty: false,
            max_wait: None,
            idle_poll: Duration::from_millis(250),
            callback_url: None,
            callback_check: Duration::from_millis(250),
            bells: None,
        }
    }
}

/// What became of one job in this worker.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// The job ended (done or failed); `files` are the downloaded paths (also in the
    /// record's files, made absolute).
    Finished {
        /// Its record (boxed: a record is large beside the other outcomes).
        record: Box<JobRecord>,
        /// The files saved.
        files: Vec<PathBuf>,
    },
    /// The entry is not a job this fleet can run (a bad line, an id reused for another
    /// request); acknowledged, so it is not retried.
    Rejected {
        /// The stream entry.
        entry: String,
        /// Why.
        reason: String,
    },
    /// Another worker took the job over (this one was too slow to touch it).
    Lost {
        /// The job's key.
        external_task_id: String,
    },
}

/// Called with each job's [`Outcome`] as it ends, on the worker's own task (so it should
/// return quickly: send it on, print it, count it).
pub type OutcomeFn<'a> = Box<dyn FnMut(Outcome) + Send + 'a>;

/// What a worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerReport {
    /// Jobs that ended done.
    pub done: u64,
    /// Jobs that ended failed.
    pub failed: u64,
    /// Jobs parked as blocked (the account cannot run them now; `JobQueue::resume` queues
    /// them again).
    pub blocked: u64,
    /// Jobs whose create may have happened and cannot be looked up (RunBlob): never posted
    /// again; see their records.
    pub unsettled: u64,
    /// Entries rejected.
    pub rejected: u64,
    /// Jobs another worker took over while this one ran them (it was cut off from the queue
    /// past its claim time): left to that worker, their records untouched.
    pub lost: u64,
    /// Attempts that hit a passing error and were tried again.
    pub retried: u64,
}

/// Why a worker rejects a create kling-core knows and this loop does not (a newer kling-core).
const UNKNOWN_CREATE: &str = "a kind of job this worker cannot run (update kling-redis)";

/// Why one run of a job ended without an outcome: try again, or give it up.
enum Interrupted {
    Retry(Error),
    Lost,
}

/// How one entry's run ended.
struct Ended {
    /// `None` when the worker was stopped meanwhile.
    outcome: Option<Outcome>,
    /// Attempts that hit a passing error.
    retried: u64,
    /// An error no retry gets past (the credentials): the worker stops with it.
    fatal: Option<Error>,
}

/// What a worker keeps track of as its jobs end.
struct Books<'a> {
    report: WorkerReport,
    fatal: Option<Error>,
    outcomes: Option<OutcomeFn<'a>>,
    cancel: CancelHandle,
}

impl Books<'_> {
    fn tally(&mut self, joined: Result<Ended, tokio::task::JoinError>) {
        let Ok(ended) = joined else { return };
        self.report.retried += ended.retried;
        if let Some(e) = ended.fatal {
            // Every job would hit it: stop taking jobs; the entry stays for another worker.
            self.cancel.cancel();
            self.fatal.get_or_insert(e);
        }
        let Some(outcome) = ended.outcome else { return };
        match &outcome {
            Outcome::Finished { record, .. } if record.state == JobState::Done => {
                self.report.done += 1;
            }
            Outcome::Finished { record, .. } if record.state.is_parked() => {
                self.report.blocked += 1;
            }
            Outcome::Finished { record, .. } if record.state == JobState::Unsettled => {
                self.report.unsettled += 1;
            }
            Outcome::Finished { .. } => self.report.failed += 1,
            Outcome::Rejected { .. } => self.report.rejected += 1,
            Outcome::Lost { .. } => self.report.lost += 1,
        }
        if let Some(on_outcome) = &mut self.outcomes {
            on_outcome(outcome);
        }
    }

    /// Sleeps `d`, or less when a running job ends first.
    async fn pause(&mut self, running: &mut JoinSet<Ended>, d: Duration) {
        if running.is_empty() {
            tokio::time::sleep(d).await;
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            Some(joined) = running.join_next() => self.tally(joined),
        }
    }
}

/// The clients a worker runs jobs with: Kling's (legacy and new standard), and RunBlob's
/// when the batch has RunBlob jobs (another host, another key). A client alone converts into
/// one without RunBlob: a RunBlob job is then rejected with the reason.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Clients<K> {
    /// Kling's client, with the fleet's task slots.
    pub kling: K,
    /// RunBlob's client.
    pub runblob: Option<K>,
}

impl<K> Clients<K> {
    /// Kling's client and RunBlob's.
    pub fn new(kling: K, runblob: Option<K>) -> Self {
        Self { kling, runblob }
    }
}

impl<K> From<K> for Clients<K> {
    fn from(kling: K) -> Self {
        Self {
            kling,
            runblob: None,
        }
    }
}

/// Runs a worker until `cancel` fires (or, with [`WorkerOptions::until_empty`], until the
/// queue is empty), as the consumer `consumer` of `fleet`'s queue: a [`Fleet`](crate::Fleet)
/// on Redis, kling-store's `Store` (a SQLite file shared by the processes of one machine), or
/// any other [`FleetBackend`]. The Kling client holds the fleet's task slots
/// ([`ClientBuilder::task_slots`](kling_core::ClientBuilder::task_slots) with
/// [`FleetBackend::task_slots`]); each job's outcome is handed to `outcomes` when given.
///
/// # Errors
///
/// A failure to set the queue up at start; an error no retry gets past (rejected credentials
/// or permissions), after the jobs in hand have stopped. Other errors of the backend and of
/// Kling are waited out and retried.
pub async fn run_worker<K>(
    clients: impl Into<Clients<K>>,
    fleet: &dyn FleetBackend,
    consumer: &str,
    options: WorkerOptions,
    cancel: CancelHandle,
    outcomes: Option<OutcomeFn<'_>>,
) -> Result<WorkerReport, Error>
where
    K: AsyncKling + Clone + 'static,
{
    let client = Arc::new(clients.into());
    let queue = fleet.job_queue(consumer);
    queue.prepare().await?;
    let store = fleet.job_store();
    let mut options = options;
    options.bells = options.callback_url.clone().map(Bells::new);
    // Stopped when the worker stops, however it stops.
    let watcher = options.bells.as_ref().map(|bells| {
        AbortOnDrop(tokio::spawn(bells.clone().watch(
            store.clone(),
            options.callback_check.max(Duration::from_millis(50)),
            cancel.clone(),
        )))
    });
    let options = Arc::new(options);
    let mut books = Books {
        report: WorkerReport::default(),
        fatal: None,
        outcomes,
        cancel: cancel.clone(),
    };
    let mut running: JoinSet<Ended> = JoinSet::new();
    let mut outage = Duration::from_millis(100);
    loop {
        while let Some(joined) = running.try_join_next() {
            books.tally(joined);
        }
        if cancel.is_cancelled() {
            break;
        }
        if running.len() >= options.concurrency.max(1) {
            if let Some(joined) = running.join_next().await {
                books.tally(joined);
            }
            continue;
        }
        match queue.next(options.claim_idle).await {
            Ok(Some(delivery)) => {
                outage = Duration::from_millis(100);
                let (client, queue, store, options, cancel) = (
                    client.clone(),
                    queue.clone(),
                    store.clone(),
                    options.clone(),
                    cancel.clone(),
                );
                running.spawn(async move {
                    run_entry(&client, &queue, &store, &options, delivery, &cancel).await
                });
            }
            Ok(None) => {
                outage = Duration::from_millis(100);
                if options.until_empty && running.is_empty() {
                    match queue.backlog().await {
                        Ok(b) if b.is_empty() => break,
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "worker: cannot read the backlog");
                        }
                    }
                }
                books.pause(&mut running, options.idle_poll).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "worker: cannot read the queue (retrying)");
                books.pause(&mut running, outage).await;
                outage = (outage * 2).min(Duration::from_secs(5));
            }
        }
    }
    while let Some(joined) = running.join_next().await {
        books.tally(joined);
    }
    drop(watcher);
    match books.fatal {
        Some(e) => Err(e),
        None => Ok(books.report),
    }
}

/// Runs one entry to its end.
async fn run_entry<K: AsyncKling + Clone + 'static>(
    clients: &Clients<K>,
    queue: &Arc<dyn JobQueue>,
    store: &Arc<dyn JobStore>,
    options: &WorkerOptions,
    delivery: Delivery,
    cancel: &CancelHandle,
) -> Ended {
    let Delivery {
        entry,
        job,
        redelivered,
        ..
    } = delivery;
    let reject = |reason: String| async {
        // Acknowledged, or it would come back forever; a failed ack only means it does.
        let _ = queue.ack(&entry).await;
        Ended {
            outcome: Some(Outcome::Rejected {
                entry: entry.clone(),
                reason,
            }),
            retried: 0,
            fatal: None,
        }
    };
    let job = match job.and_then(|j| j.create().map(|c| (j, c)).map_err(|e| e.to_string())) {
        Ok(job) => job,
        Err(reason) => return reject(reason).await,
    };
    let (job, create) = job;
    let id = job.id().unwrap_or_default().to_owned();
    // Keeps the entry ours while the job runs. `stop` ends the job's wait when another worker
    // took the entry (`lost`) or the worker is cancelled.
    let stop = CancelHandle::new();
    let lost = Arc::new(AtomicBool::new(false));
    let keeper = {
        let (queue, entry, stop, lost, cancel, every) = (
            queue.clone(),
            entry.clone(),
            stop.clone(),
            lost.clone(),
            cancel.clone(),
            (options.claim_idle / 3).max(Duration::from_millis(100)),
        );
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = cancel.cancelled() => {
                        stop.cancel();
                        return;
                    }
                }
                match queue.touch(&entry).await {
                    Ok(true) => {}
                    Ok(false) => {
                        lost.store(true, Ordering::SeqCst);
                        stop.cancel();
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "worker: cannot keep a job (retrying)")
                    }
                }
            }
        })
    };
    let mut retried = 0u64;
    let mut backoff = Duration::from_millis(250);
    let outcome = loop {
        if stop.is_cancelled() && !lost.load(Ordering::SeqCst) {
            break None;
        }
        let claim: Arc<dyn Claim> = Arc::new(EntryClaim {
            queue: queue.clone(),
            entry: entry.clone(),
            lost: lost.clone(),
        });
        let again = redelivered || retried > 0;
        let client = &clients.kling;
        // One job model for every API: the create's type decides the lookup and the task.
        let attempt = match &create {
            JobCreate::RunBlob(c) => {
                let Some(rb) = &clients.runblob else {
                    keeper.abort();
                    return reject("a RunBlob job, and this worker has no RunBlob client (set KLING_RUNBLOB_API_KEY)".to_owned()).await;
                };
                // No `external_task_id` on RunBlob: the job's key keys its record.
                let key = id.clone();
                match c.as_ref() {
                    RunBlobCreate::O3Video(c) => {
                        let job = StoredJob::new(c.clone(), job.family.clone())
                            .key(key)
                            .claim(claim);
                        attempt(rb, &**store, options, job, &stop, &lost).await
                    }
                    RunBlobCreate::O1Video(c) => {
                        let job = StoredJob::new(c.clone(), job.family.clone())
                            .key(key)
                            .claim(claim);
                        attempt(rb, &**store, options, job, &stop, &lost).await
                    }
                    RunBlobCreate::Photo(c) => {
                        let job = StoredJob::new(c.clone(), job.family.clone())
                            .key(key)
                            .claim(claim);
                        attempt(rb, &**store, options, job, &stop, &lost).await
                    }
                    RunBlobCreate::Classic(c) => {
                        let job = StoredJob::new(c.clone(), job.family.clone())
                            .key(key)
                            .claim(claim);
                        attempt(rb, &**store, options, job, &stop, &lost).await
                    }
                    _ => {
                        keeper.abort();
                        return reject(UNKNOWN_CREATE.to_owned()).await;
                    }
                }
            }
            JobCreate::Legacy(c) => {
                let job = StoredJob::new(c.clone(), job.family.clone())
                    .redelivered(again)
                    .claim(claim);
                attempt(client, &**store, options, job, &stop, &lost).await
            }
            JobCreate::Standard(c) => {
                let job = StoredJob::new(c.clone(), job.family.clone())
                    .redelivered(again)
                    .claim(claim);
                attempt(client, &**store, options, job, &stop, &lost).await
            }
            _ => {
                keeper.abort();
                return reject(UNKNOWN_CREATE.to_owned()).await;
            }
        };
        match attempt {
            Ok(Outcome::Finished { record, files }) => {
                // A parked job leaves the stream with its entry kept for a resume.
                let parked = record.state.is_parked();
                let finish = || async {
                    if parked {
                        queue.park(&entry, &job).await
                    } else {
                        queue.ack(&entry).await
                    }
                };
                let mut acked = finish().await;
                while let Err(e) = acked {
                    tracing::warn!(error = %e, "worker: cannot acknowledge (retrying)");
                    if cancel.is_cancelled() {
                        break;
                    }
                    tokio::time::sleep(backoff).await;
                    acked = finish().await;
                }
                break Some(Outcome::Finished { record, files });
            }
            Ok(other) => break Some(other),
            Err(Interrupted::Lost) => {
                break Some(Outcome::Lost {
                    external_task_id: id.clone(),
                });
            }
            Err(Interrupted::Retry(e)) => {
                if e.kind() == ErrorKind::InvalidRequest && !e.is_retryable() {
                    keeper.abort();
                    return reject(e.to_string()).await;
                }
                if matches!(e.kind(), ErrorKind::Auth | ErrorKind::Permission) {
                    // Not this job's fault: left pending for a worker that can run it.
                    keeper.abort();
                    return Ended {
                        outcome: None,
                        retried,
                        fatal: Some(e),
                    };
                }
                tracing::warn!(external_task_id = %id, error = %e, "worker: a job will be tried again");
                retried += 1;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    };
    keeper.abort();
    Ended {
        outcome,
        retried,
        fatal: None,
    }
}

/// This worker's claim on a queue entry, confirmed (and renewed) right before each POST: a
/// worker cut off from the queue longer than `claim_idle` has lost the entry to another and
/// must not post the job.
#[derive(Debug)]
struct EntryClaim {
    queue: Arc<dyn JobQueue>,
    entry: String,
    lost: Arc<AtomicBool>,
}

#[async_trait::async_trait]
impl Claim for EntryClaim {
    async fn still_held(&self) -> Result<bool, Error> {
        let held = self.queue.touch(&self.entry).await?;
        if !held {
            self.lost.store(true, Ordering::SeqCst);
        }
        Ok(held)
    }
}

/// One run of a job through the store, then its downloads.
async fn attempt<K: AsyncKling, E: CreateTask>(
    client: &K,
    store: &dyn JobStore,
    options: &WorkerOptions,
    job: StoredJob<E>,
    stop: &CancelHandle,
    lost: &AtomicBool,
) -> Result<Outcome, Interrupted> {
    let interrupted = |e| {
        if lost.load(Ordering::SeqCst) {
            Interrupted::Lost
        } else {
            Interrupted::Retry(e)
        }
    };
    if stop.is_cancelled() {
        return Err(interrupted(CancelledError::new(None).into()));
    }
    let mut wait = WaitOptions::new().cancel(stop.clone());
    wait.max_wait = options.max_wait;
    // Held until the attempt ends: the watcher rings it when the task's callback is noted.
    let hung = options.bells.as_ref().map(Bells::hang);
    if let Some(hung) = &hung {
        wait = wait.nudge(hung.nudge.clone());
    }
    let mut record = run_stored_job(client, store, job, wait)
        .await
        .map_err(interrupted)?;
    let mut files = Vec::new();
    if let (Some(dir), JobState::Done) = (&options.download_dir, record.state) {
        let changed;
        (files, changed) = save_files(client, &mut record, dir)
            .await
            .map_err(interrupted)?;
        // Where the files are is part of the record, for any process reading the store. A
        // failed write is retried with the job (the files already saved are not fetched
        // again); a worker that lost the job leaves the record to its new holder.
        if changed && !lost.load(Ordering::SeqCst) {
            store.put(&record).await.map_err(interrupted)?;
        }
    }
    Ok(Outcome::Finished {
        record: Box::new(record),
        files,
    })
}

/// Saves a done job's result files in `dir` under their [`saved_names`](crate::saved_names)
/// (a file already there is not fetched again), and notes in `record` where each is (an
/// absolute path, so a process run from another folder finds it). Returns the files' paths
/// and whether the record changed (for the caller to write it). A stored name that is not
/// safe is skipped, never made a path.
///
/// # Errors
///
/// The first download's that fails (the files saved before it stay, and are noted).
pub async fn save_files<K: AsyncKling + ?Sized>(
    client: &K,
    record: &mut JobRecord,
    dir: &std::path::Path,
) -> Result<(Vec<PathBuf>, bool), Error> {
    let names = crate::names::saved_names(record);
    let (mut files, mut changed) = (Vec::new(), false);
    for (file, name) in record.files.iter_mut().zip(names) {
        let Some(name) = name else {
            tracing::warn!(name = %file.file_name, "an unsafe file name in a record; not downloaded");
            continue;
        };
        let dest = dir.join(&name);
        if !dest.exists() {
            client.download(&file.url, &dest).await?;
        }
        // Absolute, so `kling batch results` run from another folder shows where it is.
        let shown = std::path::absolute(&dest)
            .unwrap_or_else(|_| dest.clone())
            .to_string_lossy()
            .into_owned();
        if file.path.as_deref() != Some(shown.as_str()) {
            file.path = Some(shown);
            changed = true;
        }
        files.push(dest);
    }
    Ok((files, changed))
}
