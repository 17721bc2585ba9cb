//! `kling runblob ...`: Kling through the RunBlob gateway (its own host, key, bodies and
//! statuses). RunBlob takes no external task id: a create whose answer is lost is reported,
//! never posted again.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use kling_types::AspectRatio;
use kling_types::common::{ImageInput, Secs, is_url};
use kling_types::runblob::{
    Balance, Generate, GenerateO1Video, GenerateO3Video, GeneratePhoto, Generation, GetBalance,
    GetGeneration, ListGenerations, Product, RunBlobModel,
};
use serde_json::json;

use crate::args::{FlowArgs, parse_whole_seconds};
use crate::flow::{Ctx, Fresh, Shape};
use crate::input::Input;
use crate::output::{CommandError, print_task, to_value};

/// `kling runblob ...`.
#[derive(Subcommand)]
pub(crate) enum RunblobCommand {
    /// Classic Kling models: text or image to video, motion control
    Generate(GenerateArgs),
    /// O1 video
    O1(O1),
    /// O3 video
    O3(O3),
    /// O1 or O3 photo
    Photo(Photo),
    /// A generation's status
    Status(One),
    /// Wait for a generation to finish (and download its file)
    Wait(One),
    /// Classic generations, a page at a time
    List(List),
    /// The account balance (USD)
    Balance,
}

/// A RunBlob product (it decides the paths).
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ProductArg {
    /// Classic Kling (`generate`)
    Classic,
    /// O1 video
    O1Video,
    /// O3 video
    O3Video,
    /// O1 photo
    O1Photo,
    /// O3 photo
    O3Photo,
}

impl ProductArg {
    fn product(self) -> Product {
        match self {
            Self::Classic => Product::Classic,
            Self::O1Video => Product::O1Video,
            Self::O3Video => Product::O3Video,
            Self::O1Photo => Product::O1Photo,
            Self::O3Photo => Product::O3Photo,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::O1Video => "o1-video",
            Self::O3Video => "o3-video",
            Self::O1Photo => "o1-photo",
            Self::O3Photo => "o3-photo",
        }
    }
}

