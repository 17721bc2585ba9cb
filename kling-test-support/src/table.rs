//! The reliability table (`reliability.md` section 7), written once against a [`TestClient`] and
//! run by kling-core's machines (both driver loops) and by both clients. Scripted transport,
//! injected time: no test sleeps for real.

use std::time::Duration;

use kling_core::Created;
use kling_errors::{Error, ErrorKind};
use kling_types::Task;
use kling_types::videos::CreateText2Video;

use crate::{Answer, Script, kling_error, task, task_done};

/// What the table needs from a client (or an engine driver).
pub trait TestClient: Sized {
    /// A driver whose transport answers from `answers`, with a manual clock.
    fn new(answers: Vec<Answer>) -> Self;
    /// `GET /v1/videos/text2video/{id}`.
    fn get(&self, id: &str) -> Result<Task, Error>;
    /// A text-to-video create.
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error>;
    /// Waits for task `id`, at most `max_wait`.
    fn wait(&self, id: &str, max_wait: Duration) -> Result<Task, Error>;
    /// The transport.
    fn script(&self) -> &Script;
    /// Every sleep.
    fn slept(&self) -> Vec<Duration>;
    /// Tokens minted.
    fn mints(&self) -> u64;
    /// Measured clock skew, ms.
    fn skew_ms(&self) -> i64;
}

fn create_request() -> CreateText2Video {
    CreateText2Video::new("a fox").external_task_id("job-1")
}

pub fn success_path<D: TestClient>() {
    let d = D::new(vec![Answer::json(200, &task("1", "processing"))]);
    assert_eq!(d.get("1").unwrap().task_id, "1");
    assert_eq!(d.script().lines(), ["GET /v1/videos/text2video/1"]);
    let auth = d.script().requests()[0]
        .header_value("authorization")
        .unwrap()
        .to_owned();
    assert!(auth.starts_with("Bearer ey"));
}

pub fn s1_rate_limit_is_throttled<D: TestClient>() {
    let d = D::new(vec![
        Answer::json(429, &kling_error(1302)),
        Answer::json(429, &kling_error(1302)),
        Answer::json(200, &task("1", "processing")),
    ]);
    d.get("1").unwrap();
    let slept = d.slept();
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

pub fn s2_concurrency_full_on_create_reposts_the_same_bytes<D: TestClient>() {
    let d = D::new(vec![
        Answer::json(429, &kling_error(1303)),
        Answer::json(200, &task("1", "submitted")),
    ]);
    let created = d.create(create_request()).unwrap();
    assert_eq!((created.posts, created.reconciled), (2, false));
    let requests = d.script().requests();
    assert_eq!(requests.len(), 2, "no reconcile GET");
    assert_eq!(requests[0].body, requests[1].body);
    assert!(d.slept()[0] >= Duration::from_millis(2500));
}

pub fn s3_billing_and_allow_list_are_never_retried<D: TestClient>() {
    for code in [1100, 1101, 1102, 1304] {
        let d = D::new(vec![Answer::json(429, &kling_error(code))]);
        let e = d.get("1").unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Billing | ErrorKind::Permission),
            "{code}: {e}"
        );
        assert_eq!(d.script().requests().len(), 1);
        let d = D::new(vec![Answer::json(429, &kling_error(code))]);
        let e = d.create(create_request()).unwrap_err();
        assert_eq!(e.external_task_id(), Some("job-1"));
        assert_eq!(d.script().requests().len(), 1);
    }
}

pub fn a1_expired_token_is_reminted_once<D: TestClient>() {
    let d = D::new(vec![
        Answer::json(401, &kling_error(1004)),
        Answer::json(200, &task("1", "processing")),
    ]);
    d.get("1").unwrap();
    assert_eq!(d.mints(), 2);
    assert!(d.slept().is_empty(), "no backoff for a re-mint");
    let d = D::new(vec![
        Answer::json(401, &kling_error(1004)),
        Answer::json(401, &kling_error(1004)),
    ]);
    assert_eq!(d.get("1").unwrap_err().kind(), ErrorKind::Auth);
    assert_eq!(d.script().requests().len(), 2);
}

