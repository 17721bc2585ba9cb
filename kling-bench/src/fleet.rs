//! The fleet cases (kling-redis against the in-process defaults): a task slot's round trip
//! (acquire + release) on Redis and in memory, and whole jobs run through the Redis job store
//! holding Redis slots against the same jobs with in-process slots and no store. The suite
//! starts a `redis-server` for them and passes its URL in `KLING_BENCH_REDIS`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use kling_client_async::fleet::{AsyncTaskSlots, StoredJob, run_stored_job};
use kling_client_async::types::videos::CreateText2Video;
use kling_client_async::{AsyncKling, MemorySlots, WaitOptions};
use kling_redis::Fleet;

use crate::cases::{config, credentials, runtime, server_requests};
use crate::measure::Metrics;

/// The environment variable the suite passes the Redis URL in.
pub(crate) const REDIS_ENV: &str = "KLING_BENCH_REDIS";

fn redis_fleet(rt: &tokio::runtime::Runtime) -> Fleet {
    let url = std::env::var(REDIS_ENV).expect("the suite passes KLING_BENCH_REDIS");
    // Keys of this run only: every case process starts clean.
    let prefix = format!("bench-{}", std::process::id());
    rt.block_on(Fleet::connect(&url, &prefix)).unwrap()
}

/// Acquire + release, sequential; microseconds per round trip.
fn slot_round_trips(rt: &tokio::runtime::Runtime, slots: &dyn AsyncTaskSlots, n: usize) -> Metrics {
    let started = Instant::now();
    rt.block_on(async {
        for _ in 0..n {
            let slot = slots.acquire().await.unwrap();
            black_box(slot).give_back().await;
        }
    });
    Metrics::now(started.elapsed().as_secs_f64() * 1e6 / n as f64)
}

/// A Redis slot's round trip (one script to take it, one ZREM to give it back).
pub(crate) fn slot_fleet(n: usize) -> Metrics {
    let rt = runtime(2);
    let fleet = redis_fleet(&rt);
    let slots = fleet.slots(n + 1, std::time::Duration::from_secs(30));
    slot_round_trips(&rt, &slots, n)
}

/// An in-process slot's round trip (tokio's semaphore).
pub(crate) fn slot_fleet_raw(n: usize) -> Metrics {
    let rt = runtime(2);
    slot_round_trips(&rt, &MemorySlots::new(n + 1), n)
}

fn client(url: &str, slots: Arc<dyn AsyncTaskSlots>) -> kling_client_async::Client {
    kling_client_async::Client::builder()
        .credentials(credentials())
        .config(config(url))
        .task_slots(slots)
        .build()
        .unwrap()
}

/// `n` jobs at once through the Redis job store, holding Redis slots; seconds for all.
pub(crate) fn jobs_fleet(url: &str, n: usize) -> Metrics {
    let rt = runtime(2);
    let fleet = redis_fleet(&rt);
    let client = client(
        url,
        Arc::new(fleet.slots(n, std::time::Duration::from_secs(30))),
    );
    let store = Arc::new(fleet.store());
    let before = server_requests(url);
    let started = Instant::now();
    rt.block_on(async {
        let jobs: Vec<_> = (0..n)
            .map(|i| {
                let (client, store) = (client.clone(), store.clone());
                tokio::spawn(async move {
                    let job = StoredJob::new(
                        CreateText2Video::new("a fox")
                            .external_task_id(format!("f-{}-{i}", std::process::id())),
                        "text2video",
                    );
                    run_stored_job(&client, &*store, job, WaitOptions::new())
                        .await
                        .unwrap()
                })
            })
            .collect();
        for job in jobs {
            black_box(job.await.unwrap());
        }
    });
    let mut m = Metrics::now(started.elapsed().as_secs_f64());
    m.requests_per_task = (server_requests(url) - before) as f64 / n as f64;
    m
}

/// The same jobs with in-process slots and no store.
pub(crate) fn jobs_fleet_raw(url: &str, n: usize) -> Metrics {
    let rt = runtime(2);
    let client = client(url, Arc::new(MemorySlots::new(n)));
    let before = server_requests(url);
    let started = Instant::now();
    rt.block_on(async {
        let jobs: Vec<_> = (0..n)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let request = CreateText2Video::new("a fox")
                        .external_task_id(format!("m-{}-{i}", std::process::id()));
                    client
                        .create_and_wait(request, WaitOptions::new())
                        .await
                        .unwrap()
                })
            })
            .collect();
        for job in jobs {
            black_box(job.await.unwrap());
        }
    });
    let mut m = Metrics::now(started.elapsed().as_secs_f64());
    m.requests_per_task = (server_requests(url) - before) as f64 / n as f64;
    m
}
