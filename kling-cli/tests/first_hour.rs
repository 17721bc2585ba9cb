//! A new user's first hour against kling-mock, point by point: waits on a wrong id fail fast
//! and waits on a finished task look once, on every API; a `--download` folder that cannot be
//! written fails before anything is paid for; "not found" is the same error everywhere.

mod common;

use common::{Run, kling, mock_env, temp};
use kling_mock::{MockConfig, MockServer};

/// Runs `kling args` against `mock`.
fn run(mock: &MockServer, dir: &std::path::Path, args: &[&str]) -> Run {
    let env = mock_env(mock);
    let env = common::pairs(&env);
    kling(args, dir, &env)
}

/// The requests the mock saw that start with `prefix` (`GET /v1/videos/text2video/9`).
fn seen(mock: &MockServer, prefix: &str) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.starts_with(prefix))
        .count()
}

/// Creates a task with `args` (JSON output, no wait) and gives its id, at `field` of the task.
fn created(mock: &MockServer, dir: &std::path::Path, args: &[&str], field: &str) -> String {
    let mut args = args.to_vec();
    args.extend(["--output", "json"]);
    let out = run(mock, dir, &args);
    assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
    out.json()["task"][field].as_str().unwrap().to_owned()
}

/// A new-standard text-to-video task's id.
fn v2_task(mock: &MockServer, dir: &std::path::Path) -> String {
    let args = [
        "v2",
        "text-to-video",
        "--model",
        "kling-3.0",
        "--prompt",
        "a fox",
    ];
    created(mock, dir, &args, "id")
}

/// A RunBlob O3 generation's id.
fn o3_generation(mock: &MockServer, dir: &std::path::Path) -> String {
    created(
        mock,
        dir,
        &["runblob", "o3", "--prompt", "a fox"],
        "generation_id",
    )
}

