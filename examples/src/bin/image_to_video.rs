//! Image to video with the async client, step by step: create, keep the task's ids, wait
//! with a progress callback and a deadline, then download the results.
//!
//! `create_and_wait_and_download` does the same in one call; the steps are worth taking apart
//! when you store the ids between them (a queue, a database), so a crash after the create can
//! resume the wait instead of paying for a second task.
//!
//! ```sh
//! cargo run -p kling-examples --bin image_to_video
//! # the real API (costs credits):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     KLING_EXAMPLE_IMAGE_URL=https://.../portrait.png cargo run -p kling-examples --bin image_to_video
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Duration;

use kling_client_async::prelude::*;
use kling_client_async::types::videos::CreateImage2Video;
use kling_client_async::types::{Mode, Model};
use kling_client_async::{Client, WaitOptions};
use kling_examples::Sandbox;
use kling_mock::MockConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    kling_examples::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Tasks that take 1.5 s on the mock, so there is progress to report.
    let mock = MockConfig::instant().task_duration(Duration::from_millis(1500));
    let sandbox = Sandbox::with_mock("image_to_video", mock)?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    let request = CreateImage2Video::new(sandbox.image_url("portrait")?)
        .prompt("the subject turns and smiles at the camera")
        .model(Model::KlingV2_6)
        .mode(Mode::Pro)
        .duration(5);
    let created = client.create(request).await?;
    // Persist these two: the query polls the task; the external id finds it after a crash.
    println!(
        "created task {} (external id {})",
        created.task.task_id,
        created.external_task_id.as_deref().unwrap_or("-")
    );

    // Progress after every poll; give up waiting (not the task) after ten minutes.
    let options = WaitOptions::new()
        .progress(|p| eprintln!("{:>5.1?}  poll {}  {}", p.elapsed, p.polls, p.status))
        .max_wait(Duration::from_secs(600));
    let task = client.wait(&created.query, options).await?;
    println!("task {} {}", task.task_id, task.task_status);

    let files = client.download_files(&task, sandbox.out_dir()).await?;
    for file in &files {
        println!("{} ({} bytes)", file.path.display(), file.bytes);
    }
    if files.is_empty() {
        return Err("the task succeeded but produced no file".into());
    }
    Ok(())
}
