//! Decoders: from an HTTP status, headers and body bytes to the right [`Error`], for every
//! envelope the systems in the seeds send (`gateways.md` section 4), and for bodies that are
//! no envelope at all. Nothing here panics, whatever the input (a property test checks it).

use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::class::{Dialect, Operation};
use crate::codes::{ErrorCode, KlingCode, PikzelsCode, RunBlobCode};
use crate::error::{ApiError, BodyShape, DecodeError, DecodeFailure, Error};
use crate::headers::HeaderLookup;
use crate::retry_after::retry_after_from_headers;
use crate::text::{bounded, bounded_to, snippet};

/// Error bodies larger than this are not parsed, only a snippet is kept: real error bodies
/// are a few hundred bytes, so a bigger one is a proxy page or garbage.
pub const MAX_INSPECTED_BODY: usize = 1 << 20;

/// At most this many field details are kept from a validation list.
const MAX_DETAILS: usize = 20;
/// Each detail is cut to this many bytes.
const MAX_DETAIL_BYTES: usize = 512;

/// What the decoders need to know besides the response: which API was called, whether the
/// request was a read or the create, and the current wall-clock time (for an HTTP-date
/// `Retry-After`; injected so tests never read the real clock).
#[derive(Debug, Clone, Copy)]
pub struct DecodeContext {
    dialect: Dialect,
    operation: Operation,
    now: SystemTime,
}

impl DecodeContext {
    /// A context for a response of `dialect`'s API to a request of kind `operation`,
    /// received at `now`.
    pub fn new(dialect: Dialect, operation: Operation, now: SystemTime) -> Self {
        Self {
            dialect,
            operation,
            now,
        }
    }

    /// The API that was called; an error body without a recognizable envelope is attributed
    /// to it.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether the request was a read or the create.
    pub fn operation(&self) -> Operation {
        self.operation
    }
}

/// Checks a response before its body is decoded as the expected type.
///
/// * A non-2xx status is an error: the same as [`decode_error`].
/// * A 2xx with an error envelope (Kling `code != 0`, RunBlob `detail` or `success: false`,
///   Pikzels `error`) is the error it describes: resellers and proxies send errors with 200.
/// * A 2xx whose body is empty, HTML, not UTF-8, not JSON, truncated or nested too deeply is a
///   [`DecodeError`] with a snippet.
/// * Anything else is `Ok`, including RunBlob's `{"status": "failed", ...}`: on a 2xx that is
///   the state of a task, not a failed request.
///
/// The size of a 2xx body is not limited here: cap it while reading, before calling this.
///
/// # Errors
///
/// The error the response describes, as above.
pub fn check_response<H: HeaderLookup + ?Sized>(
    ctx: &DecodeContext,
    status: u16,
    headers: &H,
    body: &[u8],
) -> Result<(), Error> {
    let fine = (200..300).contains(&status)
        && parse_body(headers, body, usize::MAX)
            .is_ok_and(|value| !recognize(&value).is_some_and(|f| f.is_error_on_success()));
    if fine {
        Ok(())
    } else {
        // The rare error path parses again: one place builds every error.
        Err(decode_error(ctx, status, headers, body))
    }
}

/// The error a response stands for, read from its status, headers and body.
///
/// Meant for a response that [`check_response`] rejected, or that the caller already knows is
/// an error. For a non-2xx status the result is always an [`ApiError`]: classified by the code
/// of a recognized envelope, else by the status, with a snippet of any body that was not an
/// envelope. For a 2xx it is the error envelope inside, or a [`DecodeError`] when the body
/// cannot be understood, or, for a body that reports no error, a [`DecodeError`] of kind
/// [`DecodeFailure::Schema`].
pub fn decode_error<H: HeaderLookup + ?Sized>(
    ctx: &DecodeContext,
    status: u16,
    headers: &H,
    body: &[u8],
) -> Error {
    let success = (200..300).contains(&status);
    let limit = if success {
        usize::MAX
    } else {
        MAX_INSPECTED_BODY
    };
    match parse_body(headers, body, limit) {
        Ok(value) if success => match recognize(&value) {
            Some(found) if found.is_error_on_success() => {
                api_error(ctx, status, headers, found).into()
            }
            _ => decode_failure(ctx, status, headers, body, BodyShape::OtherJson).into(),
        },
        Ok(value) => match recognize(&value) {
            Some(found) => api_error(ctx, status, headers, found).into(),
            None => {
                let mut e = api_error(ctx, status, headers, Found::other(&value));
                e.snippet = Some(snippet(body)).filter(|s| !s.is_empty());
                e.into()
            }
        },
        Err(shape) if success => decode_failure(ctx, status, headers, body, shape).into(),
        Err(shape) => {
            let mut e = api_error(ctx, status, headers, Found::none(shape));
            e.snippet = Some(snippet(body)).filter(|s| !s.is_empty());
            e.into()
        }
    }
}

