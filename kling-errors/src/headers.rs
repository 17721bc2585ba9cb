//! Reading response headers without naming any HTTP library's types.

/// Case-insensitive access to response headers, implemented for plain lists of name/value
/// pairs so the decoders work with any HTTP stack.
pub trait HeaderLookup {
    /// The first value of header `name` (compared case-insensitively), if present.
    fn header(&self, name: &str) -> Option<&str>;
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref().trim())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> HeaderLookup for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }
}

/// The headers of axum, hyper and every stack built on the `http` crate (feature `http`). A
/// value that is not visible ASCII reads as absent.
#[cfg(feature = "http")]
impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name)?.to_str().ok().map(str::trim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_first_wins() {
        let headers = vec![
            ("X-Request-Id".to_owned(), " abc ".to_owned()),
            ("x-request-id".to_owned(), "def".to_owned()),
        ];
        assert_eq!(headers.header("x-request-id"), Some("abc"));
        assert_eq!([("Retry-After", "3")].header("retry-after"), Some("3"));
        assert_eq!(headers.header("missing"), None);
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_header_maps_are_looked_up_too() {
        let mut map = http::HeaderMap::new();
        map.append("Webhook-Id", http::HeaderValue::from_static(" msg_1 "));
        map.append("webhook-id", http::HeaderValue::from_static("msg_2"));
        map.append("x-bin", http::HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(map.header("WEBHOOK-ID"), Some("msg_1"));
        assert_eq!(map.header("x-bin"), None);
        assert_eq!(map.header("missing"), None);
    }
}
