//! The one public error type of kling-rs, and its context structs.
//!
//! Each variant boxes its context so `Result<T, Error>` stays two words wide. Context structs
//! have private fields, read through accessors, so fields can be added without breaking users.
//! `Display` says what went wrong at its own layer, never holds a secret, and never prints a
//! whole body: server text is cut to [`MAX_SNIPPET_BYTES`](crate::MAX_SNIPPET_BYTES).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::class::{Dialect, ErrorKind, Operation, Refund, RetryClass, Surface};
use crate::codes::{ErrorCode, KlingCode};
use crate::text::bounded;

/// A foreign error kept only as a [`source`](std::error::Error::source).
type BoxedSource = Box<dyn StdError + Send + Sync + 'static>;

/// Every error kling-rs returns.
///
/// Ask it the questions a caller has: [`kind`](Self::kind) (what went wrong, across
/// dialects), [`is_retryable`](Self::is_retryable) and [`retry_after`](Self::retry_after)
/// (what to do), [`code`](Self::code), [`http_status`](Self::http_status) and
/// [`request_id`](Self::request_id) (what to quote to support), and
/// [`external_task_id`](Self::external_task_id) (how to find a task whose create failed
/// ambiguously). Match on the variants for the full context.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error: an error status, or an error envelope (also with 200).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No complete answer arrived: connect, TLS, timeout, reset or I/O failure.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// A successful status came with a body that could not be understood.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// Credentials were missing or unusable before anything was sent, or a webhook signature
    /// did not verify.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// A request failed preflight validation; nothing was sent.
    #[error(transparent)]
    Validation(Box<ValidationError>),
    /// A generation task ended in failure.
    #[error(transparent)]
    TaskFailed(Box<TaskFailedError>),
    /// Waiting for a task reached its deadline; the task itself may still finish.
    #[error(transparent)]
    WaitTimeout(Box<WaitTimeoutError>),
    /// A create may or may not have happened, and the lookup that should have told did not.
    #[error(transparent)]
    AmbiguousCreate(Box<AmbiguousCreateError>),
    /// The caller cancelled the operation.
    #[error(transparent)]
    Cancelled(Box<CancelledError>),
    /// A local file could not be read or written (a download's destination, an input file):
    /// not the server's doing, and not retried.
    #[error(transparent)]
    Io(Box<IoError>),
    /// The SDK was driven out of order (a bug in a driver or a custom client), not a server
    /// answer.
    #[error(transparent)]
    Internal(Box<InternalError>),
}

impl Error {
    /// What went wrong, normalized across dialects.
    ///
    /// A known code gives its kind; an unknown code or a body without one is classified by
    /// its HTTP status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api(e) => e.kind(),
            Self::Transport(e) => e.kind(),
            Self::Decode(_) => ErrorKind::InvalidResponse,
            Self::Auth(_) => ErrorKind::Auth,
            Self::Validation(_) => ErrorKind::InvalidRequest,
            Self::TaskFailed(_) => ErrorKind::TaskFailed,
            Self::WaitTimeout(_) => ErrorKind::Timeout,
            Self::AmbiguousCreate(_) => ErrorKind::AmbiguousCreate,
            Self::Cancelled(_) => ErrorKind::Cancelled,
            Self::Io(_) => ErrorKind::Io,
            Self::Internal(_) => ErrorKind::Internal,
        }
    }

    /// How the failed request may be retried (`reliability.md` 1.3.1), given whether it was a
    /// read or the non-idempotent create.
    pub fn retry_class(&self) -> RetryClass {
        match self {
            Self::Api(e) => e.retry_class(),
            Self::Transport(e) => e.retry_class(),
            Self::Decode(e) => e.retry_class(),
            Self::Auth(_)
            | Self::Validation(_)
            | Self::TaskFailed(_)
            | Self::WaitTimeout(_)
            | Self::AmbiguousCreate(_)
            | Self::Cancelled(_)
            | Self::Io(_)
            | Self::Internal(_) => RetryClass::Fatal,
        }
    }

    /// Whether the same request may simply be sent again, after the class's backoff.
    ///
    /// `false` for an ambiguous create: it needs a lookup by `external_task_id` first.
    pub fn is_retryable(&self) -> bool {
        self.retry_class().is_retryable()
    }

    /// The delay the server asked for (`retry-after-ms` or `Retry-After`), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(e) => e.retry_after,
            Self::AmbiguousCreate(e) => e.last.retry_after(),
            _ => None,
        }
    }

    /// The request id the server assigned (body `request_id` or an `X-Request-Id` header).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            Self::Decode(e) => e.request_id.as_deref(),
            Self::TaskFailed(e) => e.request_id.as_deref(),
            Self::AmbiguousCreate(e) => e.last.request_id(),
            _ => None,
        }
    }

    /// The service code: from the server, or the code a local validation stands in for.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api(e) => e.code.as_ref(),
            Self::Validation(e) => Some(&e.code),
            Self::TaskFailed(e) => e.code.as_ref(),
            Self::AmbiguousCreate(e) => e.last.code(),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::AmbiguousCreate(e) => e.last.http_status(),
            _ => None,
        }
    }

    /// The `external_task_id` of the create or task this error is about, if known. After an
    /// ambiguous create, look the task up by it before creating again.
    pub fn external_task_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.external_task_id.as_deref(),
            Self::Transport(e) => e.external_task_id.as_deref(),
            Self::Decode(e) => e.external_task_id.as_deref(),
            Self::TaskFailed(e) => e.external_task_id.as_deref(),
            Self::WaitTimeout(e) => e.external_task_id.as_deref(),
            Self::AmbiguousCreate(e) => e.external_task_id.as_deref(),
            Self::Auth(_)
            | Self::Validation(_)
            | Self::Cancelled(_)
            | Self::Io(_)
            | Self::Internal(_) => None,
        }
    }

    /// Records the `external_task_id` of the create this error came from (where the variant
    /// has room for it), so every error of a create carries it.
    #[must_use]
    pub fn with_external_task_id(mut self, id: impl Into<String>) -> Self {
        let id = Some(id.into());
        match &mut self {
            Self::Api(e) => e.external_task_id = id,
            Self::Transport(e) => e.external_task_id = id,
            Self::Decode(e) => e.external_task_id = id,
            Self::TaskFailed(e) => e.external_task_id = id,
            Self::WaitTimeout(e) => e.external_task_id = id,
            Self::AmbiguousCreate(_)
            | Self::Auth(_)
            | Self::Validation(_)
            | Self::Cancelled(_)
            | Self::Io(_)
            | Self::Internal(_) => {}
        }
        self
    }
}

