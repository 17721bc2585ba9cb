//! The suite: the server in its own process, every case in its own process, client and raw
//! baseline interleaved round by round, medians, a table of ratios, JSON under
//! `target/bench/`, and instruction counts under callgrind.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::measure::{Metrics, median};

/// A client case and its baseline, and how to read them.
struct Pair {
    name: &'static str,
    title: &'static str,
    unit: &'static str,
    /// Whether more is better (throughput) or less (time, memory).
    higher_is_better: bool,
}

const PAIRS: &[Pair] = &[
    Pair {
        name: "get_seq_async",
        title: "async get, sequential",
        unit: "req/s",
        higher_is_better: true,
    },
    Pair {
        name: "get_64_async",
        title: "async get, 64 in flight",
        unit: "req/s",
        higher_is_better: true,
    },
    Pair {
        name: "get_seq_blocking",
        title: "blocking get, sequential",
        unit: "req/s",
        higher_is_better: true,
    },
    Pair {
        name: "get_8t_blocking",
        title: "blocking get, 8 threads",
        unit: "req/s",
        higher_is_better: true,
    },
    Pair {
        name: "create_async",
        title: "async create (POST)",
        unit: "req/s",
        higher_is_better: true,
    },
    Pair {
        name: "create_blocking",
        title: "blocking create (POST)",
        unit: "req/s",
        higher_is_better: true,
    },
    Pair {
        name: "download_async",
        title: "async download to a file",
        unit: "MB/s",
        higher_is_better: true,
    },
    Pair {
        name: "download_blocking",
        title: "blocking download to a file",
        unit: "MB/s",
        higher_is_better: true,
    },
    Pair {
        name: "jobs_async",
        title: "concurrent create + wait jobs",
        unit: "s",
        higher_is_better: false,
    },
    Pair {
        name: "auth_header",
        title: "cached auth header",
        unit: "ns",
        higher_is_better: false,
    },
    // The fleet (a redis-server on 127.0.0.1): "raw" is the in-process default.
    Pair {
        name: "slot_fleet",
        title: "task slot round trip (Redis/memory)",
        unit: "us",
        higher_is_better: false,
    },
    Pair {
        name: "jobs_fleet",
        title: "jobs via Redis store+slots/memory",
        unit: "s",
        higher_is_better: false,
    },
];

/// The Redis of the fleet cases, started by the suite when they run.
static REDIS: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// An instruction-count case: a client and its raw baselines.
struct Counted {
    name: &'static str,
    /// The raw library doing the same request and the same typed decode (`Envelope<Task>`).
    raw: &'static str,
    /// The raw library doing the same request and reading the body's bytes, no decode.
    raw_bytes: Option<&'static str>,
}

const ICOUNTS: &[Counted] = &[
    Counted {
        name: "get_blocking",
        raw: "get_blocking_raw",
        raw_bytes: Some("get_blocking_raw_bytes"),
    },
    Counted {
        name: "get_async",
        raw: "get_async_raw",
        raw_bytes: Some("get_async_raw_bytes"),
    },
    Counted {
        name: "create_blocking",
        raw: "create_blocking_raw",
        raw_bytes: None,
    },
    Counted {
        name: "create_async",
        raw: "create_async_raw",
        raw_bytes: None,
    },
];

/// `kling-bench serve DONE_AFTER_MS`: the keep-alive server until stdin closes.
pub(crate) fn serve(done_after_ms: &str) -> Result<(), String> {
    let ms: u64 = done_after_ms
        .parse()
        .map_err(|_| "DONE_AFTER_MS is a number".to_owned())?;
    let server = kling_test_support::keepalive::KeepAlive::start(Duration::from_millis(ms));
    println!("{}", server.url);
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    // Until the suite hangs up.
    let mut sink = String::new();
    while std::io::stdin()
        .read_line(&mut sink)
        .map_err(|e| e.to_string())?
        > 0
    {
        sink.clear();
    }
    Ok(())
}

