//! The small vocabularies every code and every error is described with: kind, retry class,
//! operation, refund, surface and dialect.

use std::fmt;

/// What went wrong, normalized across every dialect: the question a caller asks first.
///
/// Each known code maps to one kind (see `CODES.md`); codes this version does not know are
/// classified by their HTTP status. Match with a wildcard arm: new kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The credentials were missing, malformed, rejected, not yet valid or expired.
    Auth,
    /// Account or billing: no credits, arrears, an exhausted or expired pack, a suspended account.
    Billing,
    /// The account may not use this API, model or resource, or the caller's IP is not allowed.
    Permission,
    /// The request itself is wrong (parameters, method, image, size); also local preflight failures.
    InvalidRequest,
    /// The task, generation, model or route does not exist.
    NotFound,
    /// The request conflicts with the current state of a resource.
    Conflict,
    /// A content or platform policy rejected the input or the output.
    ContentPolicy,
    /// Too many requests: slow down.
    RateLimited,
    /// Too many tasks running at once for the account's pack or plan.
    ConcurrencyLimit,
    /// A server-side or client-side time limit was reached.
    Timeout,
    /// The server failed internally.
    Server,
    /// The service is down for maintenance.
    Maintenance,
    /// The operation was cancelled (by the provider, or by the caller through a cancel handle).
    Cancelled,
    /// A generation task ended in failure.
    TaskFailed,
    /// The request never got a complete answer: connect, TLS, reset or I/O failure.
    Transport,
    /// The server answered, but the answer could not be understood.
    InvalidResponse,
    /// A create may or may not have happened, and the lookup that should have told did not.
    AmbiguousCreate,
    /// A local file could not be read or written (disk full, no permission, no such folder).
    Io,
    /// A bug: the SDK was driven out of order.
    Internal,
    /// Nothing more specific is known.
    Unknown,
}

impl ErrorKind {
    /// The kind of an HTTP error status whose body told nothing more (no known code).
    ///
    /// Used for unknown codes, bare statuses, HTML and empty bodies.
    pub fn from_http_status(status: u16) -> Self {
        match status {
            401 | 407 => Self::Auth,
            402 => Self::Billing,
            403 => Self::Permission,
            404 | 410 => Self::NotFound,
            408 | 504 | 524 => Self::Timeout,
            409 | 412 => Self::Conflict,
            429 => Self::RateLimited,
            499 => Self::Cancelled,
            400..=499 => Self::InvalidRequest,
            500..=599 => Self::Server,
            // A 2xx that is still an error, or a redirect on a JSON endpoint: the answer was not
            // what the API promises.
            200..=399 => Self::InvalidResponse,
            _ => Self::Unknown,
        }
    }

    /// A stable snake_case name, as used in `codes.json` and `CODES.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Billing => "billing",
            Self::Permission => "permission",
            Self::InvalidRequest => "invalid_request",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::ContentPolicy => "content_policy",
            Self::RateLimited => "rate_limited",
            Self::ConcurrencyLimit => "concurrency_limit",
            Self::Timeout => "timeout",
            Self::Server => "server",
            Self::Maintenance => "maintenance",
            Self::Cancelled => "cancelled",
            Self::TaskFailed => "task_failed",
            Self::Transport => "transport",
            Self::InvalidResponse => "invalid_response",
            Self::AmbiguousCreate => "ambiguous_create",
            Self::Io => "io",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a failure may be retried (the classes of `reliability.md` section 1.3.1).
///
/// A code has one class for reads and one for the non-idempotent create; see
/// [`Operation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Retrying the same request cannot help.
    Fatal,
    /// May succeed on retry, with the transient backoff (base 0.5 s, cap 8 s).
    Transient,
    /// The server asked us to slow down and did not execute the request: throttle backoff
    /// (base 1 s, cap 20 s).
    Throttle,
    /// As [`Throttle`](Self::Throttle), but the wait is for running tasks to finish: long
    /// backoff (base 5 s, cap 60 s), bounded by the deadline rather than a count.
    ThrottleLong,
    /// The token was rejected as expired or not yet valid: re-mint it and retry once.
    RefreshAuth,
    /// A create may have been executed: look the task up by `external_task_id` before any
    /// re-post; never re-post blindly.
    Ambiguous,
}

impl RetryClass {
    /// Whether the same request may simply be sent again (after the class's backoff).
    ///
    /// [`Ambiguous`](Self::Ambiguous) is not: it needs reconciliation first.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Transient | Self::Throttle | Self::ThrottleLong | Self::RefreshAuth
        )
    }

    /// A stable snake_case name, as used in `codes.json` and `CODES.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fatal => "fatal",
            Self::Transient => "transient",
            Self::Throttle => "throttle",
            Self::ThrottleLong => "throttle_long",
            Self::RefreshAuth => "refresh_auth",
            Self::Ambiguous => "ambiguous",
        }
    }
}

impl fmt::Display for RetryClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of request failed: it decides the retry class of the same failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Operation {
    /// An idempotent request (a query, a list, a balance): safe to send again.
    Read,
    /// The non-idempotent create (a POST that starts a paid task). The default, because
    /// assuming a read could double-charge.
    #[default]
    Create,
}

impl Operation {
    /// `Read` when `idempotent`, else `Create`.
    pub fn from_idempotent(idempotent: bool) -> Self {
        if idempotent { Self::Read } else { Self::Create }
    }
}

/// Whether the provider gives credits back when a request or task fails with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refund {
    /// The provider refunds by itself (RunBlob's timeout and system failure).
    Automatic,
    /// The request was rejected before anything was charged.
    NotCharged,
    /// The documentation does not say.
    Unknown,
}

impl Refund {
    /// A stable snake_case name, as used in `codes.json` and `CODES.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Automatic => "automatic",
            Self::NotCharged => "not_charged",
            Self::Unknown => "unknown",
        }
    }
}

/// Where a code shows up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Surface {
    /// In an HTTP error response.
    Response,
    /// In the message of a failed task (status query or webhook), not as an HTTP error.
    Task,
}

impl Surface {
    /// A stable snake_case name, as used in `codes.json` and `CODES.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Task => "task",
        }
    }
}

/// The error dialect a response speaks: whose codes and envelopes it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// The official Kling AI API: `{code, message, request_id, data}` with numeric codes.
    Kling,
    /// RunBlob, a gateway reselling Kling: `detail`, `success/message`, `status/message` and
    /// `error_message` bodies with string codes or free text.
    RunBlob,
    /// Pikzels: `{error: {code, message, details}, request_id}` with string codes.
    Pikzels,
}

impl Dialect {
    /// A stable lowercase name, as used in `codes.json` and `CODES.md`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kling => "kling",
            Self::RunBlob => "runblob",
            Self::Pikzels => "pikzels",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kling => "Kling",
            Self::RunBlob => "RunBlob",
            Self::Pikzels => "Pikzels",
        })
    }
}
