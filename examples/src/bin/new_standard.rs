//! The new-standard API ("API 2.0": the model in the path, an API key, `outputs`): start
//! three text-to-video tasks, follow all of them with one `GET /tasks` per round instead of
//! one poll per task (polls count against the account's rate), then download every output.
//!
//! ```sh
//! cargo run -p kling-examples --bin new_standard
//! # the real API (costs credits; the new standard takes an API key only):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_API_KEY=... \
//!     cargo run -p kling-examples --bin new_standard
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kling_client_async::Client;
use kling_client_async::prelude::*;
use kling_client_async::types::standard::{
    CreateTextToVideo, GetTasks, Resolution, StandardModel, TaskStatus,
};
use kling_examples::Sandbox;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    kling_examples::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("new_standard")?;
    // One client for both APIs: the legacy API signs with the key pair, the new standard
    // sends the API key (a request it cannot sign is refused before it is sent).
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    let mut ids = Vec::new();
    for prompt in [
        "a paper boat on a river",
        "a lighthouse at night",
        "rain on a window",
    ] {
        let request = CreateTextToVideo::new(StandardModel::Kling3_0, prompt)
            .duration(5)
            .resolution(Resolution::P720);
        let created = client.create(request).await?;
        println!("{} <- {prompt:?}", created.task.id);
        ids.push(created.task.id.clone());
    }

    // One request answers for up to 20 ids (more are split into several calls for you).
    let deadline = Instant::now() + Duration::from_secs(600);
    let tasks = loop {
        let tasks = client
            .send(&GetTasks::by_ids(ids.clone()))
            .await?
            .into_value();
        let pending = tasks.iter().filter(|t| !t.status.is_terminal()).count();
        println!("{} tasks, {pending} still running", tasks.len());
        if pending == 0 && tasks.len() == ids.len() {
            break tasks;
        }
        if Instant::now() > deadline {
            return Err("the tasks are still running; look them up later by id".into());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    };

    for task in &tasks {
        if task.status == TaskStatus::Failed {
            let reason = task.failure_message().unwrap_or("no reason given");
            return Err(format!("task {} failed: {reason}", task.id).into());
        }
        let files = client.download_files(task, sandbox.out_dir()).await?;
        let charged = task.billing.first().and_then(|b| b.amount.as_deref());
        println!(
            "{}: {} files, charged {}",
            task.id,
            files.len(),
            charged.unwrap_or("?")
        );
    }
    Ok(())
}
