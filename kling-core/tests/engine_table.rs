//! The reliability table (`reliability.md` section 7) through the engine's machines, driven by
//! both driver loops (blocking and async) over a scripted transport with injected time. No
//! test sleeps for real.

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use kling_auth::{Authenticator, Credentials};
use kling_core::time::{FastRng, ManualClock, ManualSleep};
use kling_core::{Call, Config, Create, Engine, Machine, Wait, run_async, run_blocking};
use kling_errors::{Error, ErrorKind};
use kling_types::videos::{CreateText2Video, GetText2VideoTask};
use support::{Answer, Script, kling_error, t0, task, task_done};

/// Polls a future that never waits on anything real (scripted transport, manual sleep).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Blocking,
    Async,
}

struct Harness {
    engine: Engine,
    clock: ManualClock,
    sleep: ManualSleep,
    script: Script,
    mode: Mode,
}

impl Harness {
    fn new(mode: Mode, answers: Vec<Answer>) -> Self {
        let auth =
            Authenticator::new(Credentials::access_key("AKtest0123456789", "SKtest").unwrap());
        let engine = Engine::new(
            Config::with_base_url("https://api.test"),
            auth,
            Arc::new(FastRng::seeded(42)),
        );
        let clock = ManualClock::new(t0());
        Self {
            engine,
            sleep: ManualSleep::new(clock.clone()),
            clock,
            script: Script::new(answers),
            mode,
        }
    }

    fn run<M: Machine + Send>(&self, machine: &mut M) -> Result<M::Output, Error> {
        let result = self.run_unchecked(machine);
        assert_eq!(self.script.remaining(), 0, "unused answers in the script");
        result
    }

    fn run_unchecked<M: Machine + Send>(&self, machine: &mut M) -> Result<M::Output, Error> {
        match self.mode {
            Mode::Blocking => {
                run_blocking(machine, &self.script, &self.clock, &self.sleep, &mut ())
            }
            Mode::Async => block_on(run_async(
                machine,
                &self.script,
                &self.clock,
                &self.sleep,
                &mut (),
            )),
        }
    }

    fn get(&self, id: &str) -> Result<kling_types::Task, Error> {
        self.run(&mut Call::of(&self.engine, &GetText2VideoTask::by_task_id(id)).unwrap())
    }

    fn create(
        &self,
        request: CreateText2Video,
    ) -> Result<kling_core::Created<kling_types::Task>, Error> {
        self.run(&mut Create::new(&self.engine, request).unwrap())
    }

    fn slept(&self) -> Vec<Duration> {
        self.sleep.slept()
    }
}

const MODES: [Mode; 2] = [Mode::Blocking, Mode::Async];

fn create_request() -> CreateText2Video {
    CreateText2Video::new("a fox").external_task_id("job-1")
}

#[test]
fn success_path() {
    for mode in MODES {
        let h = Harness::new(mode, vec![Answer::json(200, &task("1", "processing"))]);
        let task = h.get("1").unwrap();
        assert_eq!(task.task_id, "1");
        assert_eq!(h.script.lines(), ["GET /v1/videos/text2video/1"]);
        let auth = h.script.requests()[0]
            .header_value("authorization")
            .unwrap()
            .to_owned();
        assert!(auth.starts_with("Bearer ey"));
    }
}

#[test]
fn s1_rate_limit_is_throttled() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json(429, &kling_error(1302)),
                Answer::json(429, &kling_error(1302)),
                Answer::json(200, &task("1", "processing")),
            ],
        );
        h.get("1").unwrap();
        let slept = h.slept();
        assert_eq!(slept.len(), 2);
        assert!(
            slept[0] >= Duration::from_millis(500) && slept[0] <= Duration::from_secs(1),
            "{slept:?}"
        );
        assert!(
            slept[1] >= Duration::from_secs(1) && slept[1] <= Duration::from_secs(2),
            "{slept:?}"
        );
    }
}

#[test]
fn s2_concurrency_full_on_create_reposts_the_same_bytes() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json(429, &kling_error(1303)),
                Answer::json(200, &task("1", "submitted")),
            ],
        );
        let created = h.create(create_request()).unwrap();
        assert_eq!((created.posts, created.reconciled), (2, false));
        let requests = h.script.requests();
        assert_eq!(requests.len(), 2, "no reconcile GET");
        assert_eq!(requests[0].body, requests[1].body);
        assert!(h.slept()[0] >= Duration::from_millis(2500));
    }
}

