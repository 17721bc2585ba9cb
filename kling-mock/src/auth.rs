//! Who may call: Kling's `Authorization` checks (1001-1004; JWTs of the configured access key
//! pairs, or static API keys), the new standard's API-key-only rule, RunBlob's bearer keys.

use std::time::SystemTime;

use axum::http::{HeaderMap, header};
use axum::response::Response;
use kling_auth::{TokenRejection, verify};

use crate::reply::{self, RequestId};
use crate::state::Inner;

/// Which credentials a route takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepts {
    /// A JWT or an API key (the legacy API).
    Any,
    /// An API key only (the new standard).
    ApiKeyOnly,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Checks the `Authorization` header as Kling does: the error answer when it fails.
pub(crate) fn kling(
    inner: &Inner,
    headers: &HeaderMap,
    accepts: Accepts,
    request_id: &RequestId,
) -> Result<(), Response> {
    let fail = |code: i64, message: &str| Err(reply::error(401, code, message, request_id));
    let present = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().is_empty());
    if !present {
        return fail(1001, "Authorization is empty");
    }
    let Some(token) = bearer(headers) else {
        return fail(1002, "Authorization is invalid");
    };
    if inner.config.api_keys.iter().any(|k| k == token) {
        return Ok(());
    }
    if accepts == Accepts::ApiKeyOnly {
        // The new standard takes an API key only (kling-api.md 1b): even a valid JWT is refused.
        return fail(
            1002,
            "Authorization is invalid: this API accepts only an API key",
        );
    }
    match verify(token, &inner.pairs, SystemTime::now()) {
        Ok(_) => Ok(()),
        Err(TokenRejection::NotYetValid) => fail(1003, "Authorization is not yet valid"),
        Err(TokenRejection::Expired) => fail(1004, "Authorization has expired"),
        Err(_) => fail(1002, "Authorization is invalid"),
    }
}

/// Checks a RunBlob bearer key: 401 `Missing credentials` otherwise.
pub(crate) fn runblob(inner: &Inner, headers: &HeaderMap) -> Result<(), Response> {
    match bearer(headers) {
        Some(key) if inner.config.api_keys.iter().any(|k| k == key) => Ok(()),
        Some(_) => Err(reply::detail(401, "Invalid API key")),
        None => Err(reply::detail(401, "Missing credentials")),
    }
}
