//! Downloads (`reliability.md` 4.10). [`Download`] decides, sans-IO: the requests to make
//! (never with the Kling `Authorization` header; with `Range` to resume), what a response head
//! means, the size cap, and when a broken stream is resumed or restarted. One loop per colour
//! (`drive`) moves the bytes from a transport into `<dest>.part` through a [`FileSink`] (or
//! [`AsyncFileSink`]) and renames it when the file is complete; on any failure it removes the
//! part file (a later download starts over). The clients bring only the sink.
//!
//! Everything the file host says is checked: a `206` must carry a well-formed
//! `Content-Range` starting exactly where the file stands (else the download starts over
//! without ranges), sizes are compared with saturating arithmetic, and a body that ends short
//! of (or beyond) the announced size is never reported complete.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kling_errors::{
    ApiError, Dialect, Error, HeaderLookup, Operation, TransportError, TransportFailure,
    TransportPhase,
};

use crate::config::DownloadConfig;
use crate::http::{HttpRequest, Method, host_of};

mod drive;
pub mod guard;
mod sink;
#[cfg(test)]
mod tests;

pub(crate) use drive::{fetch, fetch_async, span};
pub use guard::DownloadAllow;
pub use sink::{AsyncFileSink, AsyncPartFile, FileSink, PartFile, StdFiles};

/// The longest a single download attempt may be given, whatever the configuration says.
const MAX_ATTEMPT_TIME: Duration = Duration::from_secs(7 * 86_400);

/// What to do with the part file when a response head arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Head {
    /// Start the file over (a full `200`, or a `206` from byte 0).
    Fresh,
    /// Append to what was written (a `206` continuing at the right offset).
    Append,
    /// Discard this response, wait [`Download::retry_delay`] and send
    /// [`Download::request`] again (a transient status, or a range that does not fit).
    Retry,
}

/// What to do after a body ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum End {
    /// The file is complete: `bytes` long.
    Complete {
        /// The file's size.
        bytes: u64,
    },
    /// Send [`Download::request`] again (resume or restart).
    Retry,
}

/// One download's state. Public but hidden, for the fuzz targets: the loop in `drive` is its
/// one user.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct Download {
    url: String,
    config: DownloadConfig,
    written: u64,
    total: Option<u64>,
    ranges: bool,
    /// Whether the last request asked for a range.
    asked_range: bool,
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

/// A `Content-Range` of a `206`: `bytes START-END/TOTAL` (TOTAL may be `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    end: u64,
    total: Option<u64>,
}

