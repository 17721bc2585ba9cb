//! The reliability table through the async client, over a scripted transport (the same table
//! kling-core and the blocking client run).

use kling_test_support as support;

use std::time::Duration;

use kling_auth::Credentials;
use kling_client_async::prelude::*;
use kling_client_async::{Client, Created, WaitOptions};
use kling_core::AsyncKlingBackend as _;
use kling_core::time::{FastRng, ManualClock, ManualSleep};
use kling_errors::Error;
use kling_types::Task;
use kling_types::videos::{CreateText2Video, GetText2VideoTask};
use support::table::{JobTestClient, TestClient};
use support::{Answer, Script, t0};

struct Async {
    client: Client,
    script: Script,
    sleep: ManualSleep,
    runtime: tokio::runtime::Runtime,
}

impl TestClient for Async {
    fn new(answers: Vec<Answer>) -> Self {
        let script = Script::new(answers);
        let clock = ManualClock::new(t0());
        let sleep = ManualSleep::new(clock.clone());
        let client = Client::builder()
            .credentials(Credentials::access_key("AKtest0123456789", "SKtest").unwrap())
            .base_url("https://api.test")
            .transport(script.clone())
            .clock(clock)
            .sleep(sleep.clone())
            .rng(FastRng::seeded(42))
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        Self {
            client,
            script,
            sleep,
            runtime,
        }
    }
    fn get(&self, id: &str) -> Result<Task, Error> {
        self.runtime
            .block_on(self.client.send(&GetText2VideoTask::by_task_id(id)))
            .map(kling_core::Reply::into_value)
    }
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error> {
        self.runtime.block_on(self.client.create(request))
    }
    fn wait(&self, id: &str, max_wait: Duration) -> Result<Task, Error> {
        self.runtime.block_on(self.client.wait(
            &GetText2VideoTask::by_task_id(id),
            WaitOptions::new().max_wait(max_wait),
        ))
    }
    fn script(&self) -> &Script {
        &self.script
    }
    fn slept(&self) -> Vec<Duration> {
        self.sleep.slept()
    }
    fn mints(&self) -> u64 {
        self.client.parts().engine.auth().mints()
    }
    fn skew_ms(&self) -> i64 {
        self.client.parts().engine.auth().clock_skew_ms()
    }
}

kling_test_support::reliability_table!(Async);

impl JobTestClient for Async {
    fn job(
        &self,
        request: CreateText2Video,
        dir: &std::path::Path,
    ) -> Result<Vec<std::path::PathBuf>, Error> {
        Ok(self
            .runtime
            .block_on(
                self.client
                    .create_and_wait_and_download(request, dir, WaitOptions::new()),
            )?
            .1
            .into_iter()
            .map(|d| d.path)
            .collect())
    }
}

#[test]
fn create_poll_download_request_sequence() {
    insta::assert_snapshot!(support::table::create_poll_download_sequence::<Async>());
}

#[test]
fn progress_is_reported_and_dropping_the_future_stops_polling() {
    let d = Async::new(vec![
        Answer::json(200, &support::task("1", "submitted")),
        Answer::json(200, &support::task("1", "processing")),
        Answer::json(200, &support::task_done("1", "https://cdn.test/v.mp4")),
    ]);
    let mut seen = Vec::new();
    d.runtime
        .block_on(d.client.wait(
            &GetText2VideoTask::by_task_id("1"),
            WaitOptions::new().progress(|p| seen.push((p.status.clone(), p.polls))),
        ))
        .unwrap();
    assert_eq!(
        seen,
        [
            ("submitted".to_owned(), 1),
            ("processing".to_owned(), 2),
            ("succeeded".to_owned(), 3)
        ],
        "the last poll reports the end it saw"
    );

    // A real timer this time: the wait for a task just created sleeps 5 s before its first
    // poll, and the timeout drops it after 20 ms; nothing was sent and nothing keeps running.
    let script = Script::new([]);
    let client = Client::builder()
        .credentials(Credentials::access_key("AKtest0123456789", "SKtest").unwrap())
        .transport(script.clone())
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let result = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_millis(20),
            client.wait(
                &GetText2VideoTask::by_task_id("1"),
                WaitOptions::new().after_create(),
            ),
        )
        .await
    });
    assert!(result.is_err(), "timed out");
    assert!(script.requests().is_empty());
}

