//! The fuzz targets' bodies: every parser fed by a network peer, each run on arbitrary bytes
//! with the invariants it must keep checked (a violation panics, which is what the fuzzer
//! finds). `fuzz/fuzz_targets/*.rs` call these under libFuzzer (`cargo xtask fuzz`, nightly);
//! `tests/fuzz_corpus.rs` replays the committed corpora through them on stable.

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kling_auth::{AccessKeyPair, Authenticator, Credentials, WebhookVerifier};
use kling_core::download::{Download, End, Head};
use kling_core::time::FastRng;
use kling_core::{Config, DownloadConfig, Engine, HttpResponse, Prepared, TaskView};
use kling_errors::{
    DecodeContext, Dialect, Operation, TransportError, TransportFailure, TransportPhase,
    check_response, decode_error,
};
use kling_types::Task;
use kling_types::callback::CallbackPayload;
use kling_types::runblob::{GetGeneration, Product};
use kling_types::standard::{GetTasks, ListTasks};
use kling_types::videos::{GetText2VideoTask, ListText2VideoTasks};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// Every target, by name: what `cargo xtask fuzz` runs and the corpus replay covers.
pub const TARGETS: &[(&str, Target)] = &[
    ("error_decoders", error_decoders),
    ("legacy_task", legacy_task),
    ("standard_task", standard_task),
    ("runblob_generation", runblob_generation),
    ("lists", lists),
    ("callback", callback),
    ("webhook", webhook),
    ("runblob_signature", runblob_signature),
    ("jwt", jwt),
    ("retry_after", retry_after),
    ("content_range", content_range),
    ("download_head", download_head),
];

/// The fixed time every target reads.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_781_080_800)
}

/// Splits `data` at the first `\n`: a head (headers, one `Name: value` per `\r`) and a body.
fn split(data: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let headers = String::from_utf8_lossy(head)
        .split('\r')
        .filter_map(|h| h.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    (headers, body)
}

/// An HTTP status from the first byte.
fn status(data: &[u8]) -> u16 {
    const STATUSES: [u16; 16] = [
        200, 201, 206, 302, 400, 401, 402, 403, 404, 408, 429, 500, 502, 503, 504, 599,
    ];
    data.first().map_or(200, |b| STATUSES[usize::from(*b) % 16])
}

/// The engine the typed targets parse with.
static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(
        Config::with_base_url("https://api.fuzz"),
        Authenticator::new(Credentials::both("AKfuzz0123456789", "SKfuzz", "sk-fuzz").unwrap()),
        Arc::new(FastRng::seeded(1)),
    )
});

fn prepared<E: kling_types::Endpoint>(endpoint: &E) -> Prepared {
    ENGINE.prepare(endpoint).expect("a valid fuzz endpoint")
}

/// The response `data` stands for: a status from its first byte, headers, a body.
fn response(data: &[u8]) -> HttpResponse {
    let (headers, body) = split(data.get(1..).unwrap_or_default());
    HttpResponse::new(status(data), headers, body.to_vec())
}

/// The error decoders of every dialect: never a panic, a bounded message, a bounded snippet.
pub fn error_decoders(data: &[u8]) {
    let response = response(data);
    for dialect in [Dialect::Kling, Dialect::RunBlob, Dialect::Pikzels] {
        for operation in [Operation::Read, Operation::Create] {
            let ctx = DecodeContext::new(dialect, operation, now());
            let e = decode_error(&ctx, response.status, &response.headers, &response.body);
            assert!(e.to_string().len() <= 4096, "a bounded message");
            let _ = (e.kind(), e.retry_class(), e.retry_after(), e.request_id());
            let _ = check_response(&ctx, response.status, &response.headers, &response.body);
        }
    }
}

/// A typed answer to `query`, and what the job model reads of it.
fn typed<Q>(query: &Q, data: &[u8])
where
    Q: kling_core::Pollable,
{
    let response = response(data);
    if let Ok(reply) = ENGINE.parse::<Q::Response>(&prepared(query), &response, now())
        && let Some(task) = query.task(reply.value)
    {
        let _ = (task.state(), task.has_results(), task.external_task_id());
        check_names(&task.result_files());
    }
}

/// The result files' names are single plain path components.
fn check_names(files: &[kling_core::job::ResultFile]) {
    for f in files {
        let path = Path::new(&f.file_name);
        let mut components = path.components();
        assert!(
            matches!(components.next(), Some(std::path::Component::Normal(_)))
                && components.next().is_none(),
            "{:?} is not one plain component",
            f.file_name
        );
        assert!(
            !f.file_name.starts_with('.') && f.file_name.len() <= 100,
            "{:?}",
            f.file_name
        );
        assert!(
            f.file_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')),
            "{:?}",
            f.file_name
        );
    }
}

/// A legacy task answer (envelope, typed decode, result files).
pub fn legacy_task(data: &[u8]) {
    typed(&GetText2VideoTask::by_task_id("1"), data);
    typed(&GetText2VideoTask::by_external_task_id("job-1"), data);
}

/// A new-standard `GET /tasks` answer.
pub fn standard_task(data: &[u8]) {
    typed(&GetTasks::by_ids(["1".to_owned()]), data);
    typed(&GetTasks::by_external_ids(["job-1".to_owned()]), data);
}

/// A RunBlob generation (bare JSON, RunBlob's dialect).
pub fn runblob_generation(data: &[u8]) {
    typed(&GetGeneration::new(Product::O3Video, "g-1"), data);
}