/// What every RunBlob create takes.
#[derive(Args)]
pub(crate) struct Common {
    /// What to generate (`-`: stdin; 1-2500 characters)
    #[arg(long)]
    prompt: String,
    /// Aspect ratio: 16:9, 9:16 or 1:1
    #[arg(long)]
    aspect_ratio: Option<String>,
    /// Where RunBlob POSTs the final state
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling runblob generate`.
#[derive(Args)]
pub(crate) struct GenerateArgs {
    #[command(flatten)]
    common: Common,
    /// Model: kling_3, kling_2.6, kling_2.5_turbo_pro... (any name is passed through)
    #[arg(long)]
    model: Option<String>,
    /// Length (whole seconds): 5 or 10; 3-15 for kling_3
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// What to avoid
    #[arg(long)]
    negative_prompt: Option<String>,
    /// Prompt adherence in [0, 1]
    #[arg(long)]
    cfg_scale: Option<f64>,
    /// Seed
    #[arg(long)]
    seed: Option<u32>,
    /// Start image: file, URL or `-`
    #[arg(long)]
    image: Option<String>,
    /// Motion control: the reference video (file or URL)
    #[arg(long)]
    reference_video: Option<String>,
    /// Motion control: the character image (file or URL)
    #[arg(long)]
    reference_image: Option<String>,
    /// Motion control: video or image
    #[arg(long)]
    motion_direction: Option<String>,
}

/// `kling runblob o1`.
#[derive(Args)]
pub(crate) struct O1 {
    #[command(flatten)]
    common: Common,
    /// Length (whole seconds)
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// An image: file, URL or `-` (repeat; at most 5; all files or all URLs)
    #[arg(long = "image")]
    images: Vec<String>,
    /// Keep the input's sound
    #[arg(long)]
    keep_original_sound: bool,
}

/// `kling runblob o3`.
#[derive(Args)]
pub(crate) struct O3 {
    #[command(flatten)]
    o1: O1,
    /// Model: kling_o3 (720p) or kling_o3_pro (1080p)
    #[arg(long)]
    model: Option<String>,
}

/// O1 or O3.
#[derive(Clone, Copy, ValueEnum)]
enum PhotoModel {
    /// O1 photo
    O1,
    /// O3 photo
    O3,
}

/// `kling runblob photo`.
#[derive(Args)]
pub(crate) struct Photo {
    #[command(flatten)]
    common: Common,
    /// Which product
    #[arg(long, value_enum)]
    model: PhotoModel,
    /// Sent as `img_resolution`: 1k or 2k (O1, default 2k); 1k, 2k or 4k (O3, default 4k)
    #[arg(long)]
    resolution: Option<String>,
    /// O3: several variations laid out in one image (experimental)
    #[arg(long)]
    prefer_multi_shots: bool,
    /// A reference image: file, URL or `-` (repeat; all files or all URLs; O1 at most 5, O3 10)
    #[arg(long = "image")]
    images: Vec<String>,
}

/// A generation.
#[derive(Args)]
pub(crate) struct One {
    /// The generation id
    id: String,
    /// Its product
    #[arg(long, value_enum, default_value_t = ProductArg::Classic)]
    product: ProductArg,
    /// Download its file into DIR
    #[arg(long, value_name = "DIR")]
    download: Option<PathBuf>,
}

/// `kling runblob list`.
#[derive(Args)]
pub(crate) struct List {
    /// How many
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// How many to skip
    #[arg(long, default_value_t = 0)]
    offset: u32,
}

/// Images as RunBlob wants them: all URLs, or all base64.
fn split_images(
    input: &Input,
    images: &[String],
) -> Result<(Vec<String>, Vec<String>), CommandError> {
    let (mut urls, mut inline) = (Vec::new(), Vec::new());
    for image in images {
        let value = input.image_or_url(image, "--image")?;
        if is_url(&value) {
            urls.push(value);
        } else {
            // A `data:` URL given on the command line: RunBlob wants the bare base64.
            inline.push(ImageInput::new(value).as_str().to_owned());
        }
    }
    Ok((urls, inline))
}

/// A generation not found may be another product's: RunBlob looks ids up per product.
fn product_hint(error: CommandError, product: ProductArg) -> CommandError {
    match error {
        CommandError::Sdk(e) if e.kind() == kling_errors::ErrorKind::NotFound => {
            CommandError::Hinted(
                e,
                format!(
                    "looked up as a {} generation; RunBlob keeps each product's apart: \
                     name the product that made it with --product (classic, o1-video, \
                     o3-video, o1-photo, o3-photo)",
                    product.name()
                ),
            )
        }
        other => other,
    }
}

fn waiter(product: ProductArg) -> impl Fn(&str) -> String {
    move |id| format!("kling runblob wait {id} --product {}", product.name())
}

/// Applies the options every RunBlob create shares.
macro_rules! common {
    ($r:ident, $c:expr) => {{
        let c = $c;
        if let Some(ratio) = &c.aspect_ratio {
            $r.aspect_ratio = Some(AspectRatio::from(ratio.as_str()));
        }
        $r.callback_url = c.callback_url.clone();
        if c.flow.no_validate {
            $r = $r.without_validation();
        }
    }};
}

/// Runs a `kling runblob` command.
pub(crate) async fn run(command: &RunblobCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.runblob()?;
    match command {
        RunblobCommand::Generate(a) => {
            let mut r = Generate::new(ctx.input.text(&a.common.prompt, "--prompt")?);
            // The model first: the duration's wire form depends on it.
            if let Some(model) = &a.model {
                r = r.model(RunBlobModel::from(model.as_str()));
            }
            if let Some(d) = a.duration {
                r = r.duration(d);
            }
            r.negative_prompt = ctx
                .input
                .opt_text(a.negative_prompt.as_ref(), "--negative-prompt")?;
            r.cfg_scale = a.cfg_scale;
            r.seed = a.seed;
            r.motion_direction = a.motion_direction.clone();
            let pair = |value: &Option<String>,
                        flag,
                        read: fn(&Input, &str, &str) -> Result<String, CommandError>|
             -> Result<(Option<String>, Option<String>), CommandError> {
                match value {
                    None => Ok((None, None)),
                    Some(v) => {
                        let v = read(&ctx.input, v, flag)?;
                        Ok(if is_url(&v) {
                            (Some(v), None)
                        } else {
                            (None, Some(v))
                        })
                    }
                }
            };
            (r.image_url, r.image_base64) = pair(&a.image, "--image", Input::image_or_url)?;
            (r.reference_video_url, r.reference_video_base64) =
                pair(&a.reference_video, "--reference-video", Input::file_or_url)?;
            (r.reference_image_url, r.reference_image_base64) =
                pair(&a.reference_image, "--reference-image", Input::image_or_url)?;
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, waiter(ProductArg::Classic))
                .await
        }
        RunblobCommand::O1(a) => {
            let mut r = GenerateO1Video::new(ctx.input.text(&a.common.prompt, "--prompt")?);
            r.duration = a.duration.map(Secs);
            (r.images_urls, r.images_base64) = split_images(&ctx.input, &a.images)?;
            r.keep_original_sound = a.keep_original_sound.then_some(true);
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, waiter(ProductArg::O1Video))
                .await
        }
        RunblobCommand::O3(a) => {
            let o1 = &a.o1;
            let mut r = GenerateO3Video::new(ctx.input.text(&o1.common.prompt, "--prompt")?);
            r.duration = o1.duration.map(Secs);
            (r.images_url, r.images_base64) = split_images(&ctx.input, &o1.images)?;
            r.keep_original_sound = o1.keep_original_sound.then_some(true);
            r.model = a.model.as_deref().map(RunBlobModel::from);
            common!(r, &o1.common);
            ctx.create(&client, r, &o1.common.flow, waiter(ProductArg::O3Video))
                .await
        }
        RunblobCommand::Photo(a) => {
            let prompt = ctx.input.text(&a.common.prompt, "--prompt")?;
            let (mut r, product) = match a.model {
                PhotoModel::O1 => (GeneratePhoto::o1(prompt), ProductArg::O1Photo),
                PhotoModel::O3 => (GeneratePhoto::o3(prompt), ProductArg::O3Photo),
            };
            r.img_resolution = a.resolution.clone();
            r.prefer_multi_shots = a.prefer_multi_shots.then_some(true);
            (r.images_url, r.images_base64) = split_images(&ctx.input, &a.images)?;
            common!(r, &a.common);
            ctx.create(&client, r, &a.common.flow, waiter(product))
                .await
        }
        RunblobCommand::Status(one) => {
            let r = GetGeneration::new(one.product.product(), one.id.clone());
            let done = if let Some(dir) = &one.download {
                // A finished generation: the same as waiting for it.
                ctx.finish(&client, &r, Fresh::Unknown, Some(dir), json!({}))
                    .await
            } else {
                ctx.send(&client, &r, false, Shape::Task, |g: &Generation| {
                    print_task(g)
                })
                .await
            };
            done.map_err(|e| product_hint(e, one.product))
        }
        RunblobCommand::Wait(one) => {
            let r = GetGeneration::new(one.product.product(), one.id.clone());
            ctx.finish(
                &client,
                &r,
                Fresh::Unknown,
                one.download.as_deref(),
                json!({}),
            )
            .await
            .map_err(|e| product_hint(e, one.product))
        }
        RunblobCommand::List(l) => {
            let r = ListGenerations::new(l.limit, l.offset);
            // A full page may have a next one: its offset is the cursor.
            let (limit, offset) = (l.limit, l.offset);
            let json = move |list: &Vec<Generation>| {
                let full = u64::try_from(list.len()).unwrap_or(u64::MAX) >= u64::from(limit);
                let next = full.then(|| (u64::from(offset) + u64::from(limit)).to_string());
                json!({"tasks": to_value(list), "next_cursor": next})
            };
            ctx.send_with(&client, &r, false, json, |list: &Vec<Generation>| {
                if list.is_empty() {
                    println!("(none)");
                }
                for g in list {
                    println!(
                        "{}  {}  {}",
                        g.generation_id,
                        g.status,
                        g.prompt.as_deref().unwrap_or("")
                    );
                }
            })
            .await
        }
        RunblobCommand::Balance => {
            ctx.send(
                &client,
                &GetBalance::new(),
                false,
                Shape::Result,
                |b: &Balance| println!("balance: ${}", b.balance),
            )
            .await
        }
    }
}
