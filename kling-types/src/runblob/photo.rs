//! O1 and O3 photo: [`GeneratePhoto`] (`POST /v1/kling/o1-photo/generate`,
//! `/v1/kling/o3-photo/generate`).

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, ValidationError};

use crate::common::AspectRatio;
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, ResponseFormat};
use crate::models::{self, Api, Facts};

use super::generation::{Generation, GetGeneration, NewGeneration, Product};
use super::rules::{image_rules, prompt_rules};

/// O1 or O3 photo (`POST /v1/kling/o1-photo/generate`, `/v1/kling/o3-photo/generate`;
/// `gateways.md` section 2, re-read 2026-12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct GeneratePhoto {
    #[serde(skip)]
    o3: bool,
    /// What to draw (1-2500 characters).
    pub prompt: String,
    /// Output aspect ratio (O3: `1:1` when absent; also `auto`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// `img_resolution`: O1 `1k` or `2k` (default `2k`); O3 `1k`, `2k` or `4k` (default `4k`).
    /// The field is not called `resolution`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub img_resolution: Option<String>,
    /// O3: several variations laid out in one image (experimental; default off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefer_multi_shots: Option<bool>,
    /// Reference image URLs (O1 at most 5, O3 at most 10; not with `images_base64`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_url: Vec<String>,
    /// Reference images as base64 (same limits; not with `images_url`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_base64: Vec<String>,
    /// Where RunBlob POSTs the terminal state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl GeneratePhoto {
    fn make(o3: bool, prompt: String) -> Self {
        Self {
            o3,
            prompt,
            aspect_ratio: None,
            img_resolution: None,
            prefer_multi_shots: None,
            images_url: Vec::new(),
            images_base64: Vec::new(),
            callback_url: None,
            preflight: Preflight::default(),
        }
    }

    /// An O1 photo of `prompt`.
    pub fn o1(prompt: impl Into<String>) -> Self {
        Self::make(false, prompt.into())
    }

    /// An O3 photo of `prompt`.
    pub fn o3(prompt: impl Into<String>) -> Self {
        Self::make(true, prompt.into())
    }

    /// The same request as an O3 photo (`true`) or an O1 photo (`false`). A request read from
    /// JSON is an O1 photo until told: the product is named by the path, not by the body.
    #[must_use]
    pub fn o3_product(mut self, o3: bool) -> Self {
        self.o3 = o3;
        self
    }

    /// The request in the terms of the models data (the photo products have no model field).
    pub(super) fn model_facts(&self) -> Facts<'_> {
        let (endpoint, model) = if self.o3 {
            ("o3-photo", "kling_o3_photo")
        } else {
            ("o1-photo", "kling_o1_photo")
        };
        Facts::new(Api::RunBlob, endpoint, "model", model)
            .prompt("prompt", Some(&self.prompt))
            .resolution("img_resolution", self.img_resolution.as_deref())
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .multi_shot("prefer_multi_shots", self.prefer_multi_shots)
            .images(
                "images_url",
                self.images_url
                    .len()
                    .saturating_add(self.images_base64.len()),
            )
    }

    fn check(&self) -> Result<(), ValidationError> {
        prompt_rules(&self.prompt)?;
        image_rules(&self.images_url, &self.images_base64, "images_url")?;
        models::check(&self.model_facts())
    }
}

setters!(GeneratePhoto {
    /// Sets the output aspect ratio (O3: `1:1` when unset).
    aspect_ratio: AspectRatio,
    /// Sets `img_resolution`: `1k` or `2k` (O1, default `2k`), or `4k` too (O3, default `4k`).
    img_resolution: String,
    /// Asks O3 for several variations in one image.
    prefer_multi_shots: bool,
    /// Sets `callback_url`: RunBlob POSTs the generation there once it completes or fails.
    callback_url: String,
} lists {
    /// Sets the reference image URLs (O1 at most 5, O3 at most 10; not with base64 images).
    images_url: String,
    /// Sets the base64 reference images (not with image URLs).
    images_base64: String,
});

runblob_create!(GeneratePhoto, |s| if s.o3 {
    Product::O3Photo
} else {
    Product::O1Photo
});