pub fn a3_not_yet_valid_measures_skew_from_date<D: TestClient>() {
    let d = D::new(vec![
        Answer::json_with(
            401,
            &kling_error(1003),
            &[("Date", "Wed, 10 Jun 2026 08:38:30 GMT")],
        ),
        Answer::json(200, &task("1", "processing")),
    ]);
    d.get("1").unwrap();
    assert_eq!(d.skew_ms(), -90_000);
}

pub fn s7_server_errors_and_truncated_bodies_are_retried_for_reads<D: TestClient>() {
    let d = D::new(vec![
        Answer::json(500, &kling_error(5000)),
        Answer::json(503, &kling_error(5001)),
        Answer::raw(
            200,
            "application/json",
            br#"{"code":0,"data":{"task_id":"1","#,
        ),
        Answer::json(200, &task("1", "processing")),
    ]);
    d.get("1").unwrap();
    assert_eq!(d.script().requests().len(), 4);
    let d = D::new(
        (0..4)
            .map(|_| Answer::json(504, &kling_error(5002)))
            .collect(),
    );
    assert_eq!(d.get("1").unwrap_err().kind(), ErrorKind::Timeout);
}

pub fn s8_ambiguous_create_finds_the_task_and_never_posts_twice<D: TestClient>() {
    for first in [
        Answer::json(500, &kling_error(5000)),
        Answer::TimeoutAfterSend,
        Answer::raw(502, "text/html", b"<html><h1>502 Bad Gateway</h1></html>"),
        Answer::raw(200, "application/json", br#"{"code":0,"data":{"task_id""#),
    ] {
        let d = D::new(vec![
            first.clone(),
            Answer::json(200, &task("77", "submitted")),
        ]);
        let created = d.create(create_request()).unwrap();
        assert!(created.reconciled, "{first:?}");
        assert_eq!(created.task.task_id, "77");
        assert_eq!(
            d.script().lines(),
            [
                "POST /v1/videos/text2video",
                "GET /v1/videos/text2video/job-1"
            ],
            "{first:?}"
        );
    }
}

pub fn c2_not_found_twice_reposts_with_the_same_id<D: TestClient>() {
    let d = D::new(vec![
        Answer::TimeoutAfterSend,
        Answer::json(404, &kling_error(1203)),
        Answer::json(404, &kling_error(1203)),
        Answer::json(200, &task("5", "submitted")),
    ]);
    let created = d.create(create_request()).unwrap();
    assert_eq!((created.posts, created.reconciled), (2, false));
    let requests = d.script().requests();
    assert_eq!(requests[0].body, requests[3].body);
    assert_eq!(
        d.slept()[0],
        Duration::from_secs(3),
        "the grace before the second look"
    );
}

pub fn c3_unsettled_create_is_ambiguous_after_one_post<D: TestClient>() {
    let mut answers = vec![Answer::json(500, &kling_error(5000))];
    answers.extend((0..4).map(|_| Answer::json(503, &kling_error(5001))));
    let d = D::new(answers);
    let e = d.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AmbiguousCreate);
    assert_eq!(e.external_task_id(), Some("job-1"));
    assert_eq!(
        d.script()
            .lines()
            .iter()
            .filter(|l| l.starts_with("POST"))
            .count(),
        1
    );
}

pub fn c4_a_generated_external_id_is_sent_and_returned<D: TestClient>() {
    let mut answers = vec![Answer::TimeoutAfterSend];
    answers.extend((0..4).map(|_| Answer::json(503, &kling_error(5001))));
    let d = D::new(answers);
    let e = d.create(CreateText2Video::new("a fox")).unwrap_err();
    let id = e
        .external_task_id()
        .expect("generated id in the error")
        .to_owned();
    assert!(id.starts_with("kling-rs-"));
    let body: serde_json::Value =
        serde_json::from_slice(d.script().requests()[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["external_task_id"], id.as_str());
    assert!(d.script().lines()[1].ends_with(&id));
}

pub fn s11_s12_retry_after_is_a_floor_and_a_limit<D: TestClient>() {
    let d = D::new(vec![
        Answer::json_with(503, &kling_error(5001), &[("Retry-After", "3")]),
        Answer::json(200, &task("1", "processing")),
    ]);
    d.get("1").unwrap();
    assert!(d.slept()[0] >= Duration::from_secs(3) && d.slept()[0] <= Duration::from_secs(4));
    let d = D::new(vec![Answer::json_with(
        503,
        &kling_error(5001),
        &[("Retry-After", "3600")],
    )]);
    let e = d.get("1").unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(d.script().requests().len(), 1);
}

pub fn deadline_is_respected<D: TestClient>() {
    let d = D::new(
        (0..30)
            .map(|_| Answer::json(429, &kling_error(1303)))
            .collect(),
    );
    let e = d.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConcurrencyLimit);
    let total: Duration = d.slept().iter().sum();
    assert!(total < Duration::from_secs(120), "slept {total:?}");
    let posts = d.script().requests().len();
    assert!((3..30).contains(&posts), "{posts} posts");
}