/// The code that a task's or webhook's failure text names, in `dialect`: the text itself when
/// it is a code (`CONTENT_POLICY_VIOLATION`, `1301`), or the code whose documented sentence it
/// starts with.
pub(crate) fn code_in_text(dialect: Dialect, text: &str) -> Option<ErrorCode> {
    let text = text.trim();
    match dialect {
        Dialect::Kling => text
            .parse::<i64>()
            .ok()
            .map(|n| KlingCode::from_code(n).into()),
        Dialect::RunBlob if looks_like_code(text) => Some(RunBlobCode::from_code(text).into()),
        Dialect::RunBlob => RunBlobCode::from_text(text).map(Into::into),
        Dialect::Pikzels if looks_like_code(text) => Some(PikzelsCode::from_code(text).into()),
        Dialect::Pikzels => PikzelsCode::from_text(text).map(Into::into),
    }
}

/// `SCREAMING_SNAKE_CASE` with at least one letter: how the gateways write codes.
fn looks_like_code(text: &str) -> bool {
    (2..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && text.bytes().any(|b| b.is_ascii_uppercase())
}

/// Parses a body as JSON, or says what it was instead.
fn parse_body<H: HeaderLookup + ?Sized>(
    headers: &H,
    body: &[u8],
    limit: usize,
) -> Result<Value, BodyShape> {
    if body.len() > limit {
        return Err(BodyShape::TooLarge);
    }
    if body.trim_ascii().is_empty() {
        return Err(BodyShape::Empty);
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(BodyShape::NotUtf8);
    };
    let is_html = headers
        .header("content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
        || text.trim_start().starts_with('<');
    if is_html {
        return Err(BodyShape::Html);
    }
    // serde_json's recursion limit (128) turns deep nesting into an error, not a stack overflow.
    serde_json::from_str::<Value>(text).map_err(|e| {
        if e.is_eof() {
            BodyShape::Truncated
        } else if e.to_string().starts_with("recursion limit exceeded") {
            BodyShape::TooDeep
        } else {
            BodyShape::Text
        }
    })
}

/// What an error envelope said.
#[derive(Debug)]
struct Found {
    shape: BodyShape,
    dialect: Option<Dialect>,
    code: Option<ErrorCode>,
    message: Option<String>,
    details: Vec<String>,
    request_id: Option<String>,
    /// Kling's success code `0`, or RunBlob's failed task state.
    reports_success: bool,
}

impl Found {
    fn none(shape: BodyShape) -> Self {
        Self {
            shape,
            dialect: None,
            code: None,
            message: None,
            details: Vec::new(),
            request_id: None,
            reports_success: false,
        }
    }

    /// Any JSON: still keep a top-level `message` and `request_id`.
    fn other(value: &Value) -> Self {
        let mut found = Self::none(BodyShape::OtherJson);
        if let Some(obj) = value.as_object() {
            found.message = text_field(obj, "message").or_else(|| text_field(obj, "error"));
            found.request_id = id_field(obj, "request_id");
        }
        found
    }

    /// Whether a 2xx with this body is a failed request. RunBlob's `status: failed` on a 2xx
    /// is a task state, and Kling's `code: 0` is success.
    fn is_error_on_success(&self) -> bool {
        !self.reports_success
            && self.shape != BodyShape::RunBlobStatusFailed
            && self.shape.is_envelope()
    }
}

fn text_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(bounded(s.trim())),
        _ => None,
    }
}

/// A request id: a string, or a number some gateways send instead.
fn id_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(bounded_to(s.trim(), 256)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Kling code: an integer, an integral float, or an integer in a string.
fn kling_code(value: &Value) -> Option<KlingCode> {
    let n = match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        })?,
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    Some(KlingCode::from_code(n))
}

