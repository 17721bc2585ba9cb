//! One job run through a [`JobStore`]: resumable by any worker, never posted twice blind.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use kling_errors::{
    AmbiguousCreateError, CancelledError, Error, ErrorCode, ErrorKind, KlingCode, ValidationError,
};
use kling_types::TaskQuery;
use kling_types::TaskRef;

use super::store::{JobRecord, JobState, JobStore, StoredCode, StoredFile, request_fingerprint};
use crate::client::{AsyncKling, WaitOptions};
use crate::job::{CreateTask, TaskView};
use crate::nudge::Nudge;

/// A worker's hold on a job (a fleet queue's claim on its entry), confirmed right before each
/// POST and again before a POST's outcome is recorded: a worker that lost the job to another
/// (cut off from the queue longer than its claim lasts) neither posts it nor overwrites the
/// record its new holder keeps.
#[async_trait]
pub trait Claim: Send + Sync + Debug {
    /// Whether this worker still holds the job (and, for a lease, renews it).
    ///
    /// # Errors
    ///
    /// When that cannot be known now (the queue is unreachable): nothing is posted.
    async fn still_held(&self) -> Result<bool, Error>;
}

/// A job to run through a store: its request (with an `external_task_id`, its key) and its
/// family's name (kept in the record).
#[derive(Debug)]
#[non_exhaustive]
pub struct StoredJob<E> {
    /// The create.
    pub request: E,
    /// The family's name (`text2video`).
    pub family: String,
    /// Whether a worker may have started this job before (a queue entry delivered again):
    /// then even a job without a record is looked up before it is posted (the store may have
    /// lost its record).
    pub redelivered: bool,
    /// The worker's hold on the job, confirmed before each POST (`None`: a job no one else
    /// can take).
    pub claim: Option<Arc<dyn Claim>>,
    /// The job's key when the request carries none (RunBlob takes no `external_task_id`).
    pub key: Option<String>,
    /// Stop once the task exists (recorded as created), without waiting for it: an agent's
    /// create returns at once and waits in another call ([`wait_for_record`]).
    pub create_only: bool,
}

impl<E> StoredJob<E> {
    /// A job of `request` (its `external_task_id` is its key) in `family`, never started.
    pub fn new(request: E, family: impl Into<String>) -> Self {
        Self {
            request,
            family: family.into(),
            redelivered: false,
            claim: None,
            key: None,
            create_only: false,
        }
    }

    /// Stops once the task exists, without waiting for it (see
    /// [`create_only`](StoredJob#structfield.create_only)).
    #[must_use]
    pub fn create_only(mut self) -> Self {
        self.create_only = true;
        self
    }

    /// The job's key, for a request whose API takes no `external_task_id` (RunBlob). Such a
    /// job is posted at most once: a POST whose outcome is unknown parks it as
    /// [`Unsettled`](JobState::Unsettled).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Marks it as possibly started by a worker before (a redelivered queue entry).
    #[must_use]
    pub fn redelivered(mut self, redelivered: bool) -> Self {
        self.redelivered = redelivered;
        self
    }

    /// The worker's hold on it, confirmed before each POST.
    #[must_use]
    pub fn claim(mut self, claim: Arc<dyn Claim>) -> Self {
        self.claim = Some(claim);
        self
    }
}

fn invalid(field: &str, message: &str) -> Error {
    ValidationError::new(field, KlingCode::InvalidParameter, message).into()
}

/// Whether a create's refusal is the account's (no credits, no access): no retry gets past it
/// until a person acts, and no task exists, so the job parks as blocked.
fn blocks(error: &Error) -> bool {
    !error.is_retryable() && matches!(error.kind(), ErrorKind::Billing | ErrorKind::Permission)
}

/// Whether a create's failure is the job's end (the request itself was refused), rather than
/// something a later attempt may get past.
fn refused_for_good(error: &Error) -> bool {
    !error.is_retryable()
        && matches!(
            error.kind(),
            ErrorKind::InvalidRequest | ErrorKind::ContentPolicy | ErrorKind::NotFound
        )
}

