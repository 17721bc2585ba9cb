//! The server answered with an error: [`ApiError`] and the [`BodyShape`] of the body.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::class::{Dialect, ErrorKind, Operation, RetryClass, Surface};
use crate::codes::{ErrorCode, KlingCode};
use crate::text::bounded;

/// The class of an HTTP failure that carried no known code (`reliability.md` 1.3.1, second
/// table).
fn class_from_status(status: u16, operation: Operation) -> RetryClass {
    let read_or_create = |read, create| match operation {
        Operation::Read => read,
        Operation::Create => create,
    };
    match status {
        429 => RetryClass::Throttle,
        408 | 500..=599 => read_or_create(RetryClass::Transient, RetryClass::Ambiguous),
        _ => RetryClass::Fatal,
    }
}

/// What an error body looked like: which envelope was recognized, or why none was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyShape {
    /// Kling's `{code, message, request_id}`.
    KlingEnvelope,
    /// RunBlob's `{"detail": "CODE"}` or `{"detail": "free text"}`.
    RunBlobDetail,
    /// RunBlob's (FastAPI's) `{"detail": [{loc, msg, type, input}]}`.
    RunBlobValidationList,
    /// RunBlob's `{"success": false, "message": ...}`.
    RunBlobSuccessFalse,
    /// RunBlob's `{"status": "failed", "message" | "error_message" | "error": {"message"}}`.
    RunBlobStatusFailed,
    /// Pikzels' `{"error": {"code", "message", "details"}, "request_id"}` (v1 and v2).
    PikzelsError,
    /// A JSON value in none of the known shapes (a bare `message` is still read).
    OtherJson,
    /// An HTML page (a load balancer, proxy or captive portal).
    Html,
    /// Text that is not JSON.
    Text,
    /// JSON that ends too early.
    Truncated,
    /// JSON nested deeper than the parser allows.
    TooDeep,
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// No body, or only whitespace.
    Empty,
    /// A body too large to inspect; only a snippet was kept.
    TooLarge,
}

impl BodyShape {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KlingEnvelope => "kling_envelope",
            Self::RunBlobDetail => "runblob_detail",
            Self::RunBlobValidationList => "runblob_validation_list",
            Self::RunBlobSuccessFalse => "runblob_success_false",
            Self::RunBlobStatusFailed => "runblob_status_failed",
            Self::PikzelsError => "pikzels_error",
            Self::OtherJson => "other_json",
            Self::Html => "html",
            Self::Text => "text",
            Self::Truncated => "truncated",
            Self::TooDeep => "too_deep",
            Self::NotUtf8 => "not_utf8",
            Self::Empty => "empty",
            Self::TooLarge => "too_large",
        }
    }

    /// Whether the body was a recognized error envelope of some dialect.
    pub fn is_envelope(self) -> bool {
        matches!(
            self,
            Self::KlingEnvelope
                | Self::RunBlobDetail
                | Self::RunBlobValidationList
                | Self::RunBlobSuccessFalse
                | Self::RunBlobStatusFailed
                | Self::PikzelsError
        )
    }
}

impl fmt::Display for BodyShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The server answered with an error.
///
/// Built by [`decode_error`](crate::decode_error) from a response; carries the code (when the
/// body had one), the server's message, the request id, `Retry-After`, and a snippet of bodies
/// that were not an error envelope.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub(crate) dialect: Dialect,
    pub(crate) operation: Operation,
    pub(crate) status: u16,
    pub(crate) code: Option<ErrorCode>,
    pub(crate) message: Option<String>,
    pub(crate) details: Vec<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) shape: BodyShape,
    pub(crate) content_type: Option<String>,
    pub(crate) snippet: Option<String>,
    pub(crate) external_task_id: Option<String>,
}

impl ApiError {
    /// An error for `status` with no body information; add the rest with the `with_*` methods.
    /// For decoding a real response use [`decode_error`](crate::decode_error).
    pub fn new(dialect: Dialect, operation: Operation, status: u16) -> Self {
        Self {
            dialect,
            operation,
            status,
            code: None,
            message: None,
            details: Vec::new(),
            request_id: None,
            retry_after: None,
            shape: BodyShape::Empty,
            content_type: None,
            snippet: None,
            external_task_id: None,
        }
    }

