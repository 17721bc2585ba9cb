//! 7.1 Transport faults (T1-T11), on the raw-socket fault server.

use std::time::Duration;

use kling_errors::{ErrorKind, TransportFailure};

use super::{MatrixClient, create_request};
use crate::server::{Reply, head, refused_port};
use crate::{Answer, Script, kling_error, serve_after_faults, serve_with_limit, task};

/// The answer after a fault: the task, found.
fn found() -> Script {
    Script::new([]).then_always(Answer::json(200, &task("77", "submitted")))
}

/// A JSON head promising `length` bytes.
fn json_head(length: usize) -> Vec<u8> {
    head(
        "200 OK",
        &[
            ("Content-Type", "application/json".into()),
            ("Content-Length", length.to_string()),
        ],
    )
}

/// A read survives the fault (`GET` retried until the scripted answer), and a create facing
/// it is settled by a lookup, never posted twice.
fn read_retried_and_create_reconciled<C: MatrixClient>(fault: Reply) {
    let script = found();
    let server = serve_after_faults(&script, vec![fault.clone()], 50);
    let c = C::real(&server.url, &|_| {});
    assert_eq!(c.get("77").unwrap().task_id, "77");
    assert_eq!(script.count("GET"), 2, "retried once");

    let script = found();
    let server = serve_after_faults(&script, vec![fault], 50);
    let c = C::real(&server.url, &|_| {});
    let created = c.create(create_request()).unwrap();
    assert!(created.reconciled, "found by the lookup");
    assert_eq!(
        script.lines(),
        [
            "POST /v1/videos/text2video",
            "GET /v1/videos/text2video/job-1"
        ],
        "POST then the lookup, never a second POST"
    );
}

pub fn t1_connection_refused<C: MatrixClient>() {
    let port = refused_port();
    let c = C::real(&format!("http://127.0.0.1:{port}"), &|_| {});
    let e = c.get("1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert!(
        e.to_string().contains(&format!("127.0.0.1:{port}")),
        "the error names the host: {e}"
    );
    assert_eq!(c.slept().len(), 3, "4 attempts: 3 waits");
    // Nothing was sent: the create is posted again (3 posts), no lookup.
    let c = C::real(&format!("http://127.0.0.1:{}", refused_port()), &|_| {});
    let e = c.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(e.external_task_id(), Some("job-1"));
    assert_eq!(c.slept().len(), 2, "3 posts: 2 waits, no lookup");
}