#[test]
fn s3_billing_and_allow_list_are_never_retried() {
    for mode in MODES {
        for code in [1100, 1101, 1102, 1304] {
            let h = Harness::new(mode, vec![Answer::json(429, &kling_error(code))]);
            let e = h.get("1").unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::Billing | ErrorKind::Permission),
                "{code}: {e}"
            );
            assert_eq!(h.script.requests().len(), 1);
            let h = Harness::new(mode, vec![Answer::json(429, &kling_error(code))]);
            let e = h.create(create_request()).unwrap_err();
            assert_eq!(e.external_task_id(), Some("job-1"));
            assert_eq!(h.script.requests().len(), 1);
        }
    }
}

#[test]
fn a1_expired_token_is_reminted_once() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json(401, &kling_error(1004)),
                Answer::json(200, &task("1", "processing")),
            ],
        );
        h.get("1").unwrap();
        assert_eq!(h.engine.auth().mints(), 2);
        assert!(h.slept().is_empty(), "no backoff for a re-mint");
        let h = Harness::new(
            mode,
            vec![
                Answer::json(401, &kling_error(1004)),
                Answer::json(401, &kling_error(1004)),
            ],
        );
        let e = h.get("1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert_eq!(h.script.requests().len(), 2);
    }
}

#[test]
fn a3_not_yet_valid_measures_skew_from_date() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json_with(
                    401,
                    &kling_error(1003),
                    &[("Date", "Wed, 10 Jun 2026 08:38:30 GMT")],
                ),
                Answer::json(200, &task("1", "processing")),
            ],
        );
        h.get("1").unwrap();
        assert_eq!(h.engine.auth().clock_skew_ms(), -90_000);
    }
}

#[test]
fn s7_server_errors_and_truncated_bodies_are_retried_for_reads() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json(500, &kling_error(5000)),
                Answer::json(503, &kling_error(5001)),
                Answer::raw(
                    200,
                    "application/json",
                    br#"{"code":0,"data":{"task_id":"1","#,
                ),
                Answer::json(200, &task("1", "processing")),
            ],
        );
        h.get("1").unwrap();
        assert_eq!(h.script.requests().len(), 4);
        let h = Harness::new(
            mode,
            (0..4)
                .map(|_| Answer::json(504, &kling_error(5002)))
                .collect(),
        );
        assert_eq!(h.get("1").unwrap_err().kind(), ErrorKind::Timeout);
    }
}

#[test]
fn s8_ambiguous_create_finds_the_task_and_never_posts_twice() {
    for mode in MODES {
        for first in [
            Answer::json(500, &kling_error(5000)),
            Answer::TimeoutAfterSend,
            Answer::raw(502, "text/html", b"<html><h1>502 Bad Gateway</h1></html>"),
            Answer::raw(200, "application/json", br#"{"code":0,"data":{"task_id""#),
        ] {
            let h = Harness::new(
                mode,
                vec![first.clone(), Answer::json(200, &task("77", "submitted"))],
            );
            let created = h.create(create_request()).unwrap();
            assert!(created.reconciled, "{first:?}");
            assert_eq!(created.task.task_id, "77");
            assert_eq!(
                h.script.lines(),
                [
                    "POST /v1/videos/text2video",
                    "GET /v1/videos/text2video/job-1"
                ],
                "{first:?}"
            );
        }
    }
}

#[test]
fn c2_not_found_twice_reposts_with_the_same_id() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::TimeoutAfterSend,
                Answer::json(404, &kling_error(1203)),
                Answer::json(404, &kling_error(1203)),
                Answer::json(200, &task("5", "submitted")),
            ],
        );
        let created = h.create(create_request()).unwrap();
        assert_eq!((created.posts, created.reconciled), (2, false));
        let requests = h.script.requests();
        assert_eq!(requests[0].body, requests[3].body);
        assert_eq!(
            h.slept()[0],
            Duration::from_secs(3),
            "the grace before the second look"
        );
    }
}

#[test]
fn c3_unsettled_create_is_ambiguous_after_one_post() {
    for mode in MODES {
        let mut answers = vec![Answer::json(500, &kling_error(5000))];
        answers.extend((0..4).map(|_| Answer::json(503, &kling_error(5001))));
        let h = Harness::new(mode, answers);
        let e = h.create(create_request()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AmbiguousCreate);
        assert_eq!(e.external_task_id(), Some("job-1"));
        assert_eq!(
            h.script
                .lines()
                .iter()
                .filter(|l| l.starts_with("POST"))
                .count(),
            1
        );
    }
}

