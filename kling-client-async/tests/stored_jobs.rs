//! Jobs run through a job store (`kling_core::fleet`) against kling-mock: a job ends done with
//! its files recorded; a job found half-created is looked up, never posted again; a job never
//! posted is posted once; an id reused for another request is refused; a finished job is
//! returned without a request; the client's shared task slots are held across the job.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use kling_client_async::fleet::{
    AsyncTaskSlots, JobRecord, JobState, JobStore, MemoryJobStore, StoredJob, request_fingerprint,
    run_stored_job,
};
use kling_client_async::prelude::*;
use kling_client_async::{Client, Config, MemorySlots, TaskSlot, WaitOptions};
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
use kling_types::FamilyCreate;
use kling_types::videos::CreateText2Video;

fn client(mock: &MockServer, slots: Option<Arc<dyn AsyncTaskSlots>>) -> Client {
    let mut config = Config::with_base_url(&mock.api_url);
    config.poll.first_delay = std::time::Duration::from_millis(20);
    config.poll.min_delay = std::time::Duration::from_millis(20);
    config.poll.cap = std::time::Duration::from_millis(20);
    let builder = Client::builder()
        .credentials(
            kling_client_async::Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap(),
        )
        .config(config);
    match slots {
        Some(s) => builder.task_slots(s),
        None => builder,
    }
    .build()
    .unwrap()
}

fn job(id: &str, prompt: &str) -> StoredJob<FamilyCreate> {
    let mut body = serde_json::json!({"prompt": prompt, "duration": "5"});
    body["external_task_id"] = id.into();
    StoredJob::new(
        kling_types::Family::named("text2video")
            .unwrap()
            .create(body)
            .unwrap(),
        "text2video",
    )
}

fn print_of(job: &StoredJob<FamilyCreate>) -> String {
    request_fingerprint(&job.request)
}

fn posts(mock: &MockServer, id: &str) -> u64 {
    mock.stats()
        .creates_by_external_id
        .get(id)
        .copied()
        .unwrap_or(0)
}

/// Counts acquisitions and holds a real in-memory slot.
#[derive(Debug)]
struct Counting(MemorySlots, AtomicUsize);

#[async_trait]
impl AsyncTaskSlots for Counting {
    async fn acquire(&self) -> Result<TaskSlot, kling_client_async::Error> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.acquire().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_jobs_resume_without_posting_twice() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let slots = Arc::new(Counting(MemorySlots::new(1), AtomicUsize::new(0)));
    let client = client(&mock, Some(slots.clone()));
    let store = MemoryJobStore::new();