/// Task lists of both standards.
pub fn lists(data: &[u8]) {
    let response = response(data);
    let _ = ENGINE.parse::<Vec<Task>>(&prepared(&ListText2VideoTasks::new()), &response, now());
    let _ = ENGINE.parse::<kling_types::standard::TaskPage>(
        &prepared(&ListTasks::new()),
        &response,
        now(),
    );
}

/// A callback body of any of the three shapes.
pub fn callback(data: &[u8]) {
    if let Ok(payload) = CallbackPayload::parse(data) {
        let _ = (payload.task_id(), payload.status(), payload.is_terminal());
        let query = GetText2VideoTask::by_task_id(payload.task_id());
        let path = kling_types::Endpoint::path(&query);
        assert!(
            !path.contains("/../") && !path.ends_with("/.."),
            "a callback id climbed the path: {path}"
        );
    }
}

static VERIFIER: LazyLock<WebhookVerifier> = LazyLock::new(|| {
    WebhookVerifier::new("whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=").unwrap()
});

/// Standard Webhooks: headers and body from the sender; a forged signature never passes.
pub fn webhook(data: &[u8]) {
    let (headers, body) = split(data);
    let _ = VERIFIER.verify(&headers, body, now());
    // The body signed for real verifies; one flipped byte does not.
    let signature = VERIFIER.sign("msg-1", 1_781_080_800, body);
    let good = vec![
        ("webhook-id".to_owned(), "msg-1".to_owned()),
        ("webhook-timestamp".to_owned(), "1781080800".to_owned()),
        ("webhook-signature".to_owned(), signature),
    ];
    if body.len() <= kling_auth::MAX_WEBHOOK_BODY {
        assert!(VERIFIER.verify(&good, body, now()).is_ok());
        if let Some(first) = body.first() {
            let mut tampered = body.to_vec();
            tampered[0] = first ^ 1;
            assert!(VERIFIER.verify(&good, &tampered, now()).is_err());
        }
    }
}

/// RunBlob's hex signature.
pub fn runblob_signature(data: &[u8]) {
    let (headers, body) = split(data);
    let _ = kling_auth::verify_runblob_signature("fuzz-secret", &headers, body);
}

/// A JWT presented to a server.
pub fn jwt(data: &[u8]) {
    let pair = AccessKeyPair::new("AKfuzz0123456789", "SKfuzz").unwrap();
    let token = String::from_utf8_lossy(data);
    if let Ok(iss) = kling_auth::verify(&token, &[pair], now()) {
        assert_eq!(iss, "AKfuzz0123456789", "only the known issuer passes");
    }
}

/// `Retry-After` in every form, against the fixed clock.
pub fn retry_after(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(d) = kling_errors::parse_retry_after(&text, now()) {
        let _ = d.as_secs();
    }
    let _ = kling_errors::parse_retry_after_ms(&text);
    let _ = kling_errors::parse_http_date(&text);
    let headers = [
        ("Retry-After", text.as_ref()),
        ("retry-after-ms", text.as_ref()),
    ];
    let _ = kling_errors::retry_after_from_headers(&headers, now());
}

fn config() -> DownloadConfig {
    let mut config = DownloadConfig::default();
    config.max_bytes = 1 << 20;
    config
}

/// A `206`'s `Content-Range` (and the rest of the head) against a resuming download.
pub fn content_range(data: &[u8]) {
    let (mut headers, _) = split(data);
    let mut d = Download::new("https://cdn.fuzz/v.mp4", config()).unwrap();
    d.request();
    let _ = d.on_head(
        200,
        &[("Content-Length", "1000"), ("Accept-Ranges", "bytes")],
    );
    let _ = d.on_chunk(400);
    let cut = TransportError::new(
        TransportFailure::Reset,
        TransportPhase::AfterSend,
        Operation::Read,
        "cut",
    );
    let _ = d.on_end(Err(cut));
    d.request();
    headers.push((
        "Content-Range".to_owned(),
        String::from_utf8_lossy(data).into_owned(),
    ));
    if let Ok(Head::Append) = d.on_head(206, &headers) {
        assert_eq!(d.written(), 400, "appended only where the file stands");
    }
}

/// A whole download driven by the file host's answers: heads, chunks and ends in any order;
/// the cap holds and nothing is complete short of what was announced.
pub fn download_head(data: &[u8]) {
    let mut d = Download::new("https://cdn.fuzz/v.mp4", config()).unwrap();
    let mut rest = data;
    let mut steps = 0;
    while let Some((&op, tail)) = rest.split_first() {
        steps += 1;
        if steps > 64 {
            break;
        }
        rest = tail;
        match op % 3 {
            0 => {
                let _ = d.request();
                let (headers, _) = split(&rest[..rest.len().min(200)]);
                let _ = d.on_head(status(rest), &headers);
                rest = &rest[rest.len().min(200)..];
            }
            1 => {
                let len = usize::from(rest.first().copied().unwrap_or(0)) * 4096;
                if d.on_chunk(len).is_ok() {
                    assert!(d.written() <= config().max_bytes);
                }
            }
            _ => {
                let total = d.total();
                let written = d.written();
                if let Ok(End::Complete { bytes }) = d.on_end(Ok(())) {
                    assert_eq!(bytes, written);
                    assert!(
                        total.is_none_or(|t| t == bytes),
                        "complete short of the total"
                    );
                }
            }
        }
    }
}
