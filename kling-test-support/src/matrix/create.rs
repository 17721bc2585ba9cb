//! 7.4 Create reconciliation (C1-C6), and the lookups that must not settle anything.

use kling_errors::ErrorKind;
use kling_types::standard::{CreateTextToVideo, StandardModel};
use kling_types::videos::CreateText2Video;

use super::{MatrixClient, create_request};
use crate::{Answer, Script, kling_error, serve, task, task_of};

fn answering<C: MatrixClient>(answers: Vec<Answer>) -> (C, Script, crate::server::Server) {
    let script = Script::new(answers);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    (c, script, server)
}

pub fn c1_timeout_after_sending_finds_the_task<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::TimeoutAfterSend,
        Answer::json(200, &task("77", "submitted")),
    ]);
    let created = c.create(create_request()).unwrap();
    assert!(created.reconciled);
    assert_eq!(created.task.task_id, "77");
    assert_eq!(
        script.lines(),
        [
            "POST /v1/videos/text2video",
            "GET /v1/videos/text2video/job-1"
        ]
    );
}

pub fn c2_not_found_twice_reposts_once<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::TimeoutAfterSend,
        Answer::json(404, &kling_error(1203)),
        Answer::json(404, &kling_error(1203)),
        Answer::json(200, &task("5", "submitted")),
    ]);
    let created = c.create(create_request()).unwrap();
    assert_eq!((created.posts, created.reconciled), (2, false));
    let requests = script.requests();
    assert_eq!(requests[0].body, requests[3].body, "the same id and bytes");
    assert_eq!(script.count("POST"), 2);
}

/// Kling's refusal of a create whose `external_task_id` exists already (`kling-api.md` 10.8).
fn id_exists() -> Answer {
    Answer::json(
        400,
        r#"{"code":1201,"message":"external_task_id \"job-1\" already exists","request_id":"dup"}"#,
    )
}

pub fn c2_a_repost_refused_as_a_duplicate_proves_the_task_exists<C: MatrixClient>() {
    // The first POST created the task but its answer was lost; the lookups lag twice; the
    // re-post is refused as a duplicate: the server's proof. The task is looked up (lagging
    // once more), never posted a third time.
    let (c, script, _s) = answering::<C>(vec![
        Answer::TimeoutAfterSend,
        Answer::json(404, &kling_error(1203)),
        Answer::json(404, &kling_error(1203)),
        id_exists(),
        Answer::json(404, &kling_error(1203)),
        Answer::json(200, &task("5", "processing")),
    ]);
    let created = c.create(create_request()).unwrap();
    assert_eq!((created.posts, created.reconciled), (2, true));
    assert_eq!(script.count("POST"), 2, "never posted a third time");
    // A caller's own id refused on the first post names someone's task: that stays an error.
    let (c, script, _s) = answering::<C>(vec![id_exists()]);
    let e = c.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{e}");
    assert_eq!(e.external_task_id(), Some("job-1"));
    assert_eq!(script.count("GET"), 0);
}

pub fn c3_failed_lookup_is_ambiguous_after_one_post<C: MatrixClient>() {
    let mut answers = vec![Answer::json(500, &kling_error(5000))];
    answers.extend((0..4).map(|_| Answer::json(503, &kling_error(5001))));
    let (c, script, _s) = answering::<C>(answers);
    let e = c.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AmbiguousCreate);
    assert_eq!(e.external_task_id(), Some("job-1"));
    assert_eq!(script.count("POST"), 1);
}

pub fn c3_bare_404_lookup_is_ambiguous_not_a_repost<C: MatrixClient>() {
    // A gateway that does not route the lookup answers a bare 404: it says nothing about the
    // task, so the create is reported, not posted again (only Kling's 1203 means "none").
    let html = || Answer::raw(404, "text/html", b"<html><h1>404 Not Found</h1></html>");
    let (c, script, _s) = answering::<C>(vec![Answer::TimeoutAfterSend, html(), html()]);
    let e = c.create(create_request()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AmbiguousCreate, "{e}");
    assert_eq!(script.count("POST"), 1, "never re-posted on a bare 404");
}

pub fn c4_generated_external_id_everywhere<C: MatrixClient>() {
    let mut answers = vec![Answer::TimeoutAfterSend];
    answers.extend((0..4).map(|_| Answer::json(503, &kling_error(5001))));
    let (c, script, _s) = answering::<C>(answers);
    let e = c.create(CreateText2Video::new("a fox")).unwrap_err();
    let id = e.external_task_id().expect("in the error").to_owned();
    assert!(id.starts_with("kling-rs-"), "{id}");
    let body: serde_json::Value =
        serde_json::from_slice(script.requests()[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["external_task_id"], id.as_str(), "in the request");
    assert!(script.lines()[1].ends_with(&id), "in the lookup");
    let (c, _script, _s) = answering::<C>(vec![Answer::json(200, &task("9", "submitted"))]);
    let created = c.create(CreateText2Video::new("a fox")).unwrap();
    let id = created.external_task_id.expect("in the result");
    assert!(id.starts_with("kling-rs-"), "{id}");
}

pub fn c5_caller_id_verbatim_and_checked_before_posting<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::json(429, &kling_error(1303)),
        Answer::TimeoutAfterSend,
        Answer::json(200, &task_of("3", "submitted", "mine-7")),
    ]);
    c.create(CreateText2Video::new("a fox").external_task_id("mine-7"))
        .unwrap();
    for r in script.requests() {
        match r.method.as_str() {
            "POST" => {
                let body: serde_json::Value =
                    serde_json::from_slice(r.body.as_deref().unwrap()).unwrap();
                assert_eq!(body["external_task_id"], "mine-7");
            }
            _ => assert!(r.url.ends_with("/mine-7"), "{}", r.url),
        }
    }
    // An id the lookup would refuse is refused before the first POST (it could not settle
    // an ambiguous failure, and the caller would pay twice).
    for bad in ["", "   "] {
        let (c, script, _s) = answering::<C>(vec![]);
        let e = c
            .create(CreateText2Video::new("a fox").external_task_id(bad))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{bad:?}: {e}");
        assert!(script.requests().is_empty(), "{bad:?}: nothing posted");
    }
    let standard = CreateTextToVideo::new(StandardModel::Kling3_0, "a fox").external_task_id("a,b");
    let e = kling_core::Create::new(c.engine(), standard)
        .err()
        .expect("refused before posting");
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(e.to_string().contains("comma"), "{e}");
}

pub fn c6_truncated_2xx_create_is_reconciled<C: MatrixClient>() {
    let (c, script, _s) = answering::<C>(vec![
        Answer::raw(200, "application/json", br#"{"code":0,"data":{"task_id""#),
        Answer::json(200, &task("8", "submitted")),
    ]);
    let created = c.create(create_request()).unwrap();
    assert!(created.reconciled, "not a failure: looked up");
    assert_eq!(script.count("POST"), 1);
}
