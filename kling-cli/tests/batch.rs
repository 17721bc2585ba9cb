//! `kling batch` as a fleet (legacy, new-standard and RunBlob jobs in one file): worker
//! processes sharing one account through a real redis-server, or with no server at all through
//! one SQLite file (the default store), against kling-mock (its statistics are the witness).
//! Four workers finish their jobs within the account's three slots, each job posted once; a
//! worker killed with `kill -9` mid-wait (and, on Redis, a Redis restart) loses nothing and
//! posts nothing twice.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::temp;
use kling_mock::{
    DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockConfig, MockServer, MockStats,
};
use kling_test_support::redis::RedisServer;

/// The environment of every `kling` here: the mock's URL and keys, a quick poll, the Redis.
fn env(mock: &MockServer, redis: &RedisServer) -> Vec<(&'static str, String)> {
    let mut env = store_env(mock);
    env.push(("KLING_REDIS_URL", redis.url()));
    env
}

/// The same without Redis: the batch store is `kling-batch.db` in the command's folder.
fn store_env(mock: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("KLING_BASE_URL", mock.api_url.clone()),
        ("KLING_ACCESS_KEY", DEMO_ACCESS_KEY.to_owned()),
        ("KLING_SECRET_KEY", DEMO_SECRET_KEY.to_owned()),
        // The new standard's jobs take an API key.
        ("KLING_API_KEY", DEMO_API_KEY.to_owned()),
        ("KLING_POLL_INTERVAL", "200ms".to_owned()),
        // The fleet's request budget is not what these tests are about: far above their load.
        ("KLING_RATE", "500".to_owned()),
    ]
}

/// The same, with RunBlob's URL (the mock's) and key.
fn with_runblob(
    mut env: Vec<(&'static str, String)>,
    mock: &MockServer,
) -> Vec<(&'static str, String)> {
    env.push(("KLING_RUNBLOB_URL", format!("{}/runblob", mock.api_url)));
    env.push(("KLING_RUNBLOB_API_KEY", DEMO_API_KEY.to_owned()));
    env
}

/// `POST`s the mock's RunBlob received.
fn runblob_posts(mock: &MockServer) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.starts_with("POST /runblob"))
        .count()
}

