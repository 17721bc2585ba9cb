//! Multi-image to video: `POST /v1/videos/multi-image2video` (`kling-api.md` 3.3).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{AspectRatio, ImageInput, Mode, Model, Secs, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::validate::{ensure, image, max_chars, required_text};

/// `{"image": ...}`: one subject of a multi-image video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ImageItem {
    /// The image (URL or raw base64).
    pub image: ImageInput,
}

impl<T: Into<ImageInput>> From<T> for ImageItem {
    fn from(image: T) -> Self {
        Self {
            image: image.into(),
        }
    }
}

/// Creates a video from 1-4 subject images (kling-v1-6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateMultiImage2Video {
    /// Sent as `model_name`: `kling-v1-6`, the only model (also the server's default).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// 1-4 subject images, pre-cropped.
    pub image_list: Vec<ImageItem>,
    /// What happens (required, at most 2500 characters).
    pub prompt: String,
    /// What to avoid (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// `std` (720p; the default) or `pro` (1080p).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Length in seconds, `"5"` (the default) or `"10"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
    /// `16:9` (the default), `9:16` or `1:1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
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

impl CreateMultiImage2Video {
    /// A video of the subjects in `images`, doing `prompt`.
    pub fn new<I: Into<ImageItem>>(
        images: impl IntoIterator<Item = I>,
        prompt: impl Into<String>,
    ) -> Self {
        Self {
            model: None,
            image_list: images.into_iter().map(Into::into).collect(),
            prompt: prompt.into(),
            negative_prompt: None,
            mode: None,
            duration: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        if let Some(model) = &self.model {
            ensure(
                !model.is_known() || *model == Model::KlingV1_6,
                "model_name",
                "multi-image2video supports kling-v1-6 only",
            )?;
        }
        let n = self.image_list.len();
        ensure(
            (1..=4).contains(&n),
            "image_list",
            format!("takes 1 to 4 images, got {n}"),
        )?;
        for (i, item) in self.image_list.iter().enumerate() {
            image(&format!("image_list[{i}].image"), Some(&item.image))?;
        }
        required_text("prompt", &self.prompt, 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        if let Some(mode) = &self.mode {
            ensure(
                !mode.is_known() || matches!(mode, Mode::Std | Mode::Pro),
                "mode",
                "must be std or pro",
            )?;
        }
        if let Some(d) = self.duration {
            ensure(
                matches!(d.0, 5 | 10),
                "duration",
                format!("must be 5 or 10, got {d}"),
            )?;
        }
        Ok(())
    }
}

setters!(CreateMultiImage2Video {
    /// Sets `model_name` (only `kling-v1-6`, the default).
    model: Model,
    /// Sets what to avoid (at most 2500 characters).
    negative_prompt: String,
    /// Sets `mode`: `std` (720p; the default) or `pro` (1080p).
    mode: Mode,
    /// Sets the length in seconds: 5 (the default) or 10, sent as a string.
    duration: Secs,
    /// Sets `aspect_ratio`: `16:9` (the default), `9:16` or `1:1`.
    aspect_ratio: AspectRatio,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateMultiImage2Video, "/v1/videos/multi-image2video");
task_family!("multi-image-to-video", "/v1/videos/multi-image2video", max_page_size = 500,
    get: GetMultiImage2VideoTask, list: ListMultiImage2VideoTasks, create: CreateMultiImage2Video);
