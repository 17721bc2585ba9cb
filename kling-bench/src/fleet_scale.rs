//! The fleet-scale cases (`kling-bench fleet-scale`): one batch run by four workers, each with
//! a client of its own (as four processes would), through a store (kling-store's SQLite file,
//! or Redis), against kling-mock holding the account's slots and rate limit; each with polls
//! beside today's per-task polling: shared polls, and callbacks (a receiver noting them in the
//! store). For each: requests per job (the
//! create included), the 1302 and 1303 answers, how long after its task's end each job was
//! noticed (p50, p95), and how busy the account's slots were while jobs waited in the queue.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use kling_auth::{CallbackToken, Credentials};
use kling_client_async::types::videos::GetText2VideoTask;
use kling_client_async::{AsyncKling, CancelHandle, Client};
use kling_core::fleet::{CallbackInbox, FleetBackend, JobStore};
use kling_core::{Config, RateConfig};
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
use kling_redis::{BatchJob, Fleet, Outcome, WorkerOptions, run_worker};
use kling_test_support::redis::RedisServer;

use crate::cases::runtime;
use crate::measure::mock::{code, number, percentile};

/// Where the batch is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Redis,
}

/// How the workers learn that a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// Every wait polls alone, on the schedule before shared polls (5 s, x1.5 to 30 s).
    PerTask,
    /// The defaults: shared polls, gaps within 10 % of the time waited.
    Shared,
    /// Callbacks noted by a receiver ring the waits; polls are a fallback a minute apart.
    Callbacks,
}

impl Notice {
    fn name(self) -> &'static str {
        match self {
            Self::PerTask => "per-task",
            Self::Shared => "shared",
            Self::Callbacks => "callbacks",
        }
    }
}

/// The settings of a run.
struct Load {
    jobs: usize,
    slots: usize,
    task_time: Duration,
    rate: f64,
    limit: u32,
}

/// What a run measured.
struct Outcomes {
    requests_per_job: f64,
    rate_limited: u64,
    over_concurrency: u64,
    p50: Duration,
    p95: Duration,
    /// The slots the fleet held and the tasks running on the account, on average, over the
    /// slots, while jobs waited to be created (`None`: none ever waited).
    utilisation: Option<(f64, f64)>,
    seconds: f64,
    done: usize,
}

/// Serves a `CallbackInbox` over `store` on 127.0.0.1, as a user's server (or `kling batch
/// receive`) would; its base URL.
async fn receiver(store: Arc<dyn JobStore>, token: CallbackToken) -> Result<String, String> {
    use axum::extract::State;
    type Shared = (Arc<CallbackInbox>, Arc<dyn JobStore>);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}/hooks",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let app = axum::Router::new()
        .fallback(
            |State((inbox, store)): State<Shared>,
             uri: axum::http::Uri,
             body: axum::body::Bytes| async move {
                let status = match inbox
                    .receive(&*store, uri.path(), &[], &body, SystemTime::now())
                    .await
                {
                    Ok(receipt) => receipt.http_status(),
                    Err(_) => 503,
                };
                axum::http::StatusCode::from_u16(status)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
            },
        )
        .with_state((Arc::new(CallbackInbox::new(token)), store));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