    // A fresh job: posted once, done, its files recorded.
    let done = run_stored_job(&client, &store, job("job-1", "a fox"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.files.len(), 1);
    assert!(done.files[0].file_name.ends_with(".mp4"));
    assert_eq!((done.posts, posts(&mock, "job-1")), (1, 1));
    assert_eq!(store.get("job-1").await.unwrap(), Some(done.clone()));
    assert_eq!(slots.1.load(Ordering::SeqCst), 1, "one slot for the job");

    // Done: returned as is, nothing sent.
    let before = mock.stats().requests;
    let again = run_stored_job(&client, &store, job("job-1", "a fox"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!((again, mock.stats().requests), (done, before));

    // Another request under the same id: refused.
    let e = run_stored_job(&client, &store, job("job-1", "a cat"), WaitOptions::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another request"), "{e}");

    // A worker posted job-2 and died before recording the answer: found, not posted again.
    let created = client.create(job("job-2", "a hare").request).await.unwrap();
    let mut half = JobRecord::queued("job-2", "text2video", print_of(&job("job-2", "a hare")));
    half.state = JobState::Creating;
    half.posts = 1;
    store.put(&half).await.unwrap();
    let resumed = run_stored_job(&client, &store, job("job-2", "a hare"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(resumed.state, JobState::Done);
    assert_eq!(
        resumed.task_id.as_deref(),
        Some(created.task.task_id.as_str())
    );
    assert_eq!(
        (resumed.posts, posts(&mock, "job-2")),
        (1, 1),
        "no second POST"
    );

    // A worker recorded job-3 as creating, then died before its POST left: looked up, not
    // found, posted once.
    let mut never = JobRecord::queued("job-3", "text2video", print_of(&job("job-3", "a lynx")));
    never.state = JobState::Creating;
    store.put(&never).await.unwrap();
    let posted = run_stored_job(&client, &store, job("job-3", "a lynx"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!((posted.state, posts(&mock, "job-3")), (JobState::Done, 1));

    // A task that fails is recorded failed, with its reason; so is a create refused for good.
    let failed = run_stored_job(
        &client,
        &store,
        job("job-4", "doomed fox"),
        WaitOptions::new(),
    )
    .await
    .unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert!(failed.error.is_some());
    let mut bad = job("job-5", "a fox");
    bad.request = kling_types::Family::named("text2video")
        .unwrap()
        .create(serde_json::json!({"prompt": "a fox", "external_task_id": "job-5", "model_name": "kling-v9"}))
        .unwrap();
    let refused = run_stored_job(&client, &store, bad, WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(
        (refused.state, posts(&mock, "job-5")),
        (JobState::Failed, 0)
    );
}

#[tokio::test]
async fn a_job_the_account_cannot_pay_for_parks_as_blocked_then_resumes() {
    // One unit: the first job takes it, the second is refused with 1102 (pack exhausted).
    let mock = MockServer::start(MockConfig::instant().credits(1)).unwrap();
    let client = client(&mock, None);
    let store = MemoryJobStore::new();
    let first = run_stored_job(&client, &store, job("paid-1", "a fox"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(first.state, JobState::Done);
    let blocked = run_stored_job(&client, &store, job("paid-2", "a hare"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(
        blocked.state,
        JobState::Blocked,
        "parked, not failed, not retried"
    );
    assert!(
        blocked
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("1102"),
        "{blocked:?}"
    );
    assert_eq!(posts(&mock, "paid-2"), 1, "one refused POST, no loop");
    assert!(blocked.state.is_parked() && !blocked.state.is_final());
    // What a dashboard shows: the code, for its meaning and remedy; when it was tried.
    let code = blocked.error_code.as_ref().and_then(|c| c.code());
    assert_eq!(
        code.map(|c| c.as_wire().into_owned()).as_deref(),
        Some("1102")
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for r in [&first, &blocked] {
        let (start, end) = (r.started_at.unwrap(), r.ended_at.unwrap());
        assert!(start <= end && end <= now && now - start < 60_000, "{r:?}");
    }

    // After a top-up, running it again posts it (nothing was created: no lookup needed).
    mock.top_up(5);
    let done = run_stored_job(&client, &store, job("paid-2", "a hare"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(
        (done.error, done.error_code),
        (None, None),
        "the refusal of the earlier try is not the done job's"
    );
    assert_eq!(posts(&mock, "paid-2"), 2);
    assert_eq!(mock.stats().tasks, 2);
}

#[tokio::test]
async fn a_worker_that_lost_its_claim_does_not_post() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = client(&mock, None);
    let store = MemoryJobStore::new();
    let e = run_stored_job(
        &client,
        &store,
        job("taken-1", "a fox").claim(Arc::new(LostAfter(AtomicUsize::new(0)))),
        WaitOptions::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), kling_client_async::ErrorKind::Cancelled, "{e}");
    assert_eq!(posts(&mock, "taken-1"), 0, "nothing posted");
    assert_eq!(store.get("taken-1").await.unwrap().unwrap().posts, 0);
}

/// A claim held for its first `n` checks, then taken over (`0`: lost from the start).
#[derive(Debug)]
struct LostAfter(AtomicUsize);

#[async_trait]
impl kling_client_async::fleet::Claim for LostAfter {
    async fn still_held(&self) -> Result<bool, kling_client_async::Error> {
        Ok(self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok())
    }
}

#[tokio::test]
async fn a_worker_that_lost_its_claim_while_posting_leaves_the_record_alone() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = client(&mock, None);
    let store = MemoryJobStore::new();
    let e = run_stored_job(
        &client,
        &store,
        job("taken-2", "a fox").claim(Arc::new(LostAfter(AtomicUsize::new(1)))),
        WaitOptions::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), kling_client_async::ErrorKind::Cancelled, "{e}");
    assert_eq!(posts(&mock, "taken-2"), 1);
    // The new holder's record is not overwritten: it still says a POST may have been sent,
    // so its holder looks the task up before anything else.
    let record = store.get("taken-2").await.unwrap().unwrap();
    assert_eq!((record.state, record.posts), (JobState::Creating, 1));
    let done = run_stored_job(&client, &store, job("taken-2", "a fox"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(posts(&mock, "taken-2"), 1, "found, not posted again");
}

#[tokio::test]
async fn a_duplicate_refusal_is_remembered_and_the_job_only_looked_up() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = client(&mock, None);
    // Another worker created the task and lost its record's update.
    client
        .create(CreateText2Video::new("a fox").external_task_id("dup-1"))
        .await
        .unwrap();
    let store = MemoryJobStore::new();
    let first = run_stored_job(&client, &store, job("dup-1", "a fox"), WaitOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        first.kind(),
        kling_client_async::ErrorKind::AmbiguousCreate,
        "{first}"
    );
    let record = store.get("dup-1").await.unwrap().unwrap();
    assert!(record.exists, "the server's word is kept: {record:?}");
    // The next attempt looks it up and goes on; it never posts again.
    let done = run_stored_job(&client, &store, job("dup-1", "a fox"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(
        posts(&mock, "dup-1"),
        2,
        "the other worker's and the refused one"
    );
    assert_eq!(mock.stats().tasks, 1);
}

#[tokio::test]
async fn a_stored_job_needs_an_external_id() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = client(&mock, None);
    let job = StoredJob::new(CreateText2Video::new("a fox"), "text2video");
    let e = run_stored_job(&client, &MemoryJobStore::new(), job, WaitOptions::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("external_task_id"), "{e}");
    assert_eq!(mock.stats().requests, 0);
}

fn runblob_client(mock: &MockServer) -> Client {
    Client::builder()
        .credentials(kling_client_async::Credentials::api_key(kling_mock::DEMO_API_KEY).unwrap())
        .config(mock.runblob_config())
        .build()
        .unwrap()
}

fn o3() -> kling_types::runblob::GenerateO3Video {
    kling_types::runblob::GenerateO3Video::new("a red fox in fresh snow")
}

/// Runs the O3 job keyed `key` through `store`.
async fn run_o3(client: &Client, store: &MemoryJobStore, key: &str) -> JobRecord {
    run_stored_job(
        client,
        store,
        StoredJob::new(o3(), "o3-video").key(key),
        WaitOptions::new(),
    )
    .await
    .unwrap()
}

/// RunBlob takes no `external_task_id` and cannot look a generation up by one: a stored job
/// is keyed by the caller, posted at most once, and parked as unsettled when a POST's outcome
/// is unknown or a worker stopped while posting.
#[tokio::test]
async fn runblob_jobs_are_posted_at_most_once() {
    use kling_mock::{Fault, FaultAction};
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = runblob_client(&mock);
    let store = MemoryJobStore::new();
    let posts = |mock: &MockServer| {
        mock.requests()
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count()
    };

    let done = run_o3(&client, &store, "rb-1").await;
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert!(done.task_id.is_some() && !done.files.is_empty());
    let again = run_o3(&client, &store, "rb-1").await;
    assert_eq!(again, done, "a done job is returned as is");
    assert_eq!(posts(&mock), 1);

    // The POST's answer is an HTML 502: RunBlob may have created it; nothing can tell.
    mock.add_fault(Fault::new(
        Some("POST"),
        "/runblob/v1/kling/o3-video/generate",
        1,
        FaultAction::Html502,
    ));
    let parked = run_o3(&client, &store, "rb-2").await;
    assert_eq!(parked.state, JobState::Unsettled, "{parked:?}");
    assert!(
        parked
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("POST /runblob"),
        "what is known is kept: {parked:?}"
    );
    let still = run_o3(&client, &store, "rb-2").await;
    assert_eq!(still.state, JobState::Unsettled);
    assert_eq!(posts(&mock), 2, "never posted again");

    // A worker stopped while posting (its record says creating): unsettled, nothing sent.
    let mut creating = JobRecord::queued("rb-3", "o3-video", request_fingerprint(&o3()));
    creating.state = JobState::Creating;
    creating.posts = 1;
    store.put(&creating).await.unwrap();
    let found = run_o3(&client, &store, "rb-3").await;
    assert_eq!(found.state, JobState::Unsettled);
    assert_eq!(posts(&mock), 2);
}
