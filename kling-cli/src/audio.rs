//! `kling audio ...`: text to speech, sound effects from text, and a soundtrack for a video.

use clap::{Args, Subcommand};
use kling_types::audio::{CreateTextToAudio, CreateVideoToAudio, Tts};

use crate::args::{Delivery, FlowArgs, LanguageArg, one_of, parse_seconds_f64};
use crate::flow::Ctx;
use crate::input;
use crate::legacy::deliver;
use crate::output::CommandError;

/// `kling audio ...`.
#[derive(Subcommand)]
pub(crate) enum AudioCommand {
    /// Text to speech (synchronous: --download saves the audio at once; its id works in avatar and lip sync)
    Tts(TtsArgs),
    /// A sound effect from text (MP3 and WAV)
    TextToAudio(TextToAudio),
    /// Sound effects and music for a video
    VideoToAudio(VideoToAudio),
}

/// `kling audio tts`.
#[derive(Args)]
pub(crate) struct TtsArgs {
    /// What to say (`-`: stdin; at most 1000 characters)
    #[arg(long)]
    text: String,
    /// The voice (see `kling voice presets`)
    #[arg(long)]
    voice_id: String,
    /// The language
    #[arg(long, value_enum)]
    language: LanguageArg,
    /// Speed in [0.8, 2.0]
    #[arg(long)]
    speed: Option<f64>,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling audio text-to-audio`.
#[derive(Args)]
pub(crate) struct TextToAudio {
    /// The sound wanted (`-`: stdin; at most 200 characters)
    #[arg(long)]
    prompt: String,
    /// Length, 3s to 10s with at most one decimal (5, 5.5s)
    #[arg(long, value_parser = parse_seconds_f64, value_name = "DURATION")]
    duration: f64,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling audio video-to-audio`.
#[derive(Args)]
#[command(group(one_of("video_id_or_video_url", ["video_id", "video_url"])))]
pub(crate) struct VideoToAudio {
    /// The Kling video id (or --video-url)
    #[arg(long, conflicts_with = "video_url")]
    video_id: Option<String>,
    /// The video URL (mp4/mov, 3-20 s)
    #[arg(long)]
    video_url: Option<String>,
    /// The sound effects wanted (`-`: stdin)
    #[arg(long)]
    sound_effect_prompt: Option<String>,
    /// The music wanted
    #[arg(long)]
    bgm_prompt: Option<String>,
    /// ASMR mode
    #[arg(long)]
    asmr: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// Runs a `kling audio` command.
pub(crate) async fn run(command: &AudioCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    match command {
        AudioCommand::Tts(a) => {
            let mut r = Tts::new(
                ctx.input.text(&a.text, "--text")?,
                a.voice_id.clone(),
                a.language.into(),
            );
            if let Some(speed) = a.speed {
                r = r.voice_speed(speed);
            }
            ctx.sync_task(&client, &r, &a.flow).await
        }
        AudioCommand::TextToAudio(a) => {
            let mut r = CreateTextToAudio::new(ctx.input.text(&a.prompt, "--prompt")?, a.duration);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        AudioCommand::VideoToAudio(a) => {
            let video = input::video_source(a.video_id.as_ref(), a.video_url.as_ref())?;
            let mut r = CreateVideoToAudio::new(video);
            r.sound_effect_prompt = ctx
                .input
                .opt_text(a.sound_effect_prompt.as_ref(), "--sound-effect-prompt")?;
            r.bgm_prompt = ctx.input.opt_text(a.bgm_prompt.as_ref(), "--bgm-prompt")?;
            r.asmr_mode = a.asmr.then_some(true);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
    }
}
