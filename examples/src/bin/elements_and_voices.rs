//! The subject and voice libraries: AI Multi-Shot makes more views of a subject from one
//! frontal image; those views make an element (reusable in videos as `<<<element_1>>>`);
//! list the library, then delete the element. Then clone a voice and delete it too.
//!
//! ```sh
//! cargo run -p kling-examples --bin elements_and_voices
//! # the real API (costs credits):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     KLING_EXAMPLE_IMAGE_URL=https://.../front.png cargo run -p kling-examples --bin elements_and_voices
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::prelude::*;
use kling_client_blocking::types::general::{
    CreateAiMultiShot, CreateCustomVoice, CreateElement, DeleteElement, DeleteVoice,
    ListElementTasks, VoiceSample,
};
use kling_client_blocking::{Client, WaitOptions};
use kling_examples::{Sandbox, env};

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("elements_and_voices")?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;
    let frontal = sandbox.image_url("plush-fox-front")?;

    // AI Multi-Shot: each result image is a set of three views (`url_1`..`url_3`); all of
    // them are downloaded.
    let shots = CreateAiMultiShot::new(frontal.as_str());
    let dir = sandbox.out_dir().join("views");
    let (task, files) = client.create_and_wait_and_download(shots, dir, WaitOptions::new())?;
    let images = &task.task_result.images;
    let views: Vec<String> = images
        .iter()
        .flat_map(|i| i.views())
        .map(String::from)
        .collect();
    println!("{} views, {} files downloaded", views.len(), files.len());

    // An element: the frontal image and 1 to 3 other views. Its task's result is the element.
    let views = views.into_iter().take(3);
    let request = CreateElement::from_images("Plush fox", "a red plush fox", frontal, views);
    let task = client.create_and_wait(request, WaitOptions::new())?;
    let element = task.task_result.elements.first().ok_or("no element made")?;
    println!("element {} created", element.element_id);

    // The library is listed as the tasks that made its elements.
    let library = client.send(&ListElementTasks::new().page_size(50))?;
    for listed in library.iter().flat_map(|t| &t.task_result.elements) {
        let name = listed.element_name.as_deref().unwrap_or("-");
        println!("  {} {name}", listed.element_id);
    }
    client.send(&DeleteElement::new(&element.element_id))?;
    println!("element {} deleted", element.element_id);

    // A custom voice, cloned from a clean 5-30 s recording, then deleted. (On the mock, any
    // URL of its file host stands for a recording.)
    let recording = match sandbox.mock() {
        Some(mock) => format!("{}/files/narrator.mp3", mock.files_url),
        None => env("KLING_EXAMPLE_VOICE_URL")?,
    };
    let request = CreateCustomVoice::new("Narrator", VoiceSample::Url(recording));
    let task = client.create_and_wait(request, WaitOptions::new())?;
    let voice = task.task_result.voices.first().ok_or("no voice made")?;
    println!("voice {} cloned", voice.voice_id);
    client.send(&DeleteVoice::new(&voice.voice_id))?;
    println!("voice {} deleted", voice.voice_id);
    Ok(())
}
