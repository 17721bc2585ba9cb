//! Kling through RunBlob's gateway: the same job model as the Kling API (create, wait,
//! download) with RunBlob's own requests (`types::runblob`), host (`Config::runblob()`),
//! API key and USD balance.
//!
//! ```sh
//! cargo run -p kling-examples --bin runblob
//! # RunBlob itself (costs money):
//! KLING_BASE_URL=https://platform.runblob.io KLING_API_KEY=<your RunBlob key> \
//!     cargo run -p kling-examples --bin runblob
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::prelude::*;
use kling_client_blocking::types::AspectRatio;
use kling_client_blocking::types::runblob::{GenerateO3Video, GetBalance, RunBlobModel};
use kling_client_blocking::{Client, Config, ErrorKind, WaitOptions};
use kling_examples::Sandbox;
use kling_mock::{MockConfig, MockServer};

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // A mock account with 100 units, so the balance moves.
    let sandbox = Sandbox::with_mock("runblob", MockConfig::instant().credits(100))?;
    // RunBlob's host (https://platform.runblob.io); the mock serves its API under /runblob,
    // and its generations are done at once.
    let config = sandbox
        .mock()
        .map_or_else(Config::runblob, MockServer::runblob_config);
    // RunBlob takes an API key only (the mock's demo credentials include one).
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(config)
        .build()?;

    // Answers are RunBlob's bare JSON; the client reads them as it reads Kling's envelopes.
    let before = client.send(&GetBalance::new())?;
    println!("balance: ${}", before.balance);

    let request = GenerateO3Video::new("a hot-air balloon over a misty valley")
        .model(RunBlobModel::KlingO3)
        .duration(5)
        .aspect_ratio(AspectRatio::Landscape16x9);
    match client.create_and_wait_and_download(request, sandbox.out_dir(), WaitOptions::new()) {
        Ok((generation, files)) => {
            println!(
                "generation {}: {}",
                generation.generation_id, generation.status
            );
            for file in &files {
                println!("  {} ({} bytes)", file.path.display(), file.bytes);
            }
        }
        // RunBlob has no `external_task_id`: a create whose answer was lost cannot be looked
        // up, so the SDK reports it rather than post it again. Check your dashboard first.
        Err(e) if e.kind() == ErrorKind::AmbiguousCreate => {
            return Err(
                format!("the generation may exist; check RunBlob before retrying: {e}").into(),
            );
        }
        Err(e) => return Err(e.into()),
    }

    let after = client.send(&GetBalance::new())?;
    println!("balance: ${}", after.balance);
    Ok(())
}