pub fn t2_connect_never_completes<C: MatrixClient>() {
    #[cfg(target_os = "linux")]
    {
        let target = crate::server::Unconnectable::new().unwrap();
        let tweak = |c: &mut kling_core::Config| {
            c.connect_timeout = Duration::from_millis(150);
            c.retry.max_read_attempts = 2;
            c.retry.max_create_posts = 2;
        };
        let c = C::real(&target.url, &tweak);
        let e = c.get("1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert_eq!(c.slept().len(), 1, "retried");
        // Before any byte was sent: the create is safe to post again, without a lookup.
        let c = C::real(&target.url, &tweak);
        let e = c.create(create_request()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert_eq!(c.slept().len(), 1, "posted again, not reconciled");
    }
}

pub fn t3_closed_before_headers<C: MatrixClient>() {
    read_retried_and_create_reconciled::<C>(Reply::Close);
}

pub fn t4_reset_before_headers<C: MatrixClient>() {
    read_retried_and_create_reconciled::<C>(Reply::Reset);
}

pub fn t5_truncated_body<C: MatrixClient>() {
    let body = task("77", "submitted");
    let mut cut = json_head(body.len());
    cut.extend_from_slice(&body.as_bytes()[..body.len() / 2]);
    read_retried_and_create_reconciled::<C>(Reply::Raw(cut));
}

pub fn t5_undecodable_reads_are_retried_twice_at_most<C: MatrixClient>() {
    // The body arrives whole (its length matches) but is not the JSON it should be.
    let body = task("77", "submitted");
    let cut = &body[..body.len() / 2];
    let script = Script::new([]).then_always(Answer::raw(200, "application/json", cut.as_bytes()));
    let server = serve_with_limit(&script, 50);
    let c = C::real(&server.url, &|_| {});
    let e = c.get("77").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{e}");
    assert_eq!(script.count("GET"), 3, "one read and two decode retries");
}

pub fn t6_reset_mid_body<C: MatrixClient>() {
    let body = task("77", "submitted");
    let mut cut = json_head(body.len());
    cut.extend_from_slice(&body.as_bytes()[..body.len() / 2]);
    read_retried_and_create_reconciled::<C>(Reply::ResetAfter(cut));
}

pub fn t7_stall_after_headers<C: MatrixClient>() {
    let body = task("77", "submitted");
    let stall = Reply::RawThenStall(json_head(body.len()), Duration::from_millis(800));
    read_retried_and_create_reconciled::<C>(stall);
}

pub fn t8_slow_loris<C: MatrixClient>() {
    // One byte every 50 ms: the per-read timeout (200 ms) never fires, the attempt's total
    // (400 ms) does; every attempt meets the same dribble.
    let dribble = Reply::Dribble {
        head: json_head(1 << 20),
        every: Duration::from_millis(50),
        for_at_most: Duration::from_millis(1200),
    };
    let script = Script::new([]);
    let server = serve_after_faults(&script, vec![dribble; 4], 50);
    let c = C::real(&server.url, &|_| {});
    let e = c.get("1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(
        script.count("GET"),
        4,
        "every attempt ended by its own deadline"
    );
}

pub fn t9_burst_of_503_then_success<C: MatrixClient>() {
    let script = Script::new([
        Answer::json(503, &kling_error(5001)),
        Answer::json(503, &kling_error(5001)),
        Answer::json(200, &task("1", "processing")),
    ]);
    let server = serve_with_limit(&script, 50);
    let c = C::real(&server.url, &|_| {});
    c.get("1").unwrap();
    let slept = c.slept();
    assert_eq!(slept.len(), 2);
    // The transient backoff: 0.5 s then 1 s, with equal jitter (at least half).
    assert!(
        (Duration::from_millis(250)..=Duration::from_millis(500)).contains(&slept[0]),
        "{slept:?}"
    );
    assert!(
        (Duration::from_millis(500)..=Duration::from_secs(1)).contains(&slept[1]),
        "{slept:?}"
    );
}

pub fn t10_sustained_503<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json_with(
        503,
        &kling_error(5001),
        &[("X-Request-Id", "req-hdr")],
    ));
    let server = serve_with_limit(&script, 50);
    let c = C::real(&server.url, &|_| {});
    let e = c.get("1").unwrap_err();
    assert_eq!(script.count("GET"), 4, "exactly max_read_attempts");
    assert_eq!(e.http_status(), Some(503));
    assert_eq!(e.request_id(), Some("req-5001"), "from the body first");
    let total: Duration = c.slept().iter().sum();
    assert!(total < Duration::from_secs(120), "{total:?}");
}

pub fn t11_concurrent_gets_in_an_outage<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(503, &kling_error(5001)));
    let server = serve_with_limit(&script, 1000);
    let c = C::real(&server.url, &|_| {});
    let results = c.gets_at_once("1", 200);
    assert!(results.iter().all(Result::is_err));
    let sent = script.count("GET");
    // 500 budget tokens, 5 per retry: at most 100 retries across every clone.
    assert!((200..=300).contains(&sent), "{sent} requests for 200 calls");
    assert_eq!(
        c.engine().policy().budget().remaining(),
        0,
        "the budget is what stopped them"
    );
}

/// The transport failure of a result, for assertions.
pub fn failure(e: &kling_errors::Error) -> Option<TransportFailure> {
    match e {
        kling_errors::Error::Transport(t) => Some(t.failure()),
        _ => None,
    }
}
