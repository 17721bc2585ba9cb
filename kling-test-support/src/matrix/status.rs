//! 7.2 HTTP statuses, Kling codes, gateways (S1-S16).

use std::time::Duration;

use kling_errors::{ErrorCode, ErrorKind, KlingCode};
use kling_types::runblob::{GenerateO3Video, GetGeneration, Product};

use super::{MatrixClient, create_request};
use crate::{Answer, Script, kling_error, serve, task};

/// A client of a loopback server answering `answers`, and the script recording it.
fn answering<C: MatrixClient>(answers: Vec<Answer>) -> (C, Script, crate::server::Server) {
    let script = Script::new(answers);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    (c, script, server)
}

pub fn s1_rate_limit_is_throttled<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(429, &kling_error(1302)),
        Answer::json(429, &kling_error(1302)),
        Answer::json(200, &task("1", "processing")),
    ]);
    c.get("1").unwrap();
    let slept = c.slept();
    assert_eq!(script.count("GET"), 3);
    // Throttle backoff: 1 s then 2 s, each at least half of that.
    assert!(
        (Duration::from_millis(500)..=Duration::from_secs(1)).contains(&slept[0]),
        "{slept:?}"
    );
    assert!(
        (Duration::from_secs(1)..=Duration::from_secs(2)).contains(&slept[1]),
        "{slept:?}"
    );
}

pub fn s2_concurrency_full_on_create_reposts_the_same_bytes<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(429, &kling_error(1303)),
        Answer::json(200, &task("1", "submitted")),
    ]);
    let created = c.create(create_request()).unwrap();
    assert_eq!((created.posts, created.reconciled), (2, false));
    let requests = script.requests();
    assert_eq!(script.count("GET"), 0, "no lookup");
    assert_eq!(requests[0].body, requests[1].body, "the same bytes");
    assert!(
        c.slept()[0] >= Duration::from_millis(2500),
        "{:?}",
        c.slept()
    );
}

pub fn s3_billing_and_allow_list_are_never_retried<C: MatrixClient>() {
    for code in [1100, 1101, 1102, 1304] {
        let (c, script, _s) = answering::<C>(vec![Answer::json(429, &kling_error(code))]);
        let e = c.get("1").unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Billing | ErrorKind::Permission),
            "{code}: {e}"
        );
        assert_eq!(script.requests().len(), 1, "{code}");
        let (c, script, _s) = answering::<C>(vec![Answer::json(429, &kling_error(code))]);
        let e = c.create(create_request()).unwrap_err();
        assert_eq!(e.external_task_id(), Some("job-1"));
        assert_eq!(script.requests().len(), 1, "{code}");
    }
}

pub fn s4_invalid_parameter_is_fatal_and_explained<C: MatrixClient>() {
    let body = r#"{"code":1201,"message":"duration must be 5 or 10","request_id":"req-x"}"#;
    let (c, script, _s) = answering::<C>(vec![Answer::json(400, body)]);
    let e = c.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        e.code(),
        Some(&ErrorCode::Kling(KlingCode::InvalidParameter))
    );
    assert_eq!(e.request_id(), Some("req-x"));
    assert!(e.to_string().contains("duration must be 5 or 10"), "{e}");
    assert_eq!(script.requests().len(), 1);
}

pub fn s5_not_found_on_get<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json(404, &kling_error(1203))]);
    assert_eq!(c.get("1").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(script.requests().len(), 1);
}

pub fn s6_content_policy<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json(400, &kling_error(1301))]);
    let e = c.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentPolicy);
    assert_eq!(script.requests().len(), 1);
}

pub fn s7_server_errors_are_retried_for_reads<C: MatrixClient>() {
    for (status, code) in [(500, 5000), (503, 5001), (504, 5002)] {
        let (c, script, _s) = answering::<C>(vec![
            Answer::json(status, &kling_error(code)),
            Answer::json(200, &task("1", "processing")),
        ]);
        c.get("1").unwrap();
        assert_eq!(script.count("GET"), 2, "{code}");
    }
}

pub fn s8_server_errors_on_create_reconcile_then_repost<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(500, &kling_error(5000)),
        Answer::json(404, &kling_error(1203)),
        Answer::json(404, &kling_error(1203)),
        Answer::json(200, &task("5", "submitted")),
    ]);
    let created = c.create(create_request()).unwrap();
    assert_eq!((created.posts, created.reconciled), (2, false));
    assert_eq!(
        script.lines(),
        [
            "POST /v1/videos/text2video",
            "GET /v1/videos/text2video/job-1",
            "GET /v1/videos/text2video/job-1",
            "POST /v1/videos/text2video"
        ]
    );
    let requests = script.requests();
    assert_eq!(
        requests[0].body, requests[3].body,
        "the same external_task_id"
    );
}

pub fn s9_error_inside_a_200<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json(
        200,
        r#"{"code":1201,"message":"bad","request_id":"r9"}"#,
    )]);
    let e = c.get("1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert_eq!(
        e.code(),
        Some(&ErrorCode::Kling(KlingCode::InvalidParameter))
    );
    assert_eq!(script.requests().len(), 1, "fatal, like the 400");
}

