//! The poll cases (`kling-bench polls`): many `create_and_wait` jobs in flight at once on one
//! async client against kling-mock (tasks that take a set time, an account rate limit), today's
//! per-task polling beside the shared polls, in the same run. For each: requests per task
//! (the create included), the 1302 (rate) and 1303 (concurrency) answers the account saw, and
//! how long after its task ended each wait returned (p50, p95, max, against the bound
//! max(1 s, 10 % of the task's run time)).

use std::time::{Duration, Instant, SystemTime};

use kling_auth::Credentials;
use kling_client_async::types::standard::{CreateTextToVideo, StandardModel};
use kling_client_async::types::videos::CreateText2Video;
use kling_client_async::{AsyncKling, Client, WaitOptions};
use kling_core::{Config, RateConfig};
use kling_mock::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};

use crate::cases::runtime;
use crate::measure::mock::{code, number, percentile};

/// Which API the jobs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Standard,
    Legacy,
}

/// How the waits poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every wait alone, on the schedule before shared polls (5 s, x1.5 to 30 s).
    Today,
    /// The defaults: shared polls, gaps within 10 % of the time waited.
    Shared,
}

/// The settings of a run.
struct Load {
    tasks: usize,
    task_time: Duration,
    /// The client's request budget, and the mock account's limit above it.
    rate: f64,
    limit: u32,
}

/// What a run measured.
struct Outcome {
    requests_per_task: f64,
    rate_limited: u64,
    over_concurrency: u64,
    p50: Duration,
    p95: Duration,
    max: Duration,
    /// Waits that returned later than max(1 s, 10 % of the run time) after their task's end.
    over_bound: usize,
    seconds: f64,
    failed: usize,
}

fn run(api: Api, mode: Mode, load: &Load) -> Result<Outcome, String> {
    let mock = MockServer::start(
        MockConfig::instant()
            .task_duration(load.task_time)
            .max_concurrency(load.tasks.saturating_mul(2))
            .rate_limit_per_sec(load.limit),
    )
    .map_err(|e| format!("kling-mock: {e}"))?;
    let mut config = Config::with_base_url(&mock.api_url);
    let mut rate = RateConfig::default();
    rate.per_second = load.rate;
    rate.burst = 20;
    config.rate = Some(rate);
    if mode == Mode::Today {
        config.poll.shared = false;
        config.poll.fraction = f64::INFINITY;
    }
    let client = Client::builder()
        .credentials(Credentials::both(DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_API_KEY).unwrap())
        .config(config)
        .build()
        .map_err(|e| e.to_string())?;
    let rt = runtime(2);
    let before = mock.stats();
    let started = Instant::now();
    let ends: Vec<Result<(SystemTime, i64), String>> = rt.block_on(async {
        let jobs: Vec<_> = (0..load.tasks)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let created_ms = match api {
                        Api::Standard => {
                            let request = CreateTextToVideo::new(StandardModel::Kling3_0, "a fox");
                            let task = client
                                .create_and_wait(request, WaitOptions::new())
                                .await
                                .map_err(|e| e.to_string())?;
                            task.create_time.unwrap_or_default()
                        }
                        Api::Legacy => {
                            let request = CreateText2Video::new("a fox")
                                .external_task_id(format!("p-{}-{i}", std::process::id()));
                            let task = client
                                .create_and_wait(request, WaitOptions::new())
                                .await
                                .map_err(|e| e.to_string())?;
                            task.created_at.unwrap_or_default()
                        }
                    };
                    Ok((SystemTime::now(), created_ms))
                })
            })
            .collect();
        let mut ends = Vec::with_capacity(jobs.len());
        for job in jobs {
            ends.push(job.await.map_err(|e| e.to_string()).and_then(|r| r));
        }
        ends
    });
    let seconds = started.elapsed().as_secs_f64();
    let after = mock.stats();
    let mut late = Vec::new();
    let mut over_bound = 0;
    let mut failed = 0;
    for end in &ends {
        let Ok((returned, created_ms)) = end else {
            failed += 1;
            continue;
        };
        let created =
            SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(*created_ms).unwrap_or(0));
        let ended = created + load.task_time;
        let l = returned.duration_since(ended).unwrap_or_default();
        if l > Duration::from_secs(1).max(load.task_time / 10) {
            over_bound += 1;
        }
        late.push(l);
    }
    if let Some(Err(e)) = ends.iter().find(|e| e.is_err()) {
        eprintln!("kling-bench polls: a job failed: {e}");
    }
    late.sort_unstable();
    let requests = after.requests.saturating_sub(before.requests);
    Ok(Outcome {
        requests_per_task: requests as f64 / load.tasks as f64,
        rate_limited: code(&after, "1302").saturating_sub(code(&before, "1302")),
        over_concurrency: code(&after, "1303").saturating_sub(code(&before, "1303")),
        p50: percentile(&late, 0.5),
        p95: percentile(&late, 0.95),
        max: late.last().copied().unwrap_or_default(),
        over_bound,
        seconds,
        failed,
    })
}

