//! Conversions to and from the `http` crate's types, which both bundled transports speak
//! (ureq and reqwest re-export them): the header fast path, the marking of credentials and
//! the reading of response headers live here once. Enabled by the `http` feature.

use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};

use super::{Headers, HttpRequest, Method, is_sensitive_header};

fn invalid(what: &str) -> TransportError {
    TransportError::new(
        TransportFailure::Io,
        TransportPhase::BeforeSend,
        Operation::Read,
        what,
    )
}

/// The request method.
///
/// # Errors
///
/// A [`TransportError`] before sending, for a method `http` cannot write.
pub fn method(method: Method) -> Result<http::Method, TransportError> {
    Ok(match method {
        Method::Get => http::Method::GET,
        Method::Post => http::Method::POST,
        other => http::Method::from_bytes(other.as_str().as_bytes())
            .map_err(|e| invalid("the request method is not valid HTTP").with_source(e))?,
    })
}

/// One header: the names the engine always sends are not parsed again, and credentials are
/// marked sensitive, so no log level of the HTTP library can print them.
///
/// # Errors
///
/// A [`TransportError`] before sending, naming the header but never echoing its value.
pub fn header(
    name: &str,
    value: &str,
) -> Result<(http::HeaderName, http::HeaderValue), TransportError> {
    use http::header;
    const KNOWN: &[(&str, header::HeaderName, bool)] = &[
        ("Authorization", header::AUTHORIZATION, true),
        ("Accept", header::ACCEPT, false),
        ("User-Agent", header::USER_AGENT, false),
        ("Content-Type", header::CONTENT_TYPE, false),
        ("Range", header::RANGE, false),
    ];
    let (name_out, sensitive) = match KNOWN.iter().find(|(k, _, _)| *k == name) {
        Some((_, known, sensitive)) => (known.clone(), *sensitive),
        None => (
            header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                invalid(&format!("the header name {name:?} is not valid HTTP")).with_source(e)
            })?,
            is_sensitive_header(name),
        ),
    };
    let mut value = header::HeaderValue::from_str(value).map_err(|e| {
        invalid(&format!("the value of header {name} is not valid HTTP")).with_source(e)
    })?;
    value.set_sensitive(sensitive);
    Ok((name_out, value))
}

/// The request's headers as an `http` header map.
///
/// # Errors
///
/// As [`header`].
pub fn header_map(headers: &Headers) -> Result<http::HeaderMap, TransportError> {
    // Grown as it fills, as `http` does for a builder: a sized map costs one more allocation.
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        let (name, value) = header(name, value)?;
        map.append(name, value);
    }
    Ok(map)
}

/// The request's line and headers (no body) as an `http` request.
///
/// # Errors
///
/// A [`TransportError`] before sending: a URL, method or header `http` cannot write.
pub fn request_head(request: &HttpRequest) -> Result<http::Request<()>, TransportError> {
    let mut head = http::Request::new(());
    *head.method_mut() = method(request.method)?;
    *head.uri_mut() = request
        .url
        .parse::<http::Uri>()
        .map_err(|e| invalid("the request URL is not valid HTTP").with_source(e))?;
    *head.headers_mut() = header_map(&request.headers)?;
    Ok(head)
}

/// A response's headers, in order; a value that is not UTF-8 is kept with its bad bytes
/// replaced.
impl From<&http::HeaderMap> for Headers {
    fn from(map: &http::HeaderMap) -> Self {
        // A guess, not a second pass: most names and values are short.
        let mut headers = Headers::with_capacity(map.len(), map.len().saturating_mul(40));
        for (name, value) in map {
            match value.to_str() {
                Ok(text) => headers.push(name.as_str(), text),
                Err(_) => headers.push(name.as_str(), &String::from_utf8_lossy(value.as_bytes())),
            }
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_marked_sensitive_and_never_echoed() {
        let sensitive = |name: &str, value: &str| header(name, value).unwrap().1.is_sensitive();
        assert!(sensitive("Authorization", "Bearer t"));
        assert!(sensitive("authorization", "Bearer t"));
        assert!(sensitive("x-api-key", "k"));
        assert!(!sensitive("Accept", "application/json"));
        let e = header("Authorization", "Bearer sec\nret").unwrap_err();
        assert!(!e.to_string().contains("sec"), "{e}");
        assert!(header("Bad Name", "v").is_err());
        assert_eq!(header("X-Custom", "v").unwrap().0.as_str(), "x-custom");
    }

    #[test]
    fn requests_convert_with_order_and_repeats() {
        let request = HttpRequest::new(Method::Post, "https://api.test/v1/x?a=1")
            .header("Accept", "application/json")
            .header("X-Tag", "a")
            .header("X-Tag", "b");
        let head = request_head(&request).unwrap();
        assert_eq!(head.method(), http::Method::POST);
        assert_eq!(head.uri().path(), "/v1/x");
        let tags: Vec<_> = head.headers().get_all("x-tag").iter().collect();
        assert_eq!(tags, ["a", "b"]);
        assert!(request_head(&HttpRequest::new(Method::Get, "not a url")).is_err());
    }

    #[test]
    fn response_headers_keep_bad_bytes_replaced() {
        let mut map = http::HeaderMap::new();
        map.append("x-request-id", http::HeaderValue::from_static("abc"));
        map.append("x-odd", http::HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let headers = Headers::from(&map);
        assert_eq!(headers.get("X-Request-Id"), Some("abc"));
        assert_eq!(headers.get("x-odd"), Some("caf\u{fffd}"));
    }
}
