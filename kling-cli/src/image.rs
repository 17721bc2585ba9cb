//! `kling image ...`: the legacy image families, and image recognize.

use clap::{Args, Subcommand, ValueEnum};
use kling_types::common::{ElementRef, WatermarkInfo};
use kling_types::images::{
    CreateImageExpand, CreateImageGeneration, CreateMultiImage2Image, CreateOmniImage,
    CreateVirtualTryOn, ImageReference, ImageResolution, RecognizeImage, ResultType,
};
use kling_types::{AspectRatio, Model};

use crate::args::{Delivery, FlowArgs};
use crate::flow::Ctx;
use crate::legacy::deliver;
use crate::output::CommandError;

/// `kling image ...`.
#[derive(Subcommand)]
pub(crate) enum ImageCommand {
    /// Images from text, optionally guided by a reference image
    Generate(Generate),
    /// Compose 1-4 subjects, a scene and a style
    MultiImage(MultiImage),
    /// Omni image: text plus reference images and elements; single images or a series
    Omni(Omni),
    /// Extend an image beyond its borders
    Expand(Expand),
    /// Dress a person in a garment
    TryOn(TryOn),
    /// Segment an image: subject, head, face, clothes (synchronous)
    Recognize(Recognize),
}

/// An image resolution.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ResolutionArg {
    /// 1K
    #[value(name = "1k")]
    OneK,
    /// 2K
    #[value(name = "2k")]
    TwoK,
    /// 4K (omni image)
    #[value(name = "4k")]
    FourK,
}

impl From<ResolutionArg> for ImageResolution {
    fn from(r: ResolutionArg) -> Self {
        match r {
            ResolutionArg::OneK => Self::OneK,
            ResolutionArg::TwoK => Self::TwoK,
            ResolutionArg::FourK => Self::FourK,
        }
    }
}

/// What a reference image contributes.
#[derive(Clone, Copy, ValueEnum)]
enum ReferenceArg {
    /// The subject
    Subject,
    /// The face
    Face,
}

