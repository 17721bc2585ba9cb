//! `kling session ...`: multi-element video editing. A session selects parts of a video
//! (synchronous calls), then `create` starts the task that adds, swaps or removes them.

use clap::{Args, Subcommand, ValueEnum};
use kling_types::common::WatermarkInfo;
use kling_types::multi_elements::{
    CreateMultiElements, EditMode, EditSelection, InitSelection, SelectionPoint, SelectionSession,
    SessionCall,
};

use crate::args::{Delivery, FlowArgs, ModeArg, one_of, parse_whole_seconds};
use crate::flow::{Ctx, Shape};
use crate::input;
use crate::legacy::deliver;
use crate::output::CommandError;

/// `kling session ...`.
#[derive(Subcommand)]
pub(crate) enum SessionCommand {
    /// Start a selection session on a video (valid 24 h); prints its id
    Init(Init),
    /// Mark points on a frame: what to edit
    Add(Points),
    /// Unmark points on a frame
    Remove(Points),
    /// Clear the selection
    Clear(SessionArgs),
    /// Preview the selection (masks and preview URLs)
    Preview(SessionArgs),
    /// Start the edit of the selection: add, swap or remove
    Create(Create),
}

/// `kling session init`.
#[derive(Args)]
#[command(group(one_of("video_id_or_video_url", ["video_id", "video_url"])))]
pub(crate) struct Init {
    /// The Kling video id (or --video-url)
    #[arg(long, conflicts_with = "video_url")]
    video_id: Option<String>,
    /// The video URL (2-5 s or 7-10 s)
    #[arg(long)]
    video_url: Option<String>,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// A session.
#[derive(Args)]
pub(crate) struct SessionArgs {
    /// The session id (from `kling session init`)
    session_id: String,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// Points on a frame of a session.
#[derive(Args)]
pub(crate) struct Points {
    /// The session id (from `kling session init`)
    session_id: String,
    /// The frame
    #[arg(long)]
    frame: u32,
    /// A point as X,Y fractions of the frame's width and height, e.g. 0.5,0.4 (repeat; at most 10)
    #[arg(long = "point", required = true, value_parser = parse_point)]
    points: Vec<(f64, f64)>,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// What the edit does.
#[derive(Clone, Copy, ValueEnum)]
enum EditArg {
    /// Add the subjects of 1-2 images
    Addition,
    /// Replace the selection with the subject of 1 image
    Swap,
    /// Remove the selection
    Removal,
}

/// `kling session create`.
#[derive(Args)]
pub(crate) struct Create {
    /// The session id (from `kling session init`)
    session_id: String,
    /// What to do with the selection
    #[arg(long, value_enum)]
    edit: EditArg,
    /// What to do, in words; `<<<video_1>>>` and `<<<image_1>>>` name the inputs (`-`: stdin)
    #[arg(long)]
    prompt: String,
    /// An image: file, URL or `-` (repeat; 1-2 for addition, 1 for swap)
    #[arg(long = "image")]
    images: Vec<String>,
    /// What to avoid
    #[arg(long)]
    negative_prompt: Option<String>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Length: 5 or 10 (seconds)
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

fn parse_point(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{text:?}: write a point as X,Y in [0, 1], e.g. 0.5,0.4");
    let (x, y) = text.split_once(',').ok_or_else(bad)?;
    let (x, y): (f64, f64) = (
        x.trim().parse().map_err(|_| bad())?,
        y.trim().parse().map_err(|_| bad())?,
    );
    if !((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)) {
        return Err(bad());
    }
    Ok((x, y))
}

fn show(session: &SelectionSession) {
    println!("session id: {}", session.session_id);
    for (key, value) in &session.details {
        // Masks are long run-length encodings: name them rather than print them.
        let text = value.to_string();
        if text.len() > 120 {
            println!("{key}: ({} bytes; --output json shows it)", text.len());
        } else {
            println!("{key}: {text}");
        }
    }
}

/// Runs a `kling session` command.
pub(crate) async fn run(command: &SessionCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    let points = |p: &Points| {
        p.points
            .iter()
            .map(|(x, y)| SelectionPoint::new(*x, *y))
            .collect::<Vec<_>>()
    };
    match command {
        SessionCommand::Init(a) => {
            let r = InitSelection::new(input::video_source(
                a.video_id.as_ref(),
                a.video_url.as_ref(),
            )?);
            ctx.send(&client, &r, a.dry_run, Shape::Result, show).await
        }
        SessionCommand::Add(p) => {
            let r = EditSelection::add(p.session_id.clone(), p.frame, points(p));
            ctx.send(&client, &r, p.dry_run, Shape::Result, show).await
        }
        SessionCommand::Remove(p) => {
            let r = EditSelection::delete(p.session_id.clone(), p.frame, points(p));
            ctx.send(&client, &r, p.dry_run, Shape::Result, show).await
        }
        SessionCommand::Clear(s) => {
            let r = SessionCall::clear(s.session_id.clone());
            ctx.send(&client, &r, s.dry_run, Shape::Result, show).await
        }
        SessionCommand::Preview(s) => {
            let r = SessionCall::preview(s.session_id.clone());
            ctx.send(&client, &r, s.dry_run, Shape::Result, show).await
        }
        SessionCommand::Create(a) => {
            let edit = match a.edit {
                EditArg::Addition => EditMode::Addition,
                EditArg::Swap => EditMode::Swap,
                EditArg::Removal => EditMode::Removal,
            };
            let mut r = CreateMultiElements::new(
                a.session_id.clone(),
                edit,
                ctx.input.text(&a.prompt, "--prompt")?,
            );
            r.image_list = ctx
                .input
                .images_or_urls(&a.images, "--image")?
                .into_iter()
                .map(Into::into)
                .collect();
            r.negative_prompt = ctx
                .input
                .opt_text(a.negative_prompt.as_ref(), "--negative-prompt")?;
            r.mode = a.mode.map(Into::into);
            r.duration = a.duration.map(Into::into);
            r.watermark_info = a.watermark.then(|| WatermarkInfo::new(true));
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
    }
}
