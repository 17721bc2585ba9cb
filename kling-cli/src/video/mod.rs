//! `kling video ...`: the legacy video families. Lip sync and avatars are in `lipsync.rs`.

use clap::{Args, Subcommand, ValueEnum};
use kling_types::common::{CameraControl, ElementRef, ShotType, VoiceRef, WatermarkInfo, YesNo};
use kling_types::videos::{
    CreateEffect, CreateImage2Video, CreateMotionControl, CreateMultiImage2Video, CreateOmniVideo,
    CreateText2Video, CreateVideoExtend, EffectScene, OmniImage, OmniVideo, ReferType,
};
use kling_types::{AspectRatio, Model};

use crate::args::{
    Delivery, FlowArgs, ModeArg, OrientationArg, SoundArg, one_of, parse_whole_seconds,
};
use crate::flow::Ctx;
use crate::input;
use crate::legacy::deliver;
use crate::lipsync;
use crate::output::CommandError;

mod parse;

use parse::{dynamic_mask, parse_camera, parse_shot, shots};

/// `kling video ...`.
#[derive(Subcommand)]
pub(crate) enum VideoCommand {
    /// Text to video
    Text2video(Text2Video),
    /// Image to video: a start frame (file, URL or `-`), an end frame, or both
    Image2video(Image2Video),
    /// A video from 1-4 subject images
    #[command(name = "multi-image2video")]
    MultiImage2video(MultiImage2Video),
    /// Extend a generated video by about 4.5 s
    Extend(Extend),
    /// Omni video: references, frames, elements, a video to edit or follow
    Omni(Omni),
    /// A character (image) moving like the person in a video
    MotionControl(MotionControl),
    /// Lip-sync a video to text or audio
    LipSync(lipsync::LipSync),
    /// Find the faces of a video, for advanced lip sync (prints a session id and face ids)
    IdentifyFace(lipsync::IdentifyFaceArgs),
    /// Lip-sync chosen faces of a video to audio (after identify-face)
    AdvancedLipSync(lipsync::AdvancedLipSync),
    /// A talking portrait from an image and audio
    Avatar(lipsync::Avatar),
    /// A video effect on one or two images
    Effects(Effects),
}

/// The options of text and image to video.
#[derive(Args)]
pub(crate) struct Generation {
    /// Model, e.g. kling-v2-6, kling-v3 (any name is passed through; see `kling models`)
    #[arg(long)]
    model: Option<String>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Length: 5, 10s... (whole seconds)
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// What to avoid (`-`: stdin)
    #[arg(long)]
    negative_prompt: Option<String>,
    /// Prompt adherence in [0, 1] (v1.x models)
    #[arg(long)]
    cfg_scale: Option<f64>,
    /// Native sound (v2.6 and later)
    #[arg(long, value_enum)]
    sound: Option<SoundArg>,
    /// A voice for `<<<voice_1>>>` in the prompt (needs --sound on; at most 2)
    #[arg(long = "voice", value_name = "VOICE_ID")]
    voices: Vec<String>,
    /// Camera movement: a preset (down_back, forward_up, right_turn_forward, left_turn_forward) or one axis, e.g. zoom=5 (horizontal, vertical, pan, tilt, roll, zoom in [-10, 10])
    #[arg(long, value_parser = parse_camera)]
    camera: Option<CameraControl>,
    /// A shot of a multi-shot video: DURATION:PROMPT, e.g. "3s:a fox wakes up" (repeat; v3)
    #[arg(long = "shot", value_name = "DURATION:PROMPT", value_parser = parse_shot)]
    shots: Vec<(u32, String)>,
    /// Let the model cut the prompt into shots (v3)
    #[arg(long, conflicts_with = "shots")]
    auto_shots: bool,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
}

