//! The download loop, once per colour: [`Download`] decides, the transport brings the bytes,
//! the sink stores them. A client passes its transport, sleep and files; nothing else.

use std::io::{ErrorKind, Read};
use std::path::Path;

use kling_errors::{Error, IoError, Operation, TransportError, TransportFailure, TransportPhase};

use super::sink::{AsyncFileSink, FileSink, PartFile, WRITE_BUFFER};
use super::{Download, End, Head};
use crate::client::Downloaded;
use crate::config::DownloadConfig;
use crate::http::host_of;
use crate::time::{AsyncSleep, Sleep};
use crate::transport::{AsyncTransport, Transport};

/// The span a download runs in (both colours, the same).
pub(crate) fn span(url: &str, dest: &Path) -> tracing::Span {
    tracing::info_span!(
        "kling.download",
        host = host_of(url),
        file = %dest.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Downloads `url` into `dest` (through `<dest>.part`), blocking. The part file is removed
/// on failure.
pub(crate) fn fetch(
    transport: &dyn Transport,
    sleep: &dyn Sleep,
    files: &dyn FileSink,
    config: DownloadConfig,
    url: &str,
    dest: &Path,
) -> Result<Downloaded, Error> {
    let part = Download::part_path(dest);
    let result = fetch_into(transport, sleep, files, config, url, dest, &part);
    if result.is_err() {
        // Nothing resumes a part file later: never leave one behind.
        let _ = files.remove(&part);
    }
    result
}

fn fetch_into(
    transport: &dyn Transport,
    sleep: &dyn Sleep,
    files: &dyn FileSink,
    config: DownloadConfig,
    url: &str,
    dest: &Path,
    part: &Path,
) -> Result<Downloaded, Error> {
    let mut download = Download::new(url, config)?;
    if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        files
            .create_dir_all(dir)
            .map_err(|e| IoError::new("create the folder", dir, e))?;
    }
    loop {
        let response = match transport.open(&download.request()) {
            Ok(r) => r,
            Err(e) => {
                // Nothing came: retry while attempts remain (on_end says when to stop).
                download.on_end(Err(e.with_operation(Operation::Read)))?;
                sleep.sleep(download.retry_delay());
                continue;
            }
        };
        let append = match download.on_head(response.status, &response.headers)? {
            Head::Append => true,
            Head::Fresh => false,
            Head::Retry => {
                drop(response);
                sleep.sleep(download.retry_delay());
                continue;
            }
        };
        let file = files
            .open(part, append)
            .map_err(|e| IoError::new("open", part, e))?;
        let result = copy(response.body, file, &mut download, part)?;
        match download.on_end(result)? {
            End::Complete { bytes } => {
                files
                    .rename(part, dest)
                    .map_err(|e| IoError::new("rename to", dest, e))?;
                return Ok(Downloaded::new(dest, bytes));
            }
            End::Retry => sleep.sleep(download.retry_delay()),
        }
    }
}

/// Streams `body` into `file`, counting bytes against the cap. The outer error is fatal (a
/// disk error, the cap); the inner one is the stream's, which the download may retry.
fn copy(
    mut body: Box<dyn Read + Send>,
    mut file: Box<dyn PartFile>,
    download: &mut Download,
    path: &Path,
) -> Result<Result<(), TransportError>, Error> {
    let mut buf = vec![0u8; WRITE_BUFFER];
    let result = loop {
        match body.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                download.on_chunk(n)?;
                file.write_all(&buf[..n])
                    .map_err(|e| IoError::new("write", path, e))?;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                let failure = if e.kind() == ErrorKind::TimedOut {
                    TransportFailure::Timeout
                } else {
                    TransportFailure::Reset
                };
                break Err(TransportError::new(
                    failure,
                    TransportPhase::AfterSend,
                    Operation::Read,
                    &e.to_string(),
                )
                .with_source(e));
            }
        }
    };
    file.finish().map_err(|e| IoError::new("sync", path, e))?;
    Ok(result)
}

/// As [`fetch`], for async clients.
pub(crate) async fn fetch_async(
    transport: &dyn AsyncTransport,
    sleep: &dyn AsyncSleep,
    files: &dyn AsyncFileSink,
    config: DownloadConfig,
    url: &str,
    dest: &Path,
) -> Result<Downloaded, Error> {
    let part = Download::part_path(dest);
    let result = fetch_into_async(transport, sleep, files, config, url, dest, &part).await;
    if result.is_err() {
        // Nothing resumes a part file later: never leave one behind.
        let _ = files.remove(&part).await;
    }
    result
}

async fn fetch_into_async(
    transport: &dyn AsyncTransport,
    sleep: &dyn AsyncSleep,
    files: &dyn AsyncFileSink,
    config: DownloadConfig,
    url: &str,
    dest: &Path,
    part: &Path,
) -> Result<Downloaded, Error> {
    let mut download = Download::new(url, config)?;
    if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        files
            .create_dir_all(dir)
            .await
            .map_err(|e| IoError::new("create the folder", dir, e))?;
    }
    loop {
        let request = download.request();
        let mut response = match transport.open(&request).await {
            Ok(r) => r,
            Err(e) => {
                download.on_end(Err(e.with_operation(Operation::Read)))?;
                sleep.sleep(download.retry_delay()).await;
                continue;
            }
        };
        let append = match download.on_head(response.status, &response.headers)? {
            Head::Append => true,
            Head::Fresh => false,
            Head::Retry => {
                drop(response);
                sleep.sleep(download.retry_delay()).await;
                continue;
            }
        };
        let mut file = files
            .open(part, append)
            .await
            .map_err(|e| IoError::new("open", part, e))?;
        // Chunks go to the file as they come: no copy of our own.
        let result = loop {
            match response.body.chunk().await {
                Ok(Some(chunk)) => {
                    download.on_chunk(chunk.len())?;
                    file.write_all(&chunk)
                        .await
                        .map_err(|e| IoError::new("write", part, e))?;
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        file.finish()
            .await
            .map_err(|e| IoError::new("sync", part, e))?;
        match download.on_end(result)? {
            End::Complete { bytes } => {
                files
                    .rename(part, dest)
                    .await
                    .map_err(|e| IoError::new("rename to", dest, e))?;
                return Ok(Downloaded::new(dest, bytes));
            }
            End::Retry => sleep.sleep(download.retry_delay()).await,
        }
    }
}
