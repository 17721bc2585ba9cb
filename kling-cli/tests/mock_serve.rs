//! `kling mock serve` as another program would use it: started on port 0 with HTTPS, a named
//! file host and the pack's knobs as flags, read from its one JSON line, then a whole job run
//! by a separate `kling` that trusts only the certificate the mock wrote.

mod common;

use std::io::BufRead;

use common::temp;

#[test]
fn mock_serve_over_https_serves_a_whole_job_to_a_client_trusting_only_its_certificate() {
    let dir = temp("serve");
    let pem = dir.join("mock.pem");
    let pem_arg = pem.display().to_string();
    let mut child = common::command(
        &[
            "mock",
            "serve",
            "--port",
            "0",
            "--tls",
            "--cert-out",
            &pem_arg,
            // Resolves to 127.0.0.1 everywhere, yet is not a loopback address literal.
            "--file-host",
            "localhost",
            "--task-seconds",
            "300ms",
            "--max-concurrency",
            "2",
            "--credits",
            "50",
            "--rate-limit",
            "100",
            "--output",
            "json",
        ],
        &dir,
        &[],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str::<serde_json::Value>(&line).unwrap()["result"].clone();
    let api = doc["api_url"].as_str().unwrap().to_owned();
    assert!(api.starts_with("https://127.0.0.1:"), "{doc}");
    assert!(
        doc["files_url"]
            .as_str()
            .unwrap()
            .starts_with("https://localhost:"),
        "{doc}"
    );
    assert_eq!(doc["cert_path"], pem_arg.as_str());
    let cert = std::fs::read_to_string(&pem).unwrap();
    assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"), "{cert}");

    let mut env: Vec<(String, String)> = doc["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    env.push(("KLING_POLL_INTERVAL".into(), "100ms".into()));
    // The only roots the client trusts: the mock's certificate.
    env.push(("SSL_CERT_FILE".into(), pem_arg.clone()));
    env.push((
        "SSL_CERT_DIR".into(),
        dir.join("no-certs").display().to_string(),
    ));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let job = [
        "video",
        "text2video",
        "--prompt",
        "a fox",
        "--download",
        "out",
        "--output",
        "json",
    ];
    let out = common::kling(&job, &dir, &env);
    // Without the certificate, the same client refuses the mock.
    let untrusting: Vec<(&str, &str)> = env
        .iter()
        .map(|&(k, v)| {
            if k == "SSL_CERT_FILE" {
                (k, "/dev/null")
            } else {
                (k, v)
            }
        })
        .collect();
    let refused = common::kling(&job, &dir, &untrusting);
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let doc = out.json();
    let files = doc["files"].as_array().expect("downloaded files");
    assert_eq!(files.len(), 1, "{doc}");
    let saved = dir.join(files[0]["path"].as_str().expect("a path"));
    let bytes = std::fs::read(&saved).unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 from the https file host");
    assert_ne!(refused.code, Some(0), "an untrusted certificate must fail");
    assert!(
        refused.stderr.to_lowercase().contains("certificate")
            || refused.stdout.to_lowercase().contains("certificate"),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_download_needs_no_credentials() {
    let mock = kling_mock::MockServer::start(kling_mock::MockConfig::instant()).unwrap();
    let dir = temp("download");
    // A file the mock handed out (it serves no other).
    let env = common::mock_env(&mock);
    let env = common::pairs(&env);
    let task = common::kling(
        &[
            "video",
            "text2video",
            "--prompt",
            "a fox",
            "--wait",
            "--output",
            "json",
        ],
        &dir,
        &env,
    );
    assert_eq!(task.code, Some(0), "{}", task.stderr);
    let url = task.json()["task"]["task_result"]["videos"][0]["url"]
        .as_str()
        .expect("a video URL")
        .to_owned();
    assert!(url.starts_with(&mock.files_url), "{url}");
    // A result URL on loopback is refused unless allowed: it could be a server's trick.
    let refused = common::kling(&["download", &url, "v.mp4"], &dir, &[]);
    assert_ne!(refused.code, Some(0));
    assert!(
        refused.stderr.contains("download refused") && refused.stderr.contains("127.0.0.1"),
        "{}",
        refused.stderr
    );
    assert!(!dir.join("v.mp4").exists());
    // No KLING_* variable at all: the file host gets no credentials anyway.
    let out = common::kling(
        &[
            "download",
            &url,
            "v.mp4",
            "--allow-download-host",
            "127.0.0.1",
            "--output",
            "json",
        ],
        &dir,
        &[],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.json()["files"][0]["bytes"],
        kling_mock::SAMPLE_MP4.len()
    );
    assert_eq!(
        std::fs::read(dir.join("v.mp4")).unwrap(),
        kling_mock::SAMPLE_MP4
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
