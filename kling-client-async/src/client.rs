//! The async client: reqwest underneath, kling-core's decisions on top. This file holds only
//! what is async about it: tokio's timer, its semaphore for task slots, and tokio's files for
//! kling-core's download loop.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_core::AsyncTransport;
use kling_core::download::{AsyncFileSink, AsyncPartFile};
use kling_core::fleet::AsyncTaskSlots;
use kling_core::time::AsyncSleep;
use tokio::io::AsyncWriteExt;

use crate::slots::MemorySlots;

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

kling_core::client_type! {
    /// The async Kling client. `Clone + Send + Sync`; clones share the connection pool, the
    /// token cache, the retry budget and the task slots. Its methods are those of
    /// [`AsyncKling`] (bring it into scope: `use kling_client_async::prelude::*;`); every
    /// future is `Send`.
    ///
    /// [`AsyncKling`]: kling_core::AsyncKling
    pub struct Client {
        backend: kling_core::AsyncKlingBackend,
        transport: dyn AsyncTransport = |config| Ok(Arc::new(ReqwestTransport::new(config)?)),
        sleep: dyn AsyncSleep = TokioSleep,
        slots: dyn AsyncTaskSlots = MemorySlots::new,
        pacer: dyn kling_core::AsyncRequestPacer,
    }

    fn files(&self) -> &dyn AsyncFileSink {
        &TokioFiles
    }
}

/// tokio's files, written through a 256 KiB buffer: where downloads go.
struct TokioFiles;

struct TokioPart(tokio::io::BufWriter<tokio::fs::File>);

#[async_trait]
impl AsyncPartFile for TokioPart {
    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes).await
    }

    async fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.0.flush().await?;
        self.0.get_ref().sync_all().await
    }
}

#[async_trait]
impl AsyncFileSink for TokioFiles {
    async fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        tokio::fs::create_dir_all(dir).await
    }

    async fn open(&self, path: &Path, append: bool) -> io::Result<Box<dyn AsyncPartFile>> {
        let file = if append {
            tokio::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .await?
        } else {
            tokio::fs::File::create(path).await?
        };
        Ok(Box::new(TokioPart(tokio::io::BufWriter::with_capacity(
            256 * 1024,
            file,
        ))))
    }

    async fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        tokio::fs::rename(from, to).await
    }

    async fn remove(&self, path: &Path) -> io::Result<()> {
        tokio::fs::remove_file(path).await
    }
}
