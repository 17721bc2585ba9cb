//! The one public error type of kling-rs, and its context structs.
//!
//! Each variant boxes its context so `Result<T, Error>` stays two words wide. Context structs
//! have private fields, read through accessors, so fields can be added without breaking users.
//! `Display` says what went wrong at its own layer, never holds a secret, and never prints a
//! whole body: server text is cut to [`MAX_SNIPPET_BYTES`](crate::MAX_SNIPPET_BYTES).
//!
//! The context structs live in submodules named for what failed: [`api`] (the server's error
//! answer), [`transport`] (no complete answer), [`decode`] (a success body that could not be
//! understood), [`task`] (a task that failed or was waited on too long), [`ambiguous_create`]
//! (a create whose outcome is unknown) and [`local`] (failures on this side of the wire).

mod ambiguous_create;
mod api;
mod decode;
mod local;
mod task;
mod transport;

use std::error::Error as StdError;
use std::time::Duration;

use crate::class::{ErrorKind, RetryClass};
use crate::codes::ErrorCode;

pub use ambiguous_create::AmbiguousCreateError;
pub use api::{ApiError, BodyShape};
pub use decode::{DecodeError, DecodeFailure};
pub use local::{AuthError, AuthFailure, CancelledError, InternalError, IoError, ValidationError};
pub use task::{TaskFailedError, TaskNotFoundError, WaitTimeoutError};
pub use transport::{TransportError, TransportFailure, TransportPhase};

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
    /// A wait never found its task (a wrong id, or another account's, region's or API's).
    #[error(transparent)]
    TaskNotFound(Box<TaskNotFoundError>),
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
            Self::TaskNotFound(_) => ErrorKind::NotFound,
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
            | Self::TaskNotFound(_)
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
            Self::AmbiguousCreate(e) => e.last_error().retry_after(),
            _ => None,
        }
    }

    /// The request id the server assigned (body `request_id` or an `X-Request-Id` header).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            Self::Decode(e) => e.request_id.as_deref(),
            Self::TaskFailed(e) => e.request_id.as_deref(),
            Self::AmbiguousCreate(e) => e.last_error().request_id(),
            Self::TaskNotFound(e) => e.answer.as_ref().and_then(Self::request_id),
            _ => None,
        }
    }

    /// The service code: from the server, or the code a local validation stands in for.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api(e) => e.code.as_ref(),
            Self::Validation(e) => Some(e.code()),
            Self::TaskFailed(e) => e.code.as_ref(),
            Self::AmbiguousCreate(e) => e.last_error().code(),
            Self::TaskNotFound(e) => e.answer.as_ref().and_then(Self::code),
            _ => None,
        }
    }

    /// Whether the server refused a create because its `external_task_id` exists already
    /// (Kling's 1201 "already exists", `kling-api.md` 10.8): the server's word that a task
    /// with that id exists. For a create of yours that may have been posted before, it means
    /// that post created the task: look it up, do not post again.
    pub fn says_external_id_exists(&self) -> bool {
        matches!(self, Self::Api(_))
            && matches!(
                self.code(),
                Some(ErrorCode::Kling(crate::KlingCode::InvalidParameter))
            )
            && self
                .to_string()
                .to_ascii_lowercase()
                .contains("already exist")
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::AmbiguousCreate(e) => e.last_error().http_status(),
            Self::TaskNotFound(e) => e.answer.as_ref().and_then(Self::http_status),
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
            Self::TaskNotFound(e) => e.external_task_id.as_deref(),
            Self::AmbiguousCreate(e) => e.external_task_id(),
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
            Self::TaskNotFound(e) => e.external_task_id = id,
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
    TaskNotFound(TaskNotFoundError),
    AmbiguousCreate(AmbiguousCreateError),
    Cancelled(CancelledError),
    Io(IoError),
    Internal(InternalError),
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::Operation;

    #[test]
    fn error_is_small() {
        assert!(std::mem::size_of::<Error>() <= 2 * std::mem::size_of::<usize>());
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
}