pub fn s10_unknown_codes_by_status<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json(400, &kling_error(1999))]);
    let e = c.get("1").unwrap_err();
    assert_eq!(
        e.code().map(|c| c.as_wire().into_owned()).as_deref(),
        Some("1999")
    );
    assert_eq!(script.requests().len(), 1, "fatal");
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(500, &kling_error(9999)),
        Answer::json(200, &task("1", "processing")),
    ]);
    c.get("1").unwrap();
    assert_eq!(script.requests().len(), 2, "transient for a read");
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(500, &kling_error(9999)),
        Answer::json(200, &task("1", "submitted")),
    ]);
    assert!(c.create(create_request()).unwrap().reconciled);
    assert_eq!(script.count("POST"), 1, "ambiguous for a create: looked up");
}

pub fn s11_retry_after_is_a_floor<C: MatrixClient>() {
    let (c, _script, _s) = answering::<C>(vec![
        Answer::json_with(503, &kling_error(5001), &[("Retry-After", "3")]),
        Answer::json(200, &task("1", "processing")),
    ]);
    c.get("1").unwrap();
    let slept = c.slept();
    assert!(
        (Duration::from_secs(3)..=Duration::from_secs(4)).contains(&slept[0]),
        "{slept:?}"
    );
}

pub fn s12_long_retry_after_is_returned<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json_with(
        503,
        &kling_error(5001),
        &[("Retry-After", "3600")],
    )]);
    let e = c.get("1").unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(script.requests().len(), 1);
    // The HTTP-date form, two hours ahead of the (manual) clock.
    let two_hours = "Wed, 10 Jun 2026 10:40:00 GMT";
    let (c, script, _s) = answering::<C>(vec![Answer::json_with(
        503,
        &kling_error(5001),
        &[("Retry-After", two_hours)],
    )]);
    let e = c.get("1").unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7200)));
    assert_eq!(script.requests().len(), 1);
}

pub fn s13_hostile_retry_after_is_ignored_and_ms_honoured<C: MatrixClient>() {
    for garbage in [
        "soon",
        "-5",
        "Wed, 10 Jun 2020 08:40:00 GMT",
        "1234567890123456789012345678901234567890",
        "",
    ] {
        let (c, _script, _s) = answering::<C>(vec![
            Answer::json_with(503, &kling_error(5001), &[("Retry-After", garbage)]),
            Answer::json(200, &task("1", "processing")),
        ]);
        c.get("1").unwrap();
        let slept = c.slept();
        assert!(
            slept[0] <= Duration::from_millis(500),
            "{garbage:?}: {slept:?}"
        );
    }
    let (c, _script, _s) = answering::<C>(vec![
        Answer::json_with(503, &kling_error(5001), &[("retry-after-ms", "2250")]),
        Answer::json(200, &task("1", "processing")),
    ]);
    c.get("1").unwrap();
    assert!(
        c.slept()[0] >= Duration::from_millis(2250),
        "{:?}",
        c.slept()
    );
}

pub fn s14_reseller_billing_with_a_header_request_id<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json_with(
        402,
        r#"{"detail":"INSUFFICIENT_CREDITS"}"#,
        &[("X-Request-Id", "rb-42")],
    )]);
    let e = c.runblob_create(GenerateO3Video::new("a fox")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Billing, "{e}");
    assert_eq!(e.request_id(), Some("rb-42"));
    assert_eq!(script.requests().len(), 1, "never retried");
}

pub fn s15_reseller_throttle_and_maintenance<C: MatrixClient>() {
    let done = r#"{"generation_id":"g1","status":"completed","video_url":"https://cdn/v.mp4"}"#;
    let query = GetGeneration::new(Product::O3Video, "g1");
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(429, r#"{"detail":"TOO_MANY_REQUESTS"}"#),
        Answer::json(200, done),
    ]);
    c.runblob_wait(&query).unwrap();
    assert_eq!(script.count("GET"), 2, "throttled, then answered");
    assert!(c.slept().iter().any(|d| *d >= Duration::from_millis(500)));
    // Maintenance on a read: retried within the attempts, then surfaced with its status.
    let maintenance = || Answer::json(503, r#"{"detail":"SERVICE_UNDER_MAINTENANCE"}"#);
    let (c, script, _s) = answering::<C>((0..4).map(|_| maintenance()).collect());
    let e = c.runblob_get(&query).unwrap_err();
    assert_eq!(e.http_status(), Some(503), "{e}");
    assert_eq!(script.count("GET"), 4);
    // On a create it may have happened: RunBlob cannot look it up, so it is reported.
    let (c, script, _s) = answering::<C>((0..4).map(|_| maintenance()).collect());
    let e = c.runblob_create(GenerateO3Video::new("a fox")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AmbiguousCreate, "{e}");
    assert_eq!(script.count("POST"), 1, "a create is never posted blind");
}

pub fn s16_reseller_generation_timeout<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![Answer::json(
        200,
        r#"{"generation_id":"g1","status":"failed","message":"TIMEOUT"}"#,
    )]);
    let e = c
        .runblob_wait(&GetGeneration::new(Product::O3Video, "g1"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TaskFailed);
    let kling_errors::Error::TaskFailed(failed) = &e else {
        panic!("{e}")
    };
    assert_eq!(failed.reason(), ErrorKind::Timeout);
    assert_eq!(script.requests().len(), 1, "no resubmission");
}
