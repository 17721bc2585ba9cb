//! 7.8 Callbacks (W1-W7): hints that are checked, deduplicated and re-fetched, never trusted.

use std::time::{Duration, UNIX_EPOCH};

use kling_auth::{CallbackToken, WebhookVerifier};
use kling_core::CallbackDedupe;
use kling_errors::AuthFailure;
use kling_types::callback::CallbackPayload;

use super::MatrixClient;
use crate::server::{Server, response};
use crate::{Answer, Script, serve, task};

const LEGACY: &str = r#"{"task_id":"831922345719271433","task_status":"succeed","task_status_msg":"",
    "created_at":1722769557708,"updated_at":1722769557708,
    "task_info":{"external_task_id":"job-42"},
    "task_result":{"videos":[{"id":"v1","url":"https://attacker.invalid/v.mp4","duration":"5"}]}}"#;

pub fn w1_legacy_callback<C: MatrixClient>() {
    let payload = CallbackPayload::parse(LEGACY.as_bytes()).unwrap();
    let CallbackPayload::Legacy(t) = &payload else {
        panic!("{payload:?}")
    };
    assert_eq!(t.external_task_id(), Some("job-42"));
    assert!(payload.is_terminal());
    // Acted on only after the authenticated GET.
    let script = Script::new([Answer::json(200, &task("831922345719271433", "succeed"))]);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    let _ = c.reconcile(&payload);
    assert_eq!(
        script.lines(),
        ["GET /v1/videos/text2video/831922345719271433"]
    );
}

pub fn w2_duplicates<C: MatrixClient>() {
    let dedupe = CallbackDedupe::new();
    let payload = CallbackPayload::parse(LEGACY.as_bytes()).unwrap();
    let mut handled = 0;
    for _ in 0..2 {
        if dedupe.is_new(payload.task_id(), payload.status(), payload.is_terminal()) {
            handled += 1;
        }
    }
    assert_eq!(handled, 1, "the second delivery is a duplicate");
}

pub fn w3_terminal_is_sticky<C: MatrixClient>() {
    let dedupe = CallbackDedupe::new();
    assert!(dedupe.is_new("1", "succeed", true));
    assert!(
        !dedupe.is_new("1", "processing", false),
        "late processing ignored"
    );
}

pub fn w4_spoofed_callback_is_reconciled<C: MatrixClient>() {
    // An unsigned callback claims success with the attacker's file: the client asks the API,
    // which says the task is still running; the attacker's URL is never fetched.
    let attacker = Server::start(Box::new(|_, _| {
        response("200 OK", &[("Content-Length", "0".into())], b"")
    }));
    let spoof = LEGACY.replace("https://attacker.invalid", &attacker.url);
    let payload = CallbackPayload::parse(spoof.as_bytes()).unwrap();
    let script = Script::new([Answer::json(200, &task("831922345719271433", "processing"))]);
    let server = serve(&script);
    let c = C::real(&server.url, &|_| {});
    let truth = c.reconcile(&payload).unwrap();
    assert_eq!(
        truth.task_status.as_str(),
        "processing",
        "the server's view"
    );
    assert!(
        attacker.seen().is_empty(),
        "the attacker's URL was never fetched"
    );
}

/// Standard Webhooks headers.
fn delivery(id: &str, ts: u64, signature: &str) -> Vec<(&'static str, String)> {
    vec![
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature.to_owned()),
    ]
}

pub fn w5_signatures<C: MatrixClient>() {
    let secret = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=";
    let verifier = WebhookVerifier::new(secret).unwrap();
    let body = br#"{"id":"1","status":"succeeded"}"#;
    let ts = 1_781_080_794;
    let now = UNIX_EPOCH + Duration::from_secs(ts);
    let good = verifier.sign("msg-1", ts, body);
    verifier
        .verify(&delivery("msg-1", ts, &good), body, now)
        .expect("valid");
    let rejected = |headers: Vec<(&'static str, String)>, body: &[u8], v: &WebhookVerifier| {
        let e = v.verify(&headers, body, now).unwrap_err();
        assert_eq!(e.failure(), AuthFailure::WebhookSignature);
    };
    rejected(
        delivery("msg-1", ts, &good),
        br#"{"id":"1","status":"failed"}"#,
        &verifier,
    );
    let other = WebhookVerifier::new("whsec_b3RoZXJzZWNyZXQ=").unwrap();
    rejected(delivery("msg-1", ts, &good), body, &other);
    for skew in [-360i64, 360] {
        let moved = ts.saturating_add_signed(skew);
        let signed = verifier.sign("msg-1", moved, body);
        rejected(delivery("msg-1", moved, &signed), body, &verifier);
    }
    let rotation = format!("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= {good}");
    verifier
        .verify(&delivery("msg-1", ts, &rotation), body, now)
        .expect("one valid signature of two");
    let mut missing = delivery("msg-1", ts, &good);
    missing.remove(2);
    rejected(missing, body, &verifier);
}

pub fn w6_huge_and_malformed_bodies<C: MatrixClient>() {
    let huge = vec![b'{'; 10 << 20];
    assert!(CallbackPayload::parse(&huge).is_err());
    let verifier =
        WebhookVerifier::new("whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=").unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(1_781_080_794);
    let e = verifier
        .verify(&delivery("m", 1_781_080_794, "v1,AAAA"), &huge, now)
        .unwrap_err();
    assert!(e.message().contains("limit"), "{e}");
    for bad in [
        &b"{"[..],
        b"null",
        b"[]",
        b"\"x\"",
        b"{\"task_id\":7}",
        b"\xff",
    ] {
        assert!(CallbackPayload::parse(bad).is_err(), "{bad:?}");
    }
}

pub fn w7_capability_token<C: MatrixClient>() {
    let token = CallbackToken::from_random_bytes([7u8; 32]);
    let url = token.url("https://you.example/kling/callback/");
    let segment = url.rsplit('/').next().unwrap();
    assert!(token.matches(segment));
    let mut wrong = segment.to_owned();
    wrong.replace_range(0..1, "f");
    assert!(!token.matches(&wrong), "a receiver answers 404");
    assert!(!token.matches(""));
    assert!(!token.matches(&segment[1..]));
    assert!(!format!("{token:?}").contains(segment), "never printed");
    assert!(CallbackToken::new("short").is_err());
    assert!(CallbackToken::new("a".repeat(31) + "/").is_err());
}
