//! Inputs given on the command line: `-` for stdin, URLs passed as they are, local files read
//! and base64-encoded by kling-types (`ImageInput::from_bytes` for images, checked first;
//! `common::base64_file` for audio and video).

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

use kling_types::ImageInput;
use kling_types::common::{base64_file, is_url};

use crate::output::CommandError;

/// The inputs of one command: it knows whether an argument already took stdin (it can be
/// read once). Held by the command's context.
#[derive(Debug, Default)]
pub(crate) struct Input {
    stdin_taken: AtomicBool,
}

/// The largest file read for an inline (base64) input: above the API's own limits (10 MB
/// images, 5 MB audio), so the server's message applies, but no accidental multi-gigabyte read.
const MAX_INLINE_FILE: u64 = 64 << 20;

/// A URL or a `data:` URL: sent as given, never read as a path.
fn passes_through(value: &str) -> bool {
    is_url(value)
        || value
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
}

impl Input {
    fn take_stdin(&self, flag: &str) -> Result<Vec<u8>, CommandError> {
        if self.stdin_taken.swap(true, Ordering::SeqCst) {
            return Err(CommandError::usage(format!(
                "{flag}: stdin (`-`) was already used by another argument"
            )));
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_INLINE_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| kling_errors::IoError::new("read", "stdin", e))?;
        if bytes.len() as u64 > MAX_INLINE_FILE {
            return Err(CommandError::usage(format!(
                "{flag}: stdin holds more than {} MiB",
                MAX_INLINE_FILE >> 20
            )));
        }
        Ok(bytes)
    }

    /// A text argument: itself, or stdin for `-` (one trailing newline removed). Empty text is
    /// refused, naming the flag.
    pub(crate) fn text(&self, value: &str, flag: &str) -> Result<String, CommandError> {
        let text = if value == "-" {
            let bytes = self.take_stdin(flag)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| CommandError::usage(format!("{flag}: stdin is not UTF-8 text")))?;
            text.strip_suffix('\n')
                .map(|t| t.strip_suffix('\r').unwrap_or(t))
                .unwrap_or(&text)
                .to_owned()
        } else {
            value.to_owned()
        };
        if text.trim().is_empty() {
            return Err(CommandError::usage(format!("{flag} is empty")));
        }
        Ok(text)
    }

    /// An optional text argument (see [`text`](Self::text)).
    pub(crate) fn opt_text(
        &self,
        value: Option<&String>,
        flag: &str,
    ) -> Result<Option<String>, CommandError> {
        value.map(|v| self.text(v, flag)).transpose()
    }

    /// A file argument the API takes as a URL or base64: a URL or `data:` URL as is; `-` or a
    /// path read and base64-encoded.
    pub(crate) fn file_or_url(&self, value: &str, flag: &str) -> Result<String, CommandError> {
        if value.trim().is_empty() {
            return Err(CommandError::usage(format!("{flag} is empty")));
        }
        if passes_through(value) {
            return Ok(value.to_owned());
        }
        Ok(base64_file(&self.read_file(value, flag)?))
    }

    /// An image argument: a URL or `data:` URL as is; `-` or a path read, checked by kling-types
    /// against the models data's rules for inline images (its first bytes must be a JPEG, PNG, GIF
    /// or WebP, within the size limit) and base64-encoded. A file that is no image is refused
    /// before anything is sent, naming the flag, the file and what it looks like.
    pub(crate) fn image_or_url(&self, value: &str, flag: &str) -> Result<String, CommandError> {
        if value.trim().is_empty() {
            return Err(CommandError::usage(format!("{flag} is empty")));
        }
        if passes_through(value) {
            return Ok(value.to_owned());
        }
        let bytes = self.read_file(value, flag)?;
        let image = ImageInput::from_bytes(&bytes).map_err(|e| {
            let name = if value == "-" { "stdin" } else { value };
            CommandError::usage(format!("{flag}: {name} {}", e.message()))
        })?;
        Ok(image.as_str().to_owned())
    }

    /// Several image arguments (see [`image_or_url`](Self::image_or_url)).
    pub(crate) fn images_or_urls(
        &self,
        values: &[String],
        flag: &str,
    ) -> Result<Vec<String>, CommandError> {
        values.iter().map(|v| self.image_or_url(v, flag)).collect()
    }

    /// A local file's bytes (`-`: stdin).
    pub(crate) fn read_file(&self, path: &str, flag: &str) -> Result<Vec<u8>, CommandError> {
        if path == "-" {
            return self.take_stdin(flag);
        }
        let meta = std::fs::metadata(path)
            .map_err(|e| kling_errors::IoError::new(&format!("read {flag}"), path, e))?;
        if meta.is_dir() {
            return Err(CommandError::usage(format!(
                "{flag}: {path} is a folder, not a file"
            )));
        }
        if meta.len() > MAX_INLINE_FILE {
            return Err(CommandError::usage(format!(
                "{flag}: {path} is {} MiB; upload it and pass its URL",
                meta.len() >> 20
            )));
        }
        Ok(std::fs::read(path)
            .map_err(|e| kling_errors::IoError::new(&format!("read {flag}"), path, e))?)
    }
}

/// A URL argument, for APIs that take URLs only (the new standard's `contents`).
pub(crate) fn url(value: &str, flag: &str) -> Result<String, CommandError> {
    if is_url(value) {
        Ok(value.to_owned())
    } else {
        Err(CommandError::usage(format!(
            "{flag} takes a URL (http:// or https://), got {value:?}: this API does not take local files"
        )))
    }
}

/// One of two mutually exclusive video sources (a Kling video id or a URL); clap ensures
/// exactly one is given where the API needs one.
pub(crate) fn video_source(
    id: Option<&String>,
    url: Option<&String>,
) -> Result<kling_types::videos::VideoSource, CommandError> {
    match (id, url) {
        (Some(id), None) => Ok(kling_types::videos::VideoSource::Id(id.clone())),
        (None, Some(url)) => Ok(kling_types::videos::VideoSource::Url(url.clone())),
        _ => Err(CommandError::usage(
            "give exactly one of --video-id and --video-url",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_become_base64_and_urls_pass() {
        let input = Input::default();
        let path = std::env::temp_dir().join(format!("kling-input-{}.bin", std::process::id()));
        std::fs::write(&path, b"\x89PNG").unwrap();
        let p = path.to_str().unwrap();
        assert_eq!(input.file_or_url(p, "--image").unwrap(), "iVBORw==");
        assert_eq!(
            input.file_or_url("https://x/a.png", "--image").unwrap(),
            "https://x/a.png"
        );
        assert_eq!(
            input.file_or_url("HTTP://x", "--image").unwrap(),
            "HTTP://x"
        );
        assert!(
            matches!(input.file_or_url("", "--image"), Err(CommandError::Usage(m)) if m.contains("--image"))
        );
        assert!(matches!(
            input.file_or_url("/no/such/file", "--image"),
            Err(CommandError::Sdk(_))
        ));
        assert!(url(p, "--first-frame").is_err());
        assert_eq!(input.image_or_url(p, "--image").unwrap(), "iVBORw==");
        std::fs::write(&path, b"a fox\n").unwrap();
        assert!(matches!(
            input.image_or_url(p, "--image"),
            Err(CommandError::Usage(m)) if m == format!("--image: {p} is not an image: it looks like text")
        ));
        assert!(matches!(
            input.text("  ", "--prompt"),
            Err(CommandError::Usage(_))
        ));
        std::fs::remove_file(path).unwrap();
    }
}
