//! Omni video (legacy shape): `POST /v1/videos/omni-video` (`kling-api.md` 3.5).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{
    AspectRatio, ElementRef, Mode, Model, Secs, ShotPrompt, ShotType, Sound, VoiceRef,
    WatermarkInfo, YesNo,
};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, max_chars, max_items};
use crate::videos::shared;

string_enum! {
    /// The role of an omni-video image.
    pub enum FrameType (Custom: "Any other role, sent as given.") {
        /// `first_frame`
        FirstFrame = "first_frame",
        /// `end_frame` (needs a first frame)
        EndFrame = "end_frame",
    }
}

/// An image of an omni video: a reference, or a first/end frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OmniImage {
    /// The image: a public URL or raw base64 (JPEG/PNG, at most 10 MB, sides at least 300 px).
    pub image_url: String,
    /// Its role; absent for a plain reference (`<<<image_1>>>`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub frame: Option<FrameType>,
}

impl OmniImage {
    /// A plain reference image, sent without `type` and cited as `<<<image_1>>>`.
    pub fn reference(image_url: impl Into<String>) -> Self {
        Self {
            image_url: image_url.into(),
            frame: None,
        }
    }
    /// The first frame (`type: first_frame`); the request then takes no `aspect_ratio`.
    pub fn first_frame(image_url: impl Into<String>) -> Self {
        Self {
            image_url: image_url.into(),
            frame: Some(FrameType::FirstFrame),
        }
    }
    /// The end frame (`type: end_frame`); needs a first frame too.
    pub fn end_frame(image_url: impl Into<String>) -> Self {
        Self {
            image_url: image_url.into(),
            frame: Some(FrameType::EndFrame),
        }
    }
}

string_enum! {
    /// How an omni video uses its input video.
    pub enum ReferType (Custom: "Any other use, sent as given.") {
        /// `base`: edit this video (output as long as the input).
        Base = "base",
        /// `feature`: a style/camera reference, or the next/previous shot.
        Feature = "feature",
    }
}

/// The input video of an omni video (at most one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct OmniVideo {
    /// The video URL (`.mp4`/`.mov`, at most 200 MB; 3-10 s on O1, 3-15 s on kling-v3-omni).
    pub video_url: String,
    /// `base` (edit it; the default) or `feature` (a style or camera reference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refer_type: Option<ReferType>,
    /// `yes` keeps the video's own sound, `no` drops it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_original_sound: Option<YesNo>,
}

impl OmniVideo {
    /// A video used as `refer_type`.
    pub fn new(video_url: impl Into<String>, refer_type: ReferType) -> Self {
        Self {
            video_url: video_url.into(),
            refer_type: Some(refer_type),
            keep_original_sound: None,
        }
    }

    /// Keeps (or drops) the video's own sound.
    #[must_use]
    pub fn keep_original_sound(mut self, keep: bool) -> Self {
        self.keep_original_sound = Some(if keep { YesNo::Yes } else { YesNo::No });
        self
    }
}

