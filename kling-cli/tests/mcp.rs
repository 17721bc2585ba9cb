//! `kling mcp` driven by an MCP client nobody here wrote: the official Python SDK (the `mcp`
//! package from PyPI, in a virtual environment under the target folder, made on first use),
//! over stdio, against kling-mock. The script (`tests/mcp/stdio_client.py`) lists the tools,
//! creates a video (and again: the same job, not paid twice), is refused over its budget and
//! for a bad argument (tool errors naming the field), waits with progress notifications,
//! downloads into the folder given, and after a restart finds the jobs and waits for one.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
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

#[test]
fn the_python_sdk_drives_kling_mcp_over_stdio() {
    let mock =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(3))).unwrap();
    let work = common::temp("mcp-stdio");
    // One video's estimate, from the models data: the budget fits one, not two.
    let video = serde_json::json!({"model_name": "kling-v2-6", "prompt": "a fox in the snow", "duration": "5", "mode": "std"});
    let cost = Family::named("text2video")
        .unwrap()
        .estimate_create(video.to_string().as_bytes())
        .and_then(|e| e.total())
        .expect("the models data prices this video");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/stdio_client.py");
    let mut child = Command::new(python())
        .arg(&script)
        .current_dir(&work)
        // The server gets this environment: no KLING_* of the machine, the mock's.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &work)
        .env("KLING", env!("CARGO_BIN_EXE_kling"))
        .env("WORK", &work)
        .env("VIDEO", video.to_string())
        .env("BUDGET", (cost * 1.5).to_string())
        .env("KLING_BASE_URL", &mock.api_url)
        .env("KLING_ACCESS_KEY", DEMO_ACCESS_KEY)
        .env("KLING_SECRET_KEY", DEMO_SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the Python client starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the Python client did not finish in 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("ok: after a restart, wait_task picks the job up"),
        "{stdout}"
    );
    // Credentials never reach the agent or the logs.
    assert!(!stdout.contains(DEMO_SECRET_KEY) && !stderr.contains(DEMO_SECRET_KEY));
    std::fs::remove_dir_all(&work).unwrap();
}
