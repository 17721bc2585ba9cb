//! `kling element ...`: the element (subject) library.

use clap::{Args, Subcommand};
use kling_types::general::{
    CreateAiMultiShot, CreateElement, DeleteElement, DeletePath, GetElementTask, ListElementTasks,
    ListPresetElements,
};

use crate::args::{Delivery, FlowArgs, one_of};
use crate::flow::{Ctx, Shape};
use crate::input;
use crate::legacy::deliver;
use crate::output::{CommandError, print_tasks};

/// `kling element ...`.
#[derive(Subcommand)]
pub(crate) enum ElementCommand {
    /// Create an element from images (a frontal view and 1-3 more) or from one video
    Create(Create),
    /// AI Multi-Shot: three sets of three more views of a subject, from its frontal image
    /// (views to make an element of)
    MultiShot(MultiShot),
    /// Your element tasks, a page at a time
    List(Page),
    /// One element task, by task id (or --external: your external task id)
    Get(Get),
    /// Delete an element
    Delete(Delete),
    /// The official elements, a page at a time
    Presets(Page),
}

/// `kling element create`.
#[derive(Args)]
#[command(group(one_of("video_or_frontal_image", ["video", "frontal_image"])))]
pub(crate) struct Create {
    /// Its name (at most 20 characters)
    #[arg(long)]
    name: String,
    /// Its description (at most 100 characters)
    #[arg(long)]
    description: String,
    /// The frontal image: file or URL (with --refer-image)
    #[arg(long, requires = "refer_images", conflicts_with = "video")]
    frontal_image: Option<String>,
    /// Another view: file or URL (repeat; 1-3)
    #[arg(long = "refer-image", requires = "frontal_image")]
    refer_images: Vec<String>,
    /// A video URL of the subject (3-8 s, 1080p)
    #[arg(long)]
    video: Option<String>,
    /// The element's voice
    #[arg(long)]
    voice_id: Option<String>,
    /// A tag, e.g. o_101 (repeat)
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling element multi-shot`.
#[derive(Args)]
pub(crate) struct MultiShot {
    /// The subject's frontal view: file or URL (JPEG or PNG, at most 10 MB)
    #[arg(long)]
    image: String,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// A page of a list.
#[derive(Args)]
pub(crate) struct Page {
    /// The page, from 1
    #[arg(long, default_value_t = 1)]
    pub(crate) page: u32,
    /// Items per page
    #[arg(long, default_value_t = 30)]
    pub(crate) page_size: u32,
}

/// A task id, or an external task id.
#[derive(Args)]
pub(crate) struct Get {
    /// The task id
    pub(crate) id: String,
    /// ID is your external task id
    #[arg(long)]
    pub(crate) external: bool,
    /// Download the task's files into DIR
    #[arg(long, value_name = "DIR")]
    pub(crate) download: Option<std::path::PathBuf>,
}

/// `kling element delete`.
#[derive(Args)]
pub(crate) struct Delete {
    /// The element's id
    element_id: String,
    /// Post to /v1/general/delete-elements (the image-side pages' path) instead of
    /// /v1/general/delete-advanced-elements
    #[arg(long)]
    image_side: bool,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// Runs a `kling element` command.
pub(crate) async fn run(command: &ElementCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    match command {
        ElementCommand::Create(a) => {
            let name = ctx.input.text(&a.name, "--name")?;
            let description = ctx.input.text(&a.description, "--description")?;
            let mut r = match (&a.frontal_image, &a.video) {
                (Some(frontal), None) => CreateElement::from_images(
                    name,
                    description,
                    ctx.input.image_or_url(frontal, "--frontal-image")?,
                    ctx.input.images_or_urls(&a.refer_images, "--refer-image")?,
                ),
                (None, Some(video)) => {
                    CreateElement::from_video(name, description, input::url(video, "--video")?)
                }
                _ => {
                    return Err(CommandError::usage(
                        "give --frontal-image with --refer-image, or --video",
                    ));
                }
            };
            r.element_voice_id = a.voice_id.clone();
            if !a.tags.is_empty() {
                r = r.tags(a.tags.clone());
            }
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ElementCommand::MultiShot(a) => {
            let mut r = CreateAiMultiShot::new(ctx.input.image_or_url(&a.image, "--image")?);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ElementCommand::List(p) => {
            let r = ListElementTasks::new().page(p.page).page_size(p.page_size);
            ctx.send(&client, &r, false, Shape::Tasks, |tasks| print_tasks(tasks))
                .await
        }
        ElementCommand::Presets(p) => {
            let r = ListPresetElements::new()
                .page(p.page)
                .page_size(p.page_size);
            ctx.send(&client, &r, false, Shape::Tasks, |tasks| print_tasks(tasks))
                .await
        }
        ElementCommand::Get(g) => {
            let r = if g.external {
                GetElementTask::by_external_task_id(g.id.clone())
            } else {
                GetElementTask::by_task_id(g.id.clone())
            };
            crate::task::get_task(ctx, &client, &r, g.download.as_deref()).await
        }
        ElementCommand::Delete(d) => {
            let mut r = DeleteElement::new(d.element_id.clone());
            if d.image_side {
                r = r.via(DeletePath::Elements);
            }
            ctx.send(&client, &r, d.dry_run, Shape::Result, |_| {
                println!("deleted element {}", d.element_id)
            })
            .await
        }
    }
}
