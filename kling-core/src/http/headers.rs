//! Header lists in one buffer: a request or a response costs one allocation for all its
//! headers, not two per header (the per-header strings were a tenth of a GET's
//! instructions, and each allocation is a lock in a busy multi-threaded runtime).

use std::fmt;

use kling_errors::HeaderLookup;

use super::is_sensitive_header;

/// Header names and values, in order, as sent or received. Lookups by name are
/// case-insensitive; names keep the case they were given.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Every name and value, back to back.
    text: String,
    /// Where each name and each value ends in `text` (a name starts where the previous value
    /// ended): the first [`INLINE`] here, without an allocation of their own...
    inline: [(usize, usize); INLINE],
    /// ...and how many there are in all...
    count: usize,
    /// ...and the ends of the others.
    spill: Vec<(usize, usize)>,
}

/// Headers whose ends need no allocation: more than a request has, about what a response has.
const INLINE: usize = 8;

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// No headers yet, with room for `headers` of `bytes` in all (names and values).
    pub fn with_capacity(headers: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            spill: Vec::with_capacity(headers.saturating_sub(INLINE)),
            ..Self::default()
        }
    }

    /// Appends a header (a repeated name is kept twice, as on the wire).
    pub fn push(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        let name_end = self.text.len();
        self.text.push_str(value);
        let ends = (name_end, self.text.len());
        match self.inline.get_mut(self.count) {
            Some(slot) => *slot = ends,
            None => self.spill.push(ends),
        }
        self.count += 1;
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Where header `index`'s name and value end.
    fn ends(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.count {
            return None;
        }
        match self.inline.get(index) {
            Some(ends) => Some(*ends),
            None => self.spill.get(index - INLINE).copied(),
        }
    }

    /// The headers in order, as `(name, value)`.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            headers: self,
            next: 0,
        }
    }

    /// The first value of header `name` (case-insensitive), trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Header `index`: its name and value.
    fn at(&self, index: usize) -> Option<(&str, &str)> {
        let (name_end, value_end) = self.ends(index)?;
        let start = match index.checked_sub(1) {
            Some(before) => self.ends(before).map_or(0, |e| e.1),
            None => 0,
        };
        Some((
            self.text.get(start..name_end)?,
            self.text.get(name_end..value_end)?,
        ))
    }
}

/// The headers of a [`Headers`] list, in order.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    headers: &'a Headers,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.headers.at(self.next)?;
        self.next += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.headers.len().saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut headers = Self::new();
        headers.extend(iter);
        headers
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Extend<(N, V)> for Headers {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, iter: I) {
        for (name, value) in iter {
            self.push(name.as_ref(), value.as_ref());
        }
    }
}

impl<N: AsRef<str>, V: AsRef<str>> From<Vec<(N, V)>> for Headers {
    fn from(pairs: Vec<(N, V)>) -> Self {
        pairs.into_iter().collect()
    }
}

impl<N: AsRef<str>, V: AsRef<str>, const L: usize> From<[(N, V); L]> for Headers {
    fn from(pairs: [(N, V); L]) -> Self {
        pairs.into_iter().collect()
    }
}

impl HeaderLookup for Headers {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

/// Credentials are redacted: a `Debug` of a request never shows a token or a key.
impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(name, value)| {
                let value = if is_sensitive_header(name) {
                    "[redacted]"
                } else {
                    value
                };
                (name, value)
            }))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_repeats_and_case_are_kept() {
        let mut h = Headers::with_capacity(3, 64);
        h.push("X-Request-Id", " abc ");
        h.push("x-request-id", "def");
        h.push("Empty", "");
        h.push("", "no name");
        assert_eq!(h.len(), 4);
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [
                ("X-Request-Id", " abc "),
                ("x-request-id", "def"),
                ("Empty", ""),
                ("", "no name")
            ]
        );
        assert_eq!(h.get("X-REQUEST-ID"), Some("abc"));
        assert_eq!(h.header("empty"), Some(""));
        assert_eq!(h.get("missing"), None);
        assert_eq!(h.iter().len(), 4);
    }

    #[test]
    fn more_headers_than_fit_inline() {
        let mut h = Headers::new();
        for i in 0..(INLINE * 3) {
            h.push(&format!("X-{i}"), &i.to_string());
        }
        assert_eq!(h.len(), INLINE * 3);
        for (i, (name, value)) in h.iter().enumerate() {
            assert_eq!(name, format!("X-{i}"));
            assert_eq!(value, i.to_string());
        }
        assert_eq!(h.get("x-20"), Some("20"));
        assert_eq!(h.clone(), h);
    }

    #[test]
    fn conversions_and_equality() {
        let a = Headers::from(vec![("A".to_owned(), "1".to_owned())]);
        let b = Headers::from([("A", "1")]);
        assert_eq!(a, b);
        assert!(Headers::new().is_empty());
        let mut c: Headers = [("A", "1")].into_iter().collect();
        c.extend([("B", "2")]);
        assert_eq!(c.len(), 2);
        assert_ne!(a, c);
    }

    #[test]
    fn debug_redacts_credentials() {
        let h = Headers::from([("Authorization", "Bearer secret"), ("Accept", "json")]);
        let text = format!("{h:?}");
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("json"), "{text}");
    }
}
