//! kling-store over a temporary file: the store and the queue share work between handles that
//! open the file separately (as processes do), slots bound them and come back from a dead
//! holder, the budget is one, and files that are not stores are refused, never changed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kling_core::fleet::{
    AsyncTaskSlots, BatchJob, FleetBackend, JobQueue, JobRecord, JobState, JobStore,
};
use kling_core::{AsyncRequestPacer, RateConfig, RequestClass};
use kling_errors::ErrorKind;
use kling_store::Store;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh folder for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn job(prompt: &str) -> BatchJob {
    BatchJob::parse(&format!(
        r#"{{"family":"text2video","request":{{"prompt":"{prompt}"}}}}"#
    ))
    .unwrap()
    .keyed()
    .unwrap()
}

/// Waits until `check` holds, polling, for at most `limit`.
async fn eventually<F: std::future::Future<Output = bool>>(
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check().await
}

#[test]
fn two_handles_on_one_file_share_the_records_and_the_queue() {
    let dir = temp("queue");
    let rt = runtime();
    rt.block_on(async {
        let path = dir.join("b.db");
        // Two handles, two sets of connections: as two processes see the file.
        let one = Store::open(&path).await.unwrap();
        let two = Store::open(&path).await.unwrap();
        let store = one.jobs();
        let r = JobRecord::queued("job-1", "text2video", "f");
        assert!(store.insert(&r).await.unwrap());
        assert!(!two.jobs().insert(&r).await.unwrap(), "inserted once");
        let mut created = r.clone();
        created.state = JobState::Created;
        created.task_id = Some("831".into());
        store.put(&created).await.unwrap();
        assert_eq!(two.jobs().get("job-1").await.unwrap(), Some(created));
        assert_eq!(two.jobs().get("job-2").await.unwrap(), None);
        assert!(
            two.counts()
                .await
                .unwrap()
                .contains(&(JobState::Created, 1))
        );

        let (a, b) = (one.queue("a"), two.queue("b"));
        for prompt in ["one", "two"] {
            assert!(a.submit(&job(prompt)).await.unwrap());
            assert!(!b.submit(&job(prompt)).await.unwrap(), "queued once");
        }
        // A job that is not one is refused before anything is written.
        let unknown = BatchJob::parse(r#"{"family":"nope","request":{}}"#).unwrap();
        assert!(a.submit(&unknown).await.is_err());
        assert_eq!(two.records().await.unwrap().len(), 3);
        let idle = Duration::from_millis(300);
        let first = a.next(idle).await.unwrap().unwrap();
        let second = b.next(idle).await.unwrap().unwrap();
        assert!(!first.redelivered && !second.redelivered);
        assert_ne!(first.entry, second.entry, "each entry to one worker");
        assert!(a.next(idle).await.unwrap().is_none());
        assert_eq!(
            first.job.as_ref().unwrap().id(),
            Some(job("one").id().unwrap())
        );
        b.ack(&second.entry).await.unwrap();
        let left = a.backlog().await.unwrap();
        assert_eq!((left.entries, left.undelivered, left.pending), (1, 0, 1));
        // `a` keeps its entry while it touches it; then it dies, and `b` takes it over.
        assert!(a.touch(&first.entry).await.unwrap());
        assert!(!b.touch(&first.entry).await.unwrap(), "not b's");
        let taken = {
            let b = b.clone();
            eventually(Duration::from_secs(5), move || {
                let b = b.clone();
                async move { b.next(idle).await.unwrap().is_some() }
            })
            .await
        };
        assert!(taken, "b takes the idle entry over");
        assert!(!a.touch(&first.entry).await.unwrap(), "a lost it");
        assert!(b.touch(&first.entry).await.unwrap());
        b.ack(&first.entry).await.unwrap();
        assert!(b.backlog().await.unwrap().is_empty());
        // Entries that are not ours are no entries.
        for bad in ["", "-1", "0", "x", "99999999999999999999999"] {
            assert!(!a.touch(bad).await.unwrap(), "{bad:?}");
            a.ack(bad).await.unwrap();
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn blocked_jobs_park_and_resume_once() {
    let dir = temp("park");
    let rt = runtime();
    rt.block_on(async {
        let store = Store::open(dir.join("b.db")).await.unwrap();
        let queue = store.queue("w");
        let fox = job("fox");
        queue.submit(&fox).await.unwrap();
        let entry = queue.next(Duration::from_secs(60)).await.unwrap().unwrap();
        let mut record = store.jobs().get(fox.id().unwrap()).await.unwrap().unwrap();
        record.state = JobState::Blocked;
        record.error = Some("1102: no credits".into());
        store.jobs().put(&record).await.unwrap();
        queue.park(&entry.entry, &fox).await.unwrap();
        assert!(queue.backlog().await.unwrap().is_empty(), "left the queue");
        assert!(queue.next(Duration::ZERO).await.unwrap().is_none());
        assert_eq!(queue.resume().await.unwrap(), 1);
        assert_eq!(queue.resume().await.unwrap(), 0, "once");
        let again = queue.next(Duration::from_secs(60)).await.unwrap().unwrap();
        assert!(!again.redelivered);
        assert_eq!(again.job.unwrap().id(), fox.id());
        let record = store.jobs().get(fox.id().unwrap()).await.unwrap().unwrap();
        assert_eq!(record.state, JobState::Queued);
        assert_eq!(record.error.as_deref(), Some("1102: no credits"));
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn slots_bound_every_handle_and_a_dead_holders_lease_expires() {
    let dir = temp("slots");
    let path = dir.join("b.db");
    let rt = runtime();
    let ttl = Duration::from_secs(1);
    rt.block_on(async {
        let one = Store::open(&path).await.unwrap().slots(2, ttl);
        let two = Store::open(&path).await.unwrap().slots(2, ttl);
        let a = one.acquire().await.unwrap();
        let _b = two.acquire().await.unwrap();
        assert_eq!(one.held().await.unwrap(), 2);
        let third = tokio::spawn({
            let two = two.clone();
            async move { two.acquire().await.map(|_| ()) }
        });
        // Still waiting after several of its tries: the limit holds.
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(!third.is_finished(), "the limit holds");
        a.give_back().await;
        tokio::time::timeout(Duration::from_secs(5), third)
            .await
            .expect("a slot given back is taken")
            .unwrap()
            .unwrap();
        // Held slots are renewed: still held after twice their time to live.
        tokio::time::sleep(2 * ttl + Duration::from_millis(100)).await;
        assert_eq!(one.held().await.unwrap(), 1, "the one still held");
        // A slot dropped without being given back (its job's future dropped: the task may
        // still run) is not renewed, yet counts until its lease expires.
        drop(one.acquire().await.unwrap());
        assert_eq!(one.held().await.unwrap(), 2, "a dropped slot counts");
        tokio::time::sleep(ttl + Duration::from_millis(100)).await;
        assert_eq!(one.held().await.unwrap(), 1, "a dropped slot expires");
    });
    // A holder that dies: its runtime (and the renewal) gone, its slot never given back.
    let path = dir.join("dead.db");
    let dead = runtime();
    dead.block_on(async {
        let slots = Store::open(&path).await.unwrap().slots(1, ttl);
        std::mem::forget(slots.acquire().await.unwrap());
    });
    dead.shutdown_background();
    rt.block_on(async {
        let store = Store::open(&path).await.unwrap();
        assert_eq!(
            store.slots_held().await.unwrap(),
            1,
            "held until it expires"
        );
        let freed = eventually(Duration::from_secs(5), || {
            let store = store.clone();
            async move { store.slots_held().await.unwrap() == 0 }
        })
        .await;
        assert!(freed, "expired within its time to live");
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_request_budget_is_one_for_every_handle() {
    let dir = temp("pace");
    let rt = runtime();
    let mut rate = RateConfig::default();
    rate.per_second = 4.0;
    rate.burst = 4;
    rt.block_on(async {
        let path = dir.join("b.db");
        let a = Store::open(&path).await.unwrap().pacer(rate.clone());
        let b = Store::open(&path).await.unwrap().pacer(rate.clone());
        let now = std::time::SystemTime::now();
        for _ in 0..4 {
            assert_eq!(
                a.reserve(RequestClass::Task, now).await.unwrap(),
                Duration::ZERO
            );
        }
        let wait = b.reserve(RequestClass::Task, now).await.unwrap();
        assert_eq!(wait, Duration::from_millis(250), "shared");
        b.throttled(RequestClass::Task, now).await;
        let after = a.reserve(RequestClass::Task, now).await.unwrap();
        assert!(after >= Duration::from_millis(700), "{after:?}");
        let account = a.reserve(RequestClass::Account, now).await.unwrap();
        assert_eq!(account, Duration::ZERO, "a budget of its own");
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

fn open_error(path: &Path) -> kling_errors::Error {
    runtime().block_on(Store::open(path)).unwrap_err()
}

#[test]
fn files_that_are_not_stores_are_refused_and_left_as_they_are() {
    let dir = temp("refused");
    // Not a database.
    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "a fox in the snow, and more words than a header holds\n".repeat(20),
    )
    .unwrap();
    let e = open_error(&text);
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert!(e.to_string().contains("notes.txt"), "{e}");
    assert!(e.to_string().contains("not a SQLite database"), "{e}");
    assert!(
        std::fs::read_to_string(&text)
            .unwrap()
            .starts_with("a fox in the snow")
    );
    // Another program's database.
    let other = dir.join("other.db");
    another_programs_database(&other);
    let before = std::fs::read(&other).unwrap();
    let e = open_error(&other);
    assert!(e.to_string().contains("another program"), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), before, "left as it was");
    // A store written by a newer version.
    let newer = dir.join("newer.db");
    runtime().block_on(Store::open(&newer)).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let e = open_error(&newer);
    assert!(e.to_string().contains("newer kling-store"), "{e}");
    // A device takes writes and keeps nothing: refused.
    let e = open_error(Path::new("/dev/null"));
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert!(e.to_string().contains("not a regular file"), "{e}");
    // A folder, a missing folder, an empty path.
    let e = open_error(&dir);
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    let e = open_error(&dir.join("missing").join("b.db"));
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("missing"), "{e}");
    let e = open_error(Path::new(""));
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    // `open_existing` makes nothing.
    let absent = dir.join("absent.db");
    let e = runtime()
        .block_on(Store::open_existing(&absent))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(!absent.exists());
    // A store opens again, existing or not, and is what it says.
    let store = dir.join("b.db");
    runtime().block_on(Store::open(&store)).unwrap();
    let opened = runtime().block_on(Store::open_existing(&store)).unwrap();
    assert_eq!(opened.path(), store.as_path());
    assert_eq!(FleetBackend::kind(&opened), "sqlite");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A SQLite database of another program: a table of its own.
fn another_programs_database(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
}
