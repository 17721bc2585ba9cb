//! Text to video, end to end: create, wait with progress, download into `./kling-output/`.
//! The job is generic: the same function runs a new-standard or a RunBlob request.
//!
//! ```sh
//! KLING_ACCESS_KEY=... KLING_SECRET_KEY=... cargo run -p kling-client-blocking --example text_to_video -- "a red fox in fresh snow"
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::types::{Mode, Model};
use kling_client_blocking::{Client, CreateTask, Error, Kling, TaskView, WaitOptions};

/// Any job on any client: create, wait (printing progress), download every result.
fn job<C: Kling, R: CreateTask>(client: &C, request: R) -> Result<(), Error> {
    let options = WaitOptions::new().progress(|p| eprintln!("{:>6.0?}  {}", p.elapsed, p.status));
    let (task, files) = client.create_and_wait_and_download(request, "kling-output", options)?;
    for file in files {
        println!(
            "{} ({} bytes) from task {}",
            file.path.display(),
            file.bytes,
            task.task_id()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "a red fox trotting through fresh snow at dawn".to_owned());
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let request = CreateText2Video::new(prompt)
        .model(Model::KlingV2_6)
        .mode(Mode::Std)
        .duration(5);
    match job(&client, request) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            if let Some(id) = e.external_task_id() {
                eprintln!("look the task up by external_task_id {id} before creating it again");
            }
            ExitCode::FAILURE
        }
    }
}