macro_rules! from_context {
    ($($variant:ident($ty:ident)),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Self::$variant(Box::new(e))
            }
        }
    )*};
}

from_context!(
    Api(ApiError),
    Transport(TransportError),
    Decode(DecodeError),
    Auth(AuthError),
    Validation(ValidationError),
    TaskFailed(TaskFailedError),
    WaitTimeout(WaitTimeoutError),
    AmbiguousCreate(AmbiguousCreateError),
    Cancelled(CancelledError),
    Io(IoError),
    Internal(InternalError),
);

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

    /// Sets the service code.
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

    /// Sets the request id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Sets the delay the server asked for.
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

    /// The request id.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The delay the server asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// What the body looked like.
    pub fn body_shape(&self) -> BodyShape {
        self.shape
    }

    /// The response's `Content-Type`, if any.
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

/// When a transport failure happened relative to sending the request: it decides whether a
/// create may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportPhase {
    /// Before any byte of the request was written (DNS, connect, TLS): safe to send again.
    BeforeSend,
    /// After the request was written (a timeout or reset while waiting or reading).
    AfterSend,
    /// The transport cannot tell (a pooled connection that died as it was reused): assumed sent.
    Unknown,
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The host name did not resolve.
    Dns,
    /// The connection was refused or could not be opened.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// A connect, read or total timeout expired.
    Timeout,
    /// The connection was reset or closed early.
    Reset,
    /// The response body was larger than the configured cap.
    BodyTooLarge,
    /// A redirect that the client refuses to follow.
    Redirect,
    /// Any other I/O failure.
    Io,
}

impl TransportFailure {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dns => "dns",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::Reset => "reset",
            Self::BodyTooLarge => "body_too_large",
            Self::Redirect => "redirect",
            Self::Io => "io",
        }
    }
}

/// No complete answer arrived. The HTTP library's own error is kept as the
/// [`source`](std::error::Error::source), never in a public signature.
#[derive(Debug)]
pub struct TransportError {
    phase: TransportPhase,
    failure: TransportFailure,
    operation: Operation,
    message: String,
    host: Option<String>,
    external_task_id: Option<String>,
    source: Option<BoxedSource>,
}

impl TransportError {
    /// A transport failure; `message` says what happened, without secrets (it is cut short).
    pub fn new(
        failure: TransportFailure,
        phase: TransportPhase,
        operation: Operation,
        message: &str,
    ) -> Self {
        Self {
            phase,
            failure,
            operation,
            message: bounded(message),
            host: None,
            external_task_id: None,
            source: None,
        }
    }

