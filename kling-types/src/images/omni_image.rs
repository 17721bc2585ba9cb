//! Omni image (text plus reference images and elements): `/v1/images/omni-image`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{AspectRatio, ElementRef, Model, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, image, int_range, required_text};
use crate::videos::ImageItem;

use super::shared::{ImageResolution, check_ratio};

string_enum! {
    /// Whether omni image makes independent images or one series (`single` when absent).
    pub enum ResultType (Custom: "Any other value, sent as given.") {
        /// `single`: `n` independent images (the default).
        Single = "single",
        /// `series`: a set of `series_amount` images (not on kling-image-o1).
        Series = "series",
    }
}

/// Omni image: text plus reference images and elements (`POST /v1/images/omni-image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateOmniImage {
    /// The model (`kling-image-o1` when absent, or `kling-v3-omni`).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to draw (at most 2500 characters; `<<<image_1>>>`).
    pub prompt: String,
    /// Reference images, cited as `<<<image_1>>>` (with elements, at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_list: Vec<ImageItem>,
    /// Elements (with images, at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
    /// `1k` (the default), `2k` or `4k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ImageResolution>,
    /// `single` (the default) or `series` (kling-v3-omni; not kling-image-o1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// How many images, 1-9 (ignored for a series).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Series length: `"2"`…`"9"` or `"auto"` (4 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_amount: Option<String>,
    /// Output aspect ratio (`auto` when absent).
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

impl CreateOmniImage {
    /// Images of `prompt` (at most 2500 characters); everything else takes the server's defaults.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            model: None,
            prompt: prompt.into(),
            image_list: Vec::new(),
            element_list: Vec::new(),
            resolution: None,
            result_type: None,
            n: None,
            series_amount: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// This create in the models data's terms (`kling-image-o1` when no model is named, the
    /// endpoint's default). A series counts as `series_amount` images (4 when absent or
    /// `auto`, the documented default: the server picks the length of an `auto` series).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling-image-o1", Model::as_str);
        let outputs = if self.result_type == Some(ResultType::Series) {
            Some(
                self.series_amount
                    .as_deref()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(4),
            )
        } else {
            self.n
        };
        Facts::new(Api::Legacy, "omni-image", "model_name", model)
            .prompt("prompt", Some(&self.prompt))
            .resolution(
                "resolution",
                self.resolution.as_ref().map(ImageResolution::as_str),
            )
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .images("image_list", self.image_list.len())
            .elements("element_list", self.element_list.len())
            .inline_images(
                "image_list",
                self.image_list.iter().map(|i| i.image.as_str()),
            )
            .outputs(outputs)
    }

    fn check(&self) -> Result<(), ValidationError> {
        models::check(&self.model_facts())?;
        required_text("prompt", &self.prompt, 2500)?;
        let refs = self.image_list.len() + self.element_list.len();
        ensure(
            refs <= 10,
            "image_list",
            format!("images and elements are at most 10, got {refs}"),
        )?;
        for (i, item) in self.image_list.iter().enumerate() {
            image(&format!("image_list[{i}].image"), Some(&item.image))?;
        }
        int_range("n", self.n, 1, 9)?;
        if self.result_type == Some(ResultType::Series) {
            ensure(
                self.model
                    .as_ref()
                    .is_some_and(|m| *m != Model::KlingImageO1),
                "result_type",
                "kling-image-o1 cannot generate a series (use kling-v3-omni)",
            )?;
        }
        if let Some(amount) = &self.series_amount {
            let ok = amount == "auto" || amount.parse::<u32>().is_ok_and(|n| (2..=9).contains(&n));
            ensure(
                ok,
                "series_amount",
                format!("must be 2 to 9 or auto, got {amount:?}"),
            )?;
        }
        check_ratio(self.aspect_ratio.as_ref(), true)
    }
}

setters!(CreateOmniImage {
    /// Sets `model_name`: `kling-image-o1` (the default) or `kling-v3-omni`.
    model: Model,
    /// Sets `resolution`: `1k` (the default), `2k` or `4k`.
    resolution: ImageResolution,
    /// Sets `result_type`: `single` (the default) or `series` (not on kling-image-o1).
    result_type: ResultType,
    /// Sets the series length: `"2"`…`"9"` or `"auto"` (4 when unset).
    series_amount: String,
    /// Sets `aspect_ratio` (`auto` when unset).
    aspect_ratio: AspectRatio,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} lists {
    /// Sets the reference images, cited as `<<<image_1>>>` (with elements, at most 10).
    image_list: ImageItem,
    /// Sets the elements (with the reference images, at most 10).
    element_list: ElementRef,
} plain {
    /// Sets how many images, 1-9 (ignored for a series).
    n: u32,
});

create_endpoint!(CreateOmniImage, "/v1/images/omni-image", facts);
task_family!("omni-image", "/v1/images/omni-image", max_page_size = 500,
    get: GetOmniImageTask, list: ListOmniImageTasks, create: CreateOmniImage);
