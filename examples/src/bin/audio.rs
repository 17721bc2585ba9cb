//! Audio with the async client: a sound effect from text (`/v1/audio/text-to-audio`, a task
//! with an MP3 and a WAV), and speech from text (`/v1/audio/tts`, answered at once) in one of
//! Kling's official voices.
//!
//! ```sh
//! cargo run -p kling-examples --bin audio
//! # the real API (costs credits):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     cargo run -p kling-examples --bin audio
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_async::prelude::*;
use kling_client_async::types::audio::{CreateTextToAudio, Tts};
use kling_client_async::types::general::ListPresetVoices;
use kling_client_async::types::videos::VoiceLanguage;
use kling_client_async::{Client, WaitOptions};
use kling_examples::Sandbox;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    kling_examples::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("audio")?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    // A sound effect is a task like a video: create, wait, download (3 to 10 s of sound).
    let effect = CreateTextToAudio::new("rain on a tin roof, distant thunder", 4.5);
    let dir = sandbox.out_dir().join("effect");
    let (task, files) = client
        .create_and_wait_and_download(effect, dir, WaitOptions::new())
        .await?;
    println!("sound effect: task {}", task.task_id());
    for file in &files {
        println!("  {} ({} bytes)", file.path.display(), file.bytes);
    }

    // The official voices are a paged list; each item is a finished "task" holding a voice.
    let presets = client.send(&ListPresetVoices::new().page_size(10)).await?;
    let voice = presets
        .iter()
        .flat_map(|t| &t.task_result.voices)
        .next()
        .ok_or("no preset voice listed")?;
    println!(
        "speaking with {} ({})",
        voice.voice_id,
        voice.voice_name.as_deref().unwrap_or("?")
    );

    // TTS is synchronous: `send` answers with the finished task, so download its files
    // straight away. The audio's id also works as `audio_id` for lip sync and avatars.
    let tts = Tts::new(
        "Welcome aboard. We depart in five minutes.",
        &voice.voice_id,
        VoiceLanguage::En,
    )
    .voice_speed(1.1);
    let speech = client.send(&tts).await?;
    let files = client
        .download_files(&speech.value, sandbox.out_dir().join("speech"))
        .await?;
    println!(
        "speech: request {}",
        speech.request_id.as_deref().unwrap_or("-")
    );
    for file in &files {
        println!("  {} ({} bytes)", file.path.display(), file.bytes);
    }
    if files.is_empty() {
        return Err("TTS answered without audio".into());
    }
    Ok(())
}
