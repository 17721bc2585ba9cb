//! Downloads, sans-IO (`reliability.md` 4.10): the requests to make (never with the Kling
//! `Authorization` header; with `Range` to resume), what a response head means, the size cap,
//! and when a broken stream is resumed or restarted. The drivers move the bytes into
//! `<dest>.part` and rename it when this says the file is complete.

use std::time::Duration;

use kling_errors::{
    ApiError, Dialect, Error, HeaderLookup, Operation, TransportError, TransportFailure,
    TransportPhase,
};

use crate::config::DownloadConfig;
use crate::http::{HttpRequest, Method};

/// What to do with the part file when a response head arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Head {
    /// Start the file over (a full `200` response).
    Fresh,
    /// Append to what was written (a `206` continuing at the right offset).
    Append,
}

/// What to do after a body ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum End {
    /// The file is complete: `bytes` long.
    Complete {
        /// The file's size.
        bytes: u64,
    },
    /// Send [`Download::request`] again (resume or restart).
    Retry,
}

/// One download's state.
#[derive(Debug, Clone)]
pub struct Download {
    url: String,
    config: DownloadConfig,
    written: u64,
    total: Option<u64>,
    ranges: bool,
    attempts: u32,
}

fn too_large(max: u64) -> Error {
    TransportError::new(
        TransportFailure::BodyTooLarge,
        TransportPhase::AfterSend,
        Operation::Read,
        &format!("the file is larger than the {max}-byte cap"),
    )
    .into()
}

impl Download {
    /// A download of `url` (http or https).
    ///
    /// # Errors
    ///
    /// A validation error for a URL that is not http(s).
    pub fn new(url: impl Into<String>, config: DownloadConfig) -> Result<Self, Error> {
        let url = url.into();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(kling_errors::ValidationError::new(
                "url",
                kling_errors::KlingCode::InvalidParameter,
                "must be an http(s) URL",
            )
            .into());
        }
        Ok(Self {
            url,
            config,
            written: 0,
            total: None,
            ranges: false,
            attempts: 0,
        })
    }

    /// Where a download to `dest` is written until it is complete: `<dest>.part`.
    pub fn part_path(dest: &std::path::Path) -> std::path::PathBuf {
        let mut part = dest.as_os_str().to_owned();
        part.push(".part");
        part.into()
    }

    /// Bytes written to the part file so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The file's size, once a response said it.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next request: a plain `GET`, or a `Range` request resuming at what was written when
    /// the server offers ranges. It never carries credentials: the file host is not the API.
    pub fn request(&mut self) -> HttpRequest {
        self.attempts += 1;
        tracing::debug!(attempt = self.attempts, offset = self.written, "fetching");
        let mut request = HttpRequest::new(Method::Get, self.url.clone());
        request.follow_redirects = true;
        request.timeout = Some(self.config.timeout);
        if self.written > 0 && self.ranges {
            request
                .headers
                .push(("Range".to_owned(), format!("bytes={}-", self.written)));
        }
        request
    }

    /// Reads a response head.
    ///
    /// # Errors
    ///
    /// An error status (403/404/410: the result is gone, they are deleted after 30 days), a
    /// body that is not a media file (HTML, JSON), or a size over the cap.
    pub fn on_head<H: HeaderLookup + ?Sized>(
        &mut self,
        status: u16,
        headers: &H,
    ) -> Result<Head, Error> {
        if !matches!(status, 200 | 206) {
            let mut error = ApiError::new(Dialect::Kling, Operation::Read, status);
            if matches!(status, 403 | 404 | 410) {
                error = error.with_message("the result file is gone (results are deleted after 30 days) or the link expired");
            }
            return Err(error.into());
        }
        if let Some(ct) = headers.header("content-type") {
            let ct = ct.to_ascii_lowercase();
            let media = [
                "video/",
                "image/",
                "audio/",
                "application/octet-stream",
                "binary/octet-stream",
                "application/mp4",
            ]
            .iter()
            .any(|p| ct.starts_with(p));
            if !media {
                return Err(ApiError::new(Dialect::Kling, Operation::Read, status)
                    .with_message(&format!("expected a media file, got content type {ct}"))
                    .into());
            }
        }
        self.ranges = self.ranges
            || headers
                .header("accept-ranges")
                .is_some_and(|v| v.eq_ignore_ascii_case("bytes"));
        let length: Option<u64> = headers
            .header("content-length")
            .and_then(|v| v.parse().ok());
        let head = if status == 206 {
            let range = headers
                .header("content-range")
                .and_then(parse_content_range);
            match range {
                Some((start, total)) if start == self.written => {
                    self.total = total.or(self.total);
                    Head::Append
                }
                // A range we did not ask for: start over.
                _ => {
                    self.written = 0;
                    self.total = None;
                    Head::Fresh
                }
            }
        } else {
            self.written = 0;
            self.total = length;
            Head::Fresh
        };
        let expected = self.total.or(length.map(|l| l + self.written));
        if expected.is_some_and(|t| t > self.config.max_bytes) {
            return Err(too_large(self.config.max_bytes));
        }
        Ok(head)
    }

    /// Counts `len` more bytes written.
    ///
    /// # Errors
    ///
    /// The size cap, crossed: stop reading.
    pub fn on_chunk(&mut self, len: usize) -> Result<(), Error> {
        self.written += len as u64;
        if self.written > self.config.max_bytes {
            Err(too_large(self.config.max_bytes))
        } else {
            Ok(())
        }
    }

    /// Reads how a body ended: complete, or cut (resumed when attempts remain).
    ///
    /// # Errors
    ///
    /// The transport's error, or a short file, once the attempts are spent.
    pub fn on_end(&mut self, result: Result<(), TransportError>) -> Result<End, Error> {
        let short = self.total.is_some_and(|t| self.written < t);
        let failure = match result {
            Ok(()) if !short => {
                return Ok(End::Complete {
                    bytes: self.written,
                });
            }
            Ok(()) => TransportError::new(
                TransportFailure::Reset,
                TransportPhase::AfterSend,
                Operation::Read,
                &format!(
                    "the body ended at {} of {} bytes",
                    self.written,
                    self.total.unwrap_or(0)
                ),
            ),
            Err(e) if e.failure() == TransportFailure::BodyTooLarge => return Err(e.into()),
            Err(e) => e,
        };
        if self.attempts < self.config.max_attempts {
            if !self.ranges {
                self.written = 0;
            }
            tracing::info!(
                attempt = self.attempts,
                resume_at = self.written,
                reason = failure.failure().as_str(),
                "download interrupted: retrying"
            );
            return Ok(End::Retry);
        }
        Err(failure
            .with_operation(Operation::Read)
            .with_host(crate::http::host_of(&self.url))
            .into())
    }

    /// A short pause before a retry.
    pub fn retry_delay(&self) -> Duration {
        Duration::from_millis(500 * u64::from(self.attempts))
    }
}