async fn open(
    kind: Kind,
    redis: Option<&RedisServer>,
    run: &str,
) -> Result<Arc<dyn FleetBackend>, String> {
    match kind {
        Kind::Sqlite => {
            let dir = std::env::temp_dir().join(format!("kling-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let path = dir.join(format!("{run}.db"));
            let _ = std::fs::remove_file(&path);
            Ok(Arc::new(
                kling_store::Store::open(&path)
                    .await
                    .map_err(|e| e.to_string())?,
            ))
        }
        Kind::Redis => {
            let redis = redis.ok_or("no redis-server")?;
            let prefix = format!("bench-{}-{run}", std::process::id());
            Ok(Arc::new(
                Fleet::connect(&redis.url(), &prefix)
                    .await
                    .map_err(|e| e.to_string())?,
            ))
        }
    }
}

fn run(
    kind: Kind,
    notice: Notice,
    load: &Load,
    redis: Option<&RedisServer>,
) -> Result<Outcomes, String> {
    let mock = Arc::new(
        MockServer::start(
            MockConfig::instant()
                .task_duration(load.task_time)
                .max_concurrency(load.slots)
                .rate_limit_per_sec(load.limit),
        )
        .map_err(|e| format!("kling-mock: {e}"))?,
    );
    let rt = runtime(2);
    let name = format!("{kind:?}-{}", notice.name()).to_lowercase();
    let finished: Arc<Mutex<Vec<(SystemTime, String)>>> = Arc::default();
    let before = mock.stats();
    let started = Instant::now();
    let (utilisation, clients) = rt.block_on(async {
        let backend = open(kind, redis, &name).await?;
        let queue = backend.job_queue("bench");
        queue.prepare().await.map_err(|e| e.to_string())?;
        for i in 0..load.jobs {
            let line = format!(
                r#"{{"family":"text2video","request":{{"prompt":"a fox, take {i} of {name}"}}}}"#
            );
            let job = BatchJob::parse(&line)
                .and_then(BatchJob::keyed)
                .map_err(|e| e.to_string())?;
            queue.submit(&job).await.map_err(|e| e.to_string())?;
        }
        let mut rate = RateConfig::default();
        rate.per_second = load.rate;
        rate.burst = 20;
        let pacer = backend.request_pacer(rate);
        let slots = backend.task_slots(load.slots, Duration::from_secs(30));
        let mut config = Config::with_base_url(&mock.api_url);
        if notice == Notice::PerTask {
            config.poll.shared = false;
            config.poll.fraction = f64::INFINITY;
        }
        let clients: Vec<Client> = (0..4)
            .map(|_| {
                Client::builder()
                    .credentials(Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap())
                    .config(config.clone())
                    .task_slots(slots.clone())
                    .request_pacer(pacer.clone())
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let mut options = WorkerOptions::default();
        options.concurrency = load.slots;
        options.until_empty = true;
        options.idle_poll = Duration::from_millis(100);
        if notice == Notice::Callbacks {
            let token = CallbackToken::from_random_bytes([7u8; 32]);
            let base = receiver(backend.job_store(), token.clone()).await?;
            options.callback_url = Some(token.url(&base));
        }
        // Slot utilisation, sampled every 100 ms from the moment the fleet first filled the
        // account's slots (before, the request budget paces the creates) while jobs wait to be
        // created: the slots the fleet holds, and the tasks running on the account (a slot is
        // held from its create until its task's end is noticed).
        let sampling = CancelHandle::new();
        let sampler = {
            let (stop, mock, backend) = (sampling.clone(), mock.clone(), backend.clone());
            let (jobs, made, slots) = (load.jobs as u64, before.tasks, load.slots);
            tokio::spawn(async move {
                let (mut held, mut running, mut n, mut filled) = (0.0f64, 0.0f64, 0u64, false);
                loop {
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(100)) => {}
                        () = stop.cancelled() => break,
                    }
                    let stats = mock.stats();
                    filled |= stats.running >= slots;
                    if filled && stats.tasks.saturating_sub(made) < jobs {
                        held += backend.slots_held().await.unwrap_or(0) as f64;
                        running += stats.running as f64;
                        n += 1;
                    }
                }
                (n > 0).then(|| (held / n as f64, running / n as f64))
            })
        };
        let worker = |i: usize| {
            let finished = finished.clone();
            let on_outcome = move |outcome: Outcome| {
                if let Outcome::Finished { record, .. } = outcome
                    && let Some(task_id) = record.task_id
                {
                    finished.lock().unwrap().push((SystemTime::now(), task_id));
                }
            };
            let (client, options, name) = (clients[i].clone(), options.clone(), format!("w{i}"));
            let backend = backend.clone();
            async move {
                run_worker(
                    client,
                    &*backend,
                    &name,
                    options,
                    CancelHandle::new(),
                    Some(Box::new(on_outcome)),
                )
                .await
            }
        };
        let reports = tokio::join!(worker(0), worker(1), worker(2), worker(3));
        for report in [reports.0, reports.1, reports.2, reports.3] {
            report.map_err(|e| e.to_string())?;
        }
        sampling.cancel();
        let running = sampler.await.map_err(|e| e.to_string())?;
        let per_slot = |x: f64| x / load.slots as f64;
        Ok::<_, String>((running.map(|(h, r)| (per_slot(h), per_slot(r))), clients))
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let after = mock.stats();
    let requests = after.requests.saturating_sub(before.requests);
    // When each task ended: its create time (read now, after the counts) plus the task time.
    let finished = std::mem::take(&mut *finished.lock().unwrap());
    let mut late: Vec<Duration> = rt.block_on(async {
        let mut late = Vec::with_capacity(finished.len());
        for (noticed, task_id) in &finished {
            let task = clients[0]
                .task(&GetText2VideoTask::by_task_id(task_id.clone()))
                .await;
            if let Ok(task) = task
                && let Some(created) = task.value.created_at
            {
                let ended = SystemTime::UNIX_EPOCH
                    + Duration::from_millis(u64::try_from(created).unwrap_or(0))
                    + load.task_time;
                late.push(noticed.duration_since(ended).unwrap_or_default());
            }
        }
        late
    });
    late.sort_unstable();
    Ok(Outcomes {
        requests_per_job: requests as f64 / load.jobs as f64,
        rate_limited: code(&after, "1302").saturating_sub(code(&before, "1302")),
        over_concurrency: code(&after, "1303").saturating_sub(code(&before, "1303")),
        p50: percentile(&late, 0.5),
        p95: percentile(&late, 0.95),
        utilisation,
        seconds,
        done: finished.len(),
    })
}

/// `kling-bench fleet-scale [--jobs N] [--slots S] [--seconds T] [--rate R] [--smoke]`: prints
/// a table and writes `target/bench/fleet-scale.json`.
pub(crate) fn suite(args: &[&str]) -> Result<(), String> {
    let smoke = args.contains(&"--smoke");
    let number = |name: &str, default: f64| number(args, name, default);
    let rate = number("--rate", 100.0)?;
    let load = Load {
        jobs: number("--jobs", if smoke { 16.0 } else { 600.0 })?.max(1.0) as usize,
        slots: number("--slots", if smoke { 6.0 } else { 200.0 })?.max(1.0) as usize,
        task_time: Duration::from_secs_f64(
            number("--seconds", if smoke { 3.0 } else { 10.0 })?.max(1.0),
        ),
        rate,
        limit: (rate * 1.25).ceil() as u32,
    };
    let redis = crate::run::has_redis().then(RedisServer::start);
    println!(
        "{} jobs, 4 workers, {} slots, tasks of {:.0} s, a budget of {} requests/s (the account allows {}/s){}\n",
        load.jobs,
        load.slots,
        load.task_time.as_secs_f64(),
        load.rate,
        load.limit,
        if redis.is_none() {
            "; no redis-server: SQLite only"
        } else {
            ""
        }
    );
    println!(
        "{:<8} {:<10} {:>12} {:>6} {:>6} {:>9} {:>9} {:>11} {:>12} {:>8}",
        "store",
        "notice",
        "requests/job",
        "1302",
        "1303",
        "late p50",
        "late p95",
        "slots held",
        "tasks running",
        "seconds"
    );
    let mut rows = Vec::new();
    for kind in [Kind::Sqlite, Kind::Redis] {
        if kind == Kind::Redis && redis.is_none() {
            continue;
        }
        for notice in [Notice::PerTask, Notice::Shared, Notice::Callbacks] {
            let o = run(kind, notice, &load, redis.as_ref())?;
            let (store, notice) = (
                if kind == Kind::Sqlite {
                    "sqlite"
                } else {
                    "redis"
                },
                notice.name(),
            );
            let (held, running) = o.utilisation.map_or_else(
                || ("-".to_owned(), "-".to_owned()),
                |(h, r)| (format!("{:.1}%", h * 100.0), format!("{:.1}%", r * 100.0)),
            );
            println!(
                "{:<8} {:<10} {:>12.2} {:>6} {:>6} {:>8.2}s {:>8.2}s {:>11} {:>12} {:>8.1}",
                store,
                notice,
                o.requests_per_job,
                o.rate_limited,
                o.over_concurrency,
                o.p50.as_secs_f64(),
                o.p95.as_secs_f64(),
                held,
                running,
                o.seconds
            );
            if o.done != load.jobs {
                return Err(format!(
                    "{store} {notice}: {} of {} jobs done",
                    o.done, load.jobs
                ));
            }
            rows.push(serde_json::json!({
                "store": store, "notice": notice,
                "requests_per_job": o.requests_per_job,
                "answers_1302": o.rate_limited, "answers_1303": o.over_concurrency,
                "late_p50_s": o.p50.as_secs_f64(), "late_p95_s": o.p95.as_secs_f64(),
                "slots_held": o.utilisation.map(|u| u.0),
                "tasks_running": o.utilisation.map(|u| u.1),
                "seconds": o.seconds,
            }));
        }
    }
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let json = serde_json::json!({
        "jobs": load.jobs, "slots": load.slots, "task_seconds": load.task_time.as_secs_f64(),
        "rate": load.rate, "account_limit": load.limit, "runs": rows,
    });
    std::fs::write(out.join("fleet-scale.json"), format!("{json:#}\n"))
        .map_err(|e| e.to_string())?;
    println!("\nwritten: {}", out.join("fleet-scale.json").display());
    Ok(())
}
