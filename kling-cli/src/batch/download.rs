//! `kling batch download DIR`, and the dashboard's "download missing": the done jobs' files
//! missing from a folder, saved under the names a worker gives them
//! ([`kling_redis::saved_names`]), and noted in their records.

use std::path::{Path, PathBuf};

use clap::Args;
use kling_core::AsyncKling;
use kling_core::fleet::{FleetBackend, JobState};
use serde_json::json;

use super::{StoreArgs, open, shown};
use crate::flow::Ctx;
use crate::output::{CommandError, Format};

/// `kling batch download`.
#[derive(Args)]
pub(crate) struct Download {
    /// The folder (the one given to `kling batch work --download`, or any other)
    dir: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

/// What a download of the missing files did.
#[derive(Debug, Default)]
pub(super) struct Saved {
    /// Files saved.
    pub(super) files: u64,
    /// Jobs whose files could not all be saved, with why (a link gone, the store not written).
    pub(super) failed: Vec<(String, kling_errors::Error)>,
}

impl Saved {
    pub(super) fn as_json(&self) -> serde_json::Value {
        let failed: Vec<_> = self
            .failed
            .iter()
            .map(|(id, error)| json!({"external_task_id": id, "error": error.to_string()}))
            .collect();
        json!({"saved": self.files, "failed": failed})
    }
}

/// Saves every done job's files missing from `dir` (made if needed), and writes the records
/// whose saved paths changed.
///
/// # Errors
///
/// When the folder cannot be made or the store cannot be read; a job's own failure is in
/// [`Saved::failed`] and the others go on.
pub(super) async fn save_missing<K: AsyncKling>(
    backend: &dyn FleetBackend,
    client: &K,
    dir: &Path,
) -> Result<Saved, kling_errors::Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| kling_errors::IoError::new("create the folder", dir, e))?;
    let mut records = backend.records().await?;
    records.sort_by(|a, b| a.external_task_id.cmp(&b.external_task_id));
    let store = backend.job_store();
    let mut saved = Saved::default();
    for mut record in records.into_iter().filter(|r| r.state == JobState::Done) {
        let missing = kling_redis::saved_names(&record)
            .iter()
            .flatten()
            .filter(|name| !dir.join(name).is_file())
            .count() as u64;
        if missing == 0 {
            continue;
        }
        let id = record.external_task_id.clone();
        match kling_redis::save_files(client, &mut record, dir).await {
            Ok((_, changed)) => {
                saved.files += missing;
                if changed && let Err(e) = store.put(&record).await {
                    saved.failed.push((id, e));
                }
            }
            Err(e) => saved.failed.push((id, e)),
        }
    }
    Ok(saved)
}

/// `kling batch download DIR`. A job not saved fails the command: its error, with what was
/// saved in the hint.
pub(super) async fn download(args: &Download, ctx: &Ctx) -> Result<(), CommandError> {
    let backend = open(&args.store, true).await?;
    let saved = save_missing(&*backend, &ctx.downloader()?, &args.dir).await?;
    let line = format!(
        "saved {} file(s) into {} from {}",
        saved.files,
        args.dir.display(),
        shown(&*backend)
    );
    let failures = saved.failed.len();
    match saved.failed.into_iter().next() {
        None => {
            match ctx.format {
                Format::Json => ctx.emit(json!({"result": {"saved": saved.files, "failed": []}})),
                Format::Text => println!("{line}"),
            }
            Ok(())
        }
        Some((id, error)) => Err(CommandError::Hinted(
            error,
            format!(
                "{line}; {failures} job(s) not saved, the first {id} for the error above \
                 (`kling batch results` shows until when each job's links last)"
            ),
        )),
    }
}