    /// Records the host the request went to, so the error names it (a DNS failure of a
    /// mistyped base URL says which).
    #[must_use]
    pub fn with_host(mut self, host: &str) -> Self {
        self.host = Some(bounded(host));
        self
    }

    /// The host the request went to, when known.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Keeps the HTTP library's error as the source.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxedSource>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Records whether the failed request was a read or the create (transports do not know;
    /// the engine sets it).
    #[must_use]
    pub fn with_operation(mut self, operation: Operation) -> Self {
        self.operation = operation;
        self
    }

    /// When the failure happened relative to sending.
    pub fn phase(&self) -> TransportPhase {
        self.phase
    }

    /// What kind of failure it was.
    pub fn failure(&self) -> TransportFailure {
        self.failure
    }

    /// Whether the request was a read or the create.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// What happened.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The normalized kind: [`ErrorKind::Timeout`] for timeouts, else
    /// [`ErrorKind::Transport`].
    pub fn kind(&self) -> ErrorKind {
        match self.failure {
            TransportFailure::Timeout => ErrorKind::Timeout,
            _ => ErrorKind::Transport,
        }
    }

    /// Transient for reads; for a create, transient only if nothing was sent, else ambiguous.
    /// A body over the cap is fatal for reads (it will be as large next time).
    pub fn retry_class(&self) -> RetryClass {
        match (self.operation, self.failure, self.phase) {
            (Operation::Read, TransportFailure::BodyTooLarge | TransportFailure::Redirect, _) => {
                RetryClass::Fatal
            }
            (Operation::Read, _, _) | (Operation::Create, _, TransportPhase::BeforeSend) => {
                RetryClass::Transient
            }
            (Operation::Create, _, _) => RetryClass::Ambiguous,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = match self.phase {
            TransportPhase::BeforeSend => "before the request was sent",
            TransportPhase::AfterSend => "after the request was sent",
            TransportPhase::Unknown => "possibly after the request was sent",
        };
        write!(f, "transport error ({}, {when})", self.failure.as_str())?;
        if let Some(host) = &self.host {
            write!(f, " talking to {host}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// Why a successful response could not be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeFailure {
    /// The body was empty.
    Empty,
    /// The body was HTML.
    Html,
    /// The body was text but not JSON.
    NotJson,
    /// The body was not UTF-8.
    NotUtf8,
    /// The JSON ended too early (a cut connection).
    Truncated,
    /// The JSON was nested deeper than the parser allows.
    TooDeep,
    /// The body was larger than the cap.
    TooLarge,
    /// The envelope said success but had no usable `data`.
    MissingData,
    /// The JSON did not match the expected schema.
    Schema,
}

impl DecodeFailure {
    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty body",
            Self::Html => "HTML body",
            Self::NotJson => "body is not JSON",
            Self::NotUtf8 => "body is not UTF-8",
            Self::Truncated => "truncated JSON",
            Self::TooDeep => "JSON nested too deeply",
            Self::TooLarge => "body too large",
            Self::MissingData => "envelope has no data",
            Self::Schema => "unexpected JSON schema",
        }
    }
}

/// A successful status came with a body that could not be understood.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) failure: DecodeFailure,
    pub(crate) operation: Operation,
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) snippet: String,
    pub(crate) request_id: Option<String>,
    pub(crate) external_task_id: Option<String>,
    pub(crate) source: Option<BoxedSource>,
}

impl DecodeError {
    /// A decode failure of a response with `status`, keeping a snippet of `body` (at most
    /// 2 KiB, lossy UTF-8).
    pub fn new(failure: DecodeFailure, operation: Operation, status: u16, body: &[u8]) -> Self {
        Self {
            failure,
            operation,
            status,
            content_type: None,
            snippet: crate::text::snippet(body),
            request_id: None,
            external_task_id: None,
            source: None,
        }
    }

