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
}
