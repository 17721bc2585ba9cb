//! Multi-image to image (subjects, a scene and a style): `/v1/images/multi-image2image`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{AspectRatio, ImageInput, Model, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, image, int_range, max_chars};

use super::shared::check_ratio;

/// One subject of a multi-image-to-image request, sent as `{"subject_image": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SubjectImage {
    /// A pre-cropped subject: a public URL or raw base64 (JPEG/PNG, at most 10 MB).
    pub subject_image: ImageInput,
}

impl<T: Into<ImageInput>> From<T> for SubjectImage {
    fn from(image: T) -> Self {
        Self {
            subject_image: image.into(),
        }
    }
}

/// Composes 1-4 subjects, a scene and a style into images (`POST /v1/images/multi-image2image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateMultiImage2Image {
    /// Sent as `model_name`; the docs list only `kling-v2-1`.
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to draw (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// 1-4 subjects, pre-cropped (required).
    pub subject_image_list: Vec<SubjectImage>,
    /// An optional scene image to place the subjects in (URL or raw base64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene_image: Option<ImageInput>,
    /// An optional style image (URL or raw base64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_image: Option<ImageInput>,
    /// How many images, 1-9 (each is billed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Output aspect ratio: `16:9`, `9:16`, `1:1`, `4:3`, `3:4`, `3:2`, `2:3` or `21:9`.
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

impl CreateMultiImage2Image {
    /// Images composed of `subjects` (1-4).
    pub fn new<I: Into<SubjectImage>>(subjects: impl IntoIterator<Item = I>) -> Self {
        Self {
            model: None,
            prompt: None,
            subject_image_list: subjects.into_iter().map(Into::into).collect(),
            scene_image: None,
            style_image: None,
            n: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// This create in the models data's terms (`kling-v2-1` when no model is named: the
    /// only model the endpoint's page lists).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling-v2-1", Model::as_str);
        let inline = self
            .subject_image_list
            .iter()
            .map(|s| &s.subject_image)
            .chain(&self.scene_image)
            .chain(&self.style_image)
            .map(ImageInput::as_str);
        Facts::new(Api::Legacy, "multi-image2image", "model_name", model)
            .prompt("prompt", self.prompt.as_deref())
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .images("subject_image_list", self.subject_image_list.len())
            .inline_images("subject_image_list", inline)
            .outputs(self.n)
    }

    fn check(&self) -> Result<(), ValidationError> {
        models::check(&self.model_facts())?;
        let n = self.subject_image_list.len();
        ensure(
            (1..=4).contains(&n),
            "subject_image_list",
            format!("takes 1 to 4 subjects, got {n}"),
        )?;
        for (i, s) in self.subject_image_list.iter().enumerate() {
            image(
                &format!("subject_image_list[{i}].subject_image"),
                Some(&s.subject_image),
            )?;
        }
        image("scene_image", self.scene_image.as_ref())?;
        image("style_image", self.style_image.as_ref())?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        int_range("n", self.n, 1, 9)?;
        check_ratio(self.aspect_ratio.as_ref(), false)
    }
}

setters!(CreateMultiImage2Image {
    /// Sets `model_name` (the docs list only `kling-v2-1`).
    model: Model,
    /// Sets what to draw (at most 2500 characters).
    prompt: String,
    /// Sets the scene image (URL or raw base64).
    scene_image: ImageInput,
    /// Sets the style image (URL or raw base64).
    style_image: ImageInput,
    /// Sets `aspect_ratio` (`16:9`, `9:16`, `1:1`, `4:3`, `3:4`, `3:2`, `2:3` or `21:9`).
    aspect_ratio: AspectRatio,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} plain {
    /// Sets how many images, 1-9 (each is billed).
    n: u32,
});

create_endpoint!(
    CreateMultiImage2Image,
    "/v1/images/multi-image2image",
    facts
);
task_family!("multi-image-to-image", "/v1/images/multi-image2image", max_page_size = 500,
    get: GetMultiImage2ImageTask, list: ListMultiImage2ImageTasks, create: CreateMultiImage2Image);