    /// Sets the service code (`KlingCode::ConcurrencyLimit`, a `RunBlobCode`, ...). A known
    /// code decides [`kind`](Self::kind) and [`retry_class`](Self::retry_class) before the
    /// status does.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<ErrorCode>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the server's message (cut to the snippet limit).
    #[must_use]
    pub fn with_message(mut self, message: &str) -> Self {
        self.message = Some(bounded(message));
        self
    }

    /// Sets the request id to quote to support (the body's `request_id` or the
    /// `X-Request-Id` header).
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Sets the wait before a retry that the server asked for (normally parsed from
    /// `retry-after-ms` or `Retry-After`).
    #[must_use]
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// Whose error dialect the body spoke (or, with no envelope, which API was called).
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether the failed request was a read or the create.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The HTTP status (200 when the error came in a 200 envelope).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The service code, when the body had one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.code.as_ref()
    }

    /// The server's message (at most 2 KiB).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Field-level details (RunBlob's validation list, Pikzels' `details`), each cut short.
    pub fn details(&self) -> &[String] {
        &self.details
    }

    /// The request id to quote to support: the body's `request_id`, else the `X-Request-Id`
    /// header; `None` when the response carried neither.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The wait the server asked for: `retry-after-ms`, else `Retry-After` (seconds or an
    /// HTTP date); `None` when absent, already past or unparsable.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Which dialect's envelope the body was recognized as, or why none was (HTML, empty,
    /// truncated, ...). [`BodyShape::Empty`] for an error built with [`new`](Self::new).
    pub fn body_shape(&self) -> BodyShape {
        self.shape
    }

    /// The response's `Content-Type` as sent (`text/html; charset=utf-8`), cut to 256 bytes;
    /// `None` when the header was absent or empty.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The first 2 KiB of a body that was not an error envelope (HTML, text, truncated JSON).
    pub fn snippet(&self) -> Option<&str> {
        self.snippet.as_deref()
    }

    /// The `external_task_id` of the create this error came from, if recorded.
    pub fn external_task_id(&self) -> Option<&str> {
        self.external_task_id.as_deref()
    }

    /// The status classification uses: the real one, except that an error envelope with a
    /// code this version does not know inside a 2xx is treated as the 4xx or 5xx it stands for
    /// (Kling's 5xxx codes are server errors).
    fn effective_status(&self) -> u16 {
        if !(200..300).contains(&self.status) {
            return self.status;
        }
        match &self.code {
            Some(ErrorCode::Kling(KlingCode::Unknown(n))) if (5000..6000).contains(n) => 500,
            _ => 400,
        }
    }

