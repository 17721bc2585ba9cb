//! Where a download's bytes go: a small file-system seam, one trait per colour, so the one
//! download loop of each colour runs over `std::fs` (blocking), tokio's files (async) or a
//! test's memory.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use async_trait::async_trait;

/// The bytes written into a part file go through a buffer of this size (fewer, larger writes).
pub(crate) const WRITE_BUFFER: usize = 256 * 1024;

/// An open part file of a blocking download.
pub trait PartFile: Send {
    /// Appends `bytes`.
    ///
    /// # Errors
    ///
    /// The file system's error.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Flushes what is buffered and syncs the file to disk (before the rename that makes it
    /// the finished file).
    ///
    /// # Errors
    ///
    /// The file system's error.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// The file operations of a blocking download.
pub trait FileSink: Send + Sync {
    /// Creates `dir` and its parents when missing.
    ///
    /// # Errors
    ///
    /// The file system's error.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;

    /// Opens `path` to write: truncated (`append == false`, a download that starts over) or
    /// at its end (a resumed one).
    ///
    /// # Errors
    ///
    /// The file system's error.
    fn open(&self, path: &Path, append: bool) -> io::Result<Box<dyn PartFile>>;

    /// Renames the finished part file to its destination.
    ///
    /// # Errors
    ///
    /// The file system's error.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;

    /// Removes a part file (after a failure: nothing resumes it later).
    ///
    /// # Errors
    ///
    /// The file system's error (ignored by the download).
    fn remove(&self, path: &Path) -> io::Result<()>;
}

/// The blocking client's files: `std::fs`, written through a 256 KiB buffer.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdFiles;

struct StdPart(BufWriter<File>);

impl PartFile for StdPart {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let file = self
            .0
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()
    }
}

impl FileSink for StdFiles {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    fn open(&self, path: &Path, append: bool) -> io::Result<Box<dyn PartFile>> {
        let file = if append {
            OpenOptions::new().append(true).open(path)?
        } else {
            File::create(path)?
        };
        Ok(Box::new(StdPart(BufWriter::with_capacity(
            WRITE_BUFFER,
            file,
        ))))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }
}

/// An open part file of an async download.
#[async_trait]
pub trait AsyncPartFile: Send {
    /// Appends `bytes`.
    ///
    /// # Errors
    ///
    /// The file system's error.
    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Flushes what is buffered and syncs the file to disk.
    ///
    /// # Errors
    ///
    /// The file system's error.
    async fn finish(self: Box<Self>) -> io::Result<()>;
}

/// The file operations of an async download (the async client implements it on tokio).
#[async_trait]
pub trait AsyncFileSink: Send + Sync {
    /// As [`FileSink::create_dir_all`].
    ///
    /// # Errors
    ///
    /// The file system's error.
    async fn create_dir_all(&self, dir: &Path) -> io::Result<()>;

    /// As [`FileSink::open`].
    ///
    /// # Errors
    ///
    /// The file system's error.
    async fn open(&self, path: &Path, append: bool) -> io::Result<Box<dyn AsyncPartFile>>;

    /// As [`FileSink::rename`].
    ///
    /// # Errors
    ///
    /// The file system's error.
    async fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;

    /// As [`FileSink::remove`].
    ///
    /// # Errors
    ///
    /// The file system's error.
    async fn remove(&self, path: &Path) -> io::Result<()>;
}
