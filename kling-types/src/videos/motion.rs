//! Motion control (legacy shape): `POST /v1/videos/motion-control` (`kling-api.md` 3.6).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{ElementRef, ImageInput, Mode, Model, WatermarkInfo, YesNo};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, image, max_chars, max_items};

string_enum! {
    /// Which input the character's orientation follows.
    pub enum CharacterOrientation (Custom: "Any other value, sent as given.") {
        /// `image`: the character image (reference video at most 10 s).
        Image = "image",
        /// `video`: the motion video (at most 30 s).
        Video = "video",
    }
}

/// Makes the character of an image move like the person in a reference video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateMotionControl {
    /// Sent as `model_name`: `kling-v2-6` or `kling-v3` (required; no server default).
    #[serde(rename = "model_name")]
    pub model: Model,
    /// Extra direction (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The character image (URL or raw base64, at most 10 MB).
    pub image_url: ImageInput,
    /// The motion reference video URL (`.mp4`/`.mov`, at most 100 MB, 3-30 s, sides 340-3850 px).
    pub video_url: String,
    /// Whether to keep the reference video's sound (`yes` when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_original_sound: Option<YesNo>,
    /// `image` (video at most 10 s) or `video` (video at most 30 s); required.
    pub character_orientation: CharacterOrientation,
    /// `std` or `pro` (required).
    pub mode: Mode,
    /// At most one element (kling-v3 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
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

impl CreateMotionControl {
    /// The character in `image` moving like the person in `video_url`.
    pub fn new(
        model: Model,
        image: impl Into<ImageInput>,
        video_url: impl Into<String>,
        character_orientation: CharacterOrientation,
        mode: Mode,
    ) -> Self {
        Self {
            model,
            prompt: None,
            image_url: image.into(),
            video_url: video_url.into(),
            keep_original_sound: None,
            character_orientation,
            mode,
            element_list: Vec::new(),
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// The request in the terms of the models data.
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        Facts::new(
            Api::Legacy,
            "motion-control",
            "model_name",
            self.model.as_str(),
        )
        .prompt("prompt", self.prompt.as_deref())
        .mode("mode", Some(self.mode.as_str()))
        .elements("element_list", self.element_list.len())
        // The output is as long as the usable motion of the reference video.
        .length_follows_input(true)
    }

    fn check(&self) -> Result<(), ValidationError> {
        if let Some(spec) = models::find(Api::Legacy, self.model.as_str()) {
            ensure(
                spec.endpoint("motion-control").is_some(),
                "model_name",
                format!(
                    "motion control supports kling-v2-6 and kling-v3, not {}",
                    self.model
                ),
            )?;
        }
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        image("image_url", Some(&self.image_url))?;
        ensure(
            !self.video_url.trim().is_empty(),
            "video_url",
            "is required",
        )?;
        if self.mode.is_known() {
            ensure(
                matches!(self.mode, Mode::Std | Mode::Pro),
                "mode",
                "must be std or pro",
            )?;
        }
        max_items("element_list", &self.element_list, 1)?;
        // Elements per model (kling-v3 one, kling-v2-6 none): the models data.
        models::check(&self.model_facts())
    }
}

setters!(CreateMotionControl {
    /// Sets extra direction (at most 2500 characters).
    prompt: String,
    /// Sets `keep_original_sound`: `yes` (the default) keeps the reference video's sound.
    keep_original_sound: YesNo,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} lists {
    /// Sets the element: at most one, kling-v3 only.
    element_list: ElementRef,
});

create_endpoint!(CreateMotionControl, "/v1/videos/motion-control", facts);
task_family!("motion-control", "/v1/videos/motion-control", max_page_size = 500,
    get: GetMotionControlTask, list: ListMotionControlTasks, create: CreateMotionControl);
