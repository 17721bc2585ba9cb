//! Leased task slots (`TaskSlot::leased`, what a shared store hands out) against kling-mock:
//! the engine gives each one back, and has waited for it, before a job returns, whether the
//! task ended, the create was refused or the job was stored; a job whose future is dropped
//! mid-wait (its task still running on Kling) leaves its lease to expire instead of freeing
//! a slot under a running task.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use kling_client_async::fleet::{
    AsyncTaskSlots, JobState, MemoryJobStore, StoredJob, run_stored_job,
};
use kling_client_async::prelude::*;
use kling_client_async::{Client, Config, SlotLease, TaskSlot, WaitOptions};
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
use kling_types::FamilyCreate;

/// Leases handed out, given back (after an await, as a store's round trip), and dropped
/// without being given back.
#[derive(Debug, Default)]
struct Leases {
    taken: AtomicUsize,
    given: AtomicUsize,
    abandoned: AtomicUsize,
}

impl Leases {
    fn counts(&self) -> (usize, usize, usize) {
        (
            self.taken.load(Ordering::SeqCst),
            self.given.load(Ordering::SeqCst),
            self.abandoned.load(Ordering::SeqCst),
        )
    }
}

struct Probe {
    leases: Arc<Leases>,
    given: bool,
}

impl SlotLease for Probe {
    fn give_back(mut self: Box<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.given = true;
        let leases = self.leases.clone();
        Box::pin(async move {
            // Counted only once the caller has awaited past a suspension point.
            tokio::task::yield_now().await;
            leases.given.fetch_add(1, Ordering::SeqCst);
        })
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if !self.given {
            self.leases.abandoned.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[derive(Debug)]
struct Slots(Arc<Leases>);

#[async_trait]
impl AsyncTaskSlots for Slots {
    async fn acquire(&self) -> Result<TaskSlot, kling_client_async::Error> {
        self.0.taken.fetch_add(1, Ordering::SeqCst);
        Ok(TaskSlot::leased(Probe {
            leases: self.0.clone(),
            given: false,
        }))
    }
}

fn client(mock: &MockServer, leases: &Arc<Leases>) -> Client {
    let mut config = Config::with_base_url(&mock.api_url);
    config.poll.first_delay = Duration::from_millis(20);
    config.poll.min_delay = Duration::from_millis(20);
    config.poll.cap = Duration::from_millis(20);
    Client::builder()
        .credentials(
            kling_client_async::Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap(),
        )
        .config(config)
        .task_slots(Slots(leases.clone()))
        .build()
        .unwrap()
}

fn request(id: &str) -> FamilyCreate {
    let body = serde_json::json!({"prompt": "a fox", "duration": "5", "external_task_id": id});
    kling_types::Family::named("text2video")
        .unwrap()
        .create(body)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lease_is_given_back_before_its_job_returns() {
    // One unit: the second create is refused with 1102.
    let mock = MockServer::start(MockConfig::instant().credits(1)).unwrap();
    let leases = Arc::new(Leases::default());
    let client = client(&mock, &leases);

    client
        .create_and_wait(request("lease-1"), WaitOptions::new())
        .await
        .unwrap();
    assert_eq!(leases.counts(), (1, 1, 0), "a task that ended");

    let refused = client
        .create_and_wait(request("lease-2"), WaitOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        refused.code().map(|c| c.as_wire().into_owned()).as_deref(),
        Some("1102")
    );
    assert_eq!(leases.counts(), (2, 2, 0), "a create refused");

    let store = MemoryJobStore::new();
    let stored = || {
        let job = StoredJob::new(request("lease-3"), "text2video");
        run_stored_job(&client, &store, job, WaitOptions::new())
    };
    let blocked = stored().await.unwrap();
    assert_eq!(blocked.state, JobState::Blocked);
    assert_eq!(leases.counts(), (3, 3, 0), "a stored job parked");

    mock.top_up(1);
    let done = stored().await.unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(leases.counts(), (4, 4, 0), "a stored job done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_dropped_mid_wait_leaves_its_lease_to_expire() {
    let mock =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(60))).unwrap();
    let leases = Arc::new(Leases::default());
    let client = client(&mock, &leases);
    let job = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .create_and_wait(request("lease-dropped"), WaitOptions::new())
                .await
        }
    });
    // Bounded: the mock answers a create at once.
    for _ in 0..1_000 {
        if mock.stats().tasks == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(mock.stats().tasks, 1, "the task was created");
    job.abort();
    assert!(job.await.unwrap_err().is_cancelled());
    assert_eq!(
        leases.counts(),
        (1, 0, 1),
        "the task still runs: its lease is left to expire, not given back"
    );
}
