//! Running the `kling` binary in tests: an isolated environment (no KLING_* variable, a
//! config home of its own), an optional stdin, and a deadline.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kling_mock::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockServer};

/// What a run printed and how it ended.
pub(crate) struct Run {
    /// The exit code (`None`: killed at the deadline).
    pub(crate) code: Option<i32>,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

impl Run {
    /// Stdout as one JSON document (fails the test otherwise).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }
}

/// A fresh folder for one test.
pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The command with an isolated environment: `cwd` is also its HOME and config home.
pub(crate) fn command(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kling"));
    cmd.args(args).current_dir(cwd);
    for (key, _) in std::env::vars() {
        if key.starts_with("KLING_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", cwd)
        .env("XDG_CONFIG_HOME", cwd.join(".config"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `kling args` in `cwd` with `env`, feeding `stdin`; killed after 60 s.
pub(crate) fn kling_with_stdin(
    args: &[&str],
    cwd: &Path,
    env: &[(&str, &str)],
    stdin: &[u8],
) -> Run {
    let mut child = command(args, cwd, env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kling runs");
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    // Read both pipes while waiting: a long output (a man page) must not block the child.
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = feeder.join();
    Run {
        code: status.and_then(|s| s.code()),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs `kling args` with an empty stdin.
pub(crate) fn kling(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Run {
    kling_with_stdin(args, cwd, env, b"")
}

/// The mock's URL and every credential it takes, RunBlob under `/runblob`.
pub(crate) fn mock_env(mock: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("KLING_BASE_URL", mock.api_url.clone()),
        ("KLING_ACCESS_KEY", DEMO_ACCESS_KEY.into()),
        ("KLING_SECRET_KEY", DEMO_SECRET_KEY.into()),
        ("KLING_API_KEY", DEMO_API_KEY.into()),
        ("KLING_RUNBLOB_URL", format!("{}/runblob", mock.api_url)),
        ("KLING_RUNBLOB_API_KEY", DEMO_API_KEY.into()),
        // Polling the local mock quickly is allowed (the 1 s floor is for real hosts).
        ("KLING_POLL_INTERVAL", "100ms".into()),
        ("KLING_MAX_WAIT", "30s".into()),
    ]
}

/// Runs `kling args --output json` (which must succeed) and gives its one JSON document.
pub(crate) fn run_json(
    args: &[&str],
    dir: &Path,
    env: &[(&'static str, String)],
) -> serde_json::Value {
    let env = pairs(env);
    let mut full = args.to_vec();
    full.extend(["--output", "json"]);
    let out = kling(&full, dir, &env);
    assert_eq!(
        out.code,
        Some(0),
        "kling {}: {}{}",
        args.join(" "),
        out.stdout,
        out.stderr
    );
    out.json()
}

/// The files a JSON document lists, read back.
pub(crate) fn files(dir: &Path, doc: &serde_json::Value) -> Vec<Vec<u8>> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| std::fs::read(dir.join(f["path"].as_str().unwrap())).unwrap())
        .collect()
}

/// An environment of owned values as the `(name, value)` pairs `kling` takes.
pub(crate) fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A serving command's first line on stderr (where it listens), read as it starts; its stderr
/// must be piped. The rest is drained by a thread, so the pipe stays open (a write to a
/// closed stderr would fail the server) and never fills.
pub(crate) fn first_stderr_line(child: &mut Child) -> String {
    use std::io::{BufRead, Read};
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr piped"));
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    std::thread::spawn(move || {
        let _ = stderr.read_to_end(&mut Vec::new());
    });
    line
}

/// The first `http://127.0.0.1:...` address in `line`.
pub(crate) fn loopback_url(line: &str) -> String {
    line.split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("an address on 127.0.0.1: {line}"))
        .to_owned()
}
