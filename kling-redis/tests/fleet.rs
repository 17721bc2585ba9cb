//! The fleet's pieces and its worker loop, on both backends: a real redis-server (started
//! here, on 127.0.0.1, killed at the end) and kling-store's SQLite file (a temporary folder).
//! Slots bound the fleet, come back from a dead holder within their time to live and stay given
//! back when a renewal races the removal; the store and the queue share work and let another
//! worker take over a dead one's entry; workers run a batch against kling-mock within the
//! slots, posting each job once, and a worker that dies mid-wait leaves its jobs to another,
//! which posts none of them again; the request budget is one; with callbacks (a receiver noting
//! them in the store), four workers look at each task once, when its callback comes, instead of
//! polling. On Redis only: a restart is waited out, and a worker cut off from Redis past its
//! claim leaves the job to the worker that took it over.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kling_client_async::{CancelHandle, Client, Config};
use kling_core::fleet::{AsyncTaskSlots, FleetBackend, JobRecord, JobState, JobStore};
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
use kling_redis::{BatchJob, Fleet, Outcome, WorkerOptions, run_worker};
use kling_test_support::redis::RedisServer;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A client of `config` with the demo access key and `secret`, holding `slots` when given.
fn client(config: Config, secret: &str, slots: Option<Arc<dyn AsyncTaskSlots>>) -> Client {
    let builder = Client::builder()
        .credentials(kling_client_async::Credentials::access_key(DEMO_ACCESS_KEY, secret).unwrap())
        .config(config);
    match slots {
        Some(slots) => builder.task_slots(slots),
        None => builder,
    }
    .build()
    .unwrap()
}

async fn fleet(redis: &RedisServer, prefix: &str) -> Fleet {
    Fleet::connect(&redis.url(), prefix).await.unwrap()
}

/// Where a test's fleet keeps its jobs: a redis-server of its own, or SQLite files; and a
/// folder of the test's own (the files, downloads), removed at the end.
struct Backend {
    redis: Option<RedisServer>,
    dir: PathBuf,
}

impl Backend {
    fn new(test: &str, redis: Option<RedisServer>) -> Self {
        let kind = if redis.is_some() { "redis" } else { "sqlite" };
        let dir =
            std::env::temp_dir().join(format!("kling-fleet-{test}-{kind}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self { redis, dir }
    }

    fn redis(test: &str) -> Self {
        Self::new(test, Some(RedisServer::start()))
    }

    fn sqlite(test: &str) -> Self {
        Self::new(test, None)
    }

    /// The fleet named `name`: a key prefix in the Redis, a file in the folder.
    async fn open(&self, name: &str) -> Arc<dyn FleetBackend> {
        match &self.redis {
            Some(redis) => Arc::new(fleet(redis, name).await),
            None => Arc::new(
                kling_store::Store::open(self.dir.join(format!("{name}.db")))
                    .await
                    .unwrap(),
            ),
        }
    }

    /// A folder in the test's own (for downloads).
    fn folder(&self, name: &str) -> PathBuf {
        let dir = self.dir.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `test(Backend)` as two tests, `test::redis` and `test::sqlite`.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[test]
            fn redis() {
                super::$test(super::Backend::redis(stringify!($test)));
            }

            #[test]
            fn sqlite() {
                super::$test(super::Backend::sqlite(stringify!($test)));
            }
        }
    )*};
}

on_both_backends!(
    slots_bound_the_fleet_and_a_dead_holders_lease_expires_within_its_ttl,
    slots_given_back_during_their_renewal_stay_given_back,
    the_store_and_the_queue_share_work,
    two_workers_run_a_batch_within_the_slots_posting_each_job_once,
    a_worker_that_dies_mid_wait_leaves_its_jobs_to_another_which_posts_none_again,
    a_worker_with_rejected_credentials_stops_and_leaves_its_job_for_others,
    a_claim_taken_over_is_no_longer_held,
    a_jobs_files_are_saved_under_its_key_and_recorded_where,
    the_request_budget_is_shared_by_the_fleet,
    four_workers_with_callbacks_look_once_a_task_ends,
);

