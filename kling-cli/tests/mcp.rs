//! `kling mcp` driven by an MCP client nobody here wrote: the official Python SDK (the `mcp`
//! package from PyPI, in a virtual environment under the target folder, made on first use),
//! over stdio, against kling-mock. The script (`tests/mcp/stdio_client.py`) lists the tools,
//! creates a video (and again: the same job, not paid twice), is refused over its budget and
//! for a bad argument (tool errors naming the field), waits with progress notifications,
//! downloads into the folder given, and after a restart finds the jobs and waits for one.
//! Over streamable HTTP (`tests/mcp/http_client.py`): refused without the token, then a create
//! and a wait the client cancels (the task goes on; a new wait finds it done), with progress;
//! a new-standard video and a RunBlob video through the same tools.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kling_mock::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
use kling_types::Family;

/// The version of the Python SDK the tests run (pinned: a new release is taken by hand).
const MCP_VERSION: &str = "2.3.0";

/// A Python with the `mcp` package: the virtual environment under the target folder, made
/// (or repaired) here when it lacks the package.
fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-venv");
    let python = venv.join("bin").join("python");
    let has_sdk = |python: &Path| {
        Command::new(python)
            .args(["-c", &format!("import mcp, importlib.metadata as m; assert m.version('mcp') == '{MCP_VERSION}'")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_sdk(&python) {
        let made = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status()
            .expect("python3 runs (it is on every machine of ours)");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("mcp=={MCP_VERSION}"))
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install mcp=={MCP_VERSION} failed");
        assert!(
            has_sdk(&python),
            "the mcp package is not importable after its install"
        );
    }
    python
}

/// Runs a Python script with `env`, to its end (at most 3 minutes); its stdout.
fn run_script(name: &str, env: &[(&str, String)], cwd: &Path) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp")
        .join(name);
    let mut command = Command::new(python());
    command
        .arg(&script)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the Python client starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{name} did not finish in 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{name}:\n{stdout}\n{stderr}");
    // Credentials never reach the agent or the logs.
    assert!(!stdout.contains(DEMO_SECRET_KEY) && !stderr.contains(DEMO_SECRET_KEY));
    stdout
}

/// A video request and the budget that fits it once, not twice (from the models data).
fn video_and_budget() -> (serde_json::Value, f64) {
    let video = serde_json::json!({"model_name": "kling-v2-6", "prompt": "a fox in the snow", "duration": "5", "mode": "std"});
    let cost = Family::named("text2video")
        .unwrap()
        .estimate_create(video.to_string().as_bytes())
        .and_then(|e| e.total())
        .expect("the models data prices this video");
    (video, cost * 1.5)
}

/// The environment of a `kling` run against `mock`: no KLING_* of the machine.
fn server_env(mock: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("KLING_BASE_URL", mock.api_url.clone()),
        ("KLING_ACCESS_KEY", DEMO_ACCESS_KEY.to_owned()),
        ("KLING_SECRET_KEY", DEMO_SECRET_KEY.to_owned()),
    ]
}

#[test]
fn the_python_sdk_drives_kling_mcp_over_stdio() {
    let mock =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(3))).unwrap();
    let work = common::temp("mcp-stdio");
    let (video, budget) = video_and_budget();
    let mut env = server_env(&mock);
    env.extend([
        ("KLING", env!("CARGO_BIN_EXE_kling").to_owned()),
        ("WORK", work.display().to_string()),
        ("VIDEO", video.to_string()),
        ("BUDGET", budget.to_string()),
    ]);
    let stdout = run_script("stdio_client.py", &env, &work);
    assert!(
        stdout.contains("ok: after a restart, wait_task picks the job up"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn the_python_sdk_drives_kling_mcp_over_http_with_a_token() {
    let mock =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(3))).unwrap();
    let work = common::temp("mcp-http");
    let (video, _) = video_and_budget();
    let token = "h".repeat(48);
    let mut env = server_env(&mock);
    // The new standard's key, and RunBlob's host and key: every API through the same tools.
    env.extend([
        ("KLING_API_KEY", DEMO_API_KEY.to_owned()),
        ("KLING_RUNBLOB_URL", format!("{}/runblob", mock.api_url)),
        ("KLING_RUNBLOB_API_KEY", DEMO_API_KEY.to_owned()),
    ]);
    let mut pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.push(("KLING_MCP_TOKEN", &token));
    let store = work.join("mcp.db").display().to_string();
    let downloads = work.join("downloads").display().to_string();
    let mut server = common::command(
        &[
            "mcp",
            "--http",
            "--store",
            &store,
            "--downloads",
            &downloads,
        ],
        &work,
        &pairs,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("kling runs");
    // Its first line on stderr: where it listens (never the token).
    let line = common::first_stderr_line(&mut server);
    assert!(!line.contains(&token), "{line}");
    let url = common::loopback_url(&line);
    let script_env = vec![
        ("URL", url),
        ("TOKEN", token.clone()),
        ("VIDEO", video.to_string()),
    ];
    let stdout = run_script("http_client.py", &script_env, &work);
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        stdout.contains("ok: a new wait after the cancel ends done"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&work).unwrap();
}