/// Parses a `Content-Range` strictly: digits only, `start <= end`, `end < total`.
fn parse_content_range(value: &str) -> Option<ContentRange> {
    let digits = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let range = ContentRange {
        start: digits(start)?,
        end: digits(end)?,
        total: match total.trim() {
            "*" => None,
            t => Some(digits(t)?),
        },
    };
    let fits = range.start <= range.end && range.total.is_none_or(|t| range.end < t);
    fits.then_some(range)
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
        // An IP literal is checked now (in every spelling); a name when the transport connects.
        config.allow.check_url(&url)?;
        Ok(Self {
            url,
            config,
            written: 0,
            total: None,
            ranges: false,
            asked_range: false,
            attempts: 0,
        })
    }

    /// Where a download to `dest` is written until it is complete: `<dest>.part`.
    pub fn part_path(dest: &Path) -> PathBuf {
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
        self.attempts = self.attempts.saturating_add(1);
        tracing::debug!(attempt = self.attempts, offset = self.written, "fetching");
        let mut request = HttpRequest::new(Method::Get, self.url.clone());
        request.follow_redirects = true;
        request.timeout = Some(self.config.timeout.min(MAX_ATTEMPT_TIME));
        self.asked_range = self.written > 0 && self.ranges;
        if self.asked_range {
            request
                .headers
                .push("Range", &format!("bytes={}-", self.written));
        }
        request
    }

    /// Whether another attempt is allowed.
    fn may_retry(&self) -> bool {
        self.attempts < self.config.max_attempts
    }

    /// Reads a response head.
    ///
    /// # Errors
    ///
    /// An error status (403/404/410: the result is gone, they are deleted after 30 days), a
    /// body that is not a media file (HTML, JSON), a size over the cap, or a transient status
    /// or an unusable range once the attempts are spent.
    pub fn on_head<H: HeaderLookup + ?Sized>(
        &mut self,
        status: u16,
        headers: &H,
    ) -> Result<Head, Error> {
        if !matches!(status, 200 | 206) {
            let transient = matches!(status, 408 | 429 | 500..=599);
            if transient && self.may_retry() {
                tracing::info!(status, attempt = self.attempts, "file host busy: retrying");
                return Ok(Head::Retry);
            }
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
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("bytes"));
        let length = headers
            .header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let head = if status == 206 {
            match self.on_partial(headers.header("content-range"), length) {
                Some(head) => head,
                None if self.may_retry() => {
                    // A range that does not fit what was written: start over, without ranges.
                    tracing::info!(
                        offset = self.written,
                        "the file host sent an unusable range: starting over"
                    );
                    self.ranges = false;
                    self.written = 0;
                    self.total = None;
                    return Ok(Head::Retry);
                }
                None => {
                    return Err(ApiError::new(Dialect::Kling, Operation::Read, status)
                        .with_message("the file host sent a range that does not fit the file")
                        .into());
                }
            }
        } else {
            self.written = 0;
            self.total = length;
            Head::Fresh
        };
        let expected = self
            .total
            .or_else(|| length.map(|l| l.saturating_add(self.written)));
        if expected.is_some_and(|t| t > self.config.max_bytes) {
            return Err(too_large(self.config.max_bytes));
        }
        Ok(head)
    }

    /// A `206`: append when it continues exactly where the file stands and we asked for it,
    /// start over when it starts at 0; anything else (no or a malformed `Content-Range`, a
    /// length that disagrees) is unusable.
    fn on_partial(&mut self, content_range: Option<&str>, length: Option<u64>) -> Option<Head> {
        let range = parse_content_range(content_range?)?;
        let span = range.end - range.start + 1;
        if length.is_some_and(|l| l != span) {
            return None;
        }
        if self.asked_range && range.start == self.written {
            self.total = range.total.or(self.total);
            Some(Head::Append)
        } else if range.start == 0 {
            // Unasked, or a restart from the top: never appended to what is on disk.
            self.written = 0;
            self.total = range.total;
            Some(Head::Fresh)
        } else {
            None
        }
    }

    /// Counts `len` more bytes written.
    ///
    /// # Errors
    ///
    /// The size cap, crossed: stop reading.
    pub fn on_chunk(&mut self, len: usize) -> Result<(), Error> {
        self.written = self
            .written
            .saturating_add(u64::try_from(len).unwrap_or(u64::MAX));
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
    /// The transport's error, or a short (or overlong) file, once the attempts are spent.
    pub fn on_end(&mut self, result: Result<(), TransportError>) -> Result<End, Error> {
        let failure = match result {
            Ok(()) => match self.total {
                Some(total) if self.written > total => {
                    // More than announced: the file on disk is not the file; start over.
                    self.ranges = false;
                    TransportError::new(
                        TransportFailure::Reset,
                        TransportPhase::AfterSend,
                        Operation::Read,
                        &format!(
                            "the body ran to {} bytes, past the announced {total}",
                            self.written
                        ),
                    )
                }
                Some(total) if self.written < total => TransportError::new(
                    TransportFailure::Reset,
                    TransportPhase::AfterSend,
                    Operation::Read,
                    &format!("the body ended at {} of {total} bytes", self.written),
                ),
                _ => {
                    return Ok(End::Complete {
                        bytes: self.written,
                    });
                }
            },
            Err(e)
                if matches!(
                    e.failure(),
                    TransportFailure::BodyTooLarge | TransportFailure::ForbiddenAddress
                ) =>
            {
                return Err(e.with_host(host_of(&self.url)).into());
            }
            Err(e) => e,
        };
        if self.may_retry() {
            if !self.ranges {
                self.written = 0;
                self.total = None;
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
            .with_host(host_of(&self.url))
            .into())
    }

    /// A short pause before a retry.
    pub fn retry_delay(&self) -> Duration {
        Duration::from_millis(500u64.saturating_mul(u64::from(self.attempts)))
    }
}
