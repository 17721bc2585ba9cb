#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod class;
mod codes;
mod decode;
mod error;
#[rustfmt::skip]
mod generated;
mod headers;
mod retry_after;
mod text;

pub use class::{Dialect, ErrorKind, Operation, Refund, RetryClass, Surface};
pub use codes::{CodeInfo, ErrorCode, KlingCode, PikzelsCode, RunBlobCode};
pub use decode::{DecodeContext, MAX_INSPECTED_BODY, check_response, decode_error};
pub use error::{
    AmbiguousCreateError, ApiError, AuthError, AuthFailure, BodyShape, CancelledError, DecodeError,
    DecodeFailure, Error, InternalError, IoError, TaskFailedError, TaskNotFoundError,
    TransportError, TransportFailure, TransportPhase, ValidationError, WaitTimeoutError,
};
pub use headers::HeaderLookup;
pub use retry_after::{
    parse_http_date, parse_retry_after, parse_retry_after_ms, retry_after_from_headers,
};
pub use text::MAX_SNIPPET_BYTES;

/// `Result` with the SDK's one [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
