//! Classic Kling models: [`Generate`] (`POST /v1/kling/generate`) and its
//! [`ClassicDuration`].

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, RunBlobCode, ValidationError};

use crate::common::{AspectRatio, Secs};
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, ResponseFormat};
use crate::models::{self, Api, Facts};

use super::generation::{Generation, GetGeneration, NewGeneration, Product};
use super::model::RunBlobModel;
use super::rules::{ensure, prompt_rules};

/// A classic duration: `"5"`/`"10"` as text, or an integer for the 3.0 family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(untagged)]
#[non_exhaustive]
pub enum ClassicDuration {
    /// An integer (kling_3, kling_3_pro).
    Int(u32),
    /// Text (`"5"`, `"10"`).
    Text(Secs),
}

impl ClassicDuration {
    fn seconds(self) -> u32 {
        match self {
            Self::Int(n) | Self::Text(Secs(n)) => n,
        }
    }
}

/// Generates with a classic Kling model (`POST /v1/kling/generate`): text or image to video,
/// and motion control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Generate {
    /// What to generate (1-2500 characters).
    pub prompt: String,
    /// What to avoid, sent as `negative_prompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// A RunBlob model name (`kling_2.6`, `kling_3_pro`, ...); it decides the form `duration`
    /// takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<RunBlobModel>,
    /// Length: `"5"`/`"10"`, or 3-15 as an integer for the 3.0 family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<ClassicDuration>,
    /// `16:9`, `9:16` or `1:1` (ignored for image to video).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Prompt adherence in [0, 1].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// Seed in [0, 2147483647].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
    /// Where RunBlob POSTs the terminal state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Image to video: the start image URL (not with `image_base64`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Image to video: the start image as base64 (not with `image_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_base64: Option<String>,
    /// Motion control: reference video URL (3-30 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_video_url: Option<String>,
    /// Motion control: reference video as base64 (not with the URL form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_video_base64: Option<String>,
    /// Motion control: character image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_image_url: Option<String>,
    /// Motion control: character image as base64 (not with the URL form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_image_base64: Option<String>,
    /// Motion control: `video` or `image` (the name RunBlob's SDK uses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motion_direction: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl Generate {
    /// A generation of `prompt`.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            negative_prompt: None,
            model: None,
            duration: None,
            aspect_ratio: None,
            cfg_scale: None,
            seed: None,
            callback_url: None,
            image_url: None,
            image_base64: None,
            reference_video_url: None,
            reference_video_base64: None,
            reference_image_url: None,
            reference_image_base64: None,
            motion_direction: None,
            preflight: Preflight::default(),
        }
    }

    /// Sets the model (and rewrites a duration already set in the model's form).
    #[must_use]
    pub fn model(mut self, model: RunBlobModel) -> Self {
        self.model = Some(model);
        if let Some(d) = self.duration {
            self = self.duration(d.seconds());
        }
        self
    }

    /// Sets the duration in seconds, in the form the model takes.
    #[must_use]
    pub fn duration(mut self, seconds: u32) -> Self {
        let int = self
            .model
            .as_ref()
            .is_some_and(RunBlobModel::integer_duration);
        self.duration = Some(if int {
            ClassicDuration::Int(seconds)
        } else {
            ClassicDuration::Text(Secs(seconds))
        });
        self
    }

    /// Which of the three classic products the body asks for: a reference video makes it
    /// motion control, a start image image-to-video.
    fn endpoint(&self) -> &'static str {
        if self.reference_video_url.is_some() || self.reference_video_base64.is_some() {
            "motion-control"
        } else if self.image_url.is_some() || self.image_base64.is_some() {
            "image-to-video"
        } else {
            "text-to-video"
        }
    }

    /// The request in the terms of the models data (seed 000's matrix lives there).
    pub(super) fn model_facts(&self) -> Facts<'_> {
        let model = self.model.as_ref().map_or("", RunBlobModel::as_str);
        let endpoint = self.endpoint();
        Facts::new(Api::RunBlob, endpoint, "model", model)
            .length_follows_input(endpoint == "motion-control")
            .prompt("prompt", Some(&self.prompt))
            .negative_prompt("negative_prompt", self.negative_prompt.is_some())
            .cfg_scale("cfg_scale", self.cfg_scale.is_some())
            .duration("duration", self.duration.map(ClassicDuration::seconds))
            .aspect_ratio(
                "aspect_ratio",
                self.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
    }

    fn check(&self) -> Result<(), ValidationError> {
        prompt_rules(&self.prompt)?;
        models::check(&self.model_facts())?;
        if let Some(c) = self.cfg_scale {
            ensure(
                (0.0..=1.0).contains(&c),
                "cfg_scale",
                RunBlobCode::InvalidParameters,
                format!("must be within [0, 1], got {c}"),
            )?;
        }
        if let Some(seed) = self.seed {
            ensure(
                seed <= 2_147_483_647,
                "seed",
                RunBlobCode::InvalidParameters,
                "must be at most 2147483647",
            )?;
        }
        let pairs = [
            (
                "image_url",
                self.image_url.is_some(),
                self.image_base64.is_some(),
            ),
            (
                "reference_video_url",
                self.reference_video_url.is_some(),
                self.reference_video_base64.is_some(),
            ),
            (
                "reference_image_url",
                self.reference_image_url.is_some(),
                self.reference_image_base64.is_some(),
            ),
        ];
        for (field, url, base64) in pairs {
            ensure(
                !(url && base64),
                field,
                RunBlobCode::MixedImageInputs,
                format!("give {field} or its _base64 form, not both"),
            )?;
        }
        Ok(())
    }
}

setters!(Generate {
    /// Sets what to avoid (`negative_prompt`).
    negative_prompt: String,
    /// Sets `aspect_ratio`: `16:9`, `9:16` or `1:1` (ignored for image to video).
    aspect_ratio: AspectRatio,
    /// Sets prompt adherence, in [0, 1].
    cfg_scale: f64,
    /// Sets `callback_url`: RunBlob POSTs the generation there once it completes or fails.
    callback_url: String,
    /// Sets the start image URL, for image to video (not with `image_base64`).
    image_url: String,
    /// Sets the start image as base64, for image to video (not with `image_url`).
    image_base64: String,
    /// Sets the motion-control reference video URL (3-30 s).
    reference_video_url: String,
    /// Sets the motion-control reference video as base64 (3-30 s; not with the URL).
    reference_video_base64: String,
    /// Sets the motion-control character image URL.
    reference_image_url: String,
    /// Sets the motion-control character image as base64 (not with the URL).
    reference_image_base64: String,
    /// Sets `motion_direction`: `video` or `image` (the name RunBlob's SDK uses).
    motion_direction: String,
} plain {
    /// Sets the seed, in [0, 2147483647].
    seed: u32,
});

runblob_create!(Generate, |_s| Product::Classic);