/// `kling video text2video`.
#[derive(Args)]
#[command(group(one_of("prompt_or_shots", ["prompt", "shots"])))]
pub(crate) struct Text2Video {
    /// What to generate (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// Aspect ratio: 16:9, 9:16 or 1:1
    #[arg(long)]
    aspect_ratio: Option<String>,
    #[command(flatten)]
    generation: Generation,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling video image2video`.
#[derive(Args)]
#[command(group(one_of("image_or_image_tail", ["image", "image_tail"])))]
pub(crate) struct Image2Video {
    /// Start frame: a file, a URL or `-` (stdin)
    #[arg(long)]
    image: Option<String>,
    /// End frame: a file, a URL or `-`
    #[arg(long)]
    image_tail: Option<String>,
    /// What happens (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// An element of the library (repeat; at most 3)
    #[arg(long = "element", value_name = "ELEMENT_ID")]
    elements: Vec<u64>,
    /// Motion brush: the area that stays still (a file or URL)
    #[arg(long)]
    static_mask: Option<String>,
    /// Motion brush: MASK:x1,y1;x2,y2;... an area and its path (repeat; at most 6)
    #[arg(long = "dynamic-mask", value_name = "MASK:POINTS")]
    dynamic_masks: Vec<String>,
    #[command(flatten)]
    generation: Generation,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling video multi-image2video`.
#[derive(Args)]
pub(crate) struct MultiImage2Video {
    /// A subject image: file, URL or `-` (repeat; 1-4)
    #[arg(long = "image", required = true)]
    images: Vec<String>,
    /// What happens (`-`: stdin)
    #[arg(long)]
    prompt: String,
    /// Model (kling-v1-6)
    #[arg(long)]
    model: Option<String>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Length: 5 or 10 (seconds)
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// Aspect ratio: 16:9, 9:16 or 1:1
    #[arg(long)]
    aspect_ratio: Option<String>,
    /// What to avoid
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

/// `kling video extend`.
#[derive(Args)]
pub(crate) struct Extend {
    /// The Kling video id to extend (from a finished task, at most 30 days old)
    #[arg(long)]
    video_id: String,
    /// What happens next (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// What to avoid
    #[arg(long)]
    negative_prompt: Option<String>,
    /// Prompt adherence in [0, 1]
    #[arg(long)]
    cfg_scale: Option<f64>,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// How an omni video uses its input video.
#[derive(Clone, Copy, ValueEnum)]
enum ReferArg {
    /// Edit this video
    Base,
    /// Follow its style or camera
    Feature,
}

/// `kling video omni`.
#[derive(Args)]
#[command(group(one_of("prompt_or_shots", ["prompt", "shots"])))]
pub(crate) struct Omni {
    /// What to generate; `<<<image_1>>>`, `<<<element_1>>>`, `<<<video_1>>>` name the inputs (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// Model: kling-video-o1, kling-v3-omni...
    #[arg(long)]
    model: Option<String>,
    /// A reference image: file, URL or `-` (repeat)
    #[arg(long = "image")]
    images: Vec<String>,
    /// The first frame: file or URL
    #[arg(long)]
    first_frame: Option<String>,
    /// The last frame: file or URL (with --first-frame)
    #[arg(long)]
    end_frame: Option<String>,
    /// An element of the library (repeat)
    #[arg(long = "element", value_name = "ELEMENT_ID")]
    elements: Vec<u64>,
    /// A video URL to edit or follow
    #[arg(long)]
    video: Option<String>,
    /// What the video is for
    #[arg(long, value_enum, default_value_t = ReferArg::Base, requires = "video")]
    video_refer: ReferArg,
    /// Keep the input video's sound
    #[arg(long, requires = "video")]
    keep_original_sound: bool,
    /// A voice for `<<<voice_1>>>` (repeat)
    #[arg(long = "voice", value_name = "VOICE_ID")]
    voices: Vec<String>,
    /// Native sound
    #[arg(long, value_enum)]
    sound: Option<SoundArg>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Aspect ratio (needed without a first frame or a video)
    #[arg(long)]
    aspect_ratio: Option<String>,
    /// Length (whole seconds)
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    /// A shot: DURATION:PROMPT (repeat)
    #[arg(long = "shot", value_name = "DURATION:PROMPT", value_parser = parse_shot)]
    shots: Vec<(u32, String)>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling video motion-control`.
#[derive(Args)]
pub(crate) struct MotionControl {
    /// Model, e.g. kling-v2-6
    #[arg(long)]
    model: String,
    /// The character: file, URL or `-`
    #[arg(long)]
    image: String,
    /// The motion: a video URL (3-30 s)
    #[arg(long)]
    video_url: String,
    /// Which input the character's orientation follows
    #[arg(long, value_enum)]
    orientation: OrientationArg,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: ModeArg,
    /// What to add (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// Keep the motion video's sound
    #[arg(long)]
    keep_original_sound: bool,
    /// An element of the library (repeat)
    #[arg(long = "element", value_name = "ELEMENT_ID")]
    elements: Vec<u64>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling video effects`.
#[derive(Args)]
pub(crate) struct Effects {
    /// The effect, e.g. bloombloom, squish, hug, kiss (any name is passed through)
    #[arg(long)]
    scene: String,
    /// The image: file, URL or `-` (twice for two-person effects: left, then right)
    #[arg(long = "image", required = true)]
    images: Vec<String>,
    /// Model (some effects take one)
    #[arg(long)]
    model: Option<String>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Length (whole seconds)
    #[arg(long, value_parser = parse_whole_seconds, value_name = "DURATION")]
    duration: Option<u32>,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// Applies the generation options shared by text and image to video.
macro_rules! generation {
    ($r:ident, $g:expr, $ctx:ident) => {{
        let g = $g;
        $r.model = g.model.as_deref().map(Model::from);
        $r.mode = g.mode.map(Into::into);
        $r.duration = g.duration.map(Into::into);
        $r.negative_prompt = $ctx
            .input
            .opt_text(g.negative_prompt.as_ref(), "--negative-prompt")?;
        $r.cfg_scale = g.cfg_scale;
        $r.sound = g.sound.map(Into::into);
        $r.voice_list = g.voices.iter().map(|v| VoiceRef::new(v.clone())).collect();
        $r.camera_control = g.camera.clone();
        if !g.shots.is_empty() {
            $r.multi_shot = Some(true);
            $r.shot_type = Some(ShotType::Customize);
            $r.multi_prompt = shots(&g.shots);
        } else if g.auto_shots {
            $r.multi_shot = Some(true);
            $r.shot_type = Some(ShotType::Intelligence);
        }
        $r.watermark_info = g.watermark.then(|| WatermarkInfo::new(true));
    }};
}

/// Runs a `kling video` command.
pub(crate) async fn run(command: &VideoCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    match command {
        VideoCommand::Text2video(a) => {
            let prompt = ctx
                .input
                .opt_text(a.prompt.as_ref(), "--prompt")?
                .unwrap_or_default();
            let mut r = CreateText2Video::new(prompt);
            generation!(r, &a.generation, ctx);
            r.aspect_ratio = a.aspect_ratio.as_deref().map(AspectRatio::from);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::Image2video(a) => {
            let mut r = match (&a.image, &a.image_tail) {
                (Some(image), tail) => {
                    let mut r = CreateImage2Video::new(ctx.input.image_or_url(image, "--image")?);
                    if let Some(tail) = tail {
                        r.image_tail = Some(ctx.input.image_or_url(tail, "--image-tail")?.into());
                    }
                    r
                }
                (None, Some(tail)) => {
                    CreateImage2Video::from_end_frame(ctx.input.image_or_url(tail, "--image-tail")?)
                }
                (None, None) => {
                    return Err(CommandError::usage("give --image, --image-tail or both"));
                }
            };
            generation!(r, &a.generation, ctx);
            r.prompt = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")?;
            r.element_list = a.elements.iter().map(|e| ElementRef::new(*e)).collect();
            if let Some(mask) = &a.static_mask {
                r.static_mask = Some(ctx.input.image_or_url(mask, "--static-mask")?.into());
            }
            r.dynamic_masks = a
                .dynamic_masks
                .iter()
                .map(|m| dynamic_mask(&ctx.input, m))
                .collect::<Result<_, _>>()?;
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::MultiImage2video(a) => {
            let images = ctx.input.images_or_urls(&a.images, "--image")?;
            let mut r = CreateMultiImage2Video::new(images, ctx.input.text(&a.prompt, "--prompt")?);
            r.model = a.model.as_deref().map(Model::from);
            r.mode = a.mode.map(Into::into);
            r.duration = a.duration.map(Into::into);
            r.aspect_ratio = a.aspect_ratio.as_deref().map(AspectRatio::from);
            r.negative_prompt = ctx
                .input
                .opt_text(a.negative_prompt.as_ref(), "--negative-prompt")?;
            r.watermark_info = a.watermark.then(|| WatermarkInfo::new(true));
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::Extend(a) => {
            let mut r = CreateVideoExtend::new(a.video_id.clone());
            r.prompt = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")?;
            r.negative_prompt = ctx
                .input
                .opt_text(a.negative_prompt.as_ref(), "--negative-prompt")?;
            r.cfg_scale = a.cfg_scale;
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::Omni(a) => {
            let mut r = match ctx.input.opt_text(a.prompt.as_ref(), "--prompt")? {
                Some(prompt) if a.shots.is_empty() => CreateOmniVideo::new(prompt),
                prompt => {
                    let mut r = CreateOmniVideo::multi_shot(shots(&a.shots));
                    r.prompt = prompt;
                    r
                }
            };
            let mut images = Vec::new();
            if let Some(f) = &a.first_frame {
                images.push(OmniImage::first_frame(
                    ctx.input.image_or_url(f, "--first-frame")?,
                ));
            }
            if let Some(f) = &a.end_frame {
                images.push(OmniImage::end_frame(
                    ctx.input.image_or_url(f, "--end-frame")?,
                ));
            }
            for i in &a.images {
                images.push(OmniImage::reference(ctx.input.image_or_url(i, "--image")?));
            }
            r.image_list = images;
            r.model = a.model.as_deref().map(Model::from);
            r.element_list = a.elements.iter().map(|e| ElementRef::new(*e)).collect();
            if let Some(url) = &a.video {
                let refer = match a.video_refer {
                    ReferArg::Base => ReferType::Base,
                    ReferArg::Feature => ReferType::Feature,
                };
                let mut video = OmniVideo::new(input::url(url, "--video")?, refer);
                if a.keep_original_sound {
                    video = video.keep_original_sound(true);
                }
                r.video_list = vec![video];
            }
            r.voice_list = a.voices.iter().map(|v| VoiceRef::new(v.clone())).collect();
            r.sound = a.sound.map(Into::into);
            r.mode = a.mode.map(Into::into);
            r.aspect_ratio = a.aspect_ratio.as_deref().map(AspectRatio::from);
            r.duration = a.duration.map(Into::into);
            r.watermark_info = a.watermark.then(|| WatermarkInfo::new(true));
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::MotionControl(a) => {
            let mut r = CreateMotionControl::new(
                Model::from(a.model.as_str()),
                ctx.input.image_or_url(&a.image, "--image")?,
                input::url(&a.video_url, "--video-url")?,
                a.orientation.into(),
                a.mode.into(),
            );
            r.prompt = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")?;
            r.keep_original_sound = a.keep_original_sound.then_some(YesNo::Yes);
            r.element_list = a.elements.iter().map(|e| ElementRef::new(*e)).collect();
            r.watermark_info = a.watermark.then(|| WatermarkInfo::new(true));
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::Effects(a) => {
            let scene = EffectScene::from(a.scene.as_str());
            let images = ctx.input.images_or_urls(&a.images, "--image")?;
            let two = match (scene.takes_two_images(), images.len()) {
                (Some(true), 2) | (None, 2) => true,
                (Some(false), 1) | (None, 1) => false,
                (Some(two), n) => {
                    return Err(CommandError::usage(format!(
                        "effect {scene} takes {} --image, got {n}",
                        if two { 2 } else { 1 }
                    )));
                }
                (None, n) => {
                    return Err(CommandError::usage(format!(
                        "an effect takes 1 or 2 --image, got {n}"
                    )));
                }
            };
            let mut r = if two {
                CreateEffect::pair(scene, images[0].clone(), images[1].clone())
            } else {
                CreateEffect::single(scene, images[0].clone())
            };
            r.input.model = a.model.as_deref().map(Model::from);
            r.input.mode = a.mode.map(Into::into);
            r.input.duration = a.duration.map(Into::into);
            deliver!(r, a.delivery, a.flow);
            ctx.create_legacy(&client, r, &a.flow).await
        }
        VideoCommand::LipSync(a) => lipsync::lip_sync(a, ctx, &client).await,
        VideoCommand::IdentifyFace(a) => lipsync::identify_face(a, ctx, &client).await,
        VideoCommand::AdvancedLipSync(a) => lipsync::advanced(a, ctx, &client).await,
        VideoCommand::Avatar(a) => lipsync::avatar(a, ctx, &client).await,
    }
}