#[test]
fn the_in_flight_limit_holds_for_concurrent_futures() {
    use kling_client_async::{AsyncTransportFn, HttpRequest, HttpResponse};
    use std::sync::{Arc, Mutex};
    for limit in [1usize, 2] {
        let state = Arc::new(Mutex::new((0usize, 0usize)));
        let s = state.clone();
        let transport = AsyncTransportFn(move |request: HttpRequest| {
            let s = s.clone();
            async move {
                tokio::task::yield_now().await;
                let mut s = s.lock().unwrap();
                if request.method.as_str() == "POST" {
                    let body: serde_json::Value =
                        serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
                    let id = body["external_task_id"].as_str().unwrap().to_owned();
                    s.0 += 1;
                    s.1 = s.1.max(s.0);
                    Ok(HttpResponse::json(200, support::task(&id, "submitted")))
                } else {
                    let id = request.url.rsplit('/').next().unwrap().to_owned();
                    s.0 -= 1;
                    Ok(HttpResponse::json(
                        200,
                        support::task_done(&id, "https://cdn.test/v.mp4"),
                    ))
                }
            }
        });
        let clock = ManualClock::new(t0());
        let mut config = kling_client_async::Config::with_base_url("https://api.test");
        config.max_in_flight_tasks = Some(limit);
        // The fake answers single-task queries only, not the list pages of shared polls.
        config.poll.shared = false;
        let client = Client::builder()
            .credentials(Credentials::access_key("AKtest0123456789", "SKtest").unwrap())
            .config(config)
            .transport(transport)
            .clock(clock.clone())
            .sleep(ManualSleep::new(clock))
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let jobs = (0..6).map(|i| {
                let client = client.clone();
                async move {
                    client
                        .create_and_wait(
                            CreateText2Video::new("a fox").external_task_id(format!("job-{i}")),
                            WaitOptions::new(),
                        )
                        .await
                }
            });
            let handles: Vec<_> = jobs.map(tokio::spawn).collect();
            for h in handles {
                h.await.unwrap().unwrap();
            }
        });
        let (in_flight, max) = *state.lock().unwrap();
        assert_eq!(in_flight, 0);
        assert!(max <= limit && max >= 1, "limit {limit}, saw {max} at once");
    }
}

/// The same table through the real reqwest transport and a loopback server.
struct Loopback {
    inner: Async,
    _server: support::server::Server,
}

impl TestClient for Loopback {
    fn new(answers: Vec<Answer>) -> Self {
        let script = Script::new(answers);
        let server = support::serve(&script);
        let clock = ManualClock::new(t0());
        let sleep = ManualSleep::new(clock.clone());
        let mut config = kling_client_async::Config::with_base_url(server.url.clone());
        config.request_timeout = Duration::from_millis(400);
        let client = Client::builder()
            .credentials(Credentials::access_key("AKtest0123456789", "SKtest").unwrap())
            .config(config)
            .clock(clock)
            .sleep(sleep.clone())
            .rng(FastRng::seeded(42))
            .build()
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            inner: Async {
                client,
                script,
                sleep,
                runtime,
            },
            _server: server,
        }
    }
    fn get(&self, id: &str) -> Result<Task, Error> {
        self.inner.get(id)
    }
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error> {
        self.inner.create(request)
    }
    fn wait(&self, id: &str, max_wait: Duration) -> Result<Task, Error> {
        self.inner.wait(id, max_wait)
    }
    fn script(&self) -> &Script {
        self.inner.script()
    }
    fn slept(&self) -> Vec<Duration> {
        self.inner.slept()
    }
    fn mints(&self) -> u64 {
        self.inner.mints()
    }
    fn skew_ms(&self) -> i64 {
        self.inner.skew_ms()
    }
}

mod through_loopback {
    use super::*;
    kling_test_support::reliability_table!(Loopback);
}
