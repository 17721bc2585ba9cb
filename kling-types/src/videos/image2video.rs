//! Image to video (legacy): `POST /v1/videos/image2video` (`kling-api.md` 3.2).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{
    CameraControl, CameraType, ElementRef, ImageInput, Mode, Model, Secs, ShotPrompt, ShotType,
    Sound, VoiceRef, WatermarkInfo,
};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, image, max_chars, max_items, range};
use crate::videos::shared;

/// A point of a motion-brush trajectory, in pixels from the **bottom-left** of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Point {
    /// Pixels from the left edge of the image.
    pub x: i64,
    /// Pixels from the bottom edge.
    pub y: i64,
}

impl Point {
    /// The point `(x, y)`.
    pub fn new(x: i64, y: i64) -> Self {
        Self { x, y }
    }
}

/// A motion-brush group: an area and the path it moves along.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct DynamicMask {
    /// The moving area, an image mask (same aspect ratio as the image and as `static_mask`).
    pub mask: ImageInput,
    /// The path, in order (2-77 points for a 5 s video).
    pub trajectories: Vec<Point>,
}

impl DynamicMask {
    /// `mask` moving along `trajectories`.
    pub fn new(mask: impl Into<ImageInput>, trajectories: impl IntoIterator<Item = Point>) -> Self {
        Self {
            mask: mask.into(),
            trajectories: trajectories.into_iter().collect(),
        }
    }
}

/// Creates an image-to-video task from a start frame (and optionally an end frame).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateImage2Video {
    /// Sent as `model_name`; the server uses `kling-v1` when absent.
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// The start frame: a public URL or raw base64 (JPEG/PNG, at most 10 MB, sides at least 300
    /// px).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInput>,
    /// The end frame (same rules as `image`); excludes motion brush and camera control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_tail: Option<ImageInput>,
    /// What happens (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What to avoid (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// Multi-shot generation (v3; off when absent): the prompt is then ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// How the shots are cut (required with `multi_shot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shot_type: Option<ShotType>,
    /// The shots of a customized multi-shot (1-6, adding up to the duration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multi_prompt: Vec<ShotPrompt>,
    /// Elements referenced as `<<<element_1>>>` (at most 3; not with voices).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
    /// Voices referenced as `<<<voice_1>>>` (at most 2; need `sound` on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voice_list: Vec<VoiceRef>,
    /// Native sound, `on` or `off` (`off` when absent; v2.6 and later).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sound: Option<Sound>,
    /// Prompt adherence in [0, 1] (v1.x models only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// `std` (720p; the default), `pro` (1080p) or `4k` (v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Motion brush: the area that stays still, an image mask (same aspect ratio as `image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_mask: Option<ImageInput>,
    /// Motion brush: up to 6 moving areas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dynamic_masks: Vec<DynamicMask>,
    /// Camera movement (kling-v1-5, pro, 5 s, `simple` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_control: Option<CameraControl>,
    /// Length in seconds, sent as a string: 5 or 10, 3-15 on v3 (`"5"` when absent).
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