    /// The known code's row, unless it is Kling's success code (an envelope that said
    /// `code: 0` with an error status tells nothing).
    fn known_code(&self) -> Option<&'static crate::CodeInfo> {
        self.code
            .as_ref()
            .and_then(ErrorCode::info)
            .filter(|info| info.kind.is_some())
    }

    /// The normalized kind: the code's, else the HTTP status's.
    pub fn kind(&self) -> ErrorKind {
        self.known_code()
            .and_then(|info| info.kind)
            .unwrap_or_else(|| ErrorKind::from_http_status(self.effective_status()))
    }

    /// The retry class: the code's for this operation, else the HTTP status's.
    ///
    /// A code documented only for failed tasks (RunBlob's `MAINTENANCE`, `GENERATION_FAILED`)
    /// that arrives in an HTTP error response tells what failed, not whether the request may
    /// be sent again: the status decides that.
    pub fn retry_class(&self) -> RetryClass {
        self.known_code()
            .filter(|info| info.surface == Surface::Response)
            .and_then(|info| info.retry_class(self.operation))
            .unwrap_or_else(|| class_from_status(self.effective_status(), self.operation))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} API error (HTTP {}", self.dialect, self.status)?;
        match &self.code {
            Some(code) => write!(f, ", code {}", code.as_wire())?,
            None if !self.shape.is_envelope() => write!(f, ", {} body", self.shape)?,
            None => {}
        }
        write!(f, ", {})", self.kind())?;
        match (&self.message, &self.code) {
            (Some(message), _) => write!(f, ": {message}")?,
            (None, Some(code)) => write!(f, ": {}", code.description())?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl StdError for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::codes::{PikzelsCode, RunBlobCode};

    #[test]
    fn billing_with_429_is_never_retried() {
        for code in [1100, 1101, 1102, 1304] {
            for op in [Operation::Read, Operation::Create] {
                let e: Error = ApiError::new(Dialect::Kling, op, 429)
                    .with_code(KlingCode::from_code(code))
                    .into();
                assert_eq!(e.retry_class(), RetryClass::Fatal, "{code}");
                assert!(!e.is_retryable());
            }
        }
    }

    #[test]
    fn classes_follow_code_then_status() {
        let api = |op, status, code: Option<ErrorCode>| {
            let mut e = ApiError::new(Dialect::Kling, op, status);
            e.code = code;
            Error::from(e)
        };
        let k = |n| Some(ErrorCode::Kling(KlingCode::from_code(n)));
        assert_eq!(
            api(Operation::Create, 429, k(1303)).retry_class(),
            RetryClass::ThrottleLong
        );
        assert_eq!(
            api(Operation::Read, 429, k(1303)).retry_class(),
            RetryClass::Throttle
        );
        assert_eq!(
            api(Operation::Read, 500, k(5000)).retry_class(),
            RetryClass::Transient
        );
        assert_eq!(
            api(Operation::Create, 500, k(5000)).retry_class(),
            RetryClass::Ambiguous
        );
        assert_eq!(
            api(Operation::Create, 401, k(1004)).retry_class(),
            RetryClass::RefreshAuth
        );
        // Unknown codes: by status.
        assert_eq!(
            api(Operation::Read, 400, k(1999)).retry_class(),
            RetryClass::Fatal
        );
        assert_eq!(
            api(Operation::Read, 500, k(9999)).retry_class(),
            RetryClass::Transient
        );
        assert_eq!(
            api(Operation::Create, 500, k(9999)).retry_class(),
            RetryClass::Ambiguous
        );
        assert_eq!(
            api(Operation::Read, 429, None).retry_class(),
            RetryClass::Throttle
        );
        assert_eq!(
            api(Operation::Create, 408, None).retry_class(),
            RetryClass::Ambiguous
        );
        // An error envelope in a 200: a known code classifies as itself ...
        let e = api(Operation::Create, 200, k(1201));
        assert_eq!(
            (e.kind(), e.retry_class()),
            (ErrorKind::InvalidRequest, RetryClass::Fatal)
        );
        // ... and an unknown one as the 4xx/5xx it stands for.
        assert_eq!(
            api(Operation::Create, 200, k(5999)).retry_class(),
            RetryClass::Ambiguous
        );
        assert_eq!(
            api(Operation::Read, 200, k(1999)).kind(),
            ErrorKind::InvalidRequest
        );
        // `code: 0` with an error status tells nothing: the status decides.
        let e = api(Operation::Read, 503, k(0));
        assert_eq!(
            (e.kind(), e.retry_class()),
            (ErrorKind::Server, RetryClass::Transient)
        );
        assert_eq!(
            api(
                Operation::Read,
                402,
                Some(RunBlobCode::InsufficientCredits.into())
            )
            .kind(),
            ErrorKind::Billing
        );
        assert_eq!(
            api(Operation::Read, 499, Some(PikzelsCode::Cancelled.into())).kind(),
            ErrorKind::Cancelled
        );
    }

    #[test]
    fn display_cuts_long_server_text() {
        let long = "x".repeat(100_000);
        let e: Error = ApiError::new(Dialect::Kling, Operation::Read, 400)
            .with_message(&long)
            .into();
        assert!(e.to_string().len() < 2300);
    }
}
