//! The `kling` command end to end: the demo, error explanations, a new user's mistakes, and a
//! job against kling-mock in process with a fault script.

use std::path::PathBuf;
use std::process::{Command, Output};

use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, Fault, MockConfig, MockServer, SAMPLE_MP4};

fn kling(args: &[&str], cwd: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kling"));
    cmd.args(args).current_dir(cwd);
    for var in [
        "KLING_ACCESS_KEY",
        "KLING_SECRET_KEY",
        "KLING_API_KEY",
        "KLING_BASE_URL",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("kling runs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn demo_downloads_a_playable_mp4() {
    let dir = temp("demo");
    let out = kling(&["demo", "--instant"], &dir, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let path = dir.join(stdout.lines().next().unwrap());
    assert_eq!(std::fs::read(path).unwrap(), SAMPLE_MP4);
    assert!(stdout.contains("request id: mock-"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_explains_any_code() {
    let dir = temp("errors");
    let out = kling(&["errors", "1303"], &dir, &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("HTTP 429")
            && stdout.contains("concurrency_limit")
            && stdout.contains("throttle_long"),
        "{stdout}"
    );
    let out = kling(&["errors", "cancelled", "--output", "json"], &dir, &[]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["http_status"], 499);
    let out = kling(&["errors", "NO_SUCH_CODE"], &dir, &[]);
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn a_new_users_mistakes_get_clear_messages() {
    let dir = temp("mistakes");
    let out = kling(&["task", "get", "text2video", "1"], &dir, &[]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("KLING_ACCESS_KEY") && stderr.contains("KLING_API_KEY"),
        "{stderr}"
    );
    let out = kling(
        &["video", "text2video", "--prompt", "x", "--mode", "huge"],
        &dir,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("[possible values: std, pro, 4k]"));
    let out = kling(&["video", "text2video", "--help"], &dir, &[]);
    assert!(text(&out.stdout).contains("--dry-run"));
    let out = kling(&["--help"], &dir, &[]);
    assert!(text(&out.stdout).contains("Exit codes:"));
}

#[test]
fn a_job_against_the_mock_with_a_fault_script() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    mock.add_fault(Fault::parse("POST /v1/videos/text2video 429:1302 x1").unwrap());
    mock.add_fault(Fault::parse("GET /v1/videos/text2video/ html502 x1").unwrap());
    let dir = temp("job");
    let env = [
        ("KLING_BASE_URL", mock.api_url.as_str()),
        ("KLING_ACCESS_KEY", DEMO_ACCESS_KEY),
        ("KLING_SECRET_KEY", DEMO_SECRET_KEY),
    ];
    let out = kling(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox in the snow",
            "--download",
            "out",
            "--poll-interval",
            "0",
            "--output",
            "json",
        ],
        &dir,
        &env,
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["task"]["task_status"], "succeed");
    let files: Vec<_> = std::fs::read_dir(dir.join("out")).unwrap().collect();
    assert_eq!(files.len(), 1);
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 2, "the throttled create was posted again once");

    // Images too.
    let out = kling(
        &[
            "image",
            "generate",
            "--prompt",
            "a cat",
            "--n",
            "1",
            "--download",
            "imgs",
            "--poll-interval",
            "0",
        ],
        &dir,
        &env,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let png = std::fs::read_dir(dir.join("imgs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(std::fs::read(png).unwrap(), kling_mock::SAMPLE_PNG);

    // A dry run sends nothing and never shows the token.
    let before = mock.requests().len();
    let out = kling(
        &["video", "text2video", "--prompt", "a fox", "--dry-run"],
        &dir,
        &env,
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("POST ")
            && stdout.contains("Authorization: [redacted]")
            && !stdout.contains("Bearer"),
        "{stdout}"
    );
    assert_eq!(mock.requests().len(), before);

    // Errors as JSON.
    let out = kling(
        &["task", "get", "text2video", "999", "--output", "json"],
        &dir,
        &env,
    );
    assert_eq!(out.status.code(), Some(5));
    let error: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            error["error"]["kind"].as_str(),
            error["error"]["code"].as_str()
        ),
        (Some("not_found"), Some("1203"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