/// `kling-bench polls [--tasks N] [--seconds S] [--rate R] [--smoke]`: prints a table and
/// writes `target/bench/polls.json`.
pub(crate) fn suite(args: &[&str]) -> Result<(), String> {
    let smoke = args.contains(&"--smoke");
    let number = |name: &str, default: f64| number(args, name, default);
    let tasks = number("--tasks", if smoke { 20.0 } else { 1000.0 })? as usize;
    let secs = number("--seconds", if smoke { 6.0 } else { 20.0 })?;
    let rate = number("--rate", 100.0)?;
    let load = Load {
        tasks: tasks.max(1),
        task_time: Duration::from_secs_f64(secs.max(1.0)),
        rate,
        // The account allows a quarter more than the client's budget.
        limit: (rate * 1.25).ceil() as u32,
    };
    println!(
        "{} jobs in flight, tasks of {:.0} s, a budget of {} requests/s (the account allows {}/s)\n",
        load.tasks,
        load.task_time.as_secs_f64(),
        load.rate,
        load.limit
    );
    println!(
        "{:<10} {:<8} {:>12} {:>6} {:>6} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "api",
        "polls",
        "requests/task",
        "1302",
        "1303",
        "late p50",
        "late p95",
        "late max",
        "over bound",
        "seconds"
    );
    let mut rows = Vec::new();
    for api in [Api::Standard, Api::Legacy] {
        for mode in [Mode::Today, Mode::Shared] {
            let o = run(api, mode, &load)?;
            let (api_name, mode_name) = (
                if api == Api::Standard {
                    "standard"
                } else {
                    "legacy"
                },
                if mode == Mode::Today {
                    "per-task"
                } else {
                    "shared"
                },
            );
            println!(
                "{:<10} {:<8} {:>12.2} {:>6} {:>6} {:>8.2}s {:>8.2}s {:>8.2}s {:>10} {:>8.1}",
                api_name,
                mode_name,
                o.requests_per_task,
                o.rate_limited,
                o.over_concurrency,
                o.p50.as_secs_f64(),
                o.p95.as_secs_f64(),
                o.max.as_secs_f64(),
                o.over_bound,
                o.seconds
            );
            if o.failed > 0 {
                return Err(format!(
                    "{} of the {api_name} {mode_name} jobs failed",
                    o.failed
                ));
            }
            rows.push(serde_json::json!({
                "api": api_name, "polls": mode_name,
                "requests_per_task": o.requests_per_task,
                "answers_1302": o.rate_limited, "answers_1303": o.over_concurrency,
                "late_p50_s": o.p50.as_secs_f64(), "late_p95_s": o.p95.as_secs_f64(),
                "late_max_s": o.max.as_secs_f64(), "over_bound": o.over_bound,
                "seconds": o.seconds,
            }));
        }
    }
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let json = serde_json::json!({
        "tasks": load.tasks, "task_seconds": load.task_time.as_secs_f64(),
        "rate": load.rate, "account_limit": load.limit, "runs": rows,
    });
    std::fs::write(out.join("polls.json"), format!("{json:#}\n")).map_err(|e| e.to_string())?;
    println!("\nwritten: {}", out.join("polls.json").display());
    Ok(())
}
