//! Bounded, printable text taken from untrusted server bytes.

/// The most bytes of a body kept as a snippet (and of a server message kept in an error).
pub const MAX_SNIPPET_BYTES: usize = 2048;

/// The largest prefix of `text` that fits in `max` bytes and ends on a char boundary.
fn floor_boundary(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Replaces control characters (terminal escapes, NUL, ...) so server text is safe to print;
/// newlines and tabs stay, carriage returns go (they would let text overwrite a line).
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '\r')
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Server text (a message, a detail) cut to [`MAX_SNIPPET_BYTES`] on a char boundary, with an
/// ellipsis when something was cut, and control characters replaced.
pub(crate) fn bounded(text: &str) -> String {
    bounded_to(text, MAX_SNIPPET_BYTES)
}

/// As [`bounded`], with another limit.
pub(crate) fn bounded_to(text: &str, max: usize) -> String {
    let end = floor_boundary(text, max);
    let mut out = printable(&text[..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// The first [`MAX_SNIPPET_BYTES`] of a body as text: invalid UTF-8 replaced, cut on a char
/// boundary, control characters replaced, surrounding whitespace trimmed.
pub(crate) fn snippet(body: &[u8]) -> String {
    // A few bytes more than the limit, so a char cut at the limit decodes as itself.
    let head = &body[..body.len().min(MAX_SNIPPET_BYTES + 4)];
    let lossy = String::from_utf8_lossy(head);
    let cut = body.len() > MAX_SNIPPET_BYTES;
    let end = floor_boundary(&lossy, MAX_SNIPPET_BYTES);
    let mut out = printable(lossy[..end].trim());
    if cut || end < lossy.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_char_boundaries() {
        let text = "é".repeat(MAX_SNIPPET_BYTES); // 2 bytes each
        let cut = bounded(&text);
        assert!(cut.len() <= MAX_SNIPPET_BYTES + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert_eq!(bounded("short"), "short");
    }

    #[test]
    fn snippets_are_lossy_and_printable() {
        assert_eq!(snippet(b"  ok \xff\x1b[31m "), "ok \u{FFFD}\u{FFFD}[31m");
        let big = vec![b'a'; 10_000];
        let s = snippet(&big);
        assert_eq!(s.len(), MAX_SNIPPET_BYTES + '…'.len_utf8());
        assert_eq!(snippet(b""), "");
    }
}
