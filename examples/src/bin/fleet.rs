//! A fleet: several workers sharing one account's concurrency. Kling counts running tasks per
//! account, not per process; a create over the limit is refused (1303). Task slots, held from
//! each create to its task's end and shared by every worker, keep the account under it: jobs
//! queue in the workers instead of being refused.
//!
//! Here the slots are in memory (workers in one process). Across machines, the same builder
//! call takes kling-redis's slots, leases on Redis that a dead worker gives back by itself.
//!
//! ```sh
//! cargo run -p kling-examples --bin fleet
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use kling_client_async::AsyncKling;
use kling_client_async::types::videos::CreateText2Video;
use kling_client_async::{Client, MemorySlots, WaitOptions};
use kling_examples::Sandbox;
use kling_mock::MockConfig;
use tokio::task::JoinSet;

/// The account's concurrency: your resource pack's limit.
const SLOTS: usize = 3;
const WORKERS: usize = 3;
const JOBS_PER_WORKER: usize = 2;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    kling_examples::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // A mock account with SLOTS concurrency and tasks that run for a moment, so they overlap.
    let mock = MockConfig::instant()
        .max_concurrency(SLOTS)
        .task_duration(Duration::from_millis(400));
    let sandbox = Sandbox::with_mock("fleet", mock)?;

    // One set of slots for the whole fleet. On several machines, share them through Redis:
    //   let fleet = kling_redis::Fleet::connect("redis://127.0.0.1:6379", "kling").await?;
    //   let slots = Arc::new(fleet.slots(SLOTS, Duration::from_secs(30)));
    let slots = Arc::new(MemorySlots::new(SLOTS));

    let mut jobs = JoinSet::new();
    for worker in 0..WORKERS {
        // Each worker has its own client, as each machine would; all hold the same slots.
        let client = Client::builder()
            .credentials(sandbox.credentials()?)
            .config(sandbox.config())
            .task_slots(slots.clone())
            .build()?;
        for n in 0..JOBS_PER_WORKER {
            let client = client.clone();
            let request = CreateText2Video::new(format!("shot {n} of worker {worker}"));
            jobs.spawn(async move { client.create_and_wait(request, WaitOptions::new()).await });
        }
    }
    // Every job waits for a slot, creates, waits for its task, and gives the slot back.
    while let Some(joined) = jobs.join_next().await {
        let task = joined??;
        println!("task {} {}", task.task_id, task.task_status);
    }

    if let Some(mock) = sandbox.mock() {
        let stats = mock.stats();
        let refused = stats.codes.get("1303").copied().unwrap_or(0);
        println!(
            "{} tasks, at most {} at once (limit {SLOTS}), {refused} refused with 1303",
            stats.tasks, stats.peak_running
        );
        if stats.peak_running > SLOTS || refused > 0 {
            return Err("the slots did not keep the account under its limit".into());
        }
    }
    Ok(())
}
