//! Failures on this side of the wire, where the server said nothing: credentials
//! ([`AuthError`]), preflight validation ([`ValidationError`]), cancellation
//! ([`CancelledError`]), the local file system ([`IoError`]) and bugs ([`InternalError`]).

use std::error::Error as StdError;
use std::fmt;

use crate::codes::ErrorCode;
use crate::text::bounded;

/// What was wrong with the credentials or a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No credentials were configured (for example, environment variables unset).
    Missing,
    /// Credentials were present but unusable (empty, malformed, not valid in a header).
    Invalid,
    /// A JWT could not be signed from the access and secret keys (a clock before 1970, a key
    /// HMAC-SHA256 cannot use).
    Mint,
    /// A webhook signature did not verify, or its headers were missing or stale.
    WebhookSignature,
}

/// Credentials were missing or unusable, or a webhook signature did not verify. The message
/// names what was wrong and never holds a secret.
#[derive(Debug, Clone)]
pub struct AuthError {
    failure: AuthFailure,
    message: String,
}

impl AuthError {
    /// An auth error. `message` must not contain a secret; it is cut short.
    pub fn new(failure: AuthFailure, message: &str) -> Self {
        Self {
            failure,
            message: bounded(message),
        }
    }

    /// Which part failed: no credentials, unusable ones, minting a token, or a webhook
    /// signature.
    pub fn failure(&self) -> AuthFailure {
        self.failure
    }

    /// What was wrong, for a person to read (`"the clock is before 1970"`); never a secret, at
    /// most 2 KiB.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authentication error: {}", self.message)
    }
}

impl StdError for AuthError {}

/// A request failed preflight validation; nothing was sent. Carries the code the server would
/// have answered with (Kling `1201`, or a RunBlob label) and names the field.
#[derive(Debug, Clone)]
pub struct ValidationError {
    field: String,
    code: ErrorCode,
    message: String,
}

impl ValidationError {
    /// A validation error about `field` (a JSON path such as `camera_control.config`).
    pub fn new(field: impl Into<String>, code: impl Into<ErrorCode>, message: &str) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: bounded(message),
        }
    }

    /// The request field at fault, as a JSON path (`camera_control.config`, `duration`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The code the server would have returned.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// Why the field was rejected, in words (at most 2 KiB).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid request: `{}`: {} (would be {})",
            self.field, self.message, self.code
        )
    }
}

impl StdError for ValidationError {}

/// The caller cancelled the operation (a cancel handle, or a dropped wait).
#[derive(Debug, Clone)]
pub struct CancelledError {
    task_id: Option<String>,
}

impl CancelledError {
    /// A cancellation, of the wait for `task_id` if there was one.
    pub fn new(task_id: Option<String>) -> Self {
        Self { task_id }
    }

    /// The task whose wait was cancelled; `None` when no task id was known yet (for example,
    /// before the create answered).
    pub fn task_id(&self) -> Option<&str> {
        self.task_id.as_deref()
    }
}

impl fmt::Display for CancelledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.task_id {
            Some(id) => write!(f, "cancelled while waiting for task {id}"),
            None => f.write_str("cancelled"),
        }
    }
}

impl StdError for CancelledError {}

/// A local file system failure: what was being done, to which path, and the system's error
/// (the [`source`](std::error::Error::source)).
#[derive(Debug)]
pub struct IoError {
    operation: String,
    path: std::path::PathBuf,
    source: std::io::Error,
}

impl IoError {
    /// `operation` (`"write"`, `"create the folder"`, ...) on `path` failed with `source`.
    pub fn new(
        operation: &str,
        path: impl Into<std::path::PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self {
            operation: bounded(operation),
            path: path.into(),
            source,
        }
    }

    /// What failed, as a verb phrase (`"write"`, `"create the folder"`): `Display` prints it
    /// before the path.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The file or folder the operation was on, as the caller gave it (relative paths stay
    /// relative; some callers pass a label such as `stdin`).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The system's error kind (`StorageFull`, `PermissionDenied`, ...).
    pub fn io_kind(&self) -> std::io::ErrorKind {
        self.source.kind()
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display().to_string();
        write!(
            f,
            "could not {} {}: {}",
            self.operation,
            bounded(&path),
            self.source.kind()
        )
    }
}

impl StdError for IoError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// The SDK was driven out of order: a bug, reported instead of a panic.
#[derive(Debug, Clone)]
pub struct InternalError {
    message: String,
}

impl InternalError {
    /// A bug report: `message` says what came out of order (`"step() called twice"`); it is
    /// cut to 2 KiB.
    pub fn new(message: &str) -> Self {
        Self {
            message: bounded(message),
        }
    }

    /// What came out of order (`"step() called twice"`), at most 2 KiB: quote it in a bug
    /// report.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "internal error (a bug in kling-rs or a custom driver): {}",
            self.message
        )
    }
}

impl StdError for InternalError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::class::ErrorKind;

    #[test]
    fn local_failures_are_their_own_kind_and_never_retried() {
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
        let e: Error = IoError::new("write", "/tmp/out/v.mp4.part", full).into();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(
            !e.is_retryable(),
            "a full disk is not fixed by sending again"
        );
        assert_eq!((e.code(), e.http_status()), (None, None));
        let text = e.to_string();
        assert!(
            text.contains("write") && text.contains("/tmp/out/v.mp4.part"),
            "{text}"
        );
        let source = StdError::source(&e).expect("the system's error");
        assert!(source.to_string().contains("no space left"));
        let bug: Error = InternalError::new("step() called twice").into();
        assert_eq!(bug.kind(), ErrorKind::Internal);
        assert!(!bug.is_retryable() && bug.code().is_none());
    }
}
