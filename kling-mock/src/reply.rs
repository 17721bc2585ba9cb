//! The answers the mock gives, in each API's dialect: Kling's envelope
//! `{code, message, request_id, data}`, RunBlob's bare JSON and `{"detail": ...}` errors.
//! Each answer carries its service code for the statistics.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kling_errors::{ErrorCode, ValidationError};
use serde_json::{Value, json};

/// The service code of an answer (Kling's number as text, or RunBlob's `detail`), read by the
/// statistics.
#[derive(Debug, Clone)]
pub(crate) struct Answered(pub(crate) String);

/// The id of the request being answered (`mock-N`).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

/// What a handler returns: an answer, or an error answer (`?` on the checks).
pub(crate) type Reply = Result<Response, Response>;

/// JSON with a status.
pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn tagged(mut response: Response, code: impl Into<String>) -> Response {
    response.extensions_mut().insert(Answered(code.into()));
    response
}

/// Kling's success envelope.
pub(crate) fn ok(data: Value, request_id: &RequestId) -> Response {
    tagged(
        json_response(
            StatusCode::OK,
            &json!({"code": 0, "message": "SUCCEED", "request_id": request_id.0, "data": data}),
        ),
        "0",
    )
}

/// Kling's error envelope.
pub(crate) fn error(status: u16, code: i64, message: &str, request_id: &RequestId) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    tagged(
        json_response(
            status,
            &json!({"code": code, "message": message, "request_id": request_id.0}),
        ),
        code.to_string(),
    )
}

/// 400 with 1201 (invalid parameter), the message naming the field.
pub(crate) fn invalid(field: &str, message: &str, request_id: &RequestId) -> Response {
    error(400, 1201, &format!("{field}: {message}"), request_id)
}

/// What Kling answers to a create that fails the family's checks: the code the check names
/// (1201 almost always) with its HTTP status, and a message naming the field.
pub(crate) fn rejected(e: &ValidationError, request_id: &RequestId) -> Response {
    let (status, code) = match e.code() {
        ErrorCode::Kling(k) => (k.http_status().unwrap_or(400), k.code()),
        _ => (400, 1201),
    };
    let message = if e.field() == "body" {
        e.message().to_owned()
    } else {
        format!("{}: {}", e.field(), e.message())
    };
    error(status, code, &message, request_id)
}

/// RunBlob's error: `{"detail": "..."}`.
pub(crate) fn detail(status: u16, detail: &str) -> Response {
    tagged(
        json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &json!({ "detail": detail }),
        ),
        detail.chars().take(64).collect::<String>(),
    )
}

/// RunBlob's answer to a request that fails its checks: 400 with the text for the labelled
/// errors (images, duration, model), 422 `Validation error: ...` for the rest.
pub(crate) fn runblob_rejected(e: &ValidationError) -> Response {
    match e.code() {
        ErrorCode::RunBlob(c) if c.http_status() == Some(400) => detail(400, e.message()),
        _ => detail(
            422,
            &format!("Validation error: {} {}", e.field(), e.message()),
        ),
    }
}

/// RunBlob's bare success JSON.
pub(crate) fn bare(status: StatusCode, value: &Value) -> Response {
    tagged(json_response(status, value), status.as_str().to_owned())
}