    /// Records the `Content-Type`.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Records the request id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Keeps the parser's error as the source.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxedSource>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Why the body could not be understood.
    pub fn failure(&self) -> DecodeFailure {
        self.failure
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response's `Content-Type`, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The first 2 KiB of the body (lossy UTF-8).
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// The request id, if one was found.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// For a create: ambiguous (the task probably exists). For a read: fatal when the body was
    /// a complete answer of the wrong shape or too large, else transient (a cut or garbled body
    /// may come right next time).
    pub fn retry_class(&self) -> RetryClass {
        match (self.operation, self.failure) {
            (Operation::Create, _) => RetryClass::Ambiguous,
            (_, DecodeFailure::MissingData | DecodeFailure::Schema | DecodeFailure::TooLarge) => {
                RetryClass::Fatal
            }
            _ => RetryClass::Transient,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response (HTTP {}): {}",
            self.status,
            self.failure.as_str()
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl StdError for DecodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// What was wrong with the credentials or a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No credentials were configured (for example, environment variables unset).
    Missing,
    /// Credentials were present but unusable (empty, malformed, not valid in a header).
    Invalid,
    /// A token could not be minted.
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

    /// What was wrong.
    pub fn failure(&self) -> AuthFailure {
        self.failure
    }

    /// What was wrong, in words.
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

    /// The field that was wrong.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The code the server would have returned.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// What was wrong.
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

/// A generation task ended in failure. Never retried by the SDK: a new task costs credits.
#[derive(Debug, Clone)]
pub struct TaskFailedError {
    pub(crate) dialect: Dialect,
    pub(crate) task_id: String,
    pub(crate) external_task_id: Option<String>,
    pub(crate) code: Option<ErrorCode>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl TaskFailedError {
    /// A failed task. `message` is the task's failure text (`task_status_msg`, RunBlob's
    /// `message`/`error_message`, ...): when it is a code of `dialect` (or a documented
    /// sentence of one), [`code`](Self::code) recognizes it.
    pub fn new(dialect: Dialect, task_id: impl Into<String>, message: Option<&str>) -> Self {
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        let code = message.and_then(|m| crate::decode::code_in_text(dialect, m));
        Self {
            dialect,
            task_id: task_id.into(),
            external_task_id: None,
            code,
            message: message.map(bounded),
            request_id: None,
        }
    }

    /// Records the request id of the response that reported the failure.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Whose task it was.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The task (or generation) id.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The failure code, when the message was one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.code.as_ref()
    }

    /// The failure text (at most 2 KiB).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Why the task failed, normalized: the code's kind (a timeout, a content policy, ...),
    /// else [`ErrorKind::TaskFailed`].
    pub fn reason(&self) -> ErrorKind {
        self.code
            .as_ref()
            .and_then(ErrorCode::kind)
            .unwrap_or(ErrorKind::TaskFailed)
    }

    /// Whether the provider gives the credits back (RunBlob's timeout and system failure do).
    pub fn refund(&self) -> Refund {
        self.code
            .as_ref()
            .and_then(ErrorCode::refund)
            .unwrap_or(Refund::Unknown)
    }
}

impl fmt::Display for TaskFailedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} task {} failed ({})",
            self.dialect,
            self.task_id,
            self.reason()
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl StdError for TaskFailedError {}

/// Waiting for a task reached its deadline. The task may still finish: fetch it later by its
/// id.
#[derive(Debug, Clone)]
pub struct WaitTimeoutError {
    task_id: String,
    external_task_id: Option<String>,
    last_status: Option<String>,
    elapsed: Duration,
}

impl WaitTimeoutError {
    /// A wait that gave up after `elapsed`, last seeing `last_status`.
    pub fn new(task_id: impl Into<String>, last_status: Option<String>, elapsed: Duration) -> Self {
        Self {
            task_id: task_id.into(),
            external_task_id: None,
            last_status,
            elapsed,
        }
    }

    /// The task id.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The last status seen.
    pub fn last_status(&self) -> Option<&str> {
        self.last_status.as_deref()
    }

    /// How long the wait lasted.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl fmt::Display for WaitTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gave up waiting for task {} after {:.0?}",
            self.task_id, self.elapsed
        )?;
        if let Some(status) = &self.last_status {
            write!(f, " (last status: {})", bounded(status))?;
        }
        Ok(())
    }
}

impl StdError for WaitTimeoutError {}

/// A create failed in a way that leaves open whether the task exists, and the lookup by
/// `external_task_id` could not settle it. Look the task up by that id before creating again.
#[derive(Debug)]
pub struct AmbiguousCreateError {
    external_task_id: Option<String>,
    endpoint: Option<String>,
    posts: u32,
    last: Error,
}

impl AmbiguousCreateError {
    /// An unsettled create after `posts` POSTs; `last` is the failure that left it open.
    pub fn new(external_task_id: impl Into<String>, posts: u32, last: Error) -> Self {
        Self {
            external_task_id: Some(external_task_id.into()),
            endpoint: None,
            posts,
            last,
        }
    }

    /// An unsettled create of an API that takes no `external_task_id` and so cannot look the
    /// task up (RunBlob): it is reported, never posted again.
    pub fn without_lookup(posts: u32, last: Error) -> Self {
        Self {
            external_task_id: None,
            endpoint: None,
            posts,
            last,
        }
    }

