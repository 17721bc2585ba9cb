//! `kling voice ...`: custom voices (cloned from a recording or a Kling video) and presets.

use clap::{Args, Subcommand};
use kling_types::general::{
    CreateCustomVoice, DeleteVoice, GetCustomVoiceTask, ListCustomVoiceTasks, ListPresetVoices,
    VoiceSample,
};

use crate::args::{Delivery, FlowArgs, one_of};
use crate::element::{Get, Page};
use crate::flow::{Ctx, Shape};
use crate::input;
use crate::legacy::deliver;
use crate::output::{CommandError, print_tasks};

/// `kling voice ...`.
#[derive(Subcommand)]
pub(crate) enum VoiceCommand {
    /// Clone a voice from a recording URL or a Kling video with sound
    Create(Create),
    /// Your custom voice tasks, a page at a time
    List(Page),
    /// One custom voice task, by task id (or --external: your external task id)
    Get(Get),
    /// Delete a custom voice
    Delete(Delete),
    /// The official voices, a page at a time
    Presets(Page),
}

/// `kling voice create`.
#[derive(Args)]
#[command(group(one_of("url_or_video_id", ["url", "video_id"])))]
pub(crate) struct Create {
    /// The voice's name (at most 20 characters)
    #[arg(long)]
    name: String,
    /// A clean recording: a URL (mp3, wav, mp4, mov; 5-30 s)
    #[arg(long, conflicts_with = "video_id")]
    url: Option<String>,
    /// A Kling video with speech (v2.6 with sound, avatar or lip-sync output)
    #[arg(long)]
    video_id: Option<String>,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling voice delete`.
#[derive(Args)]
pub(crate) struct Delete {
    /// The voice's id
    voice_id: String,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// Runs a `kling voice` command.
pub(crate) async fn run(command: &VoiceCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    match command {
        VoiceCommand::Create(a) => {
            let sample = match (&a.url, &a.video_id) {
                (Some(url), None) => VoiceSample::Url(input::url(url, "--url")?),
                (None, Some(id)) => VoiceSample::VideoId(id.clone()),
                _ => return Err(CommandError::usage("give one of --url and --video-id")),
            };
            let mut r = CreateCustomVoice::new(ctx.input.text(&a.name, "--name")?, sample);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VoiceCommand::List(p) => {
            let r = ListCustomVoiceTasks::new()
                .page(p.page)
                .page_size(p.page_size);
            ctx.send(&client, &r, false, Shape::Tasks, |tasks| print_tasks(tasks))
                .await
        }
        VoiceCommand::Presets(p) => {
            let r = ListPresetVoices::new().page(p.page).page_size(p.page_size);
            ctx.send(&client, &r, false, Shape::Tasks, |tasks| print_tasks(tasks))
                .await
        }
        VoiceCommand::Get(g) => {
            let r = if g.external {
                GetCustomVoiceTask::by_external_task_id(g.id.clone())
            } else {
                GetCustomVoiceTask::by_task_id(g.id.clone())
            };
            crate::task::get_task(ctx, &client, &r, g.download.as_deref()).await
        }
        VoiceCommand::Delete(d) => {
            let r = DeleteVoice::new(d.voice_id.clone());
            ctx.send(&client, &r, d.dry_run, Shape::Result, |_| {
                println!("deleted voice {}", d.voice_id)
            })
            .await
        }
    }
}
