//! A saved result file, served with byte ranges (a video element seeks with them), streamed:
//! a large video is never held in memory.

use std::io::SeekFrom;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};

/// The most read at once.
const CHUNK: usize = 64 << 10;

/// `left` bytes of a file from where it stands, as a stream of chunks.
struct Chunks {
    file: tokio::fs::File,
    left: u64,
    buf: Vec<u8>,
}

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.left).unwrap_or(CHUNK).min(CHUNK);
        this.buf.resize(want, 0);
        let mut read = ReadBuf::new(&mut this.buf[..want]);
        match Pin::new(&mut this.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => {
                this.left = 0;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Ok(())) if read.filled().is_empty() => {
                // The file shrank under us: end the answer short rather than loop.
                this.left = 0;
                Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into())))
            }
            Poll::Ready(Ok(())) => {
                let chunk = Bytes::copy_from_slice(read.filled());
                this.left = this.left.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(chunk)))
            }
        }
    }
}

/// The range a `Range` header asks of a file of `len` bytes: `(start, end)` inclusive;
/// `None` when there is no single satisfiable byte range (then the whole file, or 416).
fn range(value: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    // Several ranges: answered with the whole file, as the standard allows.
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = (start.trim(), end.trim());
    let parsed = if start.is_empty() {
        // The last `end` bytes.
        let n: u64 = end.parse().ok()?;
        if n == 0 {
            return Some(Err(()));
        }
        (len.saturating_sub(n), len.saturating_sub(1))
    } else {
        let start: u64 = start.parse().ok()?;
        let end = if end.is_empty() {
            len.saturating_sub(1)
        } else {
            end.parse::<u64>().ok()?.min(len.saturating_sub(1))
        };
        (start, end)
    };
    if len == 0 || parsed.0 >= len || parsed.0 > parsed.1 {
        return Some(Err(()));
    }
    Some(Ok(parsed))
}

/// Serves `path` as `content_type`, honouring a single byte range.
pub(super) async fn serve(
    path: &Path,
    content_type: &'static str,
    headers: &HeaderMap,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not downloaded (yet)\n").into_response();
    let Ok(mut file) = tokio::fs::File::open(path).await else {
        return not_found();
    };
    let Ok(meta) = file.metadata().await else {
        return not_found();
    };
    if !meta.is_file() {
        return not_found();
    }
    let len = meta.len();
    let wanted = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| range(v, len));
    let (status, start, end) = match wanted {
        Some(Ok((start, end))) => (StatusCode::PARTIAL_CONTENT, start, end),
        Some(Err(())) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return response;
        }
        None if len == 0 => (StatusCode::OK, 0, 0),
        None => (StatusCode::OK, 0, len - 1),
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    if file.seek(SeekFrom::Start(start)).await.is_err() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file\n").into_response();
    }
    let body = Body::from_stream(Chunks {
        file,
        left: count,
        buf: Vec::new(),
    });
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}"))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn ranges_are_read_and_bounded() {
        assert_eq!(range("bytes=0-", 10), Some(Ok((0, 9))));
        assert_eq!(range("bytes=2-4", 10), Some(Ok((2, 4))));
        assert_eq!(range("bytes=2-400", 10), Some(Ok((2, 9))));
        assert_eq!(range("bytes=-3", 10), Some(Ok((7, 9))));
        assert_eq!(range("bytes=-30", 10), Some(Ok((0, 9))));
        assert_eq!(range("bytes=10-", 10), Some(Err(())));
        assert_eq!(range("bytes=5-2", 10), Some(Err(())));
        assert_eq!(range("bytes=-0", 10), Some(Err(())));
        assert_eq!(range("bytes=0-1,4-5", 10), None);
        assert_eq!(range("items=0-1", 10), None);
        assert_eq!(range("bytes=x-1", 10), None);
        assert_eq!(range("bytes=0-", 0), Some(Err(())));
    }
}
