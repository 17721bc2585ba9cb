//! What a local file holds, from its first bytes: an image input is checked before it is
//! base64-encoded and paid for, so `--image prompt.txt` is refused, not sent.

use std::fmt;

use serde::Serialize;

/// An image format the APIs take inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 50 4E 47`).
    Png,
    /// GIF (`GIF87a`, `GIF89a`).
    Gif,
    /// WebP (`RIFF....WEBP`).
    Webp,
}

impl ImageFormat {
    /// `jpeg`, `png`, `gif`, `webp`: the names the models data uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }

    /// The image format of `bytes`, or, when they hold no image, what they look like
    /// (`text`, `a PDF document`, `an MP4 or MOV video`, ...), for a message naming the file.
    ///
    /// # Errors
    ///
    /// What the bytes look like instead, when they are not a JPEG, PNG, GIF or WebP image.
    pub fn sniff(bytes: &[u8]) -> Result<Self, &'static str> {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        let at = |offset: usize, magic: &[u8]| {
            bytes
                .get(offset..offset.saturating_add(magic.len()))
                .is_some_and(|b| b == magic)
        };
        if starts(b"\xFF\xD8\xFF") {
            return Ok(Self::Jpeg);
        }
        if starts(b"\x89PNG") {
            return Ok(Self::Png);
        }
        if starts(b"GIF87a") || starts(b"GIF89a") {
            return Ok(Self::Gif);
        }
        if starts(b"RIFF") && at(8, b"WEBP") {
            return Ok(Self::Webp);
        }
        Err(looks_like(bytes, starts, at))
    }
}

/// The first bytes of base64 `text` (enough for every magic number `sniff` reads) and the
/// decoded length of the whole, without decoding it all: a check of a 10 MB inline image costs
/// a few dozen characters. Line breaks are skipped; decoding stops at the first character that
/// is not base64.
pub(crate) fn base64_head(text: &str) -> (Vec<u8>, usize) {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        }))
    }
    let digits = text
        .bytes()
        .filter(|b| !matches!(b, b'\n' | b'\r'))
        .take_while(|b| *b != b'=');
    let mut head = Vec::with_capacity(24);
    let (mut acc, mut bits, mut total) = (0u32, 0u32, 0usize);
    for c in digits {
        let Some(v) = value(c) else { break };
        total = total.saturating_add(1);
        if head.len() < 24 {
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                head.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
    }
    (head, total.saturating_mul(3) / 4)
}

fn looks_like(
    bytes: &[u8],
    starts: impl Fn(&[u8]) -> bool,
    at: impl Fn(usize, &[u8]) -> bool,
) -> &'static str {
    if bytes.is_empty() {
        return "an empty file";
    }
    if starts(b"%PDF") {
        return "a PDF document";
    }
    if at(4, b"ftyp") {
        return "an MP4 or MOV video";
    }
    if starts(b"RIFF") && at(8, b"WAVE") {
        return "WAV audio";
    }
    if starts(b"ID3") || starts(b"\xFF\xFB") || starts(b"\xFF\xF3") {
        return "MP3 audio";
    }
    if starts(b"PK\x03\x04") {
        return "a ZIP archive";
    }
    if starts(b"<svg") || starts(b"<?xml") {
        return "SVG or XML text (not a raster image)";
    }
    let head = &bytes[..bytes.len().min(512)];
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at 512 bytes is still text.
        Err(e) => e.error_len().is_none() && e.valid_up_to() > 0,
    };
    if text && !head.contains(&0) {
        "text"
    } else {
        "unrecognized binary data"
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_from_what_they_are_not() {
        assert_eq!(
            ImageFormat::sniff(b"\xFF\xD8\xFF\xE0rest"),
            Ok(ImageFormat::Jpeg)
        );
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\n"),
            Ok(ImageFormat::Png)
        );
        assert_eq!(ImageFormat::sniff(b"GIF89a..."), Ok(ImageFormat::Gif));
        assert_eq!(
            ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Ok(ImageFormat::Webp)
        );
        assert_eq!(ImageFormat::sniff(b"a red fox in the snow\n"), Err("text"));
        assert_eq!(ImageFormat::sniff(b""), Err("an empty file"));
        assert_eq!(ImageFormat::sniff(b"%PDF-1.7"), Err("a PDF document"));
        assert_eq!(
            ImageFormat::sniff(b"\0\0\0\x18ftypmp42"),
            Err("an MP4 or MOV video")
        );
        assert_eq!(
            ImageFormat::sniff(b"RIFF\0\0\0\0WAVEfmt "),
            Err("WAV audio")
        );
        assert_eq!(
            ImageFormat::sniff(b"\0\x01\x02\x03"),
            Err("unrecognized binary data")
        );
        let (head, len) = base64_head("iVBORw0KGgoAAAANSUhEUgAA\nAAEAAAAB");
        assert_eq!(ImageFormat::sniff(&head), Ok(ImageFormat::Png));
        assert_eq!(len, 24);
        assert_eq!(base64_head("YSByZWQgZm94").0, b"a red fox");
        let cut = "é".repeat(300);
        assert_eq!(ImageFormat::sniff(cut.as_bytes()), Err("text"));
    }
}
