//! The `kling` command end to end: the demo, error explanations, a new user's mistakes, and a
//! job against kling-mock in process with a fault script.

mod common;

use std::process::Output;

use common::temp;
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, Fault, MockConfig, MockServer, SAMPLE_MP4};

/// Runs `kling` (isolated: see `common`), as a `std::process::Output`.
fn kling(args: &[&str], cwd: &std::path::Path, env: &[(&str, &str)]) -> Output {
    common::command(args, cwd, env)
        .output()
        .expect("kling runs")
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
    // `saved PATH (N bytes)`, as every command that downloads says it.
    let saved = stdout
        .lines()
        .find_map(|l| l.strip_prefix("saved "))
        .unwrap();
    let path = dir.join(saved.split(" (").next().unwrap());
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
    assert_eq!(value["result"]["http_status"], 499);
    // A code no dialect has: the lookup is local, a usage error (never an API one).
    let out = kling(&["errors", "NO_SUCH_CODE"], &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
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
            "10ms",
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
            "10ms",
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
    // Kling's codes are numbers, as Kling sends them.
    assert_eq!(
        (
            error["error"]["kind"].as_str(),
            error["error"]["code"].as_i64()
        ),
        (Some("not_found"), Some(1203))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn completions_and_man_pages_are_generated() {
    let dir = temp("docs");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = common::kling(&["completions", shell], &dir, &[]);
        assert_eq!(out.code, Some(0), "{shell}: {}", out.stderr);
        assert!(
            out.stdout.contains("text2video") && out.stdout.contains("kling"),
            "{shell}"
        );
    }
    let out = common::kling(&["completions", "tcsh"], &dir, &[]);
    assert_eq!(out.code, Some(2));
    let out = common::kling(&["man"], &dir, &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH kling"),
        "{}",
        &out.stdout[..200]
    );
    assert!(out.stdout.contains("Exit codes"));
    let out = common::kling(&["man", "--dir", "man"], &dir, &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let page = std::fs::read_to_string(dir.join("man/kling-video-text2video.1")).unwrap();
    assert!(
        page.contains(".TH kling-video-text2video") && page.contains("dry\\-run"),
        "{page}"
    );
    assert!(dir.join("man/kling-task-wait.1").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn models_come_from_the_models_data() {
    let dir = temp("models");
    let out = common::kling(&["models", "kling-v3", "--output", "json"], &dir, &[]);
    let doc = out.json();
    let v3 = &doc["result"][0];
    assert_eq!(v3["api"], "legacy");
    let t2v = v3["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == "text2video")
        .unwrap();
    assert_eq!(t2v["rules"]["durations"]["max"], 15);
    assert_eq!(
        t2v["rules"]["modes"],
        serde_json::json!(["std", "pro", "4k"])
    );
    let out = common::kling(&["models", "kling-v2-6"], &dir, &[]);
    assert!(
        out.stdout.contains("kling-v2-6") && out.stdout.contains("sound in pro mode"),
        "{}",
        out.stdout
    );
    let out = common::kling(&["models", "kling-v9"], &dir, &[]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("kling-v9"));
}

const CONFIG: &str = r#"
default_profile = "a"

[profiles.a]
base_url = "http://profile-a.invalid"
api_key = "sk-profile-secret-a"
output = "json"
max_wait = "1h"

[profiles.b]
region = "beijing"
access_key = "AKprofileB"
secret_key = "SKprofile-secret-b"
poll_interval = 10
"#;

#[test]
fn config_precedence_and_redaction() {
    let dir = temp("config");
    std::fs::create_dir_all(dir.join(".config/kling")).unwrap();
    std::fs::write(dir.join(".config/kling/config.toml"), CONFIG).unwrap();
    let show = |args: &[&str], env: &[(&str, &str)]| {
        let out = common::kling(&[&["config", "show"], args].concat(), &dir, env);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        for secret in [
            "sk-profile-secret-a",
            "SKprofile-secret-b",
            "AKprofileB",
            "sk-env-secret",
        ] {
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{}",
                out.stdout
            );
        }
        out
    };
    // The default profile: its output format is JSON.
    let doc = show(&[], &[]).json()["result"].clone();
    assert_eq!(doc["profile"]["name"], "a");
    assert_eq!(
        doc["settings"]["base_url"]["value"],
        "http://profile-a.invalid"
    );
    assert_eq!(doc["settings"]["base_url"]["source"], "profile a");
    assert_eq!(doc["settings"]["api_key"]["value"], "[redacted]");
    assert_eq!(doc["settings"]["max_wait"]["value"], "1h");
    // The environment beats the profile; a flag beats both.
    let env = [
        ("KLING_BASE_URL", "http://env.invalid"),
        ("KLING_API_KEY", "sk-env-secret"),
    ];
    let doc = show(&[], &env).json()["result"].clone();
    assert_eq!(doc["settings"]["base_url"]["source"], "env KLING_BASE_URL");
    assert_eq!(doc["settings"]["api_key"]["source"], "env KLING_API_KEY");
    let doc = show(&["--base-url", "http://flag.invalid"], &env).json()["result"].clone();
    assert_eq!(doc["settings"]["base_url"]["value"], "http://flag.invalid");
    assert_eq!(doc["settings"]["base_url"]["source"], "flag --base-url");
    // KLING_PROFILE picks another profile; its region sets the host.
    let out = show(&["--output", "text"], &[("KLING_PROFILE", "b")]);
    assert!(
        out.stdout
            .contains("https://api-beijing.klingai.com  (profile b)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("poll_interval    10s  (profile b)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("secret_key       [redacted]  (profile b)"),
        "{}",
        out.stdout
    );
    // --profile beats KLING_PROFILE; an unknown profile is named with the known ones.
    let doc = show(&["--profile", "a"], &[("KLING_PROFILE", "b")]).json()["result"].clone();
    assert_eq!(doc["profile"]["source"], "flag --profile");
    let out = common::kling(&["config", "show", "--profile", "c"], &dir, &[]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("\"c\"") && out.stderr.contains("a, b"),
        "{}",
        out.stderr
    );
    // A typo in the file is named.
    std::fs::write(dir.join("bad.toml"), "[profiles.x]\nbase_ur = 1\n").unwrap();
    let out = common::kling(&["config", "show", "--config", "bad.toml"], &dir, &[]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("base_ur"), "{}", out.stderr);
    // The profile's keys are used: a dry run with profile b signs with its key pair.
    let out = common::kling(
        &[
            "video",
            "text2video",
            "--prompt",
            "x",
            "--dry-run",
            "--profile",
            "b",
        ],
        &dir,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("POST https://api-beijing.klingai.com/v1/videos/text2video")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_poll_interval_has_a_floor_for_real_hosts() {
    let dir = temp("floor");
    let env = [("KLING_API_KEY", "sk-test")];
    let out = common::kling(
        &[
            "--poll-interval",
            "100ms",
            "video",
            "text2video",
            "--prompt",
            "x",
            "--dry-run",
        ],
        &dir,
        &env,
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("below the 1s floor"), "{}", out.stderr);
    // A local server (the mock) may be polled faster: no notice.
    let out = common::kling(
        &[
            "--poll-interval",
            "100ms",
            "--base-url",
            "http://127.0.0.1:9",
            "video",
            "text2video",
            "--prompt",
            "x",
            "--dry-run",
        ],
        &dir,
        &env,
    );
    assert!(!out.stderr.contains("floor"), "{}", out.stderr);
}

/// A Standard Webhooks secret and a delivery signed with it now.
fn signed(body: &str) -> (String, Vec<(String, String)>) {
    let secret = "whsec_dGVzdC1zZWNyZXQta2V5LTAxMjM0NTY3ODk=";
    let verifier = kling_auth::WebhookVerifier::new(secret).unwrap();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let headers = vec![
        ("webhook-id".to_owned(), "msg_1".to_owned()),
        ("webhook-timestamp".to_owned(), ts.to_string()),
        (
            "webhook-signature".to_owned(),
            verifier.sign("msg_1", ts, body.as_bytes()),
        ),
    ];
    (secret.to_owned(), headers)
}

#[test]
fn webhook_verify_tells_good_from_forged() {
    let dir = temp("verify");
    let body = r#"{"id":"t1","status":"succeeded","outputs":[]}"#;
    let (secret, headers) = signed(body);
    let flags: Vec<String> = headers
        .iter()
        .flat_map(|(k, v)| ["--header".to_owned(), format!("{k}: {v}")])
        .collect();
    let mut args: Vec<&str> = vec!["webhook", "verify", "--secret", &secret];
    args.extend(flags.iter().map(String::as_str));
    let out = common::kling_with_stdin(&args, &dir, &[], body.as_bytes());
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "valid (msg_1)");
    // JSON, the body from a file, the headers from a file, the secret from the environment.
    std::fs::write(dir.join("body.json"), body).unwrap();
    let lines: String = headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    std::fs::write(
        dir.join("headers.txt"),
        format!("POST /hook HTTP/1.1\n{lines}"),
    )
    .unwrap();
    let out = common::kling(
        &[
            "webhook",
            "verify",
            "--headers-file",
            "headers.txt",
            "--body",
            "body.json",
            "--output",
            "json",
        ],
        &dir,
        &[("KLING_WEBHOOK_SECRET", &secret)],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let doc = out.json()["result"].clone();
    assert_eq!(
        (doc["valid"].as_bool(), doc["about"]["task_id"].as_str()),
        (Some(true), Some("t1"))
    );
    // A forged body: exit 3, and the reason.
    let out = common::kling_with_stdin(&args, &dir, &[], body.replace("t1", "t2").as_bytes());
    assert_eq!(out.code, Some(3), "{}", out.stdout);
    assert!(
        out.stderr.contains("no webhook signature matches"),
        "{}",
        out.stderr
    );
    // A missing header is named; no secret is a usage error.
    let out = common::kling_with_stdin(&args[..6], &dir, &[], body.as_bytes());
    assert_eq!(out.code, Some(3));
    assert!(out.stderr.contains("webhook-"), "{}", out.stderr);
    let out = common::kling_with_stdin(&["webhook", "verify"], &dir, &[], body.as_bytes());
    assert_eq!(out.code, Some(2));
}

/// POSTs `body` with `headers` to 127.0.0.1:`port`; the status code.
fn post(port: u16, body: &str, headers: &[(String, String)]) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn webhook_listen_verifies_and_prints_events_then_stops() {
    use std::io::BufRead;
    let dir = temp("listen");
    let body = r#"{"task_id":"831","task_status":"succeed","task_result":{}}"#;
    let (secret, headers) = signed(body);
    let mut child = common::command(
        &[
            "webhook",
            "listen",
            "--port",
            "0",
            "--secret",
            &secret,
            "--max-events",
            "2",
            "--output",
            "json",
        ],
        &dir,
        &[],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    // A forged delivery is refused and not counted; two good ones end the run.
    let mut forged = headers.clone();
    forged[0].1 = "msg_forged".into();
    assert_eq!(post(port, body, &forged), 401);
    assert_eq!(post(port, body, &headers), 200);
    assert_eq!(post(port, body, &headers), 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = child.try_wait().unwrap();
    if status.is_none() {
        let _ = child.kill();
    }
    assert!(
        status.is_some_and(|s| s.success()),
        "listen did not stop by itself"
    );
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["result"].clone())
        .collect();
    assert_eq!(events.len(), 2, "{stdout}");
    assert_eq!(events[0]["verified"], true);
    assert_eq!(events[0]["about"]["task_id"], "831");
    assert_eq!(events[1]["webhook_id"], "msg_1");
}
