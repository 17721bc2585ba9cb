//! The async client with its real reqwest transport against a small HTTP/1.1 server on
//! 127.0.0.1 (port 0): error bodies survive, an ambiguous create reconciles, downloads resume
//! byte-exact without credentials, API redirects are not followed. The server stops when the
//! test drops it.

use kling_test_support::server;

use std::time::Duration;

use kling_auth::Credentials;
use kling_client_async::prelude::*;
use kling_client_async::{Client, Config};
use kling_core::time::{FastRng, ManualClock, ManualSleep};
use kling_errors::ErrorKind;
use kling_types::videos::{CreateText2Video, GetText2VideoTask};
use server::{Reply, Server, json, response};

/// Runs a future to completion on a fresh runtime (real time: reqwest's timeouts are real).
trait Wait: std::future::Future + Sized {
    fn wait(self) -> Self::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(self)
    }
}

impl<F: std::future::Future> Wait for F {}

fn client(base: &str, config: impl FnOnce(&mut Config)) -> Client {
    let mut c = Config::with_base_url(base);
    c.request_timeout = Duration::from_millis(400);
    config(&mut c);
    let clock = ManualClock::new(std::time::SystemTime::now());
    Client::builder()
        .credentials(Credentials::access_key("AKtest0123456789", "SKtest").unwrap())
        .config(c)
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .rng(FastRng::seeded(3))
        .build()
        .unwrap()
}

const TASK: &str =
    r#"{"code":0,"message":"SUCCEED","data":{"task_id":"9","task_status":"submitted"}}"#;

#[test]
fn error_bodies_survive_and_reads_are_retried() {
    let server = Server::start(Box::new(|n, _| {
        if n == 0 {
            json(
                "429 Too Many Requests",
                r#"{"code":1302,"message":"too fast","request_id":"r1"}"#,
            )
        } else {
            json("200 OK", TASK)
        }
    }));
    let c = client(&server.url, |_| {});
    assert_eq!(
        c.send(&GetText2VideoTask::by_task_id("9"))
            .wait()
            .unwrap()
            .task_id,
        "9"
    );
    let server = Server::start(Box::new(|_, _| {
        json(
            "429 Too Many Requests",
            r#"{"code":1102,"message":"pack exhausted","request_id":"r2"}"#,
        )
    }));
    let e = client(&server.url, |_| {})
        .send(&GetText2VideoTask::by_task_id("9"))
        .wait()
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.request_id()),
        (ErrorKind::Billing, Some("r2")),
        "the 4xx body was read, not dropped"
    );
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_create_that_times_out_after_sending_is_reconciled() {
    let server = Server::start(Box::new(|n, _| {
        if n == 0 {
            Reply::Stall(Duration::from_millis(900))
        } else {
            json("200 OK", TASK)
        }
    }));
    let c = client(&server.url, |_| {});
    let created = c
        .create(CreateText2Video::new("a fox").external_task_id("job-9"))
        .wait()
        .unwrap();
    assert!(created.reconciled);
    let seen = server.seen();
    assert_eq!(seen[0].line, "POST /v1/videos/text2video HTTP/1.1");
    // The one-thread server answers the lookup only after the stall: a GET may time out and be
    // retried, but the create is never posted again.
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("POST")).count(),
        1,
        "never posted twice: {lines:?}"
    );
    assert!(
        lines[1..]
            .iter()
            .all(|l| *l == "GET /v1/videos/text2video/job-9 HTTP/1.1"),
        "{lines:?}"
    );
}

#[test]
fn api_redirects_are_not_followed() {
    let server = Server::start(Box::new(|n, _| {
        if n == 0 {
            response(
                "302 Found",
                &[
                    ("Location", "/elsewhere".into()),
                    ("Content-Length", "0".into()),
                ],
                b"",
            )
        } else {
            json("200 OK", TASK)
        }
    }));
    let e = client(&server.url, |_| {})
        .send(&GetText2VideoTask::by_task_id("9"))
        .wait()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        server.seen().len(),
        1,
        "the redirect target was never asked"
    );
}

#[test]
fn downloads_resume_byte_exact_without_credentials() {
    let file: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let served = file.clone();
    let server = Server::start(Box::new(move |n, seen| {
        let total = served.len();
        match (n, seen.header("range")) {
            // First attempt: promise everything, send 40%, hang up.
            (0, _) => {
                let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n").into_bytes();
                r.extend_from_slice(&served[..40_000]);
                Reply::Raw(r)
            }
            (_, Some(range)) => {
                let start: usize = range
                    .trim_start_matches("bytes=")
                    .trim_end_matches('-')
                    .parse()
                    .unwrap();
                response(
                    "206 Partial Content",
                    &[
                        ("Content-Type", "video/mp4".into()),
                        (
                            "Content-Range",
                            format!("bytes {start}-{}/{total}", total - 1),
                        ),
                        ("Content-Length", (total - start).to_string()),
                    ],
                    &served[start..],
                )
            }
            _ => response(
                "500 Internal Server Error",
                &[("Content-Length", "0".into())],
                b"",
            ),
        }
    }));
    let dir = std::env::temp_dir().join(format!("kling-adl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("video.mp4");
    let c = client("http://api.invalid", |_| {});
    let done = c
        .download(&format!("{}/files/video.mp4", server.url), &dest)
        .wait()
        .unwrap();
    assert_eq!(done.bytes, 100_000);
    assert_eq!(std::fs::read(&dest).unwrap(), file, "byte-exact");
    assert!(!dir.join("video.mp4.part").exists());
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("range"), Some("bytes=40000-"));
    assert!(
        seen.iter().all(|s| s.header("authorization").is_none()),
        "no credentials to the file host"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn downloads_are_capped() {
    let server = Server::start(Box::new(|_, _| {
        response(
            "200 OK",
            &[
                ("Content-Type", "video/mp4".into()),
                ("Content-Length", "5000".into()),
            ],
            &[7u8; 5000],
        )
    }));
    let dir = std::env::temp_dir().join(format!("kling-acap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("big.mp4");
    let c = client("http://api.invalid", |c| c.download.max_bytes = 1000);
    let e = c
        .download(&format!("{}/big.mp4", server.url), &dest)
        .wait()
        .unwrap_err();
    assert!(e.to_string().contains("cap"), "{e}");
    assert!(!dest.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stalled_file_host_is_given_up_after_the_read_timeout() {
    // The same stall as the blocking client's test: `Config::read_timeout` ends the attempt.
    let server = Server::start(Box::new(|_, _| {
        Reply::RawThenStall(
            b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 1000\r\n\r\nabc"
                .to_vec(),
            Duration::from_secs(1),
        )
    }));
    let dir = std::env::temp_dir().join(format!("kling-astall-{}", std::process::id()));
    let dest = dir.join("stalled.mp4");
    let c = client("http://api.invalid", |c| {
        c.read_timeout = Duration::from_millis(200);
        c.download.max_attempts = 1;
    });
    let e = c
        .download(&format!("{}/stalled.mp4", server.url), &dest)
        .wait()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
