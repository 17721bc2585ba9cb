//! Image generation from text, optionally guided by a reference image:
//! `/v1/images/generations`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{AspectRatio, ElementRef, ImageInput, Model, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, image, int_range, max_chars, range, required_text};

use super::shared::{ImageResolution, check_ratio};

string_enum! {
    /// What a reference image of a generation contributes.
    pub enum ImageReference (Custom: "Any other value, sent as given.") {
        /// `subject`: keep the subject of the image (`human_fidelity` then applies).
        Subject = "subject",
        /// `face`: the face (exactly one face in the image).
        Face = "face",
    }
}

/// Generates images from text, optionally guided by a reference image (`POST /v1/images/generations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateImageGeneration {
    /// Sent as `model_name`; the server's default is `kling-v3` (the current page; older ones said
    /// `kling-v1`), and preflight and estimates assume it.
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to draw (at most 2500 characters).
    pub prompt: String,
    /// What to avoid (not with a reference image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// A reference image: a public URL or raw base64 (JPEG/PNG, at most 10 MB); rules out
    /// `negative_prompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInput>,
    /// What the reference contributes (needs `image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_reference: Option<ImageReference>,
    /// Reference strength in [0, 1] (0.5 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_fidelity: Option<f64>,
    /// Face similarity in [0, 1] (0.45 when absent; only with `subject`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_fidelity: Option<f64>,
    /// Elements (with images, at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
    /// `1k` (the default) or `2k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ImageResolution>,
    /// How many images, 1-9 (each takes a concurrency slot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Output aspect ratio (`16:9` when absent; `21:9` not on kling-v1).
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

impl CreateImageGeneration {
    /// Images of `prompt` (at most 2500 characters); everything else takes the server's defaults.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            model: None,
            prompt: prompt.into(),
            negative_prompt: None,
            image: None,
            image_reference: None,
            image_fidelity: None,
            human_fidelity: None,
            element_list: Vec::new(),
            resolution: None,
            n: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// This create in the models data's terms (`kling-v3` when no model is named: the
    /// endpoint's current default).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling-v3", Model::as_str);
        Facts::new(Api::Legacy, "image-generations", "model_name", model)
            .prompt("prompt", Some(&self.prompt))
            .negative_prompt("negative_prompt", self.negative_prompt.is_some())
            .resolution(
                "resolution",
                self.resolution.as_ref().map(ImageResolution::as_str),
            )
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .images("image", usize::from(self.image.is_some()))
            .elements("element_list", self.element_list.len())
            .inline_images("image", self.image.iter().map(ImageInput::as_str))
            .outputs(self.n)
    }

    fn check(&self) -> Result<(), ValidationError> {
        models::check(&self.model_facts())?;
        if self.model.as_ref() == Some(&Model::KlingV2New) {
            ensure(
                self.image.is_some(),
                "model_name",
                "kling-v2-new only restyles an image: set `image`",
            )?;
        }
        required_text("prompt", &self.prompt, 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        ensure(
            self.negative_prompt.is_none() || self.image.is_none(),
            "negative_prompt",
            "is not allowed with a reference image",
        )?;
        image("image", self.image.as_ref())?;
        ensure(
            self.image_reference.is_none() || self.image.is_some(),
            "image_reference",
            "needs `image`",
        )?;
        range("image_fidelity", self.image_fidelity, 0.0, 1.0)?;
        range("human_fidelity", self.human_fidelity, 0.0, 1.0)?;
        if self.human_fidelity.is_some() {
            ensure(
                self.image_reference == Some(ImageReference::Subject),
                "human_fidelity",
                "only applies with image_reference subject",
            )?;
        }
        let refs = self.element_list.len() + usize::from(self.image.is_some());
        ensure(
            refs <= 10,
            "element_list",
            format!("elements and images are at most 10, got {refs}"),
        )?;
        if let Some(r) = &self.resolution {
            ensure(
                !r.is_known() || matches!(r, ImageResolution::OneK | ImageResolution::TwoK),
                "resolution",
                "must be 1k or 2k",
            )?;
        }
        int_range("n", self.n, 1, 9)?;
        // Per model (21:9 is not on kling-v1) in the models data; the endpoint's own list here.
        check_ratio(self.aspect_ratio.as_ref(), false)
    }
}

setters!(CreateImageGeneration {
    /// Sets `model_name` (e.g. `kling-v2-1`; `kling-v2-new` only restyles an `image`).
    model: Model,
    /// Sets what to avoid (at most 2500 characters; not with a reference image).
    negative_prompt: String,
    /// Sets the reference image (URL or raw base64); rules out `negative_prompt`.
    image: ImageInput,
    /// Sets `image_reference`: `subject` or `face` (needs `image`).
    image_reference: ImageReference,
    /// Sets the reference strength, in [0, 1] (0.5 when unset).
    image_fidelity: f64,
    /// Sets the face similarity, in [0, 1] (0.45 when unset; only with `subject`).
    human_fidelity: f64,
    /// Sets `resolution`: `1k` (the default) or `2k`.
    resolution: ImageResolution,
    /// Sets `aspect_ratio` (`16:9` when unset; `21:9` not on kling-v1).
    aspect_ratio: AspectRatio,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} lists {
    /// Sets the elements (with the reference image, at most 10).
    element_list: ElementRef,
} plain {
    /// Sets how many images, 1-9 (1 when unset; each takes a concurrency slot).
    n: u32,
});

create_endpoint!(CreateImageGeneration, "/v1/images/generations", facts);
task_family!("image-generation", "/v1/images/generations", max_page_size = 500,
    get: GetImageGenerationTask, list: ListImageGenerationTasks, create: CreateImageGeneration);
