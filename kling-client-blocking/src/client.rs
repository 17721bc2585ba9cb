//! The blocking client: ureq underneath, kling-core's decisions on top. This file holds only
//! what is blocking about it: its default transport, sleep and slots, and the file I/O of a
//! download.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

use kling_core::download::{Download, End, Head};
use kling_core::fleet::TaskSlots;
use kling_core::time::{Sleep, ThreadSleep};
use kling_core::{Config, Downloaded, Driver, Flavor, Parts, TaskSlot, Transport};

use crate::slots::MemorySlots;
use kling_errors::{Error, IoError, Operation, TransportError, TransportFailure, TransportPhase};

use crate::transport::UreqTransport;

/// Builds a [`Client`]: `Client::builder().credentials(..).build()?`.
pub type ClientBuilder = kling_core::ClientBuilder<Client>;

/// The blocking Kling client. `Clone + Send + Sync`; clones share the connection pool, the
/// token cache, the retry budget and the task slots. Its methods are those of [`Kling`]
/// (bring it into scope: `use kling_client_blocking::Kling;`).
///
/// [`Kling`]: kling_core::Kling
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    parts: Parts<dyn Transport, dyn Sleep>,
    /// The task slots (`max_in_flight_tasks`, or the builder's), shared by clones.
    slots: Option<Arc<dyn TaskSlots>>,
}

kling_core::client_constructors!(Client);

impl Flavor for Client {
    type Transport = dyn Transport;
    type Sleep = dyn Sleep;
    type Slots = dyn TaskSlots;

    fn default_transport(config: &Config) -> Result<Arc<dyn Transport>, Error> {
        Ok(Arc::new(UreqTransport::new(config)))
    }

    fn default_sleep() -> Arc<dyn Sleep> {
        Arc::new(ThreadSleep)
    }

    fn memory_slots(limit: usize) -> Arc<dyn TaskSlots> {
        Arc::new(MemorySlots::new(limit))
    }

    fn assemble(parts: Parts<dyn Transport, dyn Sleep>, slots: Option<Arc<dyn TaskSlots>>) -> Self {
        Self {
            inner: Arc::new(Inner { parts, slots }),
        }
    }
}

impl Driver for Client {
    fn parts(&self) -> &Parts<dyn Transport, dyn Sleep> {
        &self.inner.parts
    }

    fn acquire_slot(&self) -> Result<TaskSlot, Error> {
        match &self.inner.slots {
            Some(slots) => slots.acquire(),
            None => Ok(TaskSlot::unlimited()),
        }
    }

    fn fetch_file(&self, url: &str, dest: &Path) -> Result<Downloaded, Error> {
        let part = Download::part_path(dest);
        let result = self.fetch_into(url, dest, &part);
        if result.is_err() {
            // Nothing resumes a part file later: never leave one behind.
            let _ = std::fs::remove_file(&part);
        }
        result
    }
}

impl Client {
    /// The download loop: `Download` decides, this moves bytes into `part`.
    fn fetch_into(&self, url: &str, dest: &Path, part: &Path) -> Result<Downloaded, Error> {
        let mut download = Download::new(url, self.engine().config().download.clone())?;
        if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| IoError::new("create the folder", dir, e))?;
        }
        loop {
            let request = download.request();
            let response = match self.transport().open(&request) {
                Ok(r) => r,
                Err(e) => {
                    // Nothing came: retry while attempts remain (on_end says when to stop).
                    download.on_end(Err(e.with_operation(Operation::Read)))?;
                    self.sleep().sleep(download.retry_delay());
                    continue;
                }
            };
            let file = match download.on_head(response.status, &response.headers)? {
                Head::Append => OpenOptions::new().append(true).open(part),
                Head::Fresh => File::create(part),
                _ => {
                    drop(response);
                    self.sleep().sleep(download.retry_delay());
                    continue;
                }
            }
            .map_err(|e| IoError::new("open", part, e))?;
            let result = copy(response.body, file, &mut download, part)?;
            match download.on_end(result)? {
                End::Complete { bytes } => {
                    std::fs::rename(part, dest).map_err(|e| IoError::new("rename to", dest, e))?;
                    return Ok(Downloaded::new(dest, bytes));
                }
                _ => self.sleep().sleep(download.retry_delay()),
            }
        }
    }
}

/// Streams `body` into `file` through a 256 KiB buffer, counting bytes against the cap.
fn copy(
    mut body: Box<dyn Read + Send>,
    file: File,
    download: &mut Download,
    path: &Path,
) -> Result<Result<(), TransportError>, Error> {
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let mut buf = vec![0u8; 256 * 1024];
    let result = loop {
        match body.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                download.on_chunk(n)?;
                out.write_all(&buf[..n])
                    .map_err(|e| IoError::new("write", path, e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let failure = if e.kind() == std::io::ErrorKind::TimedOut {
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
    let file = out
        .into_inner()
        .map_err(|e| IoError::new("write", path, e.into_error()))?;
    file.sync_all().map_err(|e| IoError::new("sync", path, e))?;
    Ok(result)
}