#[test]
fn a_wait_on_an_unknown_id_fails_fast_on_every_api() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("unknown-ids");

    let out = run(&mock, &dir, &["task", "wait", "text2video", "999"]);
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    assert!(out.stderr.contains("no task 999 found"), "{}", out.stderr);
    // The server's own answer is kept underneath.
    assert!(out.stderr.contains("caused by"), "{}", out.stderr);
    let looks = seen(&mock, "GET /v1/videos/text2video/999");
    assert!(
        (1..=12).contains(&looks),
        "{looks} looks, not a 30-minute wait"
    );

    let out = run(&mock, &dir, &["v2", "wait", "999"]);
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    assert!(out.stderr.contains("no task 999 found"), "{}", out.stderr);

    let out = run(
        &mock,
        &dir,
        &["runblob", "wait", "nope", "--output", "json"],
    );
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    let error = &out.json()["error"];
    assert_eq!(error["kind"], "not_found", "{error}");
    assert!(
        error["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("--product"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wait_on_a_finished_task_looks_once_on_every_api() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("finished");

    let id = created(
        &mock,
        &dir,
        &["video", "text2video", "--prompt", "a fox"],
        "task_id",
    );
    let out = run(&mock, &dir, &["task", "wait", "text2video", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("succeed"), "{}", out.stdout);
    assert_eq!(seen(&mock, &format!("GET /v1/videos/text2video/{id}")), 1);

    let id = v2_task(&mock, &dir);
    let before = seen(&mock, "GET /tasks");
    let out = run(&mock, &dir, &["v2", "wait", &id]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(seen(&mock, "GET /tasks") - before, 1, "one look");

    let id = o3_generation(&mock, &dir);
    let out = run(
        &mock,
        &dir,
        &["runblob", "wait", &id, "--product", "o3-video"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(seen(&mock, "GET /runblob"), 1, "one look");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_download_folder_that_cannot_be_written_fails_before_the_task_is_paid() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("unwritable");
    std::fs::write(dir.join("afile"), b"in the way").unwrap();
    for target in ["afile", "afile/out", "/proc/nope"] {
        let out = run(
            &mock,
            &dir,
            &[
                "video",
                "text2video",
                "--prompt",
                "a fox",
                "--download",
                target,
            ],
        );
        assert_eq!(out.code, Some(11), "{target}: {}", out.stderr);
        assert!(
            out.stderr.contains("--download folder") && out.stderr.contains(target),
            "{}",
            out.stderr
        );
    }
    assert_eq!(seen(&mock, "POST"), 0, "nothing created, nothing paid");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn not_found_is_one_error_whatever_the_command() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("not-found");
    for args in [
        &["task", "get", "text2video", "123"][..],
        &["v2", "get", "123"][..],
        &["runblob", "status", "123"][..],
    ] {
        let out = run(&mock, &dir, args);
        assert_eq!(out.code, Some(5), "{args:?}: {}{}", out.stdout, out.stderr);
    }
    // An O3 id looked up as classic: the hint names the option that finds it.
    let id = o3_generation(&mock, &dir);
    let out = run(&mock, &dir, &["runblob", "status", &id]);
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    assert!(
        out.stderr.contains("hint:") && out.stderr.contains("--product"),
        "{}",
        out.stderr
    );
    // Several ids, one missing: the found one is shown, the missing one named.
    let id = v2_task(&mock, &dir);
    let out = run(&mock, &dir, &["v2", "get", &id, "404404"]);
    assert_eq!(out.code, Some(5), "{}", out.stderr);
    assert!(out.stdout.contains(&id), "{}", out.stdout);
    assert!(
        out.stderr.contains("no task 404404 found"),
        "{}",
        out.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn retries_are_told_and_logs_come_with_v() {
    use kling_mock::{Fault, FaultAction};
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("retries");
    let throttle = || {
        mock.add_fault(Fault::new(
            Some("POST"),
            "/v1/videos/text2video",
            1,
            FaultAction::Status {
                status: 429,
                code: 1302,
            },
        ));
    };
    throttle();
    let out = run(&mock, &dir, &["video", "text2video", "--prompt", "a fox"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("rate limited (1302): retry 1 in"),
        "{}",
        out.stderr
    );
    // JSON output keeps stderr quiet; -v logs the SDK's events instead of the notes.
    throttle();
    let out = run(
        &mock,
        &dir,
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--output",
            "json",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("retry"), "{}", out.stderr);
    throttle();
    let out = run(
        &mock,
        &dir,
        &["-v", "video", "text2video", "--prompt", "a fox"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("retrying") && out.stderr.contains("code=\"1302\""),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(kling_mock::DEMO_SECRET_KEY) && !out.stderr.contains("Bearer"),
        "no secret in the logs"
    );
    // A RUST_LOG that does not parse is a usage error.
    let env = mock_env(&mock);
    let mut env = common::pairs(&env);
    env.push(("RUST_LOG", "a==b"));
    let out = kling(&["models"], &dir, &env);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("RUST_LOG"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn local_mistakes_are_usage_errors_naming_the_flag_never_an_api_code() {
    let dir = temp("local-mistakes");
    let env = [
        ("KLING_ACCESS_KEY", "AKtest0123456789"),
        ("KLING_SECRET_KEY", "SKtest"),
    ];
    let usage = |args: &[&str], wanted: &[&str]| {
        let out = kling(args, &dir, &env);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        for w in wanted {
            assert!(
                out.stderr.contains(w),
                "{args:?}: {w:?} not in {}",
                out.stderr
            );
        }
        assert!(!out.stderr.contains("would be Kling"), "{}", out.stderr);
        out
    };
    usage(&["errors", "9999"], &["9999", "kling errors"]);
    usage(
        &["--base-url", "notaurl", "task", "get", "text2video", "1"],
        &["--base-url", "notaurl"],
    );
    usage(
        &["--max-wait", "0", "task", "wait", "text2video", "1"],
        &["--max-wait", "0s"],
    );
    usage(
        &["--max-wait", "9999d", "task", "wait", "text2video", "1"],
        &["--max-wait"],
    );
    usage(&["--poll-interval", "0", "models"], &["--poll-interval"]);
    std::fs::write(dir.join("prompt.txt"), "a fox").unwrap();
    usage(
        &["--ca-cert", "prompt.txt", "task", "get", "text2video", "1"],
        &["--ca-cert", "prompt.txt", "PEM"],
    );
    usage(
        &["batch", "status", "--redis", "redis://a b:c"],
        &["--redis", "not a Redis URL"],
    );
    // JSON: the same error as a document on stdout, code null (no server said it).
    let out = kling(&["errors", "9999", "--output", "json"], &dir, &env);
    assert_eq!(out.code, Some(2));
    let error = &out.json()["error"];
    assert_eq!(
        (error["kind"].as_str(), &error["code"]),
        (Some("usage"), &serde_json::Value::Null)
    );
    // The new standard with only an access key pair: said in the command's words.
    let out = kling(&["v2", "get", "1"], &dir, &env);
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains("--api-key") && !out.stderr.contains("Credentials::"),
        "{}",
        out.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The subcommands `kling PATH --help` lists.
fn subcommands(dir: &std::path::Path, path: &[String]) -> Vec<String> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = kling(&args, dir, &[]);
    out.stdout
        .split("Commands:\n")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|l| !l.trim().is_empty())
                .filter_map(|l| l.split_whitespace().next())
                .filter(|name| *name != "help")
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_command_that_sends_has_a_working_example_and_help_reads_well() {
    let dir = temp("help");
    let env = [
        ("KLING_ACCESS_KEY", "AKtest0123456789"),
        ("KLING_SECRET_KEY", "SKtest"),
        ("KLING_API_KEY", "sk-test"),
        ("KLING_RUNBLOB_API_KEY", "sk-test"),
    ];
    let mut checked = 0;
    for group in subcommands(&dir, &[]) {
        for name in subcommands(&dir, std::slice::from_ref(&group)) {
            let help = kling(&[&group, &name, "--help"], &dir, &[]).stdout;
            if !help.contains("--dry-run") {
                continue;
            }
            // The command's own options come first, the global ones under their heading.
            let own = help.find("\nOptions:").expect("its options");
            let global = help.find("\nGlobal options:").expect("the global heading");
            assert!(own < global, "{group} {name}");
            assert!(!help[own..global].contains("--base-url"), "{group} {name}");
            let example = help
                .split("Example:\n  kling ")
                .nth(1)
                .and_then(|e| e.lines().next())
                .unwrap_or_else(|| panic!("{group} {name}: no example in\n{help}"));
            let mut words = shell_words(example);
            words.push("--dry-run".to_owned());
            let args: Vec<&str> = words.iter().map(String::as_str).collect();
            let out = kling(&args, &dir, &env);
            assert_eq!(out.code, Some(0), "kling {example}: {}", out.stderr);
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} examples");
    // Man pages: one per command, none for clap's `help`.
    let out = kling(&["man", "--dir", "man", "--output", "json"], &dir, &[]);
    let written = out.json()["result"]["written"].as_array().unwrap().len();
    let pages: Vec<String> = std::fs::read_dir(dir.join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pages.len(), written);
    assert!(pages.iter().all(|p| !p.contains("-help")), "{pages:?}");
    let page = std::fs::read_to_string(dir.join("man").join("kling-video-text2video.1")).unwrap();
    assert!(page.contains("Example"), "the man page has the example");
    // A missing choice names every alternative.
    let out = kling(&["video", "avatar", "--image", "x.png"], &dir, &[]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("--audio-id") && out.stderr.contains("--sound-file"),
        "{}",
        out.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Splits an example into words as a shell would (single quotes only: what examples use).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

#[test]
fn the_mock_answers_what_it_was_asked() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("mock-truth");
    let json = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["--output", "json"]);
        let out = run(&mock, &dir, &args);
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
        out.json()
    };
    // The pack and RunBlob's balance go down as tasks are charged.
    let left = |doc: &serde_json::Value| {
        doc["result"]["resource_pack_subscribe_infos"][0]["remaining_quantity"]
            .as_f64()
            .unwrap()
    };
    let before = left(&json(&["account", "costs"]));
    json(&["video", "text2video", "--prompt", "a fox", "--wait"]);
    assert_eq!(left(&json(&["account", "costs"])), before - 1.0);
    let dollars = |doc: serde_json::Value| {
        doc["result"]["balance"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let before = dollars(json(&["runblob", "balance"]));
    json(&["runblob", "o3", "--prompt", "a fox", "--wait"]);
    assert!(dollars(json(&["runblob", "balance"])) < before);
    // As many images as asked.
    let doc = json(&[
        "image",
        "omni",
        "--prompt",
        "a fox",
        "--model",
        "kling-v3-omni",
        "--result-type",
        "series",
        "--series-amount",
        "3",
        "--download",
        "series",
    ]);
    assert_eq!(doc["files"].as_array().unwrap().len(), 3, "{doc}");
    // The file host serves only what it issued.
    let url = format!("{}/files/nonexist.mp4", mock.files_url);
    let out = run(
        &mock,
        &dir,
        &[
            "download",
            &url,
            "x.mp4",
            "--allow-download-host",
            "127.0.0.1",
        ],
    );
    assert_ne!(out.code, Some(0), "{}", out.stderr);
    assert!(!dir.join("x.mp4").exists());
    // A deleted voice is gone.
    let voice = json(&[
        "voice",
        "create",
        "--name",
        "narrator",
        "--url",
        "https://example.com/voice.mp3",
        "--wait",
    ]);
    let id = voice["task"]["task_result"]["voices"][0]["voice_id"]
        .as_str()
        .unwrap()
        .to_owned();
    json(&["voice", "delete", &id]);
    let listed = run(&mock, &dir, &["voice", "list"]);
    assert!(!listed.stdout.contains(&id), "{}", listed.stdout);
    // Task ids never repeat across restarts: two runs' files cannot overwrite each other.
    let other = MockServer::start(MockConfig::instant()).unwrap();
    let first = json(&["video", "text2video", "--prompt", "a fox"]);
    let second = {
        let out = run(
            &other,
            &dir,
            &[
                "video",
                "text2video",
                "--prompt",
                "a fox",
                "--output",
                "json",
            ],
        );
        out.json()
    };
    assert_ne!(first["task"]["task_id"], second["task"]["task_id"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_mock_that_cannot_start_says_why_without_a_panic() {
    let dir = temp("mock-start");
    let out = kling(
        &["mock", "serve", "--tls", "--cert-out", "/proc/x.pem"],
        &dir,
        &[],
    );
    assert_eq!(out.code, Some(11), "{}", out.stderr);
    assert!(
        out.stderr.contains("/proc/x.pem") && !out.stderr.contains("panicked"),
        "{}",
        out.stderr
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = kling(&["mock", "serve", "--port", &port], &dir, &[]);
    assert_eq!(out.code, Some(11), "{}", out.stderr);
    assert!(
        out.stderr.contains("in use") && out.stderr.contains(&port),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("transport"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Values a careless or hostile caller passes: empty, stdin, negative, past any integer,
/// bidirectional text, a path out of the folder, a 10,000-character word.
fn hostile() -> Vec<String> {
    vec![
        String::new(),
        "-".into(),
        "-1".into(),
        "99999999999999999999999".into(),
        "🦊\u{202e}x,;=:".into(),
        "../../etc/passwd".into(),
        "a".repeat(10_000),
    ]
}

/// Every command with every value it takes replaced, one at a time, by each hostile value:
/// it may refuse (any exit code) but never panics. Creates run as dry runs of their help's
/// example; lookups run against the mock.
#[test]
fn hostile_values_never_panic_any_command() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("hostile");
    // A batch to submit into hostile store paths.
    std::fs::write(
        dir.join("jobs.jsonl"),
        "{\"family\":\"text2video\",\"request\":{\"prompt\":\"a fox\"}}\n",
    )
    .unwrap();
    let env = mock_env(&mock);
    let env = common::pairs(&env);
    let mut lines: Vec<Vec<String>> = Vec::new();
    for group in subcommands(&dir, &[]) {
        for name in subcommands(&dir, std::slice::from_ref(&group)) {
            let help = kling(&[&group, &name, "--help"], &dir, &[]).stdout;
            if let Some(example) = help
                .split("Example:\n  kling ")
                .nth(1)
                .and_then(|e| e.lines().next())
            {
                let mut words = shell_words(example);
                words.push("--dry-run".into());
                lines.push(words);
            }
        }
    }
    // Lookups, lists and local commands, with a value to replace.
    for line in [
        "task get text2video 1",
        "task wait text2video 1 --download out",
        "task list text2video --page 1 --page-size 5",
        "v2 get 1",
        "v2 list --limit 5",
        "runblob status 1 --product o3-video",
        "runblob list --limit 5 --offset 0",
        "element get 1",
        "voice get 1",
        "errors 1303",
        "models kling-v3",
        "download http://127.0.0.1:9/files/a.mp4 out.mp4",
        "batch status --redis redis://127.0.0.1:9",
        "batch status --store kling-batch.db",
        "batch submit jobs.jsonl --store kling-batch.db",
    ] {
        lines.push(line.split(' ').map(str::to_owned).collect());
    }
    let mut runs = 0;
    for words in &lines {
        // The words after the command's path: option values and positionals.
        for i in 2..words.len() {
            if words[i].starts_with("--") {
                continue;
            }
            for value in hostile() {
                let mut args = words.clone();
                args[i].clone_from(&value);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = kling(&args, &dir, &env);
                runs += 1;
                assert!(
                    out.code.is_some() && out.code != Some(101) && !out.stderr.contains("panicked"),
                    "kling {}: {:?}\n{}",
                    args.join(" ").chars().take(300).collect::<String>(),
                    out.code,
                    out.stderr.chars().take(2000).collect::<String>()
                );
            }
        }
    }
    assert!(runs > 300, "{runs} runs");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_c_during_a_wait_names_the_task_and_the_whole_command_to_resume() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    // Tasks take 6 s here: the wait is interrupted while the task runs.
    let mock = MockServer::start(MockConfig::demo()).unwrap();
    let dir = temp("ctrl-c");
    let env = mock_env(&mock);
    let env = common::pairs(&env);
    let child = common::command(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--download",
            "out",
            "--output",
            "json",
        ],
        &dir,
        &env,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Its first poll means the command has recorded the task it created.
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen(&mock, "GET /v1/videos/text2video/") == 0 {
        assert!(Instant::now() < deadline, "the task was never polled");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = &doc["error"];
    assert_eq!(error["kind"], "interrupted", "{doc}");
    let task = error["task_id"].as_str().expect("the task goes on: its id");
    assert_eq!(
        error["resume_command"],
        format!("kling task wait text2video {task} --download out --output json")
    );
    assert!(error["external_task_id"].is_string(), "{doc}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_request_rate_is_a_setting_with_bounds() {
    let dir = temp("rate");
    for bad in ["0", "-3", "NaN", "1e9"] {
        let flag = format!("--rate={bad}");
        let out = kling(&[&flag, "models"], &dir, &[]);
        assert_eq!(out.code, Some(2), "--rate {bad}: {}", out.stderr);
        assert!(out.stderr.contains("--rate"), "{}", out.stderr);
    }
    let out = kling(
        &["config", "show", "--output", "json"],
        &dir,
        &[("KLING_RATE", "4")],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("4/s"), "{}", out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}
