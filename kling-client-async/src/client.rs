//! The async client: reqwest underneath, kling-core's decisions on top. This file holds only
//! what is async about it: tokio's timer, its semaphore for task slots, and the file I/O of a
//! download.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_core::download::{Download, End, Head};
use kling_core::fleet::AsyncTaskSlots;
use kling_core::time::AsyncSleep;
use kling_core::{AsyncDriver, AsyncTransport, Config, Downloaded, Flavor, Parts, TaskSlot};

use crate::slots::MemorySlots;
use kling_errors::{Error, IoError, Operation};
use tokio::io::AsyncWriteExt;

use crate::transport::ReqwestTransport;

/// Builds a [`Client`]: `Client::builder().credentials(..).build()?`.
pub type ClientBuilder = kling_core::ClientBuilder<Client>;

/// tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

#[async_trait]
impl AsyncSleep for TokioSleep {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The async Kling client. `Clone + Send + Sync`; clones share the connection pool, the
/// token cache, the retry budget and the task slots. Its methods are those of [`AsyncKling`]
/// (bring it into scope: `use kling_client_async::AsyncKling;`); every future is `Send`.
///
/// [`AsyncKling`]: kling_core::AsyncKling
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    parts: Parts<dyn AsyncTransport, dyn AsyncSleep>,
    /// The task slots (`max_in_flight_tasks`, or the builder's), shared by clones.
    slots: Option<Arc<dyn AsyncTaskSlots>>,
}

kling_core::client_constructors!(Client);

impl Flavor for Client {
    type Transport = dyn AsyncTransport;
    type Sleep = dyn AsyncSleep;
    type Slots = dyn AsyncTaskSlots;

    fn default_transport(config: &Config) -> Result<Arc<dyn AsyncTransport>, Error> {
        Ok(Arc::new(ReqwestTransport::new(config)?))
    }

    fn default_sleep() -> Arc<dyn AsyncSleep> {
        Arc::new(TokioSleep)
    }

    fn memory_slots(limit: usize) -> Arc<dyn AsyncTaskSlots> {
        Arc::new(MemorySlots::new(limit))
    }

    fn assemble(
        parts: Parts<dyn AsyncTransport, dyn AsyncSleep>,
        slots: Option<Arc<dyn AsyncTaskSlots>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner { parts, slots }),
        }
    }
}

impl AsyncDriver for Client {
    fn parts(&self) -> &Parts<dyn AsyncTransport, dyn AsyncSleep> {
        &self.inner.parts
    }

    async fn acquire_slot(&self) -> Result<TaskSlot, Error> {
        match &self.inner.slots {
            Some(slots) => slots.acquire().await,
            None => Ok(TaskSlot::unlimited()),
        }
    }

    async fn fetch_file(&self, url: &str, dest: &Path) -> Result<Downloaded, Error> {
        let part = Download::part_path(dest);
        let result = self.fetch_into(url, dest, &part).await;
        if result.is_err() {
            // Nothing resumes a part file later: never leave one behind.
            let _ = tokio::fs::remove_file(&part).await;
        }
        result
    }
}

impl Client {
    /// The download loop: `Download` decides, this moves bytes into `part`.
    async fn fetch_into(&self, url: &str, dest: &Path, part: &Path) -> Result<Downloaded, Error> {
        let mut download = Download::new(url, self.engine().config().download.clone())?;
        if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| IoError::new("create the folder", dir, e))?;
        }
        loop {
            let request = download.request();
            let mut response = match self.transport().open(&request).await {
                Ok(r) => r,
                Err(e) => {
                    // Nothing came: retry while attempts remain (on_end says when to stop).
                    download.on_end(Err(e.with_operation(Operation::Read)))?;
                    self.sleep().sleep(download.retry_delay()).await;
                    continue;
                }
            };
            let file = match download.on_head(response.status, &response.headers)? {
                Head::Append => tokio::fs::OpenOptions::new().append(true).open(part).await,
                Head::Fresh => tokio::fs::File::create(part).await,
                _ => {
                    drop(response);
                    self.sleep().sleep(download.retry_delay()).await;
                    continue;
                }
            }
            .map_err(|e| IoError::new("open", part, e))?;
            let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
            // Chunks go into the writer as they come: one copy, and writes of 256 KiB.
            let result = loop {
                match response.body.chunk().await {
                    Ok(Some(chunk)) => {
                        download.on_chunk(chunk.len())?;
                        out.write_all(&chunk)
                            .await
                            .map_err(|e| IoError::new("write", part, e))?;
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            out.flush()
                .await
                .map_err(|e| IoError::new("write", part, e))?;
            out.get_ref()
                .sync_all()
                .await
                .map_err(|e| IoError::new("sync", part, e))?;
            drop(out);
            match download.on_end(result)? {
                End::Complete { bytes } => {
                    tokio::fs::rename(part, dest)
                        .await
                        .map_err(|e| IoError::new("rename to", dest, e))?;
                    return Ok(Downloaded::new(dest, bytes));
                }
                _ => self.sleep().sleep(download.retry_delay()).await,
            }
        }
    }
}
