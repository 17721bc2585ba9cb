//! Shared by the integration tests: a readable, stable rendering of a decoded error.

#![allow(unreachable_pub)] // a module of each test crate, not an API

use std::fmt::Write as _;

use kling_errors::Error;

/// Renders everything a caller can ask an error, one line each, for snapshots.
pub fn render(err: &Error) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "display: {err}");
    let _ = writeln!(out, "kind: {}", err.kind());
    let _ = writeln!(out, "retry_class: {}", err.retry_class());
    let _ = writeln!(out, "is_retryable: {}", err.is_retryable());
    let _ = writeln!(
        out,
        "code: {}",
        err.code().map_or("-".to_owned(), |c| c.to_string())
    );
    if let Some(code) = err.code() {
        let _ = writeln!(out, "code_known: {}", code.is_known());
    }
    let _ = writeln!(out, "http_status: {:?}", err.http_status());
    let _ = writeln!(out, "request_id: {:?}", err.request_id());
    let _ = writeln!(out, "retry_after: {:?}", err.retry_after());
    match err {
        Error::Api(api) => {
            let _ = writeln!(out, "variant: Api");
            let _ = writeln!(out, "dialect: {}", api.dialect());
            let _ = writeln!(out, "body_shape: {}", api.body_shape());
            let _ = writeln!(out, "message: {:?}", api.message());
            for detail in api.details() {
                let _ = writeln!(out, "detail: {detail:?}");
            }
            let _ = writeln!(out, "content_type: {:?}", api.content_type());
            let _ = writeln!(out, "snippet: {:?}", api.snippet());
        }
        Error::Decode(decode) => {
            let _ = writeln!(out, "variant: Decode");
            let _ = writeln!(out, "failure: {:?}", decode.failure());
            let _ = writeln!(out, "content_type: {:?}", decode.content_type());
            let _ = writeln!(out, "snippet: {:?}", decode.snippet());
        }
        Error::TaskFailed(task) => {
            let _ = writeln!(out, "variant: TaskFailed");
            let _ = writeln!(out, "task_id: {}", task.task_id());
            let _ = writeln!(out, "reason: {}", task.reason());
            let _ = writeln!(out, "refund: {:?}", task.refund());
            let _ = writeln!(out, "message: {:?}", task.message());
        }
        other => {
            let _ = writeln!(out, "variant: {other:?}");
        }
    }
    out
}