/// Polls `check` until it holds, for at most `limit`.
async fn eventually<F: std::future::Future<Output = bool>>(
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn slots_bound_the_fleet_and_a_dead_holders_lease_expires_within_its_ttl(backend: Backend) {
    let rt = runtime();
    let ttl = Duration::from_secs(1);
    rt.block_on(async {
        let fleet = backend.open("slots").await;
        let slots = fleet.task_slots(2, ttl);
        let a = slots.acquire().await.unwrap();
        let _b = slots.acquire().await.unwrap();
        assert_eq!(fleet.slots_held().await.unwrap(), 2);
        // A third waits until one is given back.
        let third = tokio::spawn({
            let slots = slots.clone();
            async move { slots.acquire().await.map(|_| ()) }
        });
        // Still waiting after several of its tries: the limit holds.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!third.is_finished(), "the limit holds");
        a.give_back().await;
        tokio::time::timeout(Duration::from_secs(5), third)
            .await
            .expect("a slot given back is taken")
            .unwrap()
            .unwrap();
        // Held slots are renewed: still held after twice their time to live.
        tokio::time::sleep(2 * ttl + Duration::from_millis(100)).await;
        assert_eq!(fleet.slots_held().await.unwrap(), 1, "the one still held");
        // A slot dropped without being given back (its job's future dropped: the task may
        // still run) is not renewed, yet counts until its lease expires.
        drop(slots.acquire().await.unwrap());
        assert_eq!(
            fleet.slots_held().await.unwrap(),
            2,
            "a dropped slot counts"
        );
        let expired = eventually(ttl * 3, || {
            let fleet = fleet.clone();
            async move { fleet.slots_held().await.unwrap() == 1 }
        })
        .await;
        assert!(expired, "a dropped slot expires within its time to live");
    });
    // A holder that dies mid-task: its runtime shut down under the job holding the slot (the
    // job's future dropped, never given back; nor the renewal any more).
    let dead = runtime();
    let slots = dead.block_on(async { backend.open("dead").await.task_slots(1, ttl) });
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    dead.spawn(async move {
        let _slot = slots.acquire().await.unwrap();
        held_tx.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    held_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the slot is taken");
    dead.shutdown_background();
    rt.block_on(async {
        let fleet = backend.open("dead").await;
        assert_eq!(
            fleet.slots_held().await.unwrap(),
            1,
            "held until it expires, not given back by a dying runtime"
        );
        let expired = eventually(ttl * 3, || {
            let fleet = fleet.clone();
            async move { fleet.slots_held().await.unwrap() == 0 }
        })
        .await;
        assert!(expired, "expired within its time to live");
        let again =
            tokio::time::timeout(Duration::from_secs(2), fleet.task_slots(1, ttl).acquire())
                .await
                .expect("the slot is free again")
                .unwrap();
        drop(again);
    });
}

/// A slot given back while its renewal is being written stays given back: 40 leases given
/// back one every 2 ms across their first renewal (a third of a 1 s time to live). On SQLite,
/// before the renewal and the removal were serialised, 1 to 5 of 40 came back for a whole time
/// to live.
fn slots_given_back_during_their_renewal_stay_given_back(backend: Backend) {
    runtime().block_on(async {
        let fleet = backend.open("renewal").await;
        let slots = fleet.task_slots(100, Duration::from_secs(1));
        let mut held = Vec::new();
        for _ in 0..40 {
            held.push(slots.acquire().await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(290)).await;
        let mut giving = tokio::task::JoinSet::new();
        for (i, slot) in (0u64..).zip(held) {
            giving.spawn(async move {
                tokio::time::sleep(Duration::from_millis(2 * i)).await;
                slot.give_back().await;
            });
        }
        while giving.join_next().await.is_some() {}
        assert_eq!(fleet.slots_held().await.unwrap(), 0, "given back");
        // A renewal written after its removal would show now.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(fleet.slots_held().await.unwrap(), 0, "none put back");
    });
}

fn the_store_and_the_queue_share_work(backend: Backend) {
    let rt = runtime();
    rt.block_on(async {
        let fleet = backend.open("q").await;
        let store = fleet.job_store();
        let r = JobRecord::queued("job-1", "text2video", "f");
        assert!(store.insert(&r).await.unwrap());
        assert!(!store.insert(&r).await.unwrap(), "inserted once");
        let mut created = r.clone();
        created.state = JobState::Created;
        created.task_id = Some("831".into());
        store.put(&created).await.unwrap();
        assert_eq!(store.get("job-1").await.unwrap(), Some(created));
        assert_eq!(store.get("job-2").await.unwrap(), None);
        let counts = fleet.counts().await.unwrap();
        assert!(counts.contains(&(JobState::Created, 1)), "{counts:?}");

        let a = fleet.job_queue("a");
        let b = fleet.job_queue("b");
        a.prepare().await.unwrap();
        b.prepare().await.unwrap();
        for prompt in ["one", "two"] {
            let job = BatchJob::parse(&format!(
                r#"{{"family":"text2video","request":{{"prompt":"{prompt}"}}}}"#
            ))
            .unwrap()
            .keyed()
            .unwrap();
            assert!(a.submit(&job).await.unwrap());
            assert!(!a.submit(&job).await.unwrap(), "queued once");
        }
        let idle = Duration::from_millis(200);
        let first = a.next(idle).await.unwrap().unwrap();
        let second = b.next(idle).await.unwrap().unwrap();
        assert!(!first.redelivered && !second.redelivered);
        assert_ne!(first.entry, second.entry, "each entry to one worker");
        assert!(a.next(idle).await.unwrap().is_none());
        b.ack(&second.entry).await.unwrap();
        let left = a.backlog().await.unwrap();
        assert_eq!((left.undelivered, left.pending), (0, 1));
        // `a` dies holding `first`: once idle long enough, `b` takes it over.
        let mut taken = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while taken.is_none() && tokio::time::Instant::now() < deadline {
            taken = b.next(idle).await.unwrap();
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let taken = taken.expect("b takes the idle entry over");
        assert_eq!(taken.entry, first.entry);
        assert!(taken.redelivered);
        assert!(!a.touch(&first.entry).await.unwrap(), "a lost it");
        assert!(b.touch(&first.entry).await.unwrap());
        b.ack(&taken.entry).await.unwrap();
        assert!(b.backlog().await.unwrap().is_empty());
    });
}

#[test]
fn a_redis_restart_is_waited_out_and_loses_nothing() {
    let mut redis = RedisServer::start();
    let rt = runtime();
    let fleet = rt.block_on(fleet(&redis, "q"));
    rt.block_on(async {
        let mut created = JobRecord::queued("job-1", "text2video", "f");
        created.state = JobState::Created;
        fleet.store().put(&created).await.unwrap();
    });
    // A restart: commands fail while it is down, then work again on the same connection.
    redis.kill();
    rt.block_on(async {
        assert!(fleet.store().get("job-1").await.is_err());
    });
    redis.restart();
    rt.block_on(async {
        let mut back = None;
        for _ in 0..50 {
            if let Ok(r) = fleet.store().get("job-1").await {
                back = r;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            back.map(|r| r.state),
            Some(JobState::Created),
            "kept across the restart"
        );
    });
}

#[test]
fn connection_errors_name_the_url_without_its_password() {
    let rt = runtime();
    rt.block_on(async {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = Fleet::connect(&format!("redis://user:s3cret@127.0.0.1:{port}/0"), "x")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("redis://user:***@127.0.0.1:{port}/0")),
            "{e}"
        );
        assert!(!e.contains("s3cret"), "{e}");
        let e = Fleet::connect("http://nope", "x")
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("http://nope"), "{e}");
    });
}

fn jobs(n: usize) -> Vec<BatchJob> {
    (0..n)
        .map(|i| {
            BatchJob::parse(&format!(
                r#"{{"family":"text2video","request":{{"prompt":"fox number {i}"}}}}"#
            ))
            .unwrap()
            .keyed()
            .unwrap()
        })
        .collect()
}

fn two_workers_run_a_batch_within_the_slots_posting_each_job_once(backend: Backend) {
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(2)
            .task_duration(Duration::from_millis(300)),
    )
    .unwrap();
    let rt = runtime();
    let dir = backend.folder("workers");
    rt.block_on(async {
        let fleet = backend.open("w").await;
        let queue = fleet.job_queue("submitter");
        queue.prepare().await.unwrap();
        for job in jobs(12) {
            queue.submit(&job).await.unwrap();
        }
        let slots = fleet.task_slots(2, Duration::from_secs(3));
        let mut config = Config::with_base_url(&mock.api_url);
        config.poll.first_delay = Duration::from_millis(50);
        config.poll.min_delay = Duration::from_millis(50);
        config.poll.cap = Duration::from_millis(100);
        let client = client(config, DEMO_SECRET_KEY, Some(slots));
        let mut options = WorkerOptions::default();
        options.concurrency = 3;
        options.until_empty = true;
        options.claim_idle = Duration::from_secs(5);
        options.download_dir = Some(dir.clone());
        options.idle_poll = Duration::from_millis(50);
        // Each worker hands its outcomes to a callback; one borrows a local, one sends them on.
        let mut finished_by_w1 = Vec::new();
        let (tx, rx) = std::sync::mpsc::channel();
        let (w1, w2) = tokio::join!(
            run_worker(
                client.clone(),
                &*fleet,
                "w1",
                options.clone(),
                CancelHandle::new(),
                Some(Box::new(|outcome| finished_by_w1.push(outcome)))
            ),
            run_worker(
                client.clone(),
                &*fleet,
                "w2",
                options,
                CancelHandle::new(),
                Some(Box::new(move |outcome| tx.send(outcome).unwrap()))
            ),
        );
        let (w1, w2) = (w1.unwrap(), w2.unwrap());
        assert_eq!(w1.done + w2.done, 12, "{w1:?} {w2:?}");
        let outcomes: Vec<Outcome> = finished_by_w1.into_iter().chain(rx.try_iter()).collect();
        assert_eq!(outcomes.len(), 12, "one outcome per job: {outcomes:?}");
        let done_with_its_video = |o: &Outcome| {
            matches!(o, Outcome::Finished { record, files }
                if record.state == JobState::Done && files.len() == 1)
        };
        assert!(outcomes.iter().all(done_with_its_video), "{outcomes:?}");
        let records = fleet.records().await.unwrap();
        assert_eq!(records.len(), 12);
        assert!(
            records
                .iter()
                .all(|r| r.state == JobState::Done && r.posts == 1)
        );
        // Given back as each task ended (a lease is removed in the background).
        let given_back = eventually(Duration::from_secs(5), || {
            let fleet = fleet.clone();
            async move { fleet.slots_held().await.unwrap() == 0 }
        })
        .await;
        assert!(given_back, "every slot given back");
    });
    let stats = mock.stats();
    assert!(stats.peak_running <= 2, "{stats:?}");
    assert_eq!(
        stats.codes.get("1303"),
        None,
        "no concurrency refusal: {stats:?}"
    );
    assert_eq!(stats.creates_by_external_id.len(), 12);
    assert!(
        stats.creates_by_external_id.values().all(|&n| n == 1),
        "{stats:?}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        12,
        "one video per job"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A worker whose process dies while its jobs' tasks run (its runtime stopped: no renewal, no
/// touch, nothing recorded after): another worker takes its entries over once they are idle
/// past the claim time, finds each task by its `external_task_id` and waits for it. Every job
/// ends done, each created exactly once.
fn a_worker_that_dies_mid_wait_leaves_its_jobs_to_another_which_posts_none_again(backend: Backend) {
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(3)
            .task_duration(Duration::from_secs(2)),
    )
    .unwrap();
    let mut config = Config::with_base_url(&mock.api_url);
    config.poll.first_delay = Duration::from_millis(100);
    config.poll.min_delay = Duration::from_millis(100);
    config.poll.cap = Duration::from_millis(200);
    let mut options = WorkerOptions::default();
    options.concurrency = 3;
    options.until_empty = true;
    options.claim_idle = Duration::from_secs(1);
    options.idle_poll = Duration::from_millis(50);
    // The dead worker's leases outlive its tasks (2 s), even when its last renewal came at its
    // slots' acquisition and its creates came late (a loaded machine): the account is never
    // asked for a fourth task while they run.
    let ttl = Duration::from_secs(5);
    let rt = runtime();
    rt.block_on(async {
        let queue = backend.open("dies").await.job_queue("submitter");
        queue.prepare().await.unwrap();
        for job in jobs(6) {
            queue.submit(&job).await.unwrap();
        }
    });
    // The first worker, in a runtime of its own, stopped once it has created three tasks.
    let doomed = runtime();
    {
        let fleet = doomed.block_on(backend.open("dies"));
        let client = client(
            config.clone(),
            DEMO_SECRET_KEY,
            Some(fleet.task_slots(3, ttl)),
        );
        let options = options.clone();
        doomed.spawn(async move {
            let _ = run_worker(
                client,
                &*fleet,
                "doomed",
                options,
                CancelHandle::new(),
                None,
            )
            .await;
        });
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while mock.stats().tasks < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first worker created nothing"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    doomed.shutdown_background();
    let orphaned = mock.stats().tasks;
    rt.block_on(async {
        let fleet = backend.open("dies").await;
        let client = client(config, DEMO_SECRET_KEY, Some(fleet.task_slots(3, ttl)));
        let report = tokio::time::timeout(
            Duration::from_secs(60),
            run_worker(client, &*fleet, "heir", options, CancelHandle::new(), None),
        )
        .await
        .expect("the heir stops by itself")
        .unwrap();
        assert_eq!(report.done, 6, "{report:?}");
        let records = fleet.records().await.unwrap();
        assert!(
            records.iter().all(|r| r.state == JobState::Done),
            "{records:?}"
        );
        let counts = fleet.counts().await.unwrap();
        assert!(counts.contains(&(JobState::Done, 6)), "{counts:?}");
    });
    let stats = mock.stats();
    assert!(orphaned >= 3, "the dead worker's tasks: {orphaned}");
    assert_eq!(stats.tasks, 6, "each job created once: {stats:?}");
    assert_eq!(stats.creates_by_external_id.len(), 6);
    assert!(
        stats.creates_by_external_id.values().all(|&n| n == 1),
        "posted once each: {stats:?}"
    );
    assert!(stats.peak_running <= 3, "{stats:?}");
}

fn a_worker_with_rejected_credentials_stops_and_leaves_its_job_for_others(backend: Backend) {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let rt = runtime();
    rt.block_on(async {
        let fleet = backend.open("auth").await;
        let queue = fleet.job_queue("submitter");
        queue.prepare().await.unwrap();
        queue.submit(&jobs(1)[0]).await.unwrap();
        let client = client(Config::with_base_url(&mock.api_url), "wrong-secret", None);
        let mut options = WorkerOptions::default();
        options.until_empty = true;
        let e = tokio::time::timeout(
            Duration::from_secs(30),
            run_worker(client, &*fleet, "w", options, CancelHandle::new(), None),
        )
        .await
        .expect("the worker stops by itself")
        .unwrap_err();
        assert_eq!(e.kind(), kling_client_async::ErrorKind::Auth, "{e}");
        let left = queue.backlog().await.unwrap();
        assert_eq!(
            left.pending, 1,
            "the job waits for a worker that can run it"
        );
        assert_eq!(mock.stats().creates_by_external_id.len(), 0);
    });
}

/// A worker cut off longer than `claim_idle`: another worker takes its entry over, and the
/// first one's claim check (what it runs right before a POST) says the job is no longer its.
fn a_claim_taken_over_is_no_longer_held(backend: Backend) {
    let rt = runtime();
    rt.block_on(async {
        let fleet = backend.open("claims").await;
        let a = fleet.job_queue("worker-a");
        a.prepare().await.unwrap();
        assert!(a.submit(&jobs(1)[0]).await.unwrap());
        let mine = a.next(Duration::from_secs(60)).await.unwrap().unwrap();
        assert!(a.touch(&mine.entry).await.unwrap(), "held while fresh");
        // Worker A goes quiet; B finds the entry idle past its claim time and takes it.
        let b = fleet.job_queue("worker-b");
        let mut taken = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while taken.is_none() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(25)).await;
            taken = b.next(Duration::from_millis(100)).await.unwrap();
        }
        let taken = taken.expect("B takes the quiet entry over");
        assert_eq!(taken.entry, mine.entry);
        assert!(taken.redelivered, "B knows A may have posted it");
        assert!(
            !a.touch(&mine.entry).await.unwrap(),
            "A's claim check fails: A must not post"
        );
        assert!(b.touch(&taken.entry).await.unwrap(), "B holds it now");
    });
}

/// Staged through a relay that cuts worker A off from Redis (and only A) while A's POST is in
/// flight: B takes the job over once A's claim has lapsed, finds nothing (A's POST has not
/// reached the server), confirms its claim and posts; A's POST lands after B's and is refused
/// as a duplicate; A, healed, finds its claim gone and writes nothing. One task, the job done.
#[test]
fn a_worker_cut_off_past_its_claim_neither_posts_nor_records_the_job_taken_over() {
    use kling_mock::{Fault, FaultAction};
    use kling_test_support::partition::Partition;
    let redis = RedisServer::start();
    let relay = Partition::start(redis.port);
    let mock =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_millis(300))).unwrap();
    // A's POST takes 4 s to reach the server's handler: it is in flight meanwhile.
    mock.add_fault(Fault::new(
        Some("POST"),
        "/v1/videos/text2video",
        1,
        FaultAction::Delay(Duration::from_secs(4)),
    ));
    let rt = runtime();
    rt.block_on(async {
        let fleet_b = fleet(&redis, "cut").await;
        let fleet_a = Fleet::connect(&format!("redis://127.0.0.1:{}", relay.port), "cut")
            .await
            .unwrap();
        let submitter = fleet_b.queue("submitter");
        submitter.ensure_group().await.unwrap();
        let job = jobs(1).remove(0);
        let id = job.id().unwrap().to_owned();
        submitter.submit(&job).await.unwrap();
        let client = client(Config::with_base_url(&mock.api_url), DEMO_SECRET_KEY, None);
        let mut options = WorkerOptions::default();
        options.until_empty = true;
        options.claim_idle = Duration::from_millis(600);
        options.idle_poll = Duration::from_millis(50);
        let a = {
            let (client, options) = (client.clone(), options.clone());
            tokio::spawn(async move {
                run_worker(client, &fleet_a, "a", options, CancelHandle::new(), None).await
            })
        };
        let posted = || {
            mock.requests()
                .iter()
                .filter(|r| r.starts_with("POST /v1/videos/text2video"))
                .count()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while posted() == 0 {
            assert!(tokio::time::Instant::now() < deadline, "A never posted");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        relay.cut();
        let b = tokio::time::timeout(
            Duration::from_secs(30),
            run_worker(client, &fleet_b, "b", options, CancelHandle::new(), None),
        )
        .await
        .expect("B stops by itself")
        .unwrap();
        assert_eq!(b.done, 1, "B took the job over and finished it: {b:?}");
        // A's POST lands now, after B's: refused as a duplicate.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !mock.stats().codes.contains_key("1201") {
            assert!(
                tokio::time::Instant::now() < deadline,
                "A's POST was not refused: {:?}",
                mock.stats()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        relay.heal();
        let a = tokio::time::timeout(Duration::from_secs(30), a)
            .await
            .expect("A stops by itself")
            .unwrap()
            .unwrap();
        assert_eq!((a.done, a.lost), (0, 1), "A knows it lost the job: {a:?}");
        let record = fleet_b.store().get(&id).await.unwrap().unwrap();
        assert_eq!(
            record.state,
            JobState::Done,
            "B's record stands: {record:?}"
        );
        assert_eq!(record.posts, 2, "A's post and B's");
    });
    let stats = mock.stats();
    assert_eq!(stats.tasks, 1, "one task on the server: {stats:?}");
    assert_eq!(stats.creates_by_external_id.values().sum::<u64>(), 2);
}

/// Issue 21: a worker saves a job's files under the job's key (so a file leads back to its
/// batch line) and records where in the job's record, for any process reading the store. A
/// key that is not a safe file name never becomes a path: the SDK's name is used.
fn a_jobs_files_are_saved_under_its_key_and_recorded_where(backend: Backend) {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let rt = runtime();
    let root = backend.folder("names");
    let dir = root.join("out");
    std::fs::create_dir_all(&dir).unwrap();
    rt.block_on(async {
        let fleet = backend.open("names").await;
        let store = fleet.job_store();
        let queue = fleet.job_queue("submitter");
        queue.prepare().await.unwrap();
        let lines = [
            r#"{"family":"text2video","external_task_id":"line-1","request":{"prompt":"a fox"}}"#,
            r#"{"family":"image","external_task_id":"cats","request":{"prompt":"a cat","n":2}}"#,
            r#"{"family":"text2video","request":{"prompt":"a hare"}}"#,
            r#"{"family":"text2video","external_task_id":"../up","request":{"prompt":"a crow"}}"#,
        ];
        let mut derived = String::new();
        for line in lines {
            let job = BatchJob::parse(line).unwrap().keyed().unwrap();
            if job.id().unwrap().starts_with("kb-") {
                derived = job.id().unwrap().to_owned();
            }
            assert!(queue.submit(&job).await.unwrap());
        }
        let mut config = Config::with_base_url(&mock.api_url);
        config.poll.first_delay = Duration::from_millis(50);
        config.poll.min_delay = Duration::from_millis(50);
        let client = client(config, DEMO_SECRET_KEY, None);
        let mut options = WorkerOptions::default();
        options.until_empty = true;
        options.idle_poll = Duration::from_millis(50);
        options.download_dir = Some(dir.clone());
        let mut outcomes = Vec::new();
        let report = run_worker(
            client,
            &*fleet,
            "w",
            options,
            CancelHandle::new(),
            Some(Box::new(|o| outcomes.push(o))),
        )
        .await
        .unwrap();
        assert_eq!(report.done, 4, "{report:?}");

        let mut saved: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        saved.sort();
        let up = store.get("../up").await.unwrap().unwrap();
        let sdk_name = up.files[0].file_name.clone();
        let mut expected = vec![
            "cats-0.png".to_owned(),
            "cats-1.png".to_owned(),
            format!("{derived}.mp4"),
            "line-1.mp4".to_owned(),
            sdk_name.clone(),
        ];
        expected.sort();
        assert_eq!(saved, expected, "named by the job's key");
        assert!(!sdk_name.starts_with('.') && !sdk_name.contains('/'));
        assert_eq!(
            std::fs::read_dir(&root).unwrap().count(),
            1,
            "nothing saved outside the folder"
        );

        // Where each file went is in the store (absolute), and in the outcome.
        let abs = std::path::absolute(&dir).unwrap();
        let shown = |name: &str| Some(abs.join(name).to_string_lossy().into_owned());
        let line = store.get("line-1").await.unwrap().unwrap();
        assert_eq!(line.files[0].path, shown("line-1.mp4"), "{line:?}");
        assert!(line.files[0].url.starts_with("http"), "the URL is kept");
        let cats = store.get("cats").await.unwrap().unwrap();
        let paths: Vec<_> = cats.files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(paths, [shown("cats-0.png"), shown("cats-1.png")]);
        assert_eq!(up.files[0].path, shown(&sdk_name));
        let line_outcome = outcomes.iter().find_map(|o| match o {
            Outcome::Finished { record, files } if record.external_task_id == "line-1" => {
                Some((record.clone(), files.clone()))
            }
            _ => None,
        });
        let (record, files) = line_outcome.expect("an outcome for line-1");
        assert_eq!(files, [dir.join("line-1.mp4")]);
        assert_eq!(*record, line, "the outcome's record is the stored one");
    });
    std::fs::remove_dir_all(&root).unwrap();
}

/// The fleet's request budget is one: what one worker takes, another waits for; a 1302 seen
/// by one slows both; and two workers against a rate-limited mock see no 1302.
fn the_request_budget_is_shared_by_the_fleet(backend: Backend) {
    use kling_client_async::{RateConfig, RequestClass};
    let rt = runtime();
    let mut rate = RateConfig::default();
    rate.per_second = 4.0;
    rate.burst = 4;
    rt.block_on(async {
        let fleet = backend.open("pace").await;
        let (a, b) = (
            fleet.request_pacer(rate.clone()),
            fleet.request_pacer(rate.clone()),
        );
        let now = std::time::SystemTime::now();
        for _ in 0..4 {
            let wait = a.reserve(RequestClass::Task, now).await.unwrap();
            assert!(wait < Duration::from_millis(100), "{wait:?}");
        }
        // B's first request waits for A's burst: a quarter second a token.
        let wait = b.reserve(RequestClass::Task, now).await.unwrap();
        assert!(wait >= Duration::from_millis(150), "shared: {wait:?}");
        // A 1302 seen by B halves the rate for A too: the next token is further away.
        b.throttled(RequestClass::Task, now).await;
        let after = a.reserve(RequestClass::Task, now).await.unwrap();
        assert!(
            after > wait + Duration::from_millis(200),
            "{after:?} after {wait:?}"
        );
        // The account endpoints have their own budget.
        let account = a.reserve(RequestClass::Account, now).await.unwrap();
        assert!(account < Duration::from_millis(100), "{account:?}");
    });

    // Two workers under a mock limit of 10 requests a second, sharing 5 a second.
    let mock = MockServer::start(
        MockConfig::instant()
            .rate_limit_per_sec(10)
            .task_duration(Duration::from_millis(500)),
    )
    .unwrap();
    rt.block_on(async {
        let fleet = backend.open("paced").await;
        let queue = fleet.job_queue("submitter");
        queue.prepare().await.unwrap();
        for job in jobs(10) {
            queue.submit(&job).await.unwrap();
        }
        let mut shared = RateConfig::default();
        // At most 3 + 5 in any second: a margin under the limit of 10 for requests that
        // reach the mock a little after their turn.
        shared.per_second = 5.0;
        shared.burst = 3;
        let mut config = Config::with_base_url(&mock.api_url);
        config.poll.first_delay = Duration::from_millis(100);
        config.poll.min_delay = Duration::from_millis(100);
        config.poll.cap = Duration::from_millis(100);
        config.rate = None;
        let worker_client = || {
            Client::builder()
                .credentials(
                    kling_client_async::Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY)
                        .unwrap(),
                )
                .config(config.clone())
                .request_pacer(fleet.request_pacer(shared.clone()))
                .build()
                .unwrap()
        };
        let mut options = WorkerOptions::default();
        options.concurrency = 5;
        options.until_empty = true;
        options.idle_poll = Duration::from_millis(50);
        let (w1, w2) = tokio::join!(
            run_worker(
                worker_client(),
                &*fleet,
                "w1",
                options.clone(),
                CancelHandle::new(),
                None
            ),
            run_worker(
                worker_client(),
                &*fleet,
                "w2",
                options,
                CancelHandle::new(),
                None
            ),
        );
        let (w1, w2) = (w1.unwrap(), w2.unwrap());
        assert_eq!(w1.done + w2.done, 10, "{w1:?} {w2:?}");
    });
    let stats = mock.stats();
    assert_eq!(
        stats.codes.get("1302"),
        None,
        "no 1302 with the budget on: {stats:?}"
    );
}

/// A receiver as a user's own server would run it: every POST goes to a `CallbackInbox` over
/// the fleet's job store. Serves on 127.0.0.1 until the runtime ends; its base URL.
async fn receiver(store: Arc<dyn JobStore>, token: kling_auth::CallbackToken) -> String {
    use axum::extract::State;
    let inbox = Arc::new(kling_core::fleet::CallbackInbox::new(token));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(
            |State((inbox, store)): State<(
                Arc<kling_core::fleet::CallbackInbox>,
                Arc<dyn JobStore>,
            )>,
             uri: axum::http::Uri,
             body: axum::body::Bytes| async move {
                let receipt = inbox
                    .receive(
                        &*store,
                        uri.path(),
                        &[],
                        &body,
                        std::time::SystemTime::now(),
                    )
                    .await
                    .unwrap();
                axum::http::StatusCode::from_u16(receipt.http_status()).unwrap()
            },
        )
        .with_state((inbox, store));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Four workers create their tasks with a callback; the receiver notes each task's end in the
/// store; each wait looks at its task when the note comes (its own polls are a fallback a
/// minute apart, never reached here): every job done, created once, and the tasks looked at
/// about once each, where polling alone would look several times.
fn four_workers_with_callbacks_look_once_a_task_ends(backend: Backend) {
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(8)
            .task_duration(Duration::from_secs(3)),
    )
    .unwrap();
    let rt = runtime();
    rt.block_on(async {
        let fleet = backend.open("cb").await;
        let queue = fleet.job_queue("submitter");
        queue.prepare().await.unwrap();
        for job in jobs(16) {
            queue.submit(&job).await.unwrap();
        }
        let token = kling_auth::CallbackToken::from_random_bytes([9u8; 32]);
        let base = receiver(fleet.job_store(), token.clone()).await;
        let slots = fleet.task_slots(8, Duration::from_secs(5));
        let client = client(
            Config::with_base_url(&mock.api_url),
            DEMO_SECRET_KEY,
            Some(slots),
        );
        let mut options = WorkerOptions::default();
        options.concurrency = 2;
        options.until_empty = true;
        options.idle_poll = Duration::from_millis(50);
        options.callback_url = Some(token.url(&base));
        options.callback_check = Duration::from_millis(200);
        let run = |name: &'static str| {
            run_worker(
                client.clone(),
                &*fleet,
                name,
                options.clone(),
                CancelHandle::new(),
                None,
            )
        };
        let (a, b, c, d) = tokio::join!(run("a"), run("b"), run("c"), run("d"));
        let done: u64 = [a, b, c, d].into_iter().map(|r| r.unwrap().done).sum();
        assert_eq!(done, 16);
        let records = fleet.records().await.unwrap();
        assert!(
            records
                .iter()
                .all(|r| r.state == JobState::Done && r.posts == 1)
        );
        let task_ids: Vec<String> = records.iter().filter_map(|r| r.task_id.clone()).collect();
        assert_eq!(task_ids.len(), 16);
        let noted = fleet.job_store().called_back(&task_ids).await.unwrap();
        assert_eq!(noted.len(), 16, "every task's end noted by the receiver");
    });
    let stats = mock.stats();
    assert!(
        stats.creates_by_external_id.values().all(|&n| n == 1),
        "{stats:?}"
    );
    // Everything but the 16 creates is a look at a task (single or shared): about one per
    // task, none before its callback (polling alone: a look 5 s in, then every second).
    let looks = stats.requests - 16;
    assert!(looks <= 16, "{looks} looks for 16 tasks: {stats:?}");
}
