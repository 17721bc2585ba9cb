//! 7.5 Decoding and hostile bodies (D1-D11).

use std::time::Duration;

use kling_core::WaitOptions;
use kling_errors::{Error, ErrorKind, MAX_SNIPPET_BYTES, TransportFailure};

use super::{MatrixClient, create_request};
use crate::server::{Reply, head, response};
use crate::{Answer, Script, kling_error, serve, serve_after_faults, task, task_done};

fn answering<C: MatrixClient>(answers: Vec<Answer>) -> (C, Script, crate::server::Server) {
    let script = Script::new(answers);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    (c, script, server)
}

/// A read retried after `bad`, and a create reconciled after it.
fn retried_and_reconciled<C: MatrixClient>(bad: &Answer) {
    let (c, script, _s) = answering::<C>(vec![
        bad.clone(),
        Answer::json(200, &task("1", "processing")),
    ]);
    c.get("1").unwrap();
    assert_eq!(script.count("GET"), 2);
    let (c, script, _s) = answering::<C>(vec![
        bad.clone(),
        Answer::json(200, &task("1", "submitted")),
    ]);
    assert!(c.create(create_request()).unwrap().reconciled);
    assert_eq!(script.count("POST"), 1);
}

pub fn d1_html_502<C: MatrixClient>() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "x".repeat(10_000)
    );
    let html = Answer::raw(502, "text/html", page.as_bytes());
    let (c, _script, _s) = answering::<C>(vec![html.clone(); 4]);
    let e = c.get("1").unwrap_err();
    assert_eq!(e.http_status(), Some(502));
    let Error::Api(api) = &e else { panic!("{e}") };
    assert_eq!(api.content_type(), Some("text/html"));
    assert!(
        api.snippet()
            .is_some_and(|s| s.len() <= MAX_SNIPPET_BYTES + 8)
    );
    assert!(e.to_string().len() < 2300, "never the whole page");
    retried_and_reconciled::<C>(&html);
}

pub fn d2_empty_200<C: MatrixClient>() {
    let empty = Answer::raw(200, "application/json", b"");
    let (c, _script, _s) = answering::<C>(vec![empty.clone(); 3]);
    assert_eq!(c.get("1").unwrap_err().kind(), ErrorKind::InvalidResponse);
    retried_and_reconciled::<C>(&empty);
}

pub fn d3_not_json_or_not_utf8<C: MatrixClient>() {
    for body in [&b"<<not json>>"[..], b"\xff\xfe\x00garbage\xc3"] {
        let (c, _script, _s) = answering::<C>(vec![Answer::raw(200, "application/json", body); 3]);
        let e = c.get("1").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{e}");
        let _ = e.to_string();
    }
}

pub fn d4_oversized_bodies<C: MatrixClient>() {
    // Endless: the cap (1 MiB) is crossed while reading; nothing reads on.
    let endless = Reply::Endless {
        head: head("200 OK", &[("Content-Type", "application/json".into())]),
        max_bytes: 50 << 20,
    };
    let script = Script::new([]);
    let server = serve_after_faults(&script, vec![endless], 50);
    let c = C::real(&server.url, &|_| {});
    let e = c.get("1").unwrap_err();
    assert!(
        matches!(&e, Error::Transport(t) if t.failure() == TransportFailure::BodyTooLarge)
            || matches!(e.kind(), ErrorKind::InvalidResponse),
        "{e}"
    );
    assert_eq!(script.requests().len(), 1, "too large is not retried");
    // A Content-Length of 10 GB: refused before reading.
    let huge = Reply::RawThenStall(
        head(
            "200 OK",
            &[
                ("Content-Type", "application/json".into()),
                ("Content-Length", "10000000000".into()),
            ],
        ),
        Duration::from_millis(800),
    );
    let script = Script::new([]);
    let server = serve_after_faults(&script, vec![huge], 50);
    let c = C::real(&server.url, &|_| {});
    let e = c.get("1").unwrap_err();
    assert!(
        matches!(&e, Error::Transport(t) if t.failure() == TransportFailure::BodyTooLarge),
        "{e}"
    );
}

pub fn d5_unknown_status_is_not_terminal<C: MatrixClient>() {
    let (c, _script, _s) = answering::<C>(vec![
        Answer::json(200, &task("1", "queued_v2")),
        Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")),
    ]);
    let done = c.wait("1", WaitOptions::new()).unwrap();
    assert_eq!(done.task_status.as_str(), "succeed");
    let (c, _script, _s) = answering::<C>(vec![Answer::json(200, &task("1", "queued_v2"))]);
    let t = c.get("1").unwrap();
    assert_eq!(
        t.task_status,
        kling_types::TaskStatus::Unknown("queued_v2".to_owned())
    );
}

