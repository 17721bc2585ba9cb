//! The decoders never panic, whatever the bytes, status and headers (reliability.md D10), and
//! what they keep of untrusted input stays bounded.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use kling_errors::{
    DecodeContext, Dialect, Error, MAX_SNIPPET_BYTES, Operation, TaskFailedError, check_response,
    decode_error, parse_http_date, parse_retry_after,
};
use proptest::prelude::*;
use serde_json::Value;

/// The keys every envelope uses, so random objects often look almost like a real error.
const KEYS: &[&str] = &[
    "code",
    "message",
    "request_id",
    "data",
    "detail",
    "error",
    "details",
    "success",
    "status",
    "error_message",
    "loc",
    "msg",
    "type",
    "input",
];

fn dialect() -> impl Strategy<Value = Dialect> {
    prop_oneof![
        Just(Dialect::Kling),
        Just(Dialect::RunBlob),
        Just(Dialect::Pikzels)
    ]
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![Just(Operation::Read), Just(Operation::Create)]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(400),
        Just(429),
        Just(500),
        Just(503),
        0u16..1000
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("Content-Type".to_owned()),
        Just("X-Request-Id".to_owned()),
        Just("Retry-After".to_owned()),
        Just("retry-after-ms".to_owned()),
        ".{0,12}",
    ];
    prop::collection::vec((name, ".{0,40}"), 0..4)
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![".{0,20}", "[A-Z_]{1,24}", "[0-9]{1,6}"].prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// What must hold of any decoded error, besides not panicking.
fn check_bounded(err: &Error, status: u16) {
    let limit = MAX_SNIPPET_BYTES + 8;
    match err {
        Error::Api(api) => {
            assert_eq!(api.status(), status);
            assert!(api.message().is_none_or(|m| m.len() <= limit));
            assert!(api.snippet().is_none_or(|s| s.len() <= limit));
            assert!(api.details().len() <= 20);
        }
        Error::Decode(decode) => assert!(decode.snippet().len() <= limit),
        _ => panic!("decoders return only Api or Decode errors, got {err:?}"),
    }
    // Everything a caller can ask works, and the rendering is bounded.
    assert!(common::render(err).len() < 16 * 1024);
}

fn run(ctx: &DecodeContext, status: u16, headers: &[(String, String)], body: &[u8]) {
    let checked = check_response(ctx, status, headers, body);
    if !(200..300).contains(&status) {
        assert!(checked.is_err(), "a non-2xx status is always an error");
    }
    if let Err(err) = &checked {
        check_bounded(err, status);
    }
    check_bounded(&decode_error(ctx, status, headers, body), status);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(d in dialect(), op in operation(), status in status(), headers in headers(),
                       body in prop::collection::vec(any::<u8>(), 0..512)) {
        let ctx = DecodeContext::new(d, op, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        run(&ctx, status, &headers, &body);
    }

    #[test]
    fn arbitrary_json(d in dialect(), op in operation(), status in status(), headers in headers(), value in json()) {
        let ctx = DecodeContext::new(d, op, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let body = serde_json::to_vec(&value).expect("serializable");
        run(&ctx, status, &headers, &body);
        // The same JSON cut anywhere: a truncated body.
        let cut = body.len() / 2;
        run(&ctx, status, &headers, &body[..cut]);
    }

    #[test]
    fn arbitrary_task_messages(d in dialect(), message in ".{0,64}") {
        let err: Error = TaskFailedError::new(d, "task", Some(&message)).into();
        let _ = common::render(&err);
    }

    #[test]
    fn arbitrary_retry_after(value in ".{0,40}") {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let _ = parse_retry_after(&value, now);
        let _ = parse_http_date(&value);
    }
}

/// `common::render` with the snippet replaced by its length: these bodies are long and
/// repetitive, the length is what matters.
fn render_short(err: &Error) -> String {
    common::render(err)
        .lines()
        .map(|line| match line.strip_prefix("snippet: ") {
            Some(snippet) => format!("snippet: {} bytes", snippet.len()),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let ctx = DecodeContext::new(Dialect::Kling, Operation::Read, UNIX_EPOCH);
    for depth in [200usize, 100_000] {
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = check_response(
            &ctx,
            200,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .unwrap_err();
        insta::assert_snapshot!(format!("deep_{depth}_200"), render_short(&err));
        let err = decode_error(
            &ctx,
            500,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        insta::assert_snapshot!(format!("deep_{depth}_500"), render_short(&err));
    }
}

#[test]
fn huge_error_bodies_keep_only_a_snippet() {
    let ctx = DecodeContext::new(Dialect::Kling, Operation::Create, UNIX_EPOCH);
    // Over the inspection limit: not parsed, even though it is a valid envelope.
    let mut body = br#"{"code":1201,"message":""#.to_vec();
    body.extend(std::iter::repeat_n(b'x', 2 << 20));
    body.extend(br#""}"#);
    let err = decode_error(&ctx, 500, &[("Content-Type", "application/json")], &body);
    insta::assert_snapshot!("huge_500", render_short(&err));
    // A long but inspectable message is cut to the snippet limit.
    let mut body = br#"{"code":1201,"message":""#.to_vec();
    body.extend(std::iter::repeat_n("é".as_bytes(), 10_000).flatten());
    body.extend(br#"","request_id":"r"}"#);
    let err = decode_error(&ctx, 400, &[("Content-Type", "application/json")], &body);
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(
        api.message()
            .is_some_and(|m| m.len() <= MAX_SNIPPET_BYTES + 3 && m.ends_with('…'))
    );
    assert_eq!(err.request_id(), Some("r"));
}