/// One field detail as text: a string, a FastAPI item (`loc: msg`), or compact JSON.
fn detail_text(item: &Value) -> String {
    let text = match item {
        Value::String(s) => s.clone(),
        Value::Object(obj) if obj.contains_key("msg") => {
            let loc = obj.get("loc").and_then(Value::as_array).map(|parts| {
                parts
                    .iter()
                    .map(|p| match p {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(".")
            });
            let msg = match &obj["msg"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match loc {
                Some(loc) if !loc.is_empty() => format!("{loc}: {msg}"),
                _ => msg,
            }
        }
        other => other.to_string(),
    };
    bounded_to(&text, MAX_DETAIL_BYTES)
}

fn details(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().take(MAX_DETAILS).map(detail_text).collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => {
            vec![bounded_to(s.trim(), MAX_DETAIL_BYTES)]
        }
        Some(Value::Object(_)) => value.map(detail_text).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Recognizes the error envelopes of every dialect (`gateways.md` section 4). The order
/// matters only for bodies that mix shapes.
fn recognize(value: &Value) -> Option<Found> {
    let obj = value.as_object()?;
    let request_id = id_field(obj, "request_id");

    let runblob = |shape, text: Option<String>, details| Found {
        shape,
        dialect: Some(Dialect::RunBlob),
        code: text
            .as_deref()
            .and_then(|t| code_in_text(Dialect::RunBlob, t)),
        message: text,
        details,
        request_id: request_id.clone(),
        reports_success: false,
    };

    // RunBlob: {"status": "failed", "message" | "error_message" | "error": {"message"} | "error": "..."}.
    // First, because such a body may also hold an `error` object.
    if obj
        .get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("failed"))
    {
        let text = text_field(obj, "message")
            .or_else(|| text_field(obj, "error_message"))
            .or_else(|| {
                obj.get("error")
                    .and_then(Value::as_object)
                    .and_then(|e| text_field(e, "message"))
            })
            .or_else(|| text_field(obj, "error"));
        return Some(runblob(BodyShape::RunBlobStatusFailed, text, Vec::new()));
    }
    // Pikzels (v1 and v2): {"error": {"code", "message", "details"}, "request_id"}.
    if let Some(Value::Object(error)) = obj.get("error") {
        let code = text_field(error, "code");
        let message = text_field(error, "message");
        if code.is_some() || message.is_some() {
            return Some(Found {
                shape: BodyShape::PikzelsError,
                dialect: Some(Dialect::Pikzels),
                code: code.map(|c| PikzelsCode::from_code(&c).into()),
                message,
                details: details(error.get("details")),
                request_id: request_id.clone(),
                reports_success: false,
            });
        }
    }

    // Kling: {"code": int, "message", "request_id"} (also inside a 200).
    if let Some(code) = obj.get("code").and_then(kling_code) {
        return Some(Found {
            shape: BodyShape::KlingEnvelope,
            dialect: Some(Dialect::Kling),
            reports_success: code == KlingCode::Success,
            code: Some(code.into()),
            message: text_field(obj, "message"),
            details: Vec::new(),
            request_id: request_id.clone(),
        });
    }

    // RunBlob: {"detail": "CODE" | "free text" | [{loc, msg, type, input}]}.
    match obj.get("detail") {
        Some(Value::String(_)) => {
            return Some(runblob(
                BodyShape::RunBlobDetail,
                text_field(obj, "detail"),
                Vec::new(),
            ));
        }
        Some(Value::Array(items)) => {
            let details = details(obj.get("detail"));
            let mut found = runblob(
                BodyShape::RunBlobValidationList,
                details.first().cloned(),
                details,
            );
            found.code = Some(RunBlobCode::InvalidParameters.into());
            if items.is_empty() {
                found.message = None;
            }
            return Some(found);
        }
        _ => {}
    }

    // RunBlob: {"success": false, "message": "CODE"}.
    if obj.get("success") == Some(&Value::Bool(false)) {
        return Some(runblob(
            BodyShape::RunBlobSuccessFalse,
            text_field(obj, "message"),
            Vec::new(),
        ));
    }

    None
}

fn request_id_header<H: HeaderLookup + ?Sized>(headers: &H) -> Option<String> {
    headers
        .header("x-request-id")
        .filter(|v| !v.is_empty())
        .map(|v| bounded_to(v, 256))
}

fn content_type<H: HeaderLookup + ?Sized>(headers: &H) -> Option<String> {
    headers
        .header("content-type")
        .filter(|v| !v.is_empty())
        .map(|v| bounded_to(v, 256))
}

fn api_error<H: HeaderLookup + ?Sized>(
    ctx: &DecodeContext,
    status: u16,
    headers: &H,
    found: Found,
) -> ApiError {
    let mut e = ApiError::new(found.dialect.unwrap_or(ctx.dialect), ctx.operation, status);
    e.code = found.code;
    e.message = found.message;
    e.details = found.details;
    e.request_id = found.request_id.or_else(|| request_id_header(headers));
    e.retry_after = retry_after_from_headers(headers, ctx.now);
    e.shape = found.shape;
    e.content_type = content_type(headers);
    e
}

fn decode_failure<H: HeaderLookup + ?Sized>(
    ctx: &DecodeContext,
    status: u16,
    headers: &H,
    body: &[u8],
    shape: BodyShape,
) -> DecodeError {
    let failure = match shape {
        BodyShape::Empty => DecodeFailure::Empty,
        BodyShape::Html => DecodeFailure::Html,
        BodyShape::NotUtf8 => DecodeFailure::NotUtf8,
        BodyShape::Truncated => DecodeFailure::Truncated,
        BodyShape::TooDeep => DecodeFailure::TooDeep,
        BodyShape::TooLarge => DecodeFailure::TooLarge,
        BodyShape::Text => DecodeFailure::NotJson,
        _ => DecodeFailure::Schema,
    };
    let mut e = DecodeError::new(failure, ctx.operation, status, body);
    e.content_type = content_type(headers);
    e.request_id = request_id_header(headers);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, RetryClass};
    use std::time::{Duration, UNIX_EPOCH};

    const NO_HEADERS: [(&str, &str); 0] = [];

    fn ctx(dialect: Dialect, operation: Operation) -> DecodeContext {
        DecodeContext::new(
            dialect,
            operation,
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )
    }

    #[test]
    fn kling_error_inside_200_is_an_error() {
        let body = br#"{"code":1201,"message":"model_name is invalid","request_id":"r-1"}"#;
        let err = check_response(
            &ctx(Dialect::Kling, Operation::Create),
            200,
            &NO_HEADERS,
            body,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        assert_eq!(err.request_id(), Some("r-1"));
        assert_eq!(err.http_status(), Some(200));
    }

    #[test]
    fn success_bodies_pass() {
        let c = ctx(Dialect::Kling, Operation::Read);
        let ok = br#"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"1"}}"#;
        assert!(check_response(&c, 200, &NO_HEADERS, ok).is_ok());
        let ok = br#"{"code":"0","data":null}"#;
        assert!(check_response(&c, 200, &NO_HEADERS, ok).is_ok());
        let task = br#"{"generation_id":"g","status":"failed","message":"TIMEOUT"}"#;
        assert!(
            check_response(
                &ctx(Dialect::RunBlob, Operation::Read),
                200,
                &NO_HEADERS,
                task
            )
            .is_ok()
        );
    }

    #[test]
    fn header_request_id_and_retry_after() {
        let headers = [("X-Request-Id", "hdr-1"), ("Retry-After", "7")];
        let e = decode_error(&ctx(Dialect::RunBlob, Operation::Read), 429, &headers, b"");
        assert_eq!(e.request_id(), Some("hdr-1"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(e.retry_class(), RetryClass::Throttle);
    }

    #[test]
    fn codes_in_text() {
        assert_eq!(
            code_in_text(Dialect::RunBlob, "Maximum 5 images allowed, got 6"),
            Some(RunBlobCode::TooManyImages.into())
        );
        assert_eq!(
            code_in_text(Dialect::RunBlob, "NEW_CODE"),
            Some(RunBlobCode::Unknown("NEW_CODE".into()).into())
        );
        assert_eq!(code_in_text(Dialect::RunBlob, "something else"), None);
        assert_eq!(
            code_in_text(Dialect::Kling, "1301"),
            Some(KlingCode::ContentSecurityPolicy.into())
        );
    }
}
