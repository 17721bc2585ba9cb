//! No complete answer arrived: [`TransportError`], with what failed ([`TransportFailure`]) and
//! when ([`TransportPhase`]).

use std::error::Error as StdError;
use std::fmt;

use super::BoxedSource;
use crate::class::{ErrorKind, Operation, RetryClass};
use crate::text::bounded;

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
    /// A download's destination is an address downloads may not reach (loopback, private,
    /// link-local, metadata, ...) and the configuration does not allow it. Never retried.
    ForbiddenAddress,
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
            Self::ForbiddenAddress => "forbidden_address",
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
    pub(super) external_task_id: Option<String>,
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

    /// What failed: DNS, connect, TLS, a timeout, a reset, an oversize body, a redirect or
    /// other I/O.
    pub fn failure(&self) -> TransportFailure {
        self.failure
    }

    /// Whether the request was a read or the create.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The transport's own description of the failure, without secrets, cut to 2 KiB.
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
            (
                Operation::Read,
                TransportFailure::BodyTooLarge
                | TransportFailure::Redirect
                | TransportFailure::ForbiddenAddress,
                _,
            )
            | (_, TransportFailure::ForbiddenAddress, _) => RetryClass::Fatal,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

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
}
