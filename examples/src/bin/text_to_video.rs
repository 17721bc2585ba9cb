//! Text to video with the blocking client: create a task, wait for it, download the video.
//!
//! One call does the whole job, `create_and_wait_and_download`: the create carries an
//! `external_task_id` (generated here), so a create whose answer was lost is looked up by it
//! instead of posted twice (twice would be paid twice).
//!
//! ```sh
//! cargo run -p kling-examples --bin text_to_video -- "a red fox in fresh snow"
//! # the real API (costs credits):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     cargo run -p kling-examples --bin text_to_video
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::prelude::*;
use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::types::{AspectRatio, Mode, Model};
use kling_client_blocking::{Client, WaitOptions};
use kling_examples::Sandbox;

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let prompt = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "a red fox trotting through fresh snow at dawn".to_owned());
    let sandbox = Sandbox::start("text_to_video")?;
    // The legacy API signs each request with a JWT made from the access key pair; the client
    // mints and caches it. Without `.config(..)` it talks to Kling's Singapore host.
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    // Name everything that costs: model, mode and duration decide the price.
    let request = CreateText2Video::new(prompt)
        .model(Model::KlingV2_6)
        .mode(Mode::Std)
        .duration(5)
        .aspect_ratio(AspectRatio::Landscape16x9);

    let (task, files) =
        client.create_and_wait_and_download(request, sandbox.out_dir(), WaitOptions::new())?;

    // `task_id` is what support asks for; the files are on disk under safe names.
    println!("task {} finished: {}", task.task_id(), task.task_status);
    for file in &files {
        println!("  {} ({} bytes)", file.path.display(), file.bytes);
    }
    if files.is_empty() {
        return Err("the task succeeded but produced no file".into());
    }
    Ok(())
}