/// The span a download runs in (both clients, the same).
pub(crate) fn span(url: &str, dest: &std::path::Path) -> tracing::Span {
    tracing::info_span!(
        "kling.download",
        host = crate::http::host_of(url),
        file = %dest.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// A local disk failure while writing a download (the drivers' file I/O), as an [`Error`].
pub fn disk_error(what: &str, path: &std::path::Path, error: std::io::Error) -> Error {
    TransportError::new(
        TransportFailure::Io,
        TransportPhase::BeforeSend,
        Operation::Read,
        &format!("{what} {}: {error}", path.display()),
    )
    .with_source(error)
    .into()
}

/// `bytes 100-199/1000` → (100, Some(1000)).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max: u64) -> DownloadConfig {
        DownloadConfig {
            max_bytes: max,
            max_attempts: 3,
            timeout: Duration::from_secs(60),
        }
    }

    #[test]
    fn resumes_with_range_when_offered() {
        let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
        let r = d.request();
        assert!(r.header_value("authorization").is_none() && r.header_value("range").is_none());
        let head = [
            ("Content-Type", "video/mp4"),
            ("Content-Length", "100"),
            ("Accept-Ranges", "bytes"),
        ];
        assert_eq!(d.on_head(200, &head).unwrap(), Head::Fresh);
        d.on_chunk(40).unwrap();
        let cut = TransportError::new(
            TransportFailure::Reset,
            TransportPhase::AfterSend,
            Operation::Read,
            "reset",
        );
        assert_eq!(d.on_end(Err(cut)).unwrap(), End::Retry);
        assert_eq!(d.request().header_value("range"), Some("bytes=40-"));
        let head = [
            ("Content-Type", "video/mp4"),
            ("Content-Range", "bytes 40-99/100"),
        ];
        assert_eq!(d.on_head(206, &head).unwrap(), Head::Append);
        d.on_chunk(60).unwrap();
        assert_eq!(d.on_end(Ok(())).unwrap(), End::Complete { bytes: 100 });
    }

    #[test]
    fn refuses_html_gone_files_and_oversize() {
        let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
        assert!(d.on_head(200, &[("Content-Type", "text/html")]).is_err());
        let e = d
            .on_head(404, &[("Content-Type", "text/html")])
            .unwrap_err();
        assert!(e.to_string().contains("30 days"), "{e}");
        assert!(d.on_head(200, &[("Content-Length", "1001")]).is_err());
        let mut d = Download::new("https://cdn/v.mp4", config(10)).unwrap();
        d.on_head(200, &[("Content-Type", "video/mp4")]).unwrap();
        assert!(d.on_chunk(11).is_err());
        assert!(Download::new("file:///etc/passwd", config(10)).is_err());
    }

    #[test]
    fn short_body_without_ranges_restarts() {
        let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
        d.request();
        d.on_head(
            200,
            &[("Content-Type", "video/mp4"), ("Content-Length", "100")],
        )
        .unwrap();
        d.on_chunk(50).unwrap();
        assert_eq!(d.on_end(Ok(())).unwrap(), End::Retry);
        assert_eq!(d.written(), 0);
        assert!(d.request().header_value("range").is_none());
    }
}
