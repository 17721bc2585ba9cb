//! O3 video: [`GenerateO3Video`] (`POST /v1/kling/o3-video/generate`).

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, RunBlobCode, ValidationError};

use crate::common::{AspectRatio, Secs};
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, ResponseFormat};
use crate::models::{self, Api, Facts};

use super::generation::{Generation, GetGeneration, NewGeneration, Product};
use super::model::RunBlobModel;
use super::rules::{ensure, image_rules, prompt_rules};

/// O3 video (`POST /v1/kling/o3-video/generate`, seed 001).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct GenerateO3Video {
    /// What to generate (1-2500 characters).
    pub prompt: String,
    /// Image URLs (at most 5, HTTPS, at most 10 MB each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_url: Vec<String>,
    /// Images as base64 (at most 5; not with URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_base64: Vec<String>,
    /// `"5"`, `"10"` or `"15"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
    /// Output aspect ratio, sent as `aspect_ratio`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// `kling_o3` (720p) or `kling_o3_pro` (1080p).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<RunBlobModel>,
    /// Whether the output keeps the input's sound (`keep_original_sound`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_original_sound: Option<bool>,
    /// Where RunBlob POSTs the terminal state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl GenerateO3Video {
    /// An O3 video of `prompt`.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            images_url: Vec::new(),
            images_base64: Vec::new(),
            duration: None,
            aspect_ratio: None,
            model: None,
            keep_original_sound: None,
            callback_url: None,
            preflight: Preflight::default(),
        }
    }

    /// The request in the terms of the models data (`kling_o3` when no model is named).
    pub(super) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("kling_o3", RunBlobModel::as_str);
        Facts::new(Api::RunBlob, "o3-video", "model", model)
            .prompt("prompt", Some(&self.prompt))
            .duration("duration", self.duration.map(|Secs(n)| n))
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
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
        models::check(&self.model_facts())?;
        if let Some(m) = &self.model {
            ensure(
                matches!(m, RunBlobModel::KlingO3 | RunBlobModel::KlingO3Pro),
                "model",
                RunBlobCode::InvalidModel,
                "Model must be 'kling_o3' or 'kling_o3_pro'",
            )?;
        }
        Ok(())
    }
}

setters!(GenerateO3Video {
    /// Sets the length in seconds, sent as a string: 5, 10 or 15.
    duration: Secs,
    /// Sets the output aspect ratio.
    aspect_ratio: AspectRatio,
    /// Sets `model`: `kling_o3` (720p) or `kling_o3_pro` (1080p).
    model: RunBlobModel,
    /// Sets `keep_original_sound`: whether the output keeps the input's sound.
    keep_original_sound: bool,
    /// Sets `callback_url`: RunBlob POSTs the generation there once it completes or fails.
    callback_url: String,
} lists {
    /// Sets the image URLs (`images_url`; at most 5, HTTPS, 10 MB each; not with base64 images).
    images_url: String,
    /// Sets the base64 images (at most 5, not with image URLs).
    images_base64: String,
});

runblob_create!(GenerateO3Video, |_s| Product::O3Video);
