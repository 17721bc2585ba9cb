//! O1 video: [`GenerateO1Video`] (`POST /v1/kling/o1-video/generate`).

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, ValidationError};

use crate::common::{AspectRatio, Secs};
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, ResponseFormat};
use crate::models::{self, Api, Facts};

use super::generation::{Generation, GetGeneration, NewGeneration, Product};
use super::rules::{image_rules, prompt_rules};

/// O1 video (`POST /v1/kling/o1-video/generate`). Note the image field is `images_urls` here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct GenerateO1Video {
    /// What to generate (1-2500 characters).
    pub prompt: String,
    /// Text to video `"5"`/`"10"`; image to video `"3"`…`"10"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
    /// Output aspect ratio, sent as `aspect_ratio`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Image URLs, sent as `images_urls` (at most 5; not with `images_base64`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_urls: Vec<String>,
    /// Images as base64 (at most 5; not with URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_base64: Vec<String>,
    /// Whether the output keeps the input's sound (`keep_original_sound`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_original_sound: Option<bool>,
    /// Where RunBlob POSTs the terminal state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl GenerateO1Video {
    /// An O1 video of `prompt`.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            duration: None,
            aspect_ratio: None,
            images_urls: Vec::new(),
            images_base64: Vec::new(),
            keep_original_sound: None,
            callback_url: None,
            preflight: Preflight::default(),
        }
    }

    /// The request in the terms of the models data (O1 video has no model field).
    pub(super) fn model_facts(&self) -> Facts<'_> {
        Facts::new(Api::RunBlob, "o1-video", "model", "kling_o1_video")
            .prompt("prompt", Some(&self.prompt))
            .duration("duration", self.duration.map(|Secs(n)| n))
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .images(
                "images_urls",
                self.images_urls
                    .len()
                    .saturating_add(self.images_base64.len()),
            )
    }

    fn check(&self) -> Result<(), ValidationError> {
        prompt_rules(&self.prompt)?;
        image_rules(&self.images_urls, &self.images_base64, "images_urls")?;
        models::check(&self.model_facts())
    }
}

setters!(GenerateO1Video {
    /// Sets the length in seconds, sent as a string: 5 or 10 for text, 3-10 with images.
    duration: Secs,
    /// Sets the output aspect ratio.
    aspect_ratio: AspectRatio,
    /// Sets `keep_original_sound`: whether the output keeps the input's sound.
    keep_original_sound: bool,
    /// Sets `callback_url`: RunBlob POSTs the generation there once it completes or fails.
    callback_url: String,
} lists {
    /// Sets the image URLs (`images_urls`; at most 5, not with base64 images).
    images_urls: String,
    /// Sets the base64 images (at most 5, not with image URLs).
    images_base64: String,
});

runblob_create!(GenerateO1Video, |_s| Product::O1Video);
