//! `kling batch status|results|resume`: what the store says, and the blocked jobs queued again.

use clap::Args;
use kling_client_async::fleet::JobState;
use serde_json::json;

use super::{StoreArgs, open, shown};
use crate::flow::Ctx;
use crate::output::{CommandError, Format};

/// `kling batch results`.
#[derive(Args)]
pub(crate) struct Results {
    #[command(flatten)]
    store: StoreArgs,
    /// Only jobs in this state (queued, creating, created, done, failed)
    #[arg(long)]
    state: Option<String>,
}

pub(super) async fn resume(args: &StoreArgs, ctx: &Ctx) -> Result<(), CommandError> {
    let format = ctx.format;
    let backend = open(args, true).await?;
    let queue = backend.job_queue("resume");
    queue.prepare().await?;
    let queued = queue.resume().await?;
    match format {
        Format::Json => ctx.emit(json!({"result": {"requeued": queued}})),
        Format::Text => println!(
            "queued {queued} blocked job(s) again in {}",
            shown(&*backend)
        ),
    }
    Ok(())
}

pub(super) async fn status(args: &StoreArgs, ctx: &Ctx) -> Result<(), CommandError> {
    let format = ctx.format;
    let backend = open(args, true).await?;
    let counts = backend.counts().await?;
    let backlog = backend.job_queue("status").backlog().await?;
    let held = backend.slots_held().await?;
    match format {
        Format::Json => {
            let by_state: serde_json::Map<String, serde_json::Value> = counts
                .iter()
                .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
                .collect();
            ctx.emit(json!({"result": {
                "store": {"kind": backend.kind(), "location": backend.location()},
                "jobs": by_state,
                "queue": {"entries": backlog.entries, "undelivered": backlog.undelivered, "pending": backlog.pending},
                "slots_held": held,
            }}));
        }
        Format::Text => {
            println!("store: {}", shown(&*backend));
            for (state, n) in &counts {
                println!("{:<9} {n}", state.as_str());
            }
            println!(
                "queue: {} undelivered, {} running or pending; {held} slot(s) held",
                backlog.undelivered, backlog.pending
            );
        }
    }
    Ok(())
}

pub(super) async fn results(args: &Results, ctx: &Ctx) -> Result<(), CommandError> {
    let format = ctx.format;
    let wanted = match &args.state {
        Some(s) => Some(
            JobState::ALL
                .into_iter()
                .find(|state| state.as_str() == s)
                .ok_or_else(|| {
                    let states: Vec<&str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
                    CommandError::usage(format!("--state {s:?}: one of {}", states.join(", ")))
                })?,
        ),
        None => None,
    };
    let backend = open(&args.store, true).await?;
    let mut records = backend.records().await?;
    records.retain(|r| wanted.is_none_or(|w| r.state == w));
    records.sort_by(|a, b| a.external_task_id.cmp(&b.external_task_id));
    match format {
        Format::Json => ctx.emit(json!({"result": records})),
        Format::Text => {
            for r in &records {
                // Where a worker saved each file, when it did (its URL otherwise); JSON has both.
                let files: Vec<&str> = r
                    .files
                    .iter()
                    .map(|f| f.path.as_deref().unwrap_or(&f.url))
                    .collect();
                // A stored time is read back from a store: shown only when it is a date.
                let until = r
                    .expires_at
                    .and_then(kling_core::time::show_utc_ms)
                    .map(|d| format!(" (files kept until {d})"))
                    .unwrap_or_default();
                println!(
                    "{} {} {} {}{until}{}",
                    r.external_task_id,
                    r.state.as_str(),
                    r.task_id.as_deref().unwrap_or("-"),
                    files.join(" "),
                    r.error
                        .as_deref()
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
