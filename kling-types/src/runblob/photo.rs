//! O1 and O3 photo: [`GeneratePhoto`] (`POST /v1/kling/o1-photo/generate`,
//! `/v1/kling/o3-photo/generate`).

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, RunBlobCode, ValidationError};

use crate::common::AspectRatio;
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, ResponseFormat};

use super::generation::{Created, Generation, GetGeneration, Product};
use super::rules::{ensure, image_rules, prompt_rules};

/// O1 or O3 photo (`POST /v1/kling/o1-photo/generate`, `/v1/kling/o3-photo/generate`).
/// The photo pages document few fields; the image fields follow O3 video (UNCONFIRMED).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeneratePhoto {
    #[serde(skip)]
    o3: bool,
    /// What to draw.
    pub prompt: String,
    /// Aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// O3: `1k`, `2k` or `4k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Reference image URLs (O3: at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_url: Vec<String>,
    /// Reference images as base64.
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
            resolution: None,
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

    fn check(&self) -> Result<(), ValidationError> {
        prompt_rules(&self.prompt)?;
        image_rules(
            &self.images_url,
            &self.images_base64,
            "images_url",
            if self.o3 { 10 } else { 5 },
        )?;
        if let Some(r) = &self.resolution {
            ensure(
                self.o3,
                "resolution",
                RunBlobCode::InvalidParameters,
                "only O3 photo takes a resolution",
            )?;
            ensure(
                matches!(r.as_str(), "1k" | "2k" | "4k"),
                "resolution",
                RunBlobCode::InvalidParameters,
                "must be 1k, 2k or 4k",
            )?;
        }
        Ok(())
    }
}

setters!(GeneratePhoto {
    /// Sets the aspect ratio.
    aspect_ratio: AspectRatio,
    /// Sets the resolution (O3).
    resolution: String,
    /// Sets the callback URL.
    callback_url: String,
} lists {
    /// Sets the reference image URLs.
    images_url: String,
    /// Sets the base64 reference images.
    images_base64: String,
});

runblob_create!(GeneratePhoto, |s| if s.o3 {
    Product::O3Photo
} else {
    Product::O1Photo
});
