//! Our own small HTTP types: owned and cloneable, so a retry replays the same bytes, and free
//! of any HTTP library's types.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use kling_types::Method;

#[cfg(feature = "http")]
pub mod convert;
mod headers;

pub use headers::{Headers, Iter as HeaderIter};

/// Header names whose values are credentials: never printed.
const SENSITIVE: &[&str] = &[
    "authorization",
    "x-api-key",
    "proxy-authorization",
    "cookie",
];

/// Whether a header's value must never be printed.
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// A request, ready to send.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included and encoded.
    pub url: String,
    /// Headers, in order.
    pub headers: Headers,
    /// The body bytes, shared between attempts.
    pub body: Option<Arc<[u8]>>,
    /// The total time this attempt may take (connect, send, receive).
    pub timeout: Option<Duration>,
    /// Whether the transport may follow redirects (downloads: yes; API calls: never, so a token
    /// is never re-sent elsewhere).
    pub follow_redirects: bool,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Headers::new(),
            body: None,
            timeout: None,
            follow_redirects: false,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.headers.push(name.as_ref(), value.as_ref());
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The host part of the URL (for tracing and redirect checks).
    pub fn host(&self) -> &str {
        host_of(&self.url)
    }
}

/// The host (and port) of `url`: what a log or an error may name.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Credentials are redacted (see [`Headers`]).
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method.as_str())
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body_bytes", &self.body.as_ref().map(|b| b.len()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A response, body read in full (capped by the transport).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response.
    pub fn new(status: u16, headers: impl Into<Headers>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: headers.into(),
            body: body.into(),
        }
    }

    /// A JSON response.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, [("Content-Type", "application/json")], body)
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// Appends `query` to `url`, percent-encoding names and values.
pub fn with_query(url: &str, query: &[(&str, String)]) -> String {
    if query.is_empty() {
        return url.to_owned();
    }
    let mut out = String::with_capacity(url.len() + 32);
    out.push_str(url);
    out.push(if url.contains('?') { '&' } else { '?' });
    for (i, (k, v)) in query.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(k, &mut out);
        out.push('=');
        encode_component(v, &mut out);
    }
    out
}

fn encode_component(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_credentials() {
        let r = HttpRequest::new(Method::Get, "https://h/x")
            .header("Authorization", "Bearer secret")
            .header("X-Api-Key", "k");
        let text = format!("{r:?}");
        assert!(
            !text.contains("secret") && !text.contains("\"k\""),
            "{text}"
        );
        assert_eq!(r.host(), "h");
    }

    #[test]
    fn query_encoding() {
        let url = with_query(
            "https://h/p",
            &[
                ("pageNum", "1".into()),
                ("name", "a b&c".into()),
                ("ids", "1,2".into()),
            ],
        );
        assert_eq!(url, "https://h/p?pageNum=1&name=a%20b%26c&ids=1,2");
    }
}