#[test]
fn c4_a_generated_external_id_is_sent_and_returned() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::TimeoutAfterSend,
                Answer::json(503, &kling_error(5001)),
                Answer::json(503, &kling_error(5001)),
                Answer::json(503, &kling_error(5001)),
                Answer::json(503, &kling_error(5001)),
            ],
        );
        let e = h.create(CreateText2Video::new("a fox")).unwrap_err();
        let id = e
            .external_task_id()
            .expect("generated id in the error")
            .to_owned();
        assert!(id.starts_with("kling-rs-"));
        let body: serde_json::Value =
            serde_json::from_slice(h.script.requests()[0].body.as_deref().unwrap()).unwrap();
        assert_eq!(body["external_task_id"], id.as_str());
        assert!(h.script.lines()[1].ends_with(&id));
    }
}

#[test]
fn s11_s12_retry_after_is_a_floor_and_a_limit() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json_with(503, &kling_error(5001), &[("Retry-After", "3")]),
                Answer::json(200, &task("1", "processing")),
            ],
        );
        h.get("1").unwrap();
        assert!(h.slept()[0] >= Duration::from_secs(3) && h.slept()[0] <= Duration::from_secs(4));
        let h = Harness::new(
            mode,
            vec![Answer::json_with(
                503,
                &kling_error(5001),
                &[("Retry-After", "3600")],
            )],
        );
        let e = h.get("1").unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
        assert_eq!(h.script.requests().len(), 1);
    }
}

#[test]
fn deadline_is_respected() {
    for mode in MODES {
        // 1303 on a create is bounded by the deadline, not a count: with 120 s, a handful of posts.
        let h = Harness::new(
            mode,
            (0..30)
                .map(|_| Answer::json(429, &kling_error(1303)))
                .collect(),
        );
        let e = h
            .run_unchecked(&mut Create::new(&h.engine, create_request()).unwrap())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConcurrencyLimit);
        let total: Duration = h.slept().iter().sum();
        assert!(total < Duration::from_secs(120), "slept {total:?}");
        let posts = h.script.requests().len();
        assert!((3..30).contains(&posts), "{posts} posts");
    }
}

#[test]
fn p_wait_polls_until_done_keeping_unknown_statuses_non_terminal() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            vec![
                Answer::json(200, &task("1", "submitted")),
                Answer::json(200, &task("1", "queued_v2")),
                Answer::json(500, &kling_error(5000)),
                Answer::json(200, &task("1", "processing")),
                Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")),
            ],
        );
        let mut wait = Wait::new(&h.engine, &GetText2VideoTask::by_task_id("1"), "1").unwrap();
        let done = h.run(&mut wait).unwrap();
        assert_eq!(done.task_result.videos[0].url, "https://cdn.test/v.mp4");
        let slept = h.slept();
        assert!(
            slept[0] >= Duration::from_millis(4500) && slept[0] <= Duration::from_millis(5500),
            "{slept:?}"
        );
        assert!(slept.iter().all(|d| *d <= Duration::from_secs(33)));
    }
}

#[test]
fn p2_failed_task_carries_the_server_message() {
    for mode in MODES {
        let failed = r#"{"code":0,"message":"SUCCEED","data":{"task_id":"1","task_status":"failed","task_status_msg":"Failure to pass the risk control system"}}"#;
        let h = Harness::new(mode, vec![Answer::json(200, failed)]);
        let mut wait = Wait::new(&h.engine, &GetText2VideoTask::by_task_id("1"), "1").unwrap();
        let e = h.run(&mut wait).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TaskFailed);
        assert!(e.to_string().contains("risk control"), "{e}");
    }
}

#[test]
fn p_wait_deadline_gives_wait_timeout() {
    for mode in MODES {
        let h = Harness::new(
            mode,
            (0..20)
                .map(|_| Answer::json(200, &task("1", "processing")))
                .collect(),
        );
        let mut wait = Wait::new(&h.engine, &GetText2VideoTask::by_task_id("1"), "1")
            .unwrap()
            .max_wait(Duration::from_secs(120));
        let e = h.run_unchecked(&mut wait).unwrap_err();
        // About 5, 12, 24, 41, 66, 96 s and a last poll at the deadline (reliability.md 2.2).
        assert!(
            (6..=8).contains(&h.script.requests().len()),
            "{} polls",
            h.script.requests().len()
        );
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert!(e.to_string().contains("last status: processing"), "{e}");
        let total: Duration = h.slept().iter().sum();
        assert_eq!(total, Duration::from_secs(120));
    }
}