/// Runs `job` with `client`, recording each step in `store`, and returns the record where the
/// job ended: done, failed, or blocked (a create refused for the account's reasons: credits,
/// access; the job is parked until resumed). Resumes wherever the record says the job is: a
/// job already done or failed is returned as is; a blocked one is run again (a resume queued
/// it: nothing was created); a job created is waited for; a job whose POST may have been
/// sent is looked up by its `external_task_id` before anything is posted again. The task
/// slot is held from the create (or the resumed wait) to the task's end.
///
/// An `Err` leaves the record where it was: run the job again later (any worker may).
///
/// # Errors
///
/// A [`ValidationError`] when the request has no `external_task_id`, when its API cannot
/// look a task up by it (RunBlob), or when the id is already recorded for another request;
/// the store's error; the client's error when the job cannot go on now (transport, timeout,
/// cancellation, a lookup that failed).
pub async fn run_stored_job<K, E>(
    client: &K,
    store: &dyn JobStore,
    job: StoredJob<E>,
    mut options: WaitOptions<'_>,
) -> Result<JobRecord, Error>
where
    K: AsyncKling + ?Sized,
    E: CreateTask,
{
    let StoredJob {
        request,
        family,
        redelivered,
        claim,
        key,
        create_only,
    } = job;
    let Some(id) = request.external_task_id().map(str::to_owned).or(key) else {
        return Err(invalid(
            "external_task_id",
            "a stored job needs one: it is the job's key",
        ));
    };
    let Some(lookup) = request.lookup(&id) else {
        let job = StoredJob {
            request,
            family,
            redelivered,
            claim,
            key: Some(id),
            create_only,
        };
        return Box::pin(run_at_most_once(client, store, job, options)).await;
    };
    let print = request_fingerprint(&request);
    let mut record = match store.get(&id).await? {
        Some(r) if r.fingerprint != print => {
            return Err(invalid(
                "external_task_id",
                &format!("{id:?} is already recorded for another request"),
            ));
        }
        Some(r) => r,
        None => {
            let r = JobRecord::queued(&id, family, print);
            // Another worker may have recorded it meanwhile: theirs stands.
            if !store.insert(&r).await? {
                return Box::pin(run_stored_job(
                    client,
                    store,
                    StoredJob {
                        request,
                        family: r.family,
                        redelivered,
                        claim,
                        key: Some(id),
                        create_only,
                    },
                    options,
                ))
                .await;
            }
            r
        }
    };
    if record.state.is_final() {
        return Ok(record);
    }
    let slot = client.task_slot().await?;
    // Given back (awaited) however the job leaves this: ended, refused, or not followed.
    slot.hold_while(async move {
        let query = if record.state == JobState::Created {
            lookup
        } else {
            // A POST may have reached Kling unanswered: look before posting again.
            let may_exist =
                !matches!(record.state, JobState::Queued | JobState::Blocked) || redelivered;
            let found = if may_exist {
                match client.send(&lookup).await {
                    Ok(reply) => lookup.task(reply.value),
                    Err(e)
                        if matches!(
                            e.code(),
                            Some(ErrorCode::Kling(KlingCode::ResourceNotFound))
                        ) =>
                    {
                        None
                    }
                    Err(e) => return Err(e),
                }
            } else {
                None
            };
            match found {
                Some(task) => {
                    record.task_id = Some(task.task_id().to_owned());
                    record.state = JobState::Created;
                    store.put(&record).await?;
                    lookup
                }
                // The server said the task exists: it is not visible yet; look again later.
                None if record.exists => {
                    return Err(AmbiguousCreateError::new(
                        id,
                        record.posts,
                        invalid(
                            "external_task_id",
                            "the server said a task with this id exists; it is not visible yet",
                        ),
                    )
                    .into());
                }
                None => {
                    // Still ours? A worker cut off longer than its claim lasts must not post a
                    // job another worker took over.
                    match post(
                        client,
                        store,
                        &mut record,
                        request,
                        claim.as_deref(),
                        &id,
                        &mut options,
                    )
                    .await?
                    {
                        Ok(created) => {
                            options.just_created = true;
                            created.query
                        }
                        // Refused as a duplicate: a post of this job (another worker's, or one of
                        // ours whose answer was lost) created the task. Remember it; look it up
                        // on the next attempt, never post again.
                        Err(e) if e.says_external_id_exists() => {
                            record.exists = true;
                            store.put(&record).await?;
                            return Err(AmbiguousCreateError::new(id, record.posts, e).into());
                        }
                        Err(e) if refused_for_good(&e) || blocks(&e) => {
                            return settle_refusal(store, record, &e, stamp(client)).await;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        };
        if create_only {
            return Ok(record);
        }
        wait_and_record(client, store, record, query, options).await
    })
    .await
}

/// Waits for the task of a job created earlier (its record says `created`; `query` reads its
/// task) and records how it ended: done with its files, or failed. The wait holds a task slot
/// of `client`. How an agent's `wait_task` picks up a job made by another call, or before a
/// restart.
///
/// # Errors
///
/// The wait's, when the task did not end (a timeout, a cancel: the record stays `created`),
/// or the store's.
pub async fn wait_for_record<K, Q>(
    client: &K,
    store: &dyn JobStore,
    record: JobRecord,
    query: Q,
    options: WaitOptions<'_>,
) -> Result<JobRecord, Error>
where
    K: AsyncKling + ?Sized,
    Q: crate::job::Pollable,
{
    let slot = client.task_slot().await?;
    slot.hold_while(wait_and_record(client, store, record, query, options))
        .await
}

/// Waits for the job's task and records how it ended (the caller holds its slot).
async fn wait_and_record<K, Q>(
    client: &K,
    store: &dyn JobStore,
    mut record: JobRecord,
    query: Q,
    options: WaitOptions<'_>,
) -> Result<JobRecord, Error>
where
    K: AsyncKling + ?Sized,
    Q: crate::job::Pollable,
{
    let waited = client.wait(&query, options).await;
    match waited {
        Ok(task) => {
            record.state = JobState::Done;
            // An error of an earlier try (a resumed blocked job) is not this job's any more.
            record.error = None;
            record.error_code = None;
            record.task_id = Some(task.task_id().to_owned());
            record.expires_at = task.expires_at();
            record.files = task
                .result_files()
                .into_iter()
                .map(StoredFile::from)
                .collect();
        }
        Err(e) if e.kind() == ErrorKind::TaskFailed => {
            record.state = JobState::Failed;
            record.error = Some(e.to_string());
            record.error_code = e.code().map(StoredCode::new);
        }
        Err(e) => return Err(e),
    }
    record.ended_at = Some(stamp(client));
    store.put(&record).await?;
    Ok(record)
}

/// Posts the job once: confirms the claim, records the POST as `creating`, creates, confirms
/// the claim again (a worker that lost the job while posting leaves the record to its new
/// holder), and records a task created. The outer `Err` is the store's or the claim's; the
/// inner result is the create's, for the caller to settle.
async fn post<K, E>(
    client: &K,
    store: &dyn JobStore,
    record: &mut JobRecord,
    mut request: E,
    claim: Option<&dyn Claim>,
    id: &str,
    options: &mut WaitOptions<'_>,
) -> Result<Result<crate::machine::Created<E>, Error>, Error>
where
    K: AsyncKling + ?Sized,
    E: CreateTask,
{
    // Posted with the callback URL of the wait's nudge (set here, after the fingerprint: where
    // callbacks go is not what the job is). A create that takes none is polled as usual.
    if let Some(url) = options.nudge.as_ref().and_then(Nudge::callback_url)
        && !request.set_callback_url(url.to_owned())
    {
        options.nudge = None;
    }
    confirm(claim, id).await?;
    record.state = JobState::Creating;
    record.posts = record.posts.saturating_add(1);
    record.started_at.get_or_insert(stamp(client));
    store.put(record).await?;
    let created = client.create(request).await;
    confirm(claim, id).await?;
    if let Ok(created) = &created {
        if let TaskRef::TaskId(task_id) = created.query.task_ref() {
            record.task_id = Some(task_id);
        }
        record.state = JobState::Created;
        store.put(record).await?;
    }
    Ok(created)
}

/// Ends or parks a job whose create was refused for good (failed) or for the account's reasons
/// (blocked).
async fn settle_refusal(
    store: &dyn JobStore,
    mut record: JobRecord,
    error: &Error,
    now: i64,
) -> Result<JobRecord, Error> {
    record.state = if blocks(error) {
        JobState::Blocked
    } else {
        JobState::Failed
    };
    record.error = Some(error.to_string());
    record.error_code = error.code().map(StoredCode::new);
    record.ended_at = Some(now);
    store.put(&record).await?;
    Ok(record)
}

/// Fails with a cancellation when the worker no longer holds job `id` (another worker took it
/// over): it must neither post the job nor write its record.
async fn confirm(claim: Option<&dyn Claim>, id: &str) -> Result<(), Error> {
    match claim {
        Some(claim) if !claim.still_held().await? => {
            Err(CancelledError::new(Some(id.to_owned())).into())
        }
        _ => Ok(()),
    }
}

/// Parks a job as unsettled with `reason`: it is never posted again.
async fn unsettled(
    store: &dyn JobStore,
    mut record: JobRecord,
    reason: String,
    now: i64,
) -> Result<JobRecord, Error> {
    record.state = JobState::Unsettled;
    record.error = Some(reason);
    record.ended_at = Some(now);
    store.put(&record).await?;
    Ok(record)
}

/// A stored job whose API cannot look a task up by the caller's id (RunBlob), keyed by the
/// job's own key: posted at most once. A POST whose outcome is unknown, or a record found
/// `creating` (a worker stopped while posting), parks the job as unsettled; a job created is
/// waited for through the query its task's id gives.
async fn run_at_most_once<K, E>(
    client: &K,
    store: &dyn JobStore,
    job: StoredJob<E>,
    mut options: WaitOptions<'_>,
) -> Result<JobRecord, Error>
where
    K: AsyncKling + ?Sized,
    E: CreateTask,
{
    let StoredJob {
        request,
        family,
        claim,
        key,
        create_only,
        ..
    } = job;
    // The caller keyed it (`run_stored_job`: the job's key).
    let id = key.unwrap_or_default();
    let print = request_fingerprint(&request);
    let mut record = match store.get(&id).await? {
        Some(r) if r.fingerprint != print => {
            return Err(invalid(
                "external_task_id",
                &format!("{id:?} is already recorded for another request"),
            ));
        }
        Some(r) => r,
        None => {
            let r = JobRecord::queued(&id, family, print);
            if !store.insert(&r).await? {
                // Another worker recorded it meanwhile: its record decides.
                let job = StoredJob {
                    request,
                    family: r.family,
                    redelivered: false,
                    claim,
                    key: Some(id),
                    create_only,
                };
                return Box::pin(run_at_most_once(client, store, job, options)).await;
            }
            r
        }
    };
    if record.state.is_final() {
        return Ok(record);
    }
    let slot = client.task_slot().await?;
    slot.hold_while(async move {
        let query = match (record.state, record.task_id.clone()) {
            (JobState::Created, Some(task_id)) => {
                request.query_for_task(&task_id).ok_or_else(|| {
                    invalid(
                        "task_id",
                        "this create's task cannot be read back from its id",
                    )
                })?
            }
            (JobState::Queued | JobState::Blocked, _) => {
                match post(
                    client,
                    store,
                    &mut record,
                    request,
                    claim.as_deref(),
                    &id,
                    &mut options,
                )
                .await?
                {
                    Ok(created) => {
                        options.just_created = true;
                        created.query
                    }
                    // The POST may have created a task that nothing can find: never post again.
                    Err(e) if e.kind() == ErrorKind::AmbiguousCreate => {
                        return unsettled(store, record, e.to_string(), stamp(client)).await;
                    }
                    Err(e) if refused_for_good(&e) || blocks(&e) => {
                        return settle_refusal(store, record, &e, stamp(client)).await;
                    }
                    Err(e) => {
                        // The create flow settled it: nothing was created. Queued again.
                        record.state = JobState::Queued;
                        store.put(&record).await?;
                        return Err(e);
                    }
                }
            }
            // `creating`: a worker stopped while posting it; what the server did is unknown.
            _ => {
                return unsettled(
                    store,
                    record,
                    "a worker stopped while posting it: whether the server created the task is \
                     unknown, and this API cannot look it up; it is not posted again"
                        .to_owned(),
                    stamp(client),
                )
                .await;
            }
        };
        if create_only {
            return Ok(record);
        }
        wait_and_record(client, store, record, query, options).await
    })
    .await
}

/// Now by `client`'s clock, as records keep times ([`unix_ms`](crate::time::unix_ms)).
fn stamp<K: AsyncKling + ?Sized>(client: &K) -> i64 {
    crate::time::unix_ms(client.now())
}