impl CreateImage2Video {
    /// A video starting from `image` (a URL, or base64; a `data:` prefix is stripped).
    pub fn new(image: impl Into<ImageInput>) -> Self {
        Self {
            model: None,
            image: Some(image.into()),
            image_tail: None,
            prompt: None,
            negative_prompt: None,
            multi_shot: None,
            shot_type: None,
            multi_prompt: Vec::new(),
            element_list: Vec::new(),
            voice_list: Vec::new(),
            sound: None,
            cfg_scale: None,
            mode: None,
            static_mask: None,
            dynamic_masks: Vec::new(),
            camera_control: None,
            duration: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// A video ending on `image_tail`, with no start frame (older models only).
    pub fn from_end_frame(image_tail: impl Into<ImageInput>) -> Self {
        let mut request = Self::new(ImageInput::new(String::new()));
        request.image = None;
        request.image_tail = Some(image_tail.into());
        request
    }

    /// The request in the terms of the models data (`kling-v1` when no model is named).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling-v1", Model::as_str);
        Facts::new(Api::Legacy, "image2video", "model_name", model)
            .prompt("prompt", self.prompt.as_deref())
            .negative_prompt("negative_prompt", self.negative_prompt.is_some())
            .cfg_scale("cfg_scale", self.cfg_scale.is_some())
            .duration("duration", self.duration.map(|Secs(n)| n))
            .mode("mode", self.mode.as_ref().map(Mode::as_str))
            .audio("sound", self.sound.as_ref().map(Sound::as_str))
            .multi_shot("multi_shot", self.multi_shot)
            .first_frame(self.image.is_some())
            .last_frame("image_tail", self.image_tail.is_some())
            .elements("element_list", self.element_list.len())
            .voices("voice_list", self.voice_list.len())
    }

    fn check(&self) -> Result<(), ValidationError> {
        let model = self.model.clone().unwrap_or(Model::KlingV1);
        let known = models::find(Api::Legacy, model.as_str()).is_some();
        ensure(
            self.image.is_some() || self.image_tail.is_some(),
            "image",
            "is required (or image_tail)",
        )?;
        image("image", self.image.as_ref())?;
        image("image_tail", self.image_tail.as_ref())?;
        image("static_mask", self.static_mask.as_ref())?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        range("cfg_scale", self.cfg_scale, 0.0, 1.0)?;
        max_items("element_list", &self.element_list, 3)?;
        max_items("voice_list", &self.voice_list, 2)?;
        ensure(
            self.element_list.is_empty() || self.voice_list.is_empty(),
            "voice_list",
            "cannot be combined with element_list",
        )?;
        if !self.voice_list.is_empty() {
            ensure(
                self.sound == Some(Sound::On),
                "voice_list",
                "needs `sound` set to `on`",
            )?;
        }
        // At most one of: end frame, motion brush, camera movement.
        let masks = self.static_mask.is_some() || !self.dynamic_masks.is_empty();
        let groups = [
            self.image_tail.is_some(),
            masks,
            self.camera_control.is_some(),
        ];
        ensure(
            groups.iter().filter(|g| **g).count() <= 1,
            "image_tail",
            "image_tail, motion-brush masks (static_mask/dynamic_masks) and camera_control exclude each other",
        )?;
        let mode = self.mode.clone().unwrap_or(Mode::Std);
        let duration = self.duration.unwrap_or(Secs(5));
        max_items("dynamic_masks", &self.dynamic_masks, 6)?;
        for (i, mask) in self.dynamic_masks.iter().enumerate() {
            image(&format!("dynamic_masks[{i}].mask"), Some(&mask.mask))?;
            let n = mask.trajectories.len();
            let max = if duration == Secs(5) { 77 } else { usize::MAX };
            ensure(
                n >= 2 && n <= max,
                &format!("dynamic_masks[{i}].trajectories"),
                format!("takes 2 to 77 points for a 5 s video, got {n}"),
            )?;
        }
        models::check(&self.model_facts())?;
        shared::check_multi_shot(
            self.multi_shot,
            self.shot_type.as_ref(),
            &self.multi_prompt,
            duration,
        )?;
        if let Some(camera) = &self.camera_control {
            shared::check_camera(camera)?;
            if known {
                ensure(
                    model == Model::KlingV1_5
                        && mode == Mode::Pro
                        && duration == Secs(5)
                        && camera.kind == CameraType::Simple,
                    "camera_control",
                    "camera_control on image-to-video is only supported by kling-v1-5 in pro mode, 5 s, type simple",
                )?;
            }
        }
        if known && masks {
            let ok = match model {
                Model::KlingV1 => duration == Secs(5),
                Model::KlingV1_5 => duration == Secs(5) && mode == Mode::Pro,
                _ => false,
            };
            ensure(
                ok,
                "dynamic_masks",
                "motion brush is only supported by kling-v1 (5 s) and kling-v1-5 (pro, 5 s)",
            )?;
        }
        Ok(())
    }
}

setters!(CreateImage2Video {
    /// Sets `model_name` (`kling-v1` when unset).
    model: Model,
    /// Sets the end frame (`image_tail`); excludes motion brush and camera control.
    image_tail: ImageInput,
    /// Sets what happens (at most 2500 characters; may cite `<<<image_1>>>`, `<<<element_1>>>`).
    prompt: String,
    /// Sets what to avoid (at most 2500 characters).
    negative_prompt: String,
    /// Turns multi-shot on or off (v3; off when unset): when on, `prompt` is ignored.
    multi_shot: bool,
    /// Sets `shot_type` (required with multi-shot; `customize` needs `multi_prompt`).
    shot_type: ShotType,
    /// Sets `sound` (`off` when unset; v2.6 and later; `on` is needed for voices).
    sound: Sound,
    /// Sets prompt adherence, in [0, 1] (0.5 when unset; v1.x models only).
    cfg_scale: f64,
    /// Sets `mode`: `std` (720p; the default), `pro` (1080p) or `4k` (v3).
    mode: Mode,
    /// Sets the motion-brush area that stays still (kling-v1 5 s, kling-v1-5 pro 5 s).
    static_mask: ImageInput,
    /// Sets the camera movement (kling-v1-5, `pro`, 5 s, `simple` only).
    camera_control: CameraControl,
    /// Sets the length in seconds, sent as a string (5 when unset).
    duration: Secs,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} lists {
    /// Sets the `customize` shots: 1-6, each prompt at most 512 characters, adding up to
    /// `duration`.
    multi_prompt: ShotPrompt,
    /// Sets the elements, cited as `<<<element_1>>>` (at most 3; not with voices).
    element_list: ElementRef,
    /// Sets the voices, cited as `<<<voice_1>>>` (at most 2; need `sound` on; not with elements).
    voice_list: VoiceRef,
    /// Sets the motion-brush groups (at most 6; 2-77 points each for a 5 s video).
    dynamic_masks: DynamicMask,
});

create_endpoint!(CreateImage2Video, "/v1/videos/image2video", facts);
task_family!("image-to-video", "/v1/videos/image2video", max_page_size = 500,
    get: GetImage2VideoTask, list: ListImage2VideoTasks, create: CreateImage2Video);