fn exe() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| e.to_string())
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(done_after_ms: u64) -> Result<Self, String> {
        let mut child = Command::new(exe()?)
            .args(["serve", &done_after_ms.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            child,
            url: line.trim().to_owned(),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn run_case(name: &str, url: &str, scale: &str) -> Result<Metrics, String> {
    let mut command = Command::new(exe()?);
    if let Some(redis) = REDIS.get() {
        command.env(crate::fleet::REDIS_ENV, redis);
    }
    let output = command
        .args(["case", name, url, scale])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{name}: {e}"))?;
    if !output.status.success() {
        return Err(format!("case {name} failed ({})", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .rev()
        .find_map(Metrics::from_json)
        .ok_or_else(|| format!("case {name} printed no metrics"))
}

/// The medians of one side of a pair.
#[derive(Debug, Default)]
struct Side {
    value: f64,
    rss_mib: f64,
    cpu_s: f64,
    requests_per_task: f64,
}

fn medians(runs: &[Metrics]) -> Side {
    let pick = |f: fn(&Metrics) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
    Side {
        value: pick(|m| m.value),
        rss_mib: pick(|m| m.rss_kib as f64 / 1024.0),
        cpu_s: pick(|m| m.cpu_s),
        requests_per_task: pick(|m| m.requests_per_task),
    }
}

/// Instructions counted by callgrind inside `measured_*` for `n` requests, per request.
fn icount(name: &str, url: &str, n: usize, out_dir: &Path) -> Result<f64, String> {
    let out = out_dir.join(format!("callgrind.{name}.out"));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=*measured*",
        ])
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe()?)
        .args(["icount", name, url, &n.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("callgrind of {name} failed ({status})"));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
    let total: f64 = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no total in {}", out.display()))?;
    Ok(total / n as f64)
}

/// Instructions per request of each case and its baselines, printed and as JSON.
fn count_instructions(
    picked: &[&Counted],
    url: &str,
    out_dir: &Path,
) -> Result<Vec<serde_json::Value>, String> {
    const N: usize = 200;
    println!(
        "\ninstructions per request (callgrind, {N} requests; raw + decode = the same request by \
         hand and the typed decode; raw bytes = the same request, body read, not decoded)"
    );
    println!(
        "{:<34} {:>14} {:>14} {:>7} {:>14} {:>7}",
        "case", "kling-rs", "raw + decode", "ratio", "raw bytes", "ratio"
    );
    let mut counted = Vec::new();
    for c in picked {
        let ours = icount(c.name, url, N, out_dir)?;
        let raw = icount(c.raw, url, N, out_dir)?;
        let bytes = c
            .raw_bytes
            .map(|name| icount(name, url, N, out_dir))
            .transpose()?;
        let (bytes_text, ratio_text) = match bytes {
            Some(b) => (format!("{b:.0}"), format!("{:.2}", ours / b)),
            None => ("-".to_owned(), "-".to_owned()),
        };
        println!(
            "{:<34} {ours:>14.0} {raw:>14.0} {:>7.2} {bytes_text:>14} {ratio_text:>7}",
            c.name,
            ours / raw
        );
        counted.push(serde_json::json!({
            "case": c.name,
            "kling_rs": ours,
            "raw_plus_decode": raw,
            "ratio": ours / raw,
            "raw_bytes": bytes,
            "ratio_bytes": bytes.map(|b| ours / b),
            "over_raw_plus_decode": ours - raw,
        }));
    }
    Ok(counted)
}

pub(crate) fn has_redis() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn has_valgrind() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `kling-bench [--smoke] [--gib] [--rounds R] [--only PREFIX] [--no-icount] [--icount-only]
/// [--out DIR]`: `--gib` downloads 1 GiB files instead of 200 MiB; `--only` picks timed cases
/// and instruction counts by prefix (`--only get_async`: the async GET's instructions).
pub(crate) fn suite(args: &[&str]) -> Result<(), String> {
    let mut smoke = false;
    let mut rounds = 3usize;
    let mut only: Option<String> = None;
    let mut icounts = true;
    let mut timed = true;
    let mut gib = false;
    let mut out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--smoke" => smoke = true,
            "--gib" => gib = true,
            "--no-icount" => icounts = false,
            "--icount-only" => timed = false,
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--rounds takes a number")?;
            }
            "--only" => only = args.next().map(|v| (*v).to_owned()),
            "--out" => out_dir = args.next().map(PathBuf::from).ok_or("--out takes a path")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if smoke {
        rounds = 1;
    }
    let scale = match (smoke, gib) {
        (true, _) => "smoke",
        (false, true) => "gib",
        (false, false) => "full",
    };
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let server = Server::start(if smoke { 300 } else { 2750 })?;
    println!("server: {} ({scale}, {rounds} rounds)", server.url);
    let mut results = Vec::new();
    if timed {
        println!(
            "\n{:<34} {:>14} {:>14} {:>7}",
            "case", "kling-rs", "raw library", "ratio"
        );
    }
    // Kept until the suite ends (killed when dropped).
    let mut _redis = None;
    for pair in PAIRS.iter().filter(|_| timed) {
        if only.as_deref().is_some_and(|o| !pair.name.starts_with(o)) {
            continue;
        }
        if pair.name.ends_with("_fleet") && REDIS.get().is_none() {
            if !has_redis() {
                println!("{:<34} skipped: no redis-server", pair.title);
                continue;
            }
            let server = kling_test_support::redis::RedisServer::start();
            let _ = REDIS.set(server.url());
            _redis = Some(server);
        }
        let raw_name = format!("{}_raw", pair.name);
        let (mut ours, mut raw) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Interleaved, the order alternating, so drift hits both sides alike.
            if round % 2 == 0 {
                raw.push(run_case(&raw_name, &server.url, scale)?);
                ours.push(run_case(pair.name, &server.url, scale)?);
            } else {
                ours.push(run_case(pair.name, &server.url, scale)?);
                raw.push(run_case(&raw_name, &server.url, scale)?);
            }
        }
        let (ours, raw) = (medians(&ours), medians(&raw));
        let ratio = if pair.higher_is_better {
            ours.value / raw.value
        } else {
            raw.value / ours.value
        };
        println!(
            "{:<34} {:>10.1} {:<3} {:>10.1} {:<3} {:>7.2}",
            pair.title, ours.value, pair.unit, raw.value, pair.unit, ratio
        );
        if pair.name.starts_with("download") || pair.name.starts_with("jobs") {
            println!(
                "{:<34} {:>10.1} MiB {:>10.1} MiB {:>7.2}",
                "  peak RSS",
                ours.rss_mib,
                raw.rss_mib,
                ours.rss_mib / raw.rss_mib
            );
        }
        if pair.name.starts_with("jobs") {
            println!(
                "{:<34} {:>10.2} s   {:>10.2} s   {:>7.2}",
                "  CPU time",
                ours.cpu_s,
                raw.cpu_s,
                ours.cpu_s / raw.cpu_s
            );
            println!(
                "{:<34} {:>10.2}     {:>10.2}",
                "  requests per task", ours.requests_per_task, raw.requests_per_task
            );
        }
        results.push(serde_json::json!({
            "case": pair.name, "title": pair.title, "unit": pair.unit,
            "kling_rs": ours.value, "raw": raw.value, "ratio": ratio,
            "kling_rs_rss_mib": ours.rss_mib, "raw_rss_mib": raw.rss_mib,
            "kling_rs_cpu_s": ours.cpu_s, "raw_cpu_s": raw.cpu_s,
            "kling_rs_requests_per_task": ours.requests_per_task,
            "raw_requests_per_task": raw.requests_per_task,
        }));
    }
    let mut counted = Vec::new();
    // `--only PREFIX` picks instruction counts by the same prefix (`--only get_async`).
    let picked: Vec<&Counted> = ICOUNTS
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| c.name.starts_with(o)))
        .collect();
    if icounts && !smoke && !picked.is_empty() {
        if has_valgrind() {
            counted = count_instructions(&picked, &server.url, &out_dir)?;
        } else {
            println!("\ninstructions per request: skipped (no valgrind)");
        }
    }
    let report = serde_json::json!({"scale": scale, "rounds": rounds, "cases": results, "instructions": counted});
    // Instruction counts alone (`--icount-only`, or an `--only` that picked no timed case) never
    // overwrite the timed results.
    let name = match (scale, timed && !results.is_empty()) {
        ("smoke", _) => "smoke.json",
        (_, false) => "instructions.json",
        ("gib", true) => "results-gib.json",
        _ => "results.json",
    };
    let path = out_dir.join(name);
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    println!("\nwritten: {}", path.display());
    if smoke {
        // The fleet-scale cases too, small: they run against kling-mock, not this server.
        println!("\npolls (smoke):");
        crate::polls::suite(&["--smoke"])?;
        println!("\nfleet scale (smoke):");
        crate::fleet_scale::suite(&["--smoke"])?;
    }
    Ok(())
}
