//! Images: several images from one prompt (`/v1/images/generations` with `n`), and an omni
//! image that restyles a reference image (`/v1/images/omni-image`), both at once on one
//! blocking client, each downloaded into its own folder.
//!
//! ```sh
//! cargo run -p kling-examples --bin images
//! # the real API (costs credits):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     KLING_EXAMPLE_IMAGE_URL=https://.../fox.png cargo run -p kling-examples --bin images
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::prelude::*;
use kling_client_blocking::types::images::{CreateImageGeneration, CreateOmniImage};
use kling_client_blocking::types::{AspectRatio, Model};
use kling_client_blocking::{Client, WaitOptions};
use kling_examples::Sandbox;

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("images")?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    // Three images of one prompt: one task, `n` results (and `n` concurrency slots).
    let generation = CreateImageGeneration::new("a lighthouse on a cliff, golden hour")
        .model(Model::KlingV2_1)
        .aspect_ratio(AspectRatio::Square)
        .n(3);
    // A reference image, cited in the prompt as <<<image_1>>>.
    let omni = CreateOmniImage::new("<<<image_1>>> as a watercolor postcard")
        .model(Model::KlingImageO1)
        .image_list([sandbox.image_url("fox")?])
        .n(2);

    // The client is `Clone + Send + Sync`: two jobs in two threads share its connections and
    // its token. Each downloads into its own folder.
    let (generated, restyled) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let dir = sandbox.out_dir().join("generations");
            client.create_and_wait_and_download(generation, dir, WaitOptions::new())
        });
        let b = s.spawn(|| {
            let dir = sandbox.out_dir().join("omni");
            client.create_and_wait_and_download(omni, dir, WaitOptions::new())
        });
        (a.join().expect("no panic"), b.join().expect("no panic"))
    });
    let (generated, restyled) = (generated?, restyled?);

    for (what, (task, files)) in [("generation", generated), ("omni image", restyled)] {
        println!("{what}: task {}, {} images", task.task_id(), files.len());
        for file in &files {
            println!("  {} ({} bytes)", file.path.display(), file.bytes);
        }
    }
    Ok(())
}
