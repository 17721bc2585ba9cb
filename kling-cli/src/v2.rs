//! `kling v2 ...`: the new standard API (model in the path, `contents`/`settings`/`options`
//! bodies, API key only), and its task queries.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use kling_client_async::prelude::*;
use kling_types::AspectRatio;
use kling_types::common::WatermarkInfo;
use kling_types::standard::{
    Audio, Content, CreateImageToVideo, CreateMotionControl, CreateOmniVideo, CreateTextToVideo,
    GetTasks, ListTasks, Resolution, StandardModel, TaskFilter, TaskPage,
};
use serde_json::json;

use crate::args::{FlowArgs, OrientationArg, parse_whole_seconds};
use crate::flow::{Ctx, Fresh};
use crate::input;
use crate::output::{CommandError, Format, print_task, to_value};

/// `kling v2 ...`.
#[derive(Subcommand)]
pub(crate) enum V2Command {
    /// Text to video
    TextToVideo(TextToVideo),
    /// Image to video from a first frame (and a last frame)
    ImageToVideo(ImageToVideo),
    /// Omni video: frames, reference images, a video to edit or follow, elements
    OmniVideo(OmniVideo),
    /// A character (image) moving like the person in a video
    MotionControl(MotionControl),
    /// Tasks by id (or --external: by your external ids)
    Get(Get),
    /// Wait for a task to finish (and download its files)
    Wait(Wait),
    /// Recent tasks, newest first, a page at a time
    List(List),
}

/// Sound.
#[derive(Clone, Copy, ValueEnum)]
enum AudioArg {
    /// Generated sound
    Native,
    /// Silent
    Off,
    /// The input video's sound (omni, motion control)
    Original,
}

/// Resolution.
#[derive(Clone, Copy, ValueEnum)]
enum ResolutionArg {
    /// 720p
    #[value(name = "720p")]
    P720,
    /// 1080p
    #[value(name = "1080p")]
    P1080,
    /// 4K (kling-3.0, kling-3.0-omni)
    #[value(name = "4k")]
    FourK,
}