pub fn p_wait_polls_until_done_keeping_unknown_statuses_non_terminal<D: TestClient>() {
    let d = D::new(vec![
        Answer::json(200, &task("1", "submitted")),
        Answer::json(200, &task("1", "queued_v2")),
        Answer::json(500, &kling_error(5000)),
        Answer::json(200, &task("1", "processing")),
        Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")),
    ]);
    let done = d.wait("1", Duration::from_secs(1800)).unwrap();
    assert_eq!(done.task_result.videos[0].url, "https://cdn.test/v.mp4");
    let slept = d.slept();
    assert!(
        slept[0] >= Duration::from_millis(4500) && slept[0] <= Duration::from_millis(5500),
        "{slept:?}"
    );
    assert!(slept.iter().all(|d| *d <= Duration::from_secs(33)));
}

pub fn p2_failed_task_carries_the_server_message<D: TestClient>() {
    let failed = r#"{"code":0,"message":"SUCCEED","data":{"task_id":"1","task_status":"failed","task_status_msg":"Failure to pass the risk control system"}}"#;
    let d = D::new(vec![Answer::json(200, failed)]);
    let e = d.wait("1", Duration::from_secs(1800)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TaskFailed);
    assert!(e.to_string().contains("risk control"), "{e}");
}

pub fn p_wait_deadline_gives_wait_timeout<D: TestClient>() {
    let d = D::new(
        (0..60)
            .map(|_| Answer::json(200, &task("1", "processing")))
            .collect(),
    );
    let e = d.wait("1", Duration::from_secs(120)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.to_string().contains("last status: processing"), "{e}");
    let slept = d.slept();
    let total: Duration = slept.iter().sum();
    assert_eq!(total, Duration::from_secs(120));
    // After the first gap (5 s), each gap is at most max(1 s, 10 % of the time waited), so
    // an end is noticed that soon; at least 1 s apart, so never a poll per round trip.
    let mut waited = Duration::ZERO;
    for (i, gap) in slept.iter().enumerate() {
        if i > 0 {
            let bound = Duration::from_secs(1).max(waited / 10);
            assert!(
                *gap <= bound + Duration::from_millis(1),
                "gap {i}: {gap:?} after {waited:?}"
            );
        }
        assert!(
            *gap >= Duration::from_millis(999) || i + 1 == slept.len(),
            "{slept:?}"
        );
        waited += *gap;
    }
    let polls = d.script().requests().len();
    assert!((25..=45).contains(&polls), "{polls} polls in 2 minutes");
}