/// `kling image generate`.
#[derive(Args)]
pub(crate) struct Generate {
    /// What to draw (`-`: stdin)
    #[arg(long)]
    prompt: String,
    /// Model, e.g. kling-v2-1, kling-v3 (any name is passed through)
    #[arg(long)]
    model: Option<String>,
    /// How many images, 1-9
    #[arg(long)]
    n: Option<u32>,
    /// Aspect ratio: 16:9, 9:16, 1:1, 4:3, 3:4, 3:2, 2:3, 21:9
    #[arg(long)]
    aspect_ratio: Option<String>,
    /// Resolution
    #[arg(long, value_enum)]
    resolution: Option<ResolutionArg>,
    /// A reference image: file, URL or `-`
    #[arg(long)]
    image: Option<String>,
    /// What the reference contributes (kling-v1-5)
    #[arg(long, value_enum, requires = "image")]
    image_reference: Option<ReferenceArg>,
    /// How closely to follow the reference, in [0, 1]
    #[arg(long, requires = "image")]
    image_fidelity: Option<f64>,
    /// How closely to keep the face, in [0, 1]
    #[arg(long, requires = "image")]
    human_fidelity: Option<f64>,
    /// An element of the library (repeat)
    #[arg(long = "element", value_name = "ELEMENT_ID")]
    elements: Vec<u64>,
    /// What to avoid (not with a reference image)
    #[arg(long)]
    negative_prompt: Option<String>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling image multi-image`.
#[derive(Args)]
pub(crate) struct MultiImage {
    /// A subject, pre-cropped: file, URL or `-` (repeat; 1-4)
    #[arg(long = "subject", required = true)]
    subjects: Vec<String>,
    /// The scene: file or URL
    #[arg(long)]
    scene: Option<String>,
    /// The style: file or URL
    #[arg(long)]
    style: Option<String>,
    /// What to draw (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// Model (kling-v2-1)
    #[arg(long)]
    model: Option<String>,
    /// How many images, 1-9
    #[arg(long)]
    n: Option<u32>,
    /// Aspect ratio
    #[arg(long)]
    aspect_ratio: Option<String>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// Single images or a series.
#[derive(Clone, Copy, ValueEnum)]
enum ResultTypeArg {
    /// Independent images
    Single,
    /// A series
    Series,
}

/// `kling image omni`.
#[derive(Args)]
pub(crate) struct Omni {
    /// What to draw; `<<<image_1>>>` names the first --image (`-`: stdin)
    #[arg(long)]
    prompt: String,
    /// A reference image: file, URL or `-` (repeat)
    #[arg(long = "image")]
    images: Vec<String>,
    /// An element of the library (repeat)
    #[arg(long = "element", value_name = "ELEMENT_ID")]
    elements: Vec<u64>,
    /// Model, e.g. kling-image-o1
    #[arg(long)]
    model: Option<String>,
    /// Resolution
    #[arg(long, value_enum)]
    resolution: Option<ResolutionArg>,
    /// Single images or a series
    #[arg(long, value_enum)]
    result_type: Option<ResultTypeArg>,
    /// How many images (single)
    #[arg(long)]
    n: Option<u32>,
    /// How many images in the series
    #[arg(long)]
    series_amount: Option<u32>,
    /// Aspect ratio (or auto)
    #[arg(long)]
    aspect_ratio: Option<String>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling image expand`.
#[derive(Args)]
pub(crate) struct Expand {
    /// The image: file, URL or `-`
    #[arg(long)]
    image: String,
    /// How far to extend upwards, as a fraction of the height
    #[arg(long, default_value_t = 0.0)]
    up: f64,
    /// How far to extend downwards, as a fraction of the height
    #[arg(long, default_value_t = 0.0)]
    down: f64,
    /// How far to extend to the left, as a fraction of the width
    #[arg(long, default_value_t = 0.0)]
    left: f64,
    /// How far to extend to the right, as a fraction of the width
    #[arg(long, default_value_t = 0.0)]
    right: f64,
    /// What to fill in (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// How many images
    #[arg(long)]
    n: Option<u32>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling image try-on`.
#[derive(Args)]
pub(crate) struct TryOn {
    /// The person: file, URL or `-`
    #[arg(long)]
    human: String,
    /// The garment: file or URL (one upper, lower or dress)
    #[arg(long)]
    cloth: String,
    /// Model: kolors-virtual-try-on-v1 or -v1-5
    #[arg(long)]
    model: Option<String>,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling image recognize`.
#[derive(Args)]
pub(crate) struct Recognize {
    /// The image: file, URL or `-`
    #[arg(long)]
    image: String,
    #[command(flatten)]
    flow: FlowArgs,
}

/// Runs a `kling image` command.
pub(crate) async fn run(command: &ImageCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    let watermark = |on: bool| on.then(|| WatermarkInfo::new(true));
    let elements = |ids: &[u64]| ids.iter().map(|e| ElementRef::new(*e)).collect::<Vec<_>>();
    match command {
        ImageCommand::Generate(a) => {
            let mut r = CreateImageGeneration::new(ctx.input.text(&a.prompt, "--prompt")?);
            r.model = a.model.as_deref().map(Model::from);
            r.n = a.n;
            r.aspect_ratio = a.aspect_ratio.as_deref().map(AspectRatio::from);
            r.resolution = a.resolution.map(Into::into);
            if let Some(image) = &a.image {
                r.image = Some(ctx.input.image_or_url(image, "--image")?.into());
            }
            r.image_reference = a.image_reference.map(|x| match x {
                ReferenceArg::Subject => ImageReference::Subject,
                ReferenceArg::Face => ImageReference::Face,
            });
            r.image_fidelity = a.image_fidelity;
            r.human_fidelity = a.human_fidelity;
            r.element_list = elements(&a.elements);
            r.negative_prompt = ctx
                .input
                .opt_text(a.negative_prompt.as_ref(), "--negative-prompt")?;
            r.watermark_info = watermark(a.watermark);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ImageCommand::MultiImage(a) => {
            let mut r =
                CreateMultiImage2Image::new(ctx.input.images_or_urls(&a.subjects, "--subject")?);
            if let Some(scene) = &a.scene {
                r.scene_image = Some(ctx.input.image_or_url(scene, "--scene")?.into());
            }
            if let Some(style) = &a.style {
                r.style_image = Some(ctx.input.image_or_url(style, "--style")?.into());
            }
            r.prompt = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")?;
            r.model = a.model.as_deref().map(Model::from);
            r.n = a.n;
            r.aspect_ratio = a.aspect_ratio.as_deref().map(AspectRatio::from);
            r.watermark_info = watermark(a.watermark);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ImageCommand::Omni(a) => {
            let mut r = CreateOmniImage::new(ctx.input.text(&a.prompt, "--prompt")?);
            r.image_list = ctx
                .input
                .images_or_urls(&a.images, "--image")?
                .into_iter()
                .map(Into::into)
                .collect();
            r.element_list = elements(&a.elements);
            r.model = a.model.as_deref().map(Model::from);
            r.resolution = a.resolution.map(Into::into);
            r.result_type = a.result_type.map(|t| match t {
                ResultTypeArg::Single => ResultType::Single,
                ResultTypeArg::Series => ResultType::Series,
            });
            r.n = a.n;
            r.series_amount = a.series_amount.map(|n| n.to_string());
            r.aspect_ratio = a.aspect_ratio.as_deref().map(AspectRatio::from);
            r.watermark_info = watermark(a.watermark);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ImageCommand::Expand(a) => {
            let mut r = CreateImageExpand::new(
                ctx.input.image_or_url(&a.image, "--image")?,
                a.up,
                a.down,
                a.left,
                a.right,
            );
            r.prompt = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")?;
            r.n = a.n;
            r.watermark_info = watermark(a.watermark);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ImageCommand::TryOn(a) => {
            let mut r = CreateVirtualTryOn::new(
                ctx.input.image_or_url(&a.human, "--human")?,
                ctx.input.image_or_url(&a.cloth, "--cloth")?,
            );
            r.model = a.model.as_deref().map(Model::from);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        ImageCommand::Recognize(a) => {
            let r = RecognizeImage::new(ctx.input.image_or_url(&a.image, "--image")?);
            ctx.sync_task(&client, &r, &a.flow).await
        }
    }
}