    /// Records which operation was posted (`POST /v1/kling/o3-video/generate`).
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(bounded(&endpoint.into()));
        self
    }

    /// The id to look the task up by; `None` where the API has none.
    pub fn external_task_id(&self) -> Option<&str> {
        self.external_task_id.as_deref()
    }

    /// The operation that was posted, if recorded.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// How many times the create was posted.
    pub fn posts(&self) -> u32 {
        self.posts
    }

    /// The failure that left the outcome open.
    pub fn last_error(&self) -> &Error {
        &self.last
    }
}

impl fmt::Display for AmbiguousCreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the create")?;
        if let Some(endpoint) = &self.endpoint {
            write!(f, " ({endpoint})")?;
        }
        write!(
            f,
            " may or may not have happened after {} attempt(s)",
            self.posts
        )?;
        match &self.external_task_id {
            Some(id) => write!(
                f,
                "; look the task up by external_task_id {id:?} before creating again"
            ),
            None => write!(
                f,
                "; this API cannot look a task up by the caller's id: check its recent \
                 generations before creating again"
            ),
        }
    }
}

impl StdError for AmbiguousCreateError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.last)
    }
}

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

    /// The task whose wait was cancelled.
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

    /// What was being done.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The path.
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
    /// A bug, described.
    pub fn new(message: &str) -> Self {
        Self {
            message: bounded(message),
        }
    }

    /// What went wrong.
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
    use crate::codes::{PikzelsCode, RunBlobCode};

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 2 * std::mem::size_of::<usize>());
    }

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
    fn transport_phase_decides_the_create() {
        let t = |phase, op| {
            Error::from(TransportError::new(
                TransportFailure::Timeout,
                phase,
                op,
                "timed out",
            ))
            .retry_class()
        };
        assert_eq!(
            t(TransportPhase::BeforeSend, Operation::Create),
            RetryClass::Transient
        );
        assert_eq!(
            t(TransportPhase::AfterSend, Operation::Create),
            RetryClass::Ambiguous
        );
        assert_eq!(
            t(TransportPhase::Unknown, Operation::Create),
            RetryClass::Ambiguous
        );
        assert_eq!(
            t(TransportPhase::AfterSend, Operation::Read),
            RetryClass::Transient
        );
    }

    #[test]
    fn sources_are_reachable_and_ids_propagate() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let inner: Error = TransportError::new(
            TransportFailure::Reset,
            TransportPhase::AfterSend,
            Operation::Create,
            "reset",
        )
        .with_source(io)
        .into();
        // `Error` is transparent: its source is the transport's source, the foreign error.
        let source = StdError::source(&inner).expect("a source");
        assert!(source.downcast_ref::<std::io::Error>().is_some());
        let inner = inner.with_external_task_id("ext-1");
        assert_eq!(inner.external_task_id(), Some("ext-1"));
        let outer: Error = AmbiguousCreateError::new("ext-1", 1, inner).into();
        assert_eq!(outer.kind(), ErrorKind::AmbiguousCreate);
        assert!(!outer.is_retryable());
        assert!(outer.to_string().contains("ext-1"));
        assert!(StdError::source(&outer).is_some());
        let unsettled: Error = AmbiguousCreateError::without_lookup(1, outer)
            .with_endpoint("POST /v1/kling/o3-video/generate")
            .into();
        assert_eq!(unsettled.external_task_id(), None);
        let text = unsettled.to_string();
        assert!(
            text.contains("/v1/kling/o3-video/generate") && text.contains("cannot look a task up"),
            "{text}"
        );
    }

    #[test]
    fn task_failures_recognize_codes_and_refunds() {
        let t = TaskFailedError::new(Dialect::RunBlob, "gen-1", Some("TIMEOUT"));
        assert_eq!(t.code(), Some(&ErrorCode::RunBlob(RunBlobCode::Timeout)));
        assert_eq!(
            (t.reason(), t.refund()),
            (ErrorKind::Timeout, Refund::Automatic)
        );
        let k = TaskFailedError::new(
            Dialect::Kling,
            "867",
            Some("Failure to pass the risk control system"),
        );
        assert_eq!((k.code(), k.reason()), (None, ErrorKind::TaskFailed));
        let e: Error = k.into();
        assert_eq!(e.kind(), ErrorKind::TaskFailed);
        assert!(!e.is_retryable());
    }

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

    #[test]
    fn display_cuts_long_server_text() {
        let long = "x".repeat(100_000);
        let e: Error = ApiError::new(Dialect::Kling, Operation::Read, 400)
            .with_message(&long)
            .into();
        assert!(e.to_string().len() < 2300);
    }
}