pub fn d6_unknown_fields_are_ignored<C: MatrixClient>() {
    let body = r#"{"code":0,"message":"SUCCEED","request_id":"r","brand_new":{"a":[1,2]},
        "data":{"task_id":"1","task_status":"processing","future_field":true,
                "task_info":{"external_task_id":"e","also_new":1}}}"#;
    let (c, _script, _s) = answering::<C>(vec![Answer::json(200, body)]);
    let t = c.get("1").unwrap();
    assert_eq!(t.external_task_id(), Some("e"));
}

pub fn d7_numbers_and_strings<C: MatrixClient>() {
    let body = r#"{"code":"0","message":"SUCCEED","data":{"task_id":831922345719271433,"task_status":"succeed",
        "task_result":{"videos":[{"id":42,"url":"https://c/v.mp4","duration":5.1}]}}}"#;
    let (c, _script, _s) = answering::<C>(vec![Answer::json(200, body)]);
    let t = c.get("831922345719271433").unwrap();
    assert_eq!(t.task_id, "831922345719271433");
    assert_eq!(t.task_result.videos[0].id, "42");
    assert_eq!(t.task_result.videos[0].duration.as_deref(), Some("5.1"));
}

pub fn d8_nulls_and_absences<C: MatrixClient>() {
    for data in [
        r#"{"task_id":"1","task_status":"processing","task_result":null}"#,
        r#"{"task_id":"1","task_status":"processing"}"#,
        r#"{"task_id":"1","task_status":"processing","task_result":{"videos":null}}"#,
    ] {
        let body = format!(r#"{{"code":0,"message":"SUCCEED","data":{data}}}"#);
        let (c, _script, _s) = answering::<C>(vec![Answer::json(200, &body)]);
        assert!(c.get("1").unwrap().task_result.videos.is_empty(), "{data}");
    }
    let (c, _script, _s) = answering::<C>(vec![Answer::json(
        200,
        r#"{"code":1201,"message":"bad","data":null}"#,
    )]);
    assert_eq!(
        c.get("1").unwrap_err().kind(),
        ErrorKind::InvalidRequest,
        "the error path uses the code"
    );
}

pub fn d9_deep_nesting<C: MatrixClient>() {
    let body = format!(
        r#"{{"code":0,"data":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (c, _script, _s) = answering::<C>(vec![Answer::json(200, &body); 3]);
    assert_eq!(c.get("1").unwrap_err().kind(), ErrorKind::InvalidResponse);
}

pub fn d10_arbitrary_bodies_never_panic<C: MatrixClient>() {
    // A few seeded pseudo-random bodies through the whole client (the parsers themselves are
    // fuzzed: `cargo xtask fuzz`, corpora replayed by tests).
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut answers = Vec::new();
    for len in [0usize, 1, 7, 64, 300, 4096] {
        let body: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        for status in [200u16, 400, 500] {
            answers.push(Answer::raw(status, "application/json", &body));
        }
    }
    let n = answers.len();
    let script = Script::new(answers);
    let server = serve(&script);
    let c = C::real(&server.url, &|c| c.retry.max_read_attempts = 1);
    for _ in 0..n {
        let _ = c.get("1");
    }
    assert_eq!(script.remaining(), 0);
}

pub fn d11_api_redirects_are_not_followed<C: MatrixClient>() {
    let target = crate::server::Server::start(Box::new(|_, _| {
        response("200 OK", &[("Content-Length", "0".into())], b"")
    }));
    let location = format!("{}/elsewhere", target.url);
    let origin = crate::server::Server::start(Box::new(move |_, _| {
        response(
            "302 Found",
            &[
                ("Location", location.clone()),
                ("Content-Length", "0".into()),
            ],
            b"",
        )
    }));
    let c = C::real(&origin.url, &|_| {});
    let e = c.get("1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{e}");
    assert!(target.seen().is_empty(), "the redirect target got nothing");
    assert_eq!(origin.seen().len(), 1, "not retried");
    let e = c.create(create_request()).unwrap_err();
    assert!(
        target.seen().is_empty(),
        "a create's body is never re-sent elsewhere: {e}"
    );
}

/// Kling error bodies, for rows that need one.
pub fn error_body(code: i64) -> String {
    kling_error(code)
}