/// A batch file of `n` text-to-video jobs, every third one on the new standard; with
/// `runblob`, every fourth one on RunBlob instead.
fn batch_file(dir: &Path, n: usize, runblob: bool) -> String {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            if runblob && i % 4 == 3 {
                format!(r#"{{"api":"runblob","family":"o3-video","request":{{"prompt":"a crow, take {i}"}}}}"#)
            } else if i % 3 == 2 {
                format!(r#"{{"api":"standard","family":"text-to-video","model":"kling-3.0","request":{{"prompt":"a fox, take {i}"}}}}"#)
            } else {
                format!(r#"{{"family":"text2video","request":{{"prompt":"a fox, take {i}","duration":"5"}}}}"#)
            }
        })
        .collect();
    let path = dir.join("jobs.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.display().to_string()
}

/// Starts a worker process.
fn worker(dir: &Path, env: &[(&'static str, String)], name: &str) -> Child {
    common::command(
        &[
            "batch",
            "work",
            "--slots",
            "3",
            "--lease-ttl",
            "3s",
            "--claim-idle",
            "3s",
            "--until-empty",
            "--name",
            name,
            "--output",
            "json",
        ],
        dir,
        &common::pairs(env),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("kling runs")
}

/// Waits for every worker to stop by itself (killing them all at the deadline); their reports.
fn finish(workers: Vec<Child>, limit: Duration) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + limit;
    workers
        .into_iter()
        .map(|mut child| {
            loop {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("a worker did not stop in {limit:?}");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let mut out = String::new();
            std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
            // The worker's report is its document's result.
            serde_json::from_str::<serde_json::Value>(out.trim())
                .map(|doc| doc["result"].clone())
                .unwrap_or(serde_json::Value::Null)
        })
        .collect()
}

/// Every job posted exactly once, never more than three running, no 1303.
fn assert_fleet_stats(stats: &MockStats, jobs: usize) {
    assert_eq!(stats.creates_by_external_id.len(), jobs, "{stats:?}");
    let twice: Vec<_> = stats
        .creates_by_external_id
        .iter()
        .filter(|(_, n)| **n != 1)
        .collect();
    assert!(twice.is_empty(), "posted more than once: {twice:?}");
    assert!(stats.peak_running <= 3, "peak {}", stats.peak_running);
    assert_eq!(
        stats.codes.get("1303"),
        None,
        "concurrency refusals: {stats:?}"
    );
}

fn status(dir: &Path, env: &[(&'static str, String)]) -> serde_json::Value {
    let out = common::kling(
        &["batch", "status", "--output", "json"],
        dir,
        &common::pairs(env),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    out.json()["result"].clone()
}

/// Four worker processes run `n` jobs (1 s each) within the account's three slots: each job
/// posted once, every worker taking part, the store's status and results saying so.
fn four_workers_finish_the_batch(dir: &Path, env: &[(&'static str, String)], n: usize) {
    let mock_env = common::pairs(env);
    let file = batch_file(dir, n, false);
    let submitted = common::kling(
        &["batch", "submit", &file, "--output", "json"],
        dir,
        &mock_env,
    );
    assert_eq!(submitted.code, Some(0), "{}", submitted.stderr);
    assert_eq!(
        submitted.json()["result"]["queued"]
            .as_array()
            .unwrap()
            .len(),
        n
    );
    // kling-v1 (the default model) is not in the vendor's price tables.
    assert_eq!(
        submitted.json()["result"]["estimate"],
        serde_json::json!({"totals": {}, "priced": 0, "unpriced": n})
    );
    // Submitting again queues nothing.
    let again = common::kling(
        &["batch", "submit", &file, "--output", "json"],
        dir,
        &mock_env,
    );
    assert_eq!(
        again.json()["result"]["already_known"]
            .as_array()
            .unwrap()
            .len(),
        n
    );

    let workers = (0..4).map(|i| worker(dir, env, &format!("w{i}"))).collect();
    let reports = finish(workers, Duration::from_secs(150));
    let done: u64 = reports.iter().filter_map(|r| r["done"].as_u64()).sum();
    assert_eq!(done, n as u64, "{reports:?}");
    assert!(
        reports.iter().all(|r| r["done"].as_u64().unwrap_or(0) > 0),
        "every worker took part: {reports:?}"
    );
    let s = status(dir, env);
    assert_eq!(s["jobs"]["done"], n, "{s}");
    assert_eq!(s["queue"]["pending"], 0, "{s}");
    let results = common::kling(
        &["batch", "results", "--state", "done", "--output", "json"],
        dir,
        &mock_env,
    );
    let results = results.json()["result"].clone();
    assert_eq!(results.as_array().unwrap().len(), n);
    assert!(
        results[0]["files"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with(".mp4")
    );
}

#[test]
fn four_workers_finish_a_hundred_jobs_within_three_slots() {
    let redis = RedisServer::start();
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(3)
            .task_duration(Duration::from_secs(1)),
    )
    .unwrap();
    let dir = temp("batch-fleet");
    four_workers_finish_the_batch(&dir, &env(&mock, &redis), 100);
    assert_fleet_stats(&mock.stats(), 100);
    assert!(!dir.join("kling-batch.db").exists(), "Redis, not the file");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// No Redis anywhere: four worker processes share the default store file of their folder.
#[test]
fn four_worker_processes_share_one_store_file_within_three_slots() {
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(3)
            .task_duration(Duration::from_secs(1)),
    )
    .unwrap();
    let dir = temp("batch-store-fleet");
    four_workers_finish_the_batch(&dir, &store_env(&mock), 36);
    assert_fleet_stats(&mock.stats(), 36);
    let s = status(&dir, &store_env(&mock));
    assert_eq!(s["store"]["kind"], "sqlite", "{s}");
    assert_eq!(s["slots_held"], 0, "{s}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A first worker alone, killed with `kill -9` once it has created tasks (they take 2 s: it
/// is waiting for them); then three workers, during whose run `meanwhile` happens, finish the
/// batch. Kling's jobs are each posted once; RunBlob's (which cannot be looked up) at most
/// once, one cut by the kill parked as unsettled; the dead worker's slots come back.
fn a_killed_worker_loses_nothing(
    dir: &Path,
    env: &[(&'static str, String)],
    mock: &MockServer,
    meanwhile: impl FnOnce(),
) {
    let file = batch_file(dir, 24, true);
    let runblob_jobs: usize = 6;
    let submitted = common::kling(&["batch", "submit", &file], dir, &common::pairs(env));
    assert_eq!(submitted.code, Some(0), "{}", submitted.stderr);

    let mut first = worker(dir, env, "doomed");
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.stats().tasks < 3 {
        assert!(
            Instant::now() < deadline,
            "the first worker created nothing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGKILL: no handler runs, no slot is given back, no entry acknowledged.
    first.kill().unwrap();
    first.wait().unwrap();
    let orphaned = mock.stats().tasks;

    let workers: Vec<Child> = (0..3).map(|i| worker(dir, env, &format!("w{i}"))).collect();
    meanwhile();
    let reports = finish(workers, Duration::from_secs(150));
    let done: u64 = reports.iter().filter_map(|r| r["done"].as_u64()).sum();
    assert!(done >= 24 - orphaned, "{reports:?}");
    let stats = mock.stats();
    // Kling's jobs (legacy and new standard): each posted once, found again after the kill.
    assert_fleet_stats(&stats, 24 - runblob_jobs);
    let s = status(dir, env);
    assert_eq!(s["slots_held"], 0, "the dead worker's leases expired: {s}");
    // RunBlob's: never posted twice. One the dead worker was posting at the kill cannot be
    // looked up, so it parks as unsettled instead of being posted again; every other is done.
    let unsettled = s["jobs"]["unsettled"].as_u64().unwrap_or(0);
    assert!(
        unsettled <= 1,
        "only a POST cut by the kill is unsettled: {s}"
    );
    assert_eq!(
        s["jobs"]["done"],
        24 - unsettled,
        "every other job finished: {s}"
    );
    let posted = runblob_posts(mock);
    assert!(
        posted <= runblob_jobs && posted + unsettled as usize >= runblob_jobs,
        "each RunBlob job posted once: {posted} POSTs, {s}"
    );
}

#[test]
fn a_worker_killed_mid_wait_and_a_redis_restart_lose_nothing_and_post_nothing_twice() {
    let mut redis = RedisServer::start();
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(3)
            .task_duration(Duration::from_secs(2)),
    )
    .unwrap();
    let dir = temp("batch-faults");
    let env = with_runblob(env(&mock, &redis), &mock);
    a_killed_worker_loses_nothing(&dir, &env, &mock, || {
        // Redis goes down under the running fleet, and comes back with its data.
        std::thread::sleep(Duration::from_secs(2));
        redis.restart();
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The same with no Redis: the killed worker shared the store file with the others.
#[test]
fn a_worker_killed_with_sigkill_on_the_store_file_loses_nothing_and_posts_nothing_twice() {
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(3)
            .task_duration(Duration::from_secs(2)),
    )
    .unwrap();
    let dir = temp("batch-store-kill");
    let env = with_runblob(store_env(&mock), &mock);
    a_killed_worker_loses_nothing(&dir, &env, &mock, || {});
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `kling batch` on a machine with no Redis: submit, work and status go through the store file
/// in the current folder (or `--store`), and say so; reading a batch never makes a store, and
/// a store named twice, or a file that is not one, is the command line's mistake.
#[test]
fn submit_work_and_status_need_no_redis() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("batch-store");
    let env = store_env(&mock);
    let pairs = common::pairs(&env);
    // Nothing submitted yet: status names the file it looked for, and makes none.
    let none = common::kling(&["batch", "status"], &dir, &pairs);
    assert_eq!(none.code, Some(2), "{}", none.stderr);
    assert!(
        none.stderr.contains("no batch store at")
            && none.stderr.contains("kling-batch.db")
            && none.stderr.contains("kling batch submit"),
        "{}",
        none.stderr
    );
    assert!(
        !dir.join("kling-batch.db").exists(),
        "status makes no store"
    );

    let file = batch_file(&dir, 4, false);
    let submitted = common::kling(&["batch", "submit", &file], &dir, &pairs);
    assert_eq!(submitted.code, Some(0), "{}", submitted.stderr);
    let store = std::fs::canonicalize(dir.join("kling-batch.db")).unwrap();
    assert!(
        submitted.stdout.contains(&format!(
            "queued 4 job(s) in SQLite file {}",
            store.display()
        )),
        "{}",
        submitted.stdout
    );
    let work = common::kling(
        &["batch", "work", "--slots", "2", "--until-empty"],
        &dir,
        &pairs,
    );
    assert_eq!(work.code, Some(0), "{}", work.stderr);
    assert!(work.stdout.contains("4 done"), "{}", work.stdout);

    let text = common::kling(&["batch", "status"], &dir, &pairs);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert_eq!(
        text.stdout.lines().next(),
        Some(format!("store: SQLite file {}", store.display()).as_str()),
        "{}",
        text.stdout
    );
    let s = status(&dir, &env);
    assert_eq!(
        s["store"],
        serde_json::json!({"kind": "sqlite", "location": store.display().to_string()})
    );
    assert_eq!(s["jobs"]["done"], 4, "{s}");
    assert_eq!(mock.stats().creates_by_external_id.len(), 4);

    // Another folder, the same store through --store (or KLING_BATCH_STORE).
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let named = store.display().to_string();
    let results = common::kling(&["batch", "results", "--store", &named], &elsewhere, &pairs);
    assert_eq!(results.code, Some(0), "{}", results.stderr);
    assert_eq!(results.stdout.lines().count(), 4, "{}", results.stdout);
    let mut by_env = pairs.clone();
    by_env.push(("KLING_BATCH_STORE", named.as_str()));
    let s = common::kling(
        &["batch", "status", "--output", "json"],
        &elsewhere,
        &by_env,
    );
    assert_eq!(s.json()["result"]["jobs"]["done"], 4, "{}", s.stderr);
    assert!(!elsewhere.join("kling-batch.db").exists());

    // Two stores for one batch, a file that is not a store: usage errors naming the option.
    let both = common::kling(
        &["batch", "status", "--redis", "redis://127.0.0.1:9"],
        &elsewhere,
        &by_env,
    );
    assert_eq!(both.code, Some(2), "{}", both.stderr);
    assert!(
        both.stderr.contains("--redis and --store") && both.stderr.contains("KLING_BATCH_STORE"),
        "{}",
        both.stderr
    );
    let not_a_store = common::kling(&["batch", "status", "--store", &file], &dir, &pairs);
    assert_eq!(not_a_store.code, Some(2), "{}", not_a_store.stderr);
    assert!(
        not_a_store.stderr.contains("--store")
            && not_a_store.stderr.contains("jobs.jsonl")
            && not_a_store.stderr.contains("not a SQLite database"),
        "{}",
        not_a_store.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unreachable_redis_is_named_without_its_password() {
    let dir = temp("batch-unreachable");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://fleet:hunter2@127.0.0.1:{port}/0");
    let out = common::kling(&["batch", "status", "--redis", &url], &dir, &[]);
    assert_eq!(out.code, Some(10), "a transport failure: {}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("redis://fleet:***@127.0.0.1:{port}/0")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("hunter2") && !out.stdout.contains("hunter2"));
    let bad = common::kling(&["batch", "status", "--redis", "not-a-url"], &dir, &[]);
    assert_ne!(bad.code, Some(0));
    assert!(bad.stderr.contains("not-a-url"), "{}", bad.stderr);
    // A bad line is refused before anything is queued, naming the line.
    std::fs::write(dir.join("bad.jsonl"), "{\"family\":\"text2video\",\"request\":{\"prompt\":\"a\"}}\n{\"family\":\"nope\",\"request\":{}}\n").unwrap();
    let refused = common::kling(
        &["batch", "submit", "bad.jsonl", "--redis", &url],
        &dir,
        &[],
    );
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("line 2"), "{}", refused.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn jobs_the_pack_cannot_pay_for_park_and_resume_after_a_top_up() {
    let redis = RedisServer::start();
    // Six units for ten jobs: four are refused with 1102 mid-batch.
    let mock = MockServer::start(MockConfig::instant().credits(6)).unwrap();
    let dir = temp("batch-blocked");
    let env = env(&mock, &redis);
    let file = batch_file(&dir, 10, false);
    let out = common::kling(&["batch", "submit", &file], &dir, &common::pairs(&env));
    assert_eq!(out.code, Some(0), "{}", out.stderr);

    let reports = finish(vec![worker(&dir, &env, "w1")], Duration::from_secs(60));
    assert_eq!(
        (reports[0]["done"].as_u64(), reports[0]["blocked"].as_u64()),
        (Some(6), Some(4)),
        "{reports:?}"
    );
    let refused = mock.stats().codes.get("1102").copied().unwrap_or(0);
    assert_eq!(
        refused, 4,
        "one refused POST per blocked job, no request loop"
    );
    let state = status(&dir, &env);
    assert_eq!(state["jobs"]["blocked"], 4, "{state}");
    assert_eq!(
        state["queue"]["pending"], 0,
        "parked jobs left the queue: {state}"
    );
    let blocked = common::kling(
        &["batch", "results", "--state", "blocked"],
        &dir,
        &common::pairs(&env),
    );
    assert_eq!(blocked.stdout.lines().count(), 4, "{}", blocked.stdout);
    assert!(
        blocked.stdout.contains("1102"),
        "the reason is kept: {}",
        blocked.stdout
    );

    // A top-up, a resume, and another worker finishes them; nothing runs twice.
    mock.top_up(10);
    let resumed = common::kling(
        &["batch", "resume", "--output", "json"],
        &dir,
        &common::pairs(&env),
    );
    assert_eq!(
        resumed.json()["result"]["requeued"],
        4,
        "{}",
        resumed.stderr
    );
    let reports = finish(vec![worker(&dir, &env, "w2")], Duration::from_secs(60));
    assert_eq!(reports[0]["done"].as_u64(), Some(4), "{reports:?}");
    let state = status(&dir, &env);
    assert_eq!(state["jobs"]["done"], 10, "{state}");
    assert_eq!(state["jobs"]["blocked"], 0, "{state}");
    assert_eq!(mock.stats().tasks, 10, "each job created once");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_c_stops_a_worker_with_130_and_a_repeated_line_is_one_job() {
    let redis = RedisServer::start();
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("batch-interrupt");
    let env = env(&mock, &redis);
    let line = r#"{"family":"text2video","request":{"prompt":"a fox","duration":"5"}}"#;
    std::fs::write(dir.join("twice.jsonl"), format!("{line}\n{line}\n")).unwrap();
    let first = common::kling(
        &["batch", "submit", "twice.jsonl", "--output", "json"],
        &dir,
        &common::pairs(&env),
    );
    assert_eq!(
        first.json()["result"]["queued"].as_array().map(Vec::len),
        Some(1)
    );
    let again = common::kling(
        &["batch", "submit", "twice.jsonl", "--output", "json"],
        &dir,
        &common::pairs(&env),
    );
    let doc = again.json()["result"].clone();
    assert_eq!(doc["queued"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        doc["already_known"].as_array().map(Vec::len),
        Some(1),
        "{doc}"
    );

    // A worker without --until-empty runs until interrupted.
    let mut child = common::command(
        &["batch", "work", "--slots", "3"],
        &dir,
        &common::pairs(&env),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the worker did not stop after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(130));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_batch_mixes_the_three_apis_and_a_runblob_job_is_posted_at_most_once() {
    use kling_mock::{Fault, FaultAction};
    let redis = RedisServer::start();
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("batch-mixed");
    let env = with_runblob(env(&mock, &redis), &mock);
    let lines = [
        r#"{"family":"text2video","request":{"prompt":"a fox","duration":"5"}}"#,
        r#"{"family":"image","request":{"prompt":"a cat"}}"#,
        r#"{"api":"standard","family":"text-to-video","model":"kling-3.0","request":{"prompt":"a hare"}}"#,
        r#"{"api":"runblob","family":"o3-video","request":{"prompt":"a crow"}}"#,
        r#"{"api":"runblob","family":"generate","request":{"prompt":"a wolf","model":"kling_2.6"}}"#,
        r#"{"api":"runblob","family":"o3-photo","request":{"prompt":"an owl"}}"#,
    ];
    std::fs::write(dir.join("mixed.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = common::kling(
        &["batch", "submit", "mixed.jsonl"],
        &dir,
        &common::pairs(&env),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    // The first RunBlob POST's answer is lost (an HTML 502): RunBlob may have made it.
    mock.add_fault(Fault::new(
        Some("POST"),
        "/runblob/v1/kling/",
        1,
        FaultAction::Html502,
    ));
    let reports = finish(vec![worker(&dir, &env, "w1")], Duration::from_secs(60));
    assert_eq!(
        (
            reports[0]["done"].as_u64(),
            reports[0]["unsettled"].as_u64()
        ),
        (Some(5), Some(1)),
        "{reports:?}"
    );
    assert_eq!(runblob_posts(&mock), 3, "each RunBlob job posted once");
    assert!(
        mock.requests()
            .iter()
            .any(|r| r.starts_with("POST /runblob/v1/kling/o3-photo/generate")),
        "the photo went to its product's path"
    );
    let state = status(&dir, &env);
    assert_eq!(state["jobs"]["done"], 5, "{state}");
    assert_eq!(state["jobs"]["unsettled"], 1, "{state}");
    // Submitting again and running again posts nothing: the unsettled one stays parked.
    common::kling(
        &["batch", "submit", "mixed.jsonl"],
        &dir,
        &common::pairs(&env),
    );
    finish(vec![worker(&dir, &env, "w2")], Duration::from_secs(60));
    assert_eq!(runblob_posts(&mock), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 21: `--download` saves each job's files under its key, so a file leads back to its
/// batch line, and `kling batch results` (another process, another folder) shows where they
/// were saved; its JSON keeps the URL beside the path.
#[test]
fn downloads_are_named_by_the_jobs_key_and_results_show_where_they_are() {
    let redis = RedisServer::start();
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("batch-names");
    let env = env(&mock, &redis);
    let lines = [
        r#"{"family":"text2video","external_task_id":"line-1","request":{"prompt":"a fox","duration":"5"}}"#,
        r#"{"family":"image","external_task_id":"cats","request":{"prompt":"a cat","n":2}}"#,
    ];
    std::fs::write(dir.join("named.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = common::kling(
        &["batch", "submit", "named.jsonl"],
        &dir,
        &common::pairs(&env),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let work = common::kling(
        &[
            "batch",
            "work",
            "--slots",
            "2",
            "--until-empty",
            "--download",
            "out",
        ],
        &dir,
        &common::pairs(&env),
    );
    assert_eq!(work.code, Some(0), "{}", work.stderr);
    let mut saved: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    saved.sort();
    assert_eq!(saved, ["cats-0.png", "cats-1.png", "line-1.mp4"]);

    // From another folder: the paths are absolute, so they still lead to the files.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let text = common::kling(&["batch", "results"], &elsewhere, &common::pairs(&env));
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    let line = text
        .stdout
        .lines()
        .find(|l| l.starts_with("line-1 "))
        .unwrap_or_else(|| panic!("{}", text.stdout));
    let shown = line.split(' ').nth(3).unwrap();
    let shown = Path::new(shown);
    assert!(
        shown.is_absolute() && shown.ends_with("out/line-1.mp4") && shown.exists(),
        "{line}"
    );
    assert!(
        !line.contains("http"),
        "the saved path, not the URL: {line}"
    );
    let cats = text
        .stdout
        .lines()
        .find(|l| l.starts_with("cats "))
        .unwrap_or_else(|| panic!("{}", text.stdout));
    assert!(
        cats.contains("out/cats-0.png") && cats.contains("out/cats-1.png"),
        "{cats}"
    );

    let json = common::kling(
        &["batch", "results", "--output", "json"],
        &elsewhere,
        &common::pairs(&env),
    )
    .json()["result"]
        .clone();
    let cats = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["external_task_id"] == "cats")
        .unwrap();
    for (n, file) in cats["files"].as_array().unwrap().iter().enumerate() {
        let path = file["path"].as_str().unwrap_or_else(|| panic!("{cats}"));
        assert!(path.ends_with(&format!("out/cats-{n}.png")), "{cats}");
        assert!(file["url"].as_str().unwrap().starts_with("http"), "{cats}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Four workers share `KLING_RATE=4` through Redis, or (`None`) the store file, under an
/// account that answers 1302 past 10 requests a second: twelve jobs done, no 1302.
fn four_workers_share_one_request_budget(dir: &Path, redis: Option<&RedisServer>) {
    // The account answers 1302 past 10 requests a second; the fleet shares 4 a second (a
    // burst of 4: at most 8 in any second, a margin for requests that arrive late).
    let mock = MockServer::start(
        MockConfig::instant()
            .rate_limit_per_sec(10)
            .task_duration(Duration::from_millis(500)),
    )
    .unwrap();
    let mut env = match redis {
        Some(redis) => env(&mock, redis),
        None => store_env(&mock),
    };
    for (key, value) in &mut env {
        if *key == "KLING_RATE" {
            *value = "4".to_owned();
        }
    }
    let file = batch_file(dir, 12, false);
    let out = common::kling(&["batch", "submit", &file], dir, &common::pairs(&env));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let workers = (0..4)
        .map(|i| worker(dir, &env, &format!("w{i}")))
        .collect();
    let reports = finish(workers, Duration::from_secs(120));
    let done: u64 = reports.iter().filter_map(|r| r["done"].as_u64()).sum();
    assert_eq!(done, 12, "{reports:?}");
    let stats = mock.stats();
    assert_eq!(stats.codes.get("1302"), None, "no 1302 answered: {stats:?}");
}

#[test]
fn four_workers_share_one_request_budget_under_the_rate_limit() {
    let redis = RedisServer::start();
    let dir = temp("batch-rate");
    four_workers_share_one_request_budget(&dir, Some(&redis));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn four_workers_share_one_request_budget_through_the_store_file() {
    let dir = temp("batch-store-rate");
    four_workers_share_one_request_budget(&dir, None);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Callbacks end to end through the command: `kling batch receive` takes the mock's
/// callbacks (to the token's path) into the store file, and `kling batch work --callback-url`
/// creates its tasks with that URL and looks at each task when its callback is noted, instead
/// of polling every 200 ms.
#[test]
fn batch_receive_takes_the_callbacks_and_the_workers_stop_polling() {
    let mock =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(2))).unwrap();
    let dir = temp("batch-callbacks");
    let mut env = store_env(&mock);
    env.push(("KLING_CALLBACK_TOKEN", "cb".repeat(20)));
    let pairs = common::pairs(&env);
    let file = batch_file(&dir, 6, false);
    let submitted = common::kling(&["batch", "submit", &file], &dir, &pairs);
    assert_eq!(submitted.code, Some(0), "{}", submitted.stderr);

    // Without a token, the receiver says how to make one.
    let no_token = common::kling(
        &["batch", "receive"],
        &dir,
        &common::pairs(&store_env(&mock)),
    );
    assert_eq!(no_token.code, Some(2), "{}", no_token.stderr);
    assert!(
        no_token.stderr.contains("KLING_CALLBACK_TOKEN"),
        "{}",
        no_token.stderr
    );

    let mut receiver = common::command(
        &["batch", "receive", "--max-events", "6", "--output", "json"],
        &dir,
        &pairs,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("kling runs");
    // Its first line on stderr: where it listens (the token's place shown, not the token).
    let line = common::first_stderr_line(&mut receiver);
    assert!(
        !line.contains(&"cb".repeat(20)),
        "the token is never printed: {line}"
    );
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .and_then(|url| url.strip_suffix("/<token>"))
        .unwrap_or_else(|| panic!("an address: {line}"))
        .to_owned();

    let work = common::kling(
        &[
            "batch",
            "work",
            "--slots",
            "3",
            "--until-empty",
            "--callback-url",
            &base,
        ],
        &dir,
        &pairs,
    );
    assert_eq!(work.code, Some(0), "{}", work.stderr);
    assert!(work.stdout.contains("6 done"), "{}", work.stdout);

    // The receiver stops by itself after the six ends it noted.
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = receiver.kill();
            panic!("the receiver did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut receiver.stdout.take().unwrap(), &mut out).unwrap();
    let noted = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|doc| doc["result"]["event"] == "noted")
        .count();
    assert_eq!(noted, 6, "{out}");

    let stats = mock.stats();
    assert_eq!(stats.creates_by_external_id.len(), 6, "{stats:?}");
    // Everything but the creates is a look at a task: at most one each (polling every 200 ms
    // for 2 s tasks would be about ten each).
    let looks = stats.requests - 6;
    assert!(looks <= 6, "{looks} looks for 6 tasks: {stats:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
