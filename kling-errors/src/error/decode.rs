//! A successful status came with a body that could not be understood: [`DecodeError`] and
//! its [`DecodeFailure`].

use std::error::Error as StdError;
use std::fmt;

use super::BoxedSource;
use crate::class::{Operation, RetryClass};

/// Why a successful response could not be understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeFailure {
    /// The body had no bytes, or only whitespace.
    Empty,
    /// An HTML page (a `Content-Type` naming HTML, or text starting with `<`): usually a
    /// proxy, load balancer or captive portal rather than the API.
    Html,
    /// The body was text but not JSON.
    NotJson,
    /// The bytes were not valid UTF-8; the snippet shows them with U+FFFD in place of the
    /// invalid sequences.
    NotUtf8,
    /// The JSON ended too early (a cut connection).
    Truncated,
    /// The JSON was nested deeper than the parser allows.
    TooDeep,
    /// The body was over the client's response size limit; only its first 2 KiB were kept.
    TooLarge,
    /// The envelope said success but had no usable `data`.
    MissingData,
    /// Valid JSON of the wrong shape: a field missing or of the wrong type, or a 2xx body that
    /// is neither the expected data nor an error envelope.
    Schema,
}

impl DecodeFailure {
    /// A short English phrase for messages (`"truncated JSON"`), as [`DecodeError`]'s
    /// `Display` prints it.
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

    /// Records the response's `Content-Type` header value (`text/html`, ...).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Records the request id to quote to support (the `X-Request-Id` header, or a
    /// `request_id` read from the body).
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

    /// The HTTP status of the response: a 2xx, except for a body over the size limit, which is
    /// reported whatever its status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response's `Content-Type` as sent, cut to 256 bytes; `None` when absent or empty.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The first 2 KiB of the body (lossy UTF-8).
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// The request id to quote to support (the `X-Request-Id` header, or one the client read
    /// from the body); `None` when the response carried none.
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
