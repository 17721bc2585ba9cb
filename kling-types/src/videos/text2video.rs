//! Text to video (legacy): `POST /v1/videos/text2video` (`kling-api.md` 3.1).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{
    AspectRatio, CameraControl, Mode, Model, Secs, ShotPrompt, ShotType, Sound, VoiceRef,
    WatermarkInfo,
};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, max_chars, max_items, range};
use crate::videos::shared;

/// Creates a text-to-video task.
///
/// ```
/// use kling_types::videos::CreateText2Video;
/// use kling_types::{Endpoint, Mode, Model};
///
/// let request = CreateText2Video::new("a fox in the snow").model(Model::KlingV2_6).mode(Mode::Pro).duration(5);
/// request.validate().unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateText2Video {
    /// Sent as `model_name`; the server uses `kling-v1` when absent.
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to generate (at most 2500 characters). May be empty for a customized multi-shot,
    /// and is then not sent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prompt: String,
    /// What to avoid (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// Multi-shot generation (v3): the prompt is then ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// How the shots are cut (required with `multi_shot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shot_type: Option<ShotType>,
    /// The shots of a customized multi-shot (1-6, adding up to the duration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multi_prompt: Vec<ShotPrompt>,
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
    /// Camera movement (kling-v1, std, 5 s only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_control: Option<CameraControl>,
    /// Output aspect ratio (`16:9` when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
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

impl CreateText2Video {
    /// A request for `prompt`; everything else takes the server's defaults.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            model: None,
            prompt: prompt.into(),
            negative_prompt: None,
            multi_shot: None,
            shot_type: None,
            multi_prompt: Vec::new(),
            voice_list: Vec::new(),
            sound: None,
            cfg_scale: None,
            mode: None,
            camera_control: None,
            aspect_ratio: None,
            duration: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// The request in the terms of the models data (`kling-v1` when no model is named).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling-v1", Model::as_str);
        Facts::new(Api::Legacy, "text2video", "model_name", model)
            .prompt("prompt", Some(&self.prompt))
            .negative_prompt("negative_prompt", self.negative_prompt.is_some())
            .cfg_scale("cfg_scale", self.cfg_scale.is_some())
            .duration("duration", self.duration.map(|Secs(n)| n))
            .mode("mode", self.mode.as_ref().map(Mode::as_str))
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .audio("sound", self.sound.as_ref().map(Sound::as_str))
            .multi_shot("multi_shot", self.multi_shot)
            .voices("voice_list", self.voice_list.len())
    }

    fn check(&self) -> Result<(), ValidationError> {
        let model = self.model.clone().unwrap_or(Model::KlingV1);
        models::check(&self.model_facts())?;
        let known = models::find(Api::Legacy, model.as_str()).is_some();
        let customized =
            self.multi_shot == Some(true) && self.shot_type == Some(ShotType::Customize);
        if !customized {
            ensure(!self.prompt.trim().is_empty(), "prompt", "is required")?;
        }
        max_chars("prompt", Some(&self.prompt), 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        range("cfg_scale", self.cfg_scale, 0.0, 1.0)?;
        max_items("voice_list", &self.voice_list, 2)?;
        if !self.voice_list.is_empty() {
            ensure(
                self.sound == Some(Sound::On),
                "voice_list",
                "needs `sound` set to `on`",
            )?;
        }
        let mode = self.mode.clone().unwrap_or(Mode::Std);
        let duration = self.duration.unwrap_or(Secs(5));
        shared::check_multi_shot(
            self.multi_shot,
            self.shot_type.as_ref(),
            &self.multi_prompt,
            duration,
        )?;
        if let Some(camera) = &self.camera_control {
            shared::check_camera(camera)?;
            // The server's own words for every other combination (1201).
            if known {
                ensure(
                    model == Model::KlingV1 && mode == Mode::Std && duration == Secs(5),
                    "camera_control",
                    "camera_control is only supported in std mode with 5s duration and kling-v1",
                )?;
            }
        }
        Ok(())
    }
}

setters!(CreateText2Video {
    /// Sets `model_name` (`kling-v1` when unset).
    model: Model,
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
    /// Sets the camera movement (kling-v1, `std`, 5 s only).
    camera_control: CameraControl,
    /// Sets `aspect_ratio`: `16:9` (the default), `9:16` or `1:1`.
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
    /// Sets the `customize` shots: 1-6, each prompt at most 512 characters, adding up to
    /// `duration`.
    multi_prompt: ShotPrompt,
    /// Sets the voices, cited as `<<<voice_1>>>` in the prompt (at most 2; need `sound` on).
    voice_list: VoiceRef,
});

create_endpoint!(CreateText2Video, "/v1/videos/text2video", facts);
task_family!("text-to-video", "/v1/videos/text2video", max_page_size = 500,
    get: GetText2VideoTask, list: ListText2VideoTasks, create: CreateText2Video);