/// One `#[test]` per row of the table, for driver `$driver`.
#[macro_export]
macro_rules! reliability_table {
    ($driver:ty) => {
        #[test]
        fn success_path() {
            $crate::table::success_path::<$driver>()
        }
        #[test]
        fn s1_rate_limit_is_throttled() {
            $crate::table::s1_rate_limit_is_throttled::<$driver>()
        }
        #[test]
        fn s2_concurrency_full_on_create_reposts_the_same_bytes() {
            $crate::table::s2_concurrency_full_on_create_reposts_the_same_bytes::<$driver>()
        }
        #[test]
        fn s3_billing_and_allow_list_are_never_retried() {
            $crate::table::s3_billing_and_allow_list_are_never_retried::<$driver>()
        }
        #[test]
        fn a1_expired_token_is_reminted_once() {
            $crate::table::a1_expired_token_is_reminted_once::<$driver>()
        }
        #[test]
        fn a3_not_yet_valid_measures_skew_from_date() {
            $crate::table::a3_not_yet_valid_measures_skew_from_date::<$driver>()
        }
        #[test]
        fn s7_server_errors_and_truncated_bodies_are_retried_for_reads() {
            $crate::table::s7_server_errors_and_truncated_bodies_are_retried_for_reads::<$driver>()
        }
        #[test]
        fn s8_ambiguous_create_finds_the_task_and_never_posts_twice() {
            $crate::table::s8_ambiguous_create_finds_the_task_and_never_posts_twice::<$driver>()
        }
        #[test]
        fn c2_not_found_twice_reposts_with_the_same_id() {
            $crate::table::c2_not_found_twice_reposts_with_the_same_id::<$driver>()
        }
        #[test]
        fn c3_unsettled_create_is_ambiguous_after_one_post() {
            $crate::table::c3_unsettled_create_is_ambiguous_after_one_post::<$driver>()
        }
        #[test]
        fn c4_a_generated_external_id_is_sent_and_returned() {
            $crate::table::c4_a_generated_external_id_is_sent_and_returned::<$driver>()
        }
        #[test]
        fn s11_s12_retry_after_is_a_floor_and_a_limit() {
            $crate::table::s11_s12_retry_after_is_a_floor_and_a_limit::<$driver>()
        }
        #[test]
        fn deadline_is_respected() {
            $crate::table::deadline_is_respected::<$driver>()
        }
        #[test]
        fn p_wait_polls_until_done_keeping_unknown_statuses_non_terminal() {
            $crate::table::p_wait_polls_until_done_keeping_unknown_statuses_non_terminal::<$driver>(
            )
        }
        #[test]
        fn p2_failed_task_carries_the_server_message() {
            $crate::table::p2_failed_task_carries_the_server_message::<$driver>()
        }
        #[test]
        fn p_wait_deadline_gives_wait_timeout() {
            $crate::table::p_wait_deadline_gives_wait_timeout::<$driver>()
        }
    };
}

/// A driver that can run the whole job (the clients).
pub trait JobTestClient: TestClient {
    /// Creates, waits and downloads into `dir`; returns the downloaded paths.
    fn job(
        &self,
        request: CreateText2Video,
        dir: &std::path::Path,
    ) -> Result<Vec<std::path::PathBuf>, Error>;
}

/// Runs a create-poll-download job and renders every request as it went on the wire, the
/// token filtered out: what a request-sequence snapshot pins.
pub fn create_poll_download_sequence<D: JobTestClient>() -> String {
    let d = D::new(vec![
        Answer::json(200, &task("831922345719271433", "submitted")),
        Answer::json(200, &task("831922345719271433", "processing")),
        Answer::json(
            200,
            &task_done("831922345719271433", "https://cdn.test/output.mp4"),
        ),
        Answer::raw(
            200,
            "video/mp4",
            b"\x00\x00\x00\x18ftypmp42 fake video bytes",
        ),
    ]);
    let dir = std::env::temp_dir().join(format!(
        "kling-seq-{}-{}",
        std::process::id(),
        std::any::type_name::<D>().len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let files = d
        .job(
            CreateText2Video::new("a red fox in fresh snow").external_task_id("job-42"),
            &dir,
        )
        .unwrap();
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        b"\x00\x00\x00\x18ftypmp42 fake video bytes"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let mut out = String::new();
    for r in d.script().requests() {
        out.push_str(&format!("{} {}\n", r.method.as_str(), r.url));
        for (k, v) in &r.headers {
            let v = if k.eq_ignore_ascii_case("authorization") {
                "Bearer [token]"
            } else {
                v
            };
            out.push_str(&format!("  {k}: {v}\n"));
        }
        if let Some(t) = r.timeout {
            out.push_str(&format!(
                "  (timeout {}s, redirects {})\n",
                t.as_secs(),
                if r.follow_redirects {
                    "followed"
                } else {
                    "refused"
                }
            ));
        }
        if let Some(body) = &r.body {
            out.push_str(&format!("  body: {}\n", String::from_utf8_lossy(body)));
        }
    }
    out
}