/// What every new-standard create takes.
#[derive(Args)]
pub(crate) struct Common {
    /// Model: kling-3.0, kling-3.0-turbo, kling-3.0-omni, kling-o1, kling-2.6, kling-2.5-turbo
    /// (`kling models` shows each one's rules; any other name is passed through)
    #[arg(long)]
    model: String,
    /// Sound
    #[arg(long, value_enum)]
    audio: Option<AudioArg>,
    /// Resolution [default: 720p]
    #[arg(long, value_enum)]
    resolution: Option<ResolutionArg>,
    /// Length (whole seconds) [default: 5]
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// Multi-shot (3.x; write the shots in the prompt)
    #[arg(long)]
    multi_shot: bool,
    /// An element of the library: ID or ID=NAME, NAME as the prompt calls it (repeat)
    #[arg(long = "element", value_name = "ID[=NAME]", value_parser = parse_named_id)]
    elements: Vec<(String, Option<String>)>,
    /// Your id for the task (generated when absent)
    #[arg(long, value_name = "ID")]
    external_task_id: Option<String>,
    /// Where Kling POSTs status changes
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling v2 text-to-video`.
#[derive(Args)]
pub(crate) struct TextToVideo {
    /// What to generate (`-`: stdin)
    #[arg(long)]
    prompt: String,
    /// Aspect ratio: 16:9, 9:16 or 1:1
    #[arg(long)]
    aspect_ratio: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// `kling v2 image-to-video`.
#[derive(Args)]
pub(crate) struct ImageToVideo {
    /// The first frame: a URL
    #[arg(long)]
    first_frame: String,
    /// The last frame: a URL
    #[arg(long)]
    last_frame: Option<String>,
    /// What happens (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// kling-2.6: a voice the prompt cites as @NAME: ID or ID=NAME (repeat, at most 2; needs
    /// --audio native, so 1080p)
    #[arg(long = "voice", value_name = "ID[=NAME]", value_parser = parse_named_id)]
    voices: Vec<(String, Option<String>)>,
    #[command(flatten)]
    common: Common,
}

/// `kling v2 omni-video`.
#[derive(Args)]
pub(crate) struct OmniVideo {
    /// What to generate (`-`: stdin)
    #[arg(long)]
    prompt: String,
    /// The first frame: a URL
    #[arg(long)]
    first_frame: Option<String>,
    /// The last frame: a URL (with --first-frame)
    #[arg(long, requires = "first_frame")]
    last_frame: Option<String>,
    /// A reference image: a URL (repeat)
    #[arg(long = "image")]
    images: Vec<String>,
    /// A video to follow (style, camera, next or previous shot): a URL
    #[arg(long, conflicts_with = "base_video")]
    feature_video: Option<String>,
    /// A video to edit: a URL
    #[arg(long)]
    base_video: Option<String>,
    /// Aspect ratio (needed without a first frame or a video)
    #[arg(long)]
    aspect_ratio: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// `kling v2 motion-control`.
#[derive(Args)]
pub(crate) struct MotionControl {
    /// The character: an image URL
    #[arg(long)]
    image: String,
    /// The motion: a video URL
    #[arg(long)]
    video: String,
    /// Which input the character's orientation follows
    #[arg(long, value_enum)]
    orientation: OrientationArg,
    /// What to add (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// `kling v2 get`.
#[derive(Args)]
pub(crate) struct Get {
    /// Task ids (at most a few dozen)
    #[arg(required = true)]
    ids: Vec<String>,
    /// The ids are your external task ids
    #[arg(long)]
    external: bool,
}

/// `kling v2 wait`.
#[derive(Args)]
pub(crate) struct Wait {
    /// The task id
    id: String,
    /// ID is your external task id
    #[arg(long)]
    external: bool,
    /// Download the task's result files into DIR
    #[arg(long, value_name = "DIR")]
    download: Option<PathBuf>,
}

/// `kling v2 list`.
#[derive(Args)]
pub(crate) struct List {
    /// Tasks per page (at most 500)
    #[arg(long)]
    limit: Option<u32>,
    /// The next page: the cursor the previous page printed
    #[arg(long)]
    cursor: Option<String>,
    /// Only tasks in these states: submitted, processing, succeeded, failed (repeat)
    #[arg(long = "status")]
    statuses: Vec<String>,
    /// Only these products: video, image, try_on (repeat)
    #[arg(long = "product-type")]
    product_types: Vec<String>,
}

/// `ID` or `ID=NAME` (elements and voices; ids are strings on the new standard).
fn parse_named_id(text: &str) -> Result<(String, Option<String>), String> {
    let (id, name) = match text.split_once('=') {
        Some((id, name)) => (id, Some(name.trim().to_owned()).filter(|n| !n.is_empty())),
        None => (text, None),
    };
    let id = id.trim();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(format!("{text:?}: expected ID or ID=NAME"));
    }
    Ok((id.to_owned(), name))
}

/// Applies the options every new-standard create shares.
macro_rules! common {
    ($r:ident, $c:expr) => {{
        let c = $c;
        if let Some(audio) = c.audio {
            $r = $r.audio(match audio {
                AudioArg::Native => Audio::Native,
                AudioArg::Off => Audio::Off,
                AudioArg::Original => Audio::Original,
            });
        }
        if let Some(res) = c.resolution {
            $r = $r.resolution(match res {
                ResolutionArg::P720 => Resolution::P720,
                ResolutionArg::P1080 => Resolution::P1080,
                ResolutionArg::FourK => Resolution::FourK,
            });
        }
        if let Some(d) = c.duration {
            $r = $r.duration(d);
        }
        if c.multi_shot {
            $r = $r.multi_shot(true);
        }
        for (i, (id, name)) in c.elements.iter().enumerate() {
            let name = name.clone().unwrap_or_else(|| format!("element_{}", i + 1));
            $r = $r.content(Content::element(id.clone(), name));
        }
        if let Some(id) = &c.external_task_id {
            $r = $r.external_task_id(id.clone());
        }
        if let Some(url) = &c.callback_url {
            $r = $r.callback_url(url.clone());
        }
        if c.watermark {
            $r = $r.watermark_info(WatermarkInfo::new(true));
        }
        if c.flow.no_validate {
            $r = $r.without_validation();
        }
    }};
}

fn model(c: &Common) -> StandardModel {
    StandardModel::from(c.model.as_str())
}

fn wait_command(id: &str) -> String {
    format!("kling v2 wait {id}")
}

/// Runs a `kling v2` command.
pub(crate) async fn run(command: &V2Command, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.standard()?;
    let ratio = |r: &Option<String>| r.as_deref().map(AspectRatio::from);
    match command {
        V2Command::TextToVideo(a) => {
            let mut r =
                CreateTextToVideo::new(model(&a.common), ctx.input.text(&a.prompt, "--prompt")?);
            if let Some(ratio) = ratio(&a.aspect_ratio) {
                r = r.aspect_ratio(ratio);
            }
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, wait_command).await
        }
        V2Command::ImageToVideo(a) => {
            let first = input::url(&a.first_frame, "--first-frame")?;
            let mut r = CreateImageToVideo::new(model(&a.common), first);
            if let Some(last) = &a.last_frame {
                r = r.content(Content::last_frame(input::url(last, "--last-frame")?));
            }
            if let Some(prompt) = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")? {
                r = r.content(Content::prompt(prompt));
            }
            for (i, (id, name)) in a.voices.iter().enumerate() {
                let name = name.clone().unwrap_or_else(|| (i + 1).to_string());
                r = r.content(Content::voice(id.clone(), name));
            }
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, wait_command).await
        }
        V2Command::OmniVideo(a) => {
            let mut r =
                CreateOmniVideo::new(model(&a.common), ctx.input.text(&a.prompt, "--prompt")?);
            if let Some(first) = &a.first_frame {
                r = r.content(Content::first_frame(input::url(first, "--first-frame")?));
            }
            if let Some(last) = &a.last_frame {
                r = r.content(Content::last_frame(input::url(last, "--last-frame")?));
            }
            for image in &a.images {
                r = r.content(Content::ReferImage {
                    url: input::url(image, "--image")?,
                    id: None,
                });
            }
            if let Some(video) = &a.feature_video {
                r = r.content(Content::FeatureVideo {
                    url: input::url(video, "--feature-video")?,
                    id: None,
                });
            }
            if let Some(video) = &a.base_video {
                r = r.content(Content::BaseVideo {
                    url: input::url(video, "--base-video")?,
                    id: None,
                });
            }
            if let Some(ratio) = ratio(&a.aspect_ratio) {
                r = r.aspect_ratio(ratio);
            }
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, wait_command).await
        }
        V2Command::MotionControl(a) => {
            let mut r = CreateMotionControl::new(
                model(&a.common),
                input::url(&a.image, "--image")?,
                input::url(&a.video, "--video")?,
                a.orientation.into(),
            );
            if let Some(prompt) = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")? {
                r = r.content(Content::prompt(prompt));
            }
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, wait_command).await
        }
        V2Command::Get(g) => {
            let r = if g.external {
                GetTasks::by_external_ids(g.ids.clone())
            } else {
                GetTasks::by_ids(g.ids.clone())
            };
            let reply = client.send(&r).await?;
            let tasks = &reply.value;
            // Every id asked for is found, or the command fails as `task get` does (exit 5).
            let missing: Vec<&str> = g
                .ids
                .iter()
                .map(String::as_str)
                .filter(|id| {
                    !tasks.iter().any(|t| {
                        if g.external {
                            t.external_id.as_deref() == Some(*id)
                        } else {
                            t.id == *id
                        }
                    })
                })
                .collect();
            match ctx.format {
                Format::Text => tasks.iter().for_each(print_task),
                Format::Json if missing.is_empty() => ctx.emit(json!({
                    "tasks": to_value(tasks), "next_cursor": null, "request_id": reply.request_id,
                })),
                Format::Json => {}
            }
            match missing.as_slice() {
                [] => Ok(()),
                ids => Err(
                    kling_errors::Error::from(kling_errors::TaskNotFoundError::new(
                        ids.join(", "),
                        1,
                        std::time::Duration::ZERO,
                    ))
                    .into(),
                ),
            }
        }
        V2Command::Wait(w) => {
            let r = if w.external {
                GetTasks::by_external_ids([w.id.clone()])
            } else {
                GetTasks::by_ids([w.id.clone()])
            };
            ctx.finish(
                &client,
                &r,
                Fresh::Unknown,
                w.download.as_deref(),
                json!({}),
            )
            .await
        }
        V2Command::List(l) => {
            let mut r = ListTasks::new();
            if let Some(limit) = l.limit {
                r = r.limit(limit);
            }
            if let Some(cursor) = &l.cursor {
                r = r.cursor(cursor.clone());
            }
            if !l.statuses.is_empty() {
                r = r.filter(TaskFilter::new("status", l.statuses.clone()));
            }
            if !l.product_types.is_empty() {
                r = r.filter(TaskFilter::new("product_type", l.product_types.clone()));
            }
            let json = |page: &TaskPage| {
                let next = page.next_cursor.as_deref().filter(|_| page.has_more);
                json!({"tasks": to_value(&page.result), "next_cursor": next})
            };
            ctx.send_with(&client, &r, false, json, |page: &TaskPage| {
                if page.result.is_empty() {
                    println!("(none)");
                }
                for t in &page.result {
                    let ext = t.external_id.as_deref().unwrap_or("-");
                    println!("{}  {}  {ext}", t.id, t.status);
                }
                if let Some(cursor) = page.next_cursor.as_deref().filter(|_| page.has_more) {
                    println!("next page: kling v2 list --cursor {cursor}");
                }
            })
            .await
        }
    }
}
