//! The `Endpoint` trait: every API operation described as data.

use serde::Serialize;
use serde::de::DeserializeOwned;

use kling_errors::{Dialect, ValidationError};

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: a query; idempotent.
    Get,
    /// `POST`: a create, or a synchronous call.
    Post,
}

impl Method {
    /// The method as the request line writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// How a response body wraps the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// Kling's `{code, message, request_id, data}`: the value is `data`.
    KlingEnvelope,
    /// A gateway's bare JSON: the value is the whole body.
    Bare,
}

/// One API operation, described as data: what to send and what comes back.
///
/// Clients build the HTTP request from these methods and decode the response into
/// [`Response`](Self::Response); nothing here does I/O.
pub trait Endpoint {
    /// The decoded value of a successful response (the envelope's `data` for
    /// [`ResponseFormat::KlingEnvelope`]).
    type Response: DeserializeOwned;
    /// The JSON body type (`()` for operations without a body).
    type Body: Serialize + ?Sized;

    /// The HTTP method.
    fn method(&self) -> Method;

    /// The path, starting with `/`, with path parameters filled in and percent-encoded.
    fn path(&self) -> String;

    /// Query parameters, in order (not yet encoded).
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<&Self::Body>;

    /// Whether sending the request twice has the effect of sending it once. Creates are not.
    fn idempotent(&self) -> bool {
        self.method() == Method::Get
    }

    /// Whose API this is: decides the error dialect of its responses.
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }

    /// How the response wraps the value.
    fn response_format(&self) -> ResponseFormat {
        ResponseFormat::KlingEnvelope
    }

    /// Checks the request against the rules the server is known to enforce, before anything is
    /// sent (and before credits are spent).
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] naming the field and carrying the code the server would return.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// A create that starts a paid task, and can be looked up again by its `external_task_id`:
/// what the create flow needs to reconcile an ambiguous failure instead of re-posting blindly.
pub trait CreateTask: Endpoint {
    /// The query that finds the task by its external id.
    type Lookup: Endpoint;

    /// The caller's id for the task, if set.
    fn external_task_id(&self) -> Option<&str>;

    /// Sets the id (the create flow generates one when the caller gave none).
    fn set_external_task_id(&mut self, id: String);

    /// The query for the task created with `external_task_id`.
    fn lookup(external_task_id: &str) -> Self::Lookup;

    /// The task a lookup found, in the create's response type; `None` when it found nothing.
    fn found(lookup: <Self::Lookup as Endpoint>::Response) -> Option<Self::Response>;

    /// The query that polls the task a create returned (by its system id).
    fn poll_query(created: &Self::Response) -> Self::Lookup;
}

/// Percent-encodes a path segment (ids are usually plain, but never trust them in a URL).
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether a request's preflight validation runs. Some users know better than our rules (a
/// model or combination we have not seen yet); they can switch it off per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Preflight {
    pub(crate) skip: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::segment("job-42_a.b~"), "job-42_a.b~");
        assert_eq!(super::segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
    }
}