/// Creates an omni-video task (`kling-video-o1`, `kling-v3-omni`): text, reference images,
/// elements, a reference or base video, voices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateOmniVideo {
    /// The model (`kling-video-o1` when absent; pass `kling-v3-omni` explicitly).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// Multi-shot generation: the prompt is then ignored (kling-v3-omni also takes first and
    /// end frames with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// How the shots are cut (required with `multi_shot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shot_type: Option<ShotType>,
    /// What to generate (at most 2500 characters; `<<<image_1>>>`, `<<<video_1>>>`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The shots of a customized multi-shot (at most 6, adding up to the duration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multi_prompt: Vec<ShotPrompt>,
    /// Reference images (`<<<image_1>>>`) and first/end frames; with elements at most 7, or 4 with
    /// a video.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_list: Vec<OmniImage>,
    /// Elements, cited as `<<<element_1>>>`; count with `image_list` toward its limit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
    /// At most one input video (`<<<video_1>>>`); forces `sound` off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub video_list: Vec<OmniVideo>,
    /// Voices for voice control, cited as `<<<voice_1>>>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voice_list: Vec<VoiceRef>,
    /// Native sound (forced off with an input video).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sound: Option<Sound>,
    /// `std` (720p), `pro` (1080p; the default) or `4k` (kling-v3-omni).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Required unless a first frame or a base video is given (and then not allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Length in seconds, sent as a string (`"5"` when absent; 3-10 on O1, 3-15 on kling-v3-omni).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
    /// `{"enabled": true}` adds a `watermark_url` beside each result's `url` (off when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateOmniVideo {
    /// An omni video of `prompt` (set an aspect ratio unless a first frame or base video is given).
    pub fn new(prompt: impl Into<String>) -> Self {
        let mut request = Self::empty();
        request.prompt = Some(prompt.into());
        request
    }

    /// A customized multi-shot omni video (no single prompt).
    pub fn multi_shot<S: Into<ShotPrompt>>(shots: impl IntoIterator<Item = S>) -> Self {
        let mut request = Self::empty();
        request.multi_shot = Some(true);
        request.shot_type = Some(ShotType::Customize);
        request.multi_prompt = shots.into_iter().map(Into::into).collect();
        request
    }

    fn empty() -> Self {
        Self {
            model: None,
            multi_shot: None,
            shot_type: None,
            prompt: None,
            multi_prompt: Vec::new(),
            image_list: Vec::new(),
            element_list: Vec::new(),
            video_list: Vec::new(),
            voice_list: Vec::new(),
            sound: None,
            mode: None,
            aspect_ratio: None,
            duration: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// The request in the terms of the models data (`kling-video-o1` when no model is named).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling-video-o1", Model::as_str);
        let framed = |t: FrameType| self.image_list.iter().any(|i| i.frame.as_ref() == Some(&t));
        Facts::new(Api::Legacy, "omni-video", "model_name", model)
            .prompt("prompt", self.prompt.as_deref())
            .duration("duration", self.duration.map(|Secs(n)| n))
            .mode("mode", self.mode.as_ref().map(Mode::as_str))
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .audio("sound", self.sound.as_ref().map(Sound::as_str))
            .multi_shot("multi_shot", self.multi_shot)
            .first_frame(framed(FrameType::FirstFrame))
            .last_frame("image_list", framed(FrameType::EndFrame))
            .images(
                "image_list",
                self.image_list.iter().filter(|i| i.frame.is_none()).count(),
            )
            .elements("element_list", self.element_list.len())
            .voices("voice_list", self.voice_list.len())
            .videos("video_list", self.video_list.len())
            // An edited base video keeps its own length.
            .length_follows_input(
                self.video_list
                    .iter()
                    .any(|v| v.refer_type.as_ref().is_none_or(|r| *r == ReferType::Base)),
            )
    }

    fn check(&self) -> Result<(), ValidationError> {
        let model = self.model.clone().unwrap_or(Model::KlingVideoO1);
        // A model the data knows but not as an omni-video model is refused by name.
        if let Some(spec) = models::find(Api::Legacy, model.as_str()) {
            ensure(
                spec.endpoint("omni-video").is_some(),
                "model_name",
                format!("{model} is not an omni-video model"),
            )?;
        }
        let multi = self.multi_shot == Some(true);
        let needs_prompt = !multi || self.shot_type == Some(ShotType::Intelligence);
        if needs_prompt {
            ensure(
                self.prompt.as_deref().is_some_and(|p| !p.trim().is_empty()),
                "prompt",
                "is required",
            )?;
        }
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        let duration = self.duration.unwrap_or(Secs(5));
        shared::check_multi_shot(
            self.multi_shot,
            self.shot_type.as_ref(),
            &self.multi_prompt,
            duration,
        )?;

        let first = self
            .image_list
            .iter()
            .any(|i| i.frame == Some(FrameType::FirstFrame));
        let end = self
            .image_list
            .iter()
            .any(|i| i.frame == Some(FrameType::EndFrame));
        ensure(
            !end || first,
            "image_list",
            "an end frame needs a first frame",
        )?;
        for (i, image) in self.image_list.iter().enumerate() {
            ensure(
                !image.image_url.trim().is_empty(),
                &format!("image_list[{i}].image_url"),
                "is required",
            )?;
        }
        max_items("video_list", &self.video_list, 1)?;
        let video = self.video_list.first();
        let base =
            video.is_some_and(|v| v.refer_type.as_ref().is_none_or(|r| *r == ReferType::Base));
        ensure(
            !(base && (first || end)),
            "image_list",
            "a base video cannot be combined with first or end frames",
        )?;
        let refs = self.image_list.len() + self.element_list.len();
        let max_refs = if video.is_some() { 4 } else { 7 };
        ensure(
            refs <= max_refs,
            "image_list",
            format!(
                "images and elements together are at most {max_refs}{}, got {refs}",
                if video.is_some() { " with a video" } else { "" }
            ),
        )?;
        if video.is_some() {
            ensure(
                self.sound != Some(Sound::On),
                "sound",
                "is forced off when video_list is present",
            )?;
        }
        if first || base {
            ensure(
                self.aspect_ratio.is_none(),
                "aspect_ratio",
                "is not allowed with a first frame or a base video",
            )?;
        } else {
            ensure(
                self.aspect_ratio.is_some(),
                "aspect_ratio",
                "is required without a first frame or a base video",
            )?;
        }
        // Modes, durations, sound and multi-shot per model: the models data. First and end
        // frames go with multi-shot on kling-v3-omni since 05/07/2026 (`kling-api.md` 10.5).
        models::check(&self.model_facts())
    }
}

setters!(CreateOmniVideo {
    /// Sets `model_name` (`kling-video-o1` when unset; name `kling-v3-omni` explicitly).
    model: Model,
    /// Sets `shot_type` (required with multi-shot; `customize` needs `multi_prompt`).
    shot_type: ShotType,
    /// Sets `sound` (`off` when unset; forced off with an input video).
    sound: Sound,
    /// Sets `mode`: `std` (720p), `pro` (1080p; the default) or `4k` (kling-v3-omni).
    mode: Mode,
    /// Sets `aspect_ratio`: required without a first frame or base video, refused with one.
    aspect_ratio: AspectRatio,
    /// Sets the length in seconds, sent as a string (5 when unset).
    duration: Secs,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} lists {
    /// Sets the reference images and first/end frames (with elements: at most 7, or 4 with a
    /// video).
    image_list: OmniImage,
    /// Sets the elements, cited as `<<<element_1>>>` (they count toward the image limit).
    element_list: ElementRef,
    /// Sets the input video (at most one; forces `sound` off).
    video_list: OmniVideo,
    /// Sets the voices, cited as `<<<voice_1>>>`.
    voice_list: VoiceRef,
});

create_endpoint!(CreateOmniVideo, "/v1/videos/omni-video", facts);
task_family!("omni-video", "/v1/videos/omni-video", max_page_size = 500,
    get: GetOmniVideoTask, list: ListOmniVideoTasks, create: CreateOmniVideo);
