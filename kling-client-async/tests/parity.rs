//! The two clients behave the same: the same job over the same scripted answers leaves the
//! same tracing spans and events (call attempts, retries with reason and delay, polls,
//! downloads, all carrying the task's ids), and a cancelled wait names its task in both.

use kling_test_support as support;

use std::time::Duration;

use kling_client_blocking::types::videos::{CreateText2Video, GetText2VideoTask};
use kling_core::time::{FastRng, ManualClock, ManualSleep};
use support::trace::record;
use support::{Answer, Script, kling_error, t0, task, task_done};

/// A job whose poll is throttled once (1302), so a retry is traced too.
fn answers() -> Vec<Answer> {
    vec![
        Answer::json(200, &task("7", "submitted")),
        Answer::json(429, &kling_error(1302)),
        Answer::json(200, &task_done("7", "https://cdn.test/v.mp4")),
        Answer::raw(200, "video/mp4", b"fake video bytes"),
    ]
}

fn request() -> CreateText2Video {
    CreateText2Video::new("a fox").external_task_id("job-1")
}

fn blocking_client(script: &Script) -> kling_client_blocking::Client {
    let clock = ManualClock::new(t0());
    kling_client_blocking::Client::builder()
        .credentials(
            kling_client_blocking::Credentials::access_key("AKtest0123456789", "SKtest").unwrap(),
        )
        .base_url("https://api.test")
        .transport(script.clone())
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .rng(FastRng::seeded(9))
        .build()
        .unwrap()
}

fn async_client(script: &Script) -> kling_client_async::Client {
    let clock = ManualClock::new(t0());
    kling_client_async::Client::builder()
        .credentials(
            kling_client_async::Credentials::access_key("AKtest0123456789", "SKtest").unwrap(),
        )
        .base_url("https://api.test")
        .transport(script.clone())
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .rng(FastRng::seeded(9))
        .build()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn both_clients_leave_the_same_spans_and_events() {
    let dir = std::env::temp_dir().join(format!("kling-parity-{}", std::process::id()));
    let traces = || {
        let blocking = record(|| {
            use kling_client_blocking::{Kling, WaitOptions};
            let client = blocking_client(&Script::new(answers()));
            client
                .create_and_wait_and_download(request(), dir.join("b"), WaitOptions::new())
                .unwrap();
        });
        let nonblocking = record(|| {
            use kling_client_async::{AsyncKling, WaitOptions};
            let client = async_client(&Script::new(answers()));
            runtime()
                .block_on(client.create_and_wait_and_download(
                    request(),
                    dir.join("b"),
                    WaitOptions::new(),
                ))
                .unwrap();
        });
        (blocking, nonblocking)
    };
    // tracing caches a callsite's interest process-wide: a parallel test thread that reaches a
    // callsite first, without a subscriber, can leave it silenced for one run despite the
    // recorder's rebuild. A real drift between the clients is deterministic and fails twice.
    let (mut blocking, mut nonblocking) = traces();
    if blocking != nonblocking {
        (blocking, nonblocking) = traces();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(blocking, nonblocking, "the same trace, line by line");
    let trace = blocking.join("\n");
    for wanted in [
        "span [] kling.job",
        "span [kling.job] kling.create path=/v1/videos/text2video external_task_id=job-1",
        "span [kling.job > kling.create] kling.call method=POST path=/v1/videos/text2video",
        "event [kling.job > kling.create > kling.call] message=sending attempt=1",
        "event [kling.job > kling.create] message=created task_id=7 posts=1",
        "record kling.job external_task_id=job-1",
        "record kling.job task_id=7",
        "span [kling.job] kling.wait task_id=7",
        "event [kling.job > kling.wait] message=poll polls=1 status=succeeded",
        "span [kling.job] kling.download host=cdn.test file=v-7.mp4",
        "event [kling.job > kling.download] message=fetching attempt=1 offset=0",
    ] {
        assert!(trace.contains(wanted), "{wanted:?} missing from:\n{trace}");
    }
    let retry = blocking
        .iter()
        .find(|l| l.contains("message=retrying"))
        .expect("the throttled poll is retried");
    assert!(
        retry.starts_with("event [kling.job > kling.wait > kling.call]")
            && retry.contains("reason=rate_limited")
            && retry.contains("code=1302")
            && retry.contains("delay_ms="),
        "{retry}"
    );
}

#[test]
fn a_cancelled_wait_names_its_task_in_both_clients() {
    let cancel = kling_core::CancelHandle::new();
    cancel.cancel();
    let query = GetText2VideoTask::by_task_id("7");
    let script = Script::new([]);
    let e = {
        use kling_client_blocking::{Kling, WaitOptions};
        blocking_client(&script)
            .wait(&query, WaitOptions::new().cancel(cancel.clone()))
            .unwrap_err()
    };
    assert_eq!(e.kind(), kling_client_blocking::ErrorKind::Cancelled);
    assert!(e.to_string().contains("task 7"), "{e}");
    let e = {
        use kling_client_async::{AsyncKling, WaitOptions};
        runtime()
            .block_on(async_client(&script).wait(&query, WaitOptions::new().cancel(cancel)))
            .unwrap_err()
    };
    assert_eq!(e.kind(), kling_client_async::ErrorKind::Cancelled);
    assert!(e.to_string().contains("task 7"), "{e}");
    assert!(script.requests().is_empty());
}

#[test]
fn an_async_wait_wakes_from_its_sleep_when_cancelled() {
    use kling_client_async::{AsyncKling, WaitOptions};
    // tokio's real timer on a paused clock: the wait sleeps 5 s before its first poll; the
    // cancel comes after 1 s and wakes it.
    let script = Script::new([]);
    let client = kling_client_async::Client::builder()
        .credentials(
            kling_client_async::Credentials::access_key("AKtest0123456789", "SKtest").unwrap(),
        )
        .base_url("https://api.test")
        .transport(script.clone())
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let cancel = kling_core::CancelHandle::new();
    let canceller = cancel.clone();
    let (e, waited) = runtime.block_on(async move {
        let started = tokio::time::Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            canceller.cancel();
        });
        let e = client
            .wait(
                &GetText2VideoTask::by_task_id("7"),
                WaitOptions::new().after_create().cancel(cancel),
            )
            .await
            .unwrap_err();
        (e, started.elapsed())
    });
    assert_eq!(e.kind(), kling_client_async::ErrorKind::Cancelled);
    assert!(e.to_string().contains("task 7"), "{e}");
    assert_eq!(
        waited,
        Duration::from_secs(1),
        "woken at the cancel, on tokio's paused clock"
    );
    assert!(script.requests().is_empty());
}
