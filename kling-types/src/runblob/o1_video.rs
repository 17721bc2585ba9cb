//! O1 video: [`GenerateO1Video`] (`POST /v1/kling/o1-video/generate`).

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, RunBlobCode, ValidationError};

use crate::common::{AspectRatio, Secs};
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, ResponseFormat};

use super::generation::{Created, Generation, GetGeneration, Product};
use super::rules::{ensure, image_rules, prompt_rules};

/// O1 video (`POST /v1/kling/o1-video/generate`). Note the image field is `images_urls` here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GenerateO1Video {
    /// What to generate.
    pub prompt: String,
    /// Text to video `"5"`/`"10"`; image to video `"3"`…`"10"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
    /// Aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Image URLs (at most 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_urls: Vec<String>,
    /// Images as base64 (at most 5; not with URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images_base64: Vec<String>,
    /// Keep the input's sound.
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

    fn check(&self) -> Result<(), ValidationError> {
        prompt_rules(&self.prompt)?;
        image_rules(&self.images_urls, &self.images_base64, "images_urls", 5)?;
        if let Some(Secs(n)) = self.duration {
            let with_images = !self.images_urls.is_empty() || !self.images_base64.is_empty();
            let ok = if with_images {
                (3..=10).contains(&n)
            } else {
                matches!(n, 5 | 10)
            };
            let allowed = if with_images { "3 to 10" } else { "5 or 10" };
            ensure(
                ok,
                "duration",
                RunBlobCode::InvalidDuration,
                format!("Duration must be {allowed} seconds, got {n}"),
            )?;
        }
        Ok(())
    }
}

setters!(GenerateO1Video {
    /// Sets the duration.
    duration: Secs,
    /// Sets the aspect ratio.
    aspect_ratio: AspectRatio,
    /// Keeps the input's sound.
    keep_original_sound: bool,
    /// Sets the callback URL.
    callback_url: String,
} lists {
    /// Sets the image URLs.
    images_urls: String,
    /// Sets the base64 images.
    images_base64: String,
});

runblob_create!(GenerateO1Video, |_s| Product::O1Video);
