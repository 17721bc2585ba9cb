//! Video effects: `POST /v1/videos/effects` (`kling-api.md` 3.9).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{ImageInput, Mode, Model, Secs};
use crate::endpoint::Preflight;
use crate::validate::{ensure, image};

/// The scenes that take two images (first = left, second = right); every other scene takes one.
pub const TWO_IMAGE_SCENES: &[&str] = &[
    "pet_skateboard",
    "daily_ootd",
    "toss_run",
    "switch_to_silk",
    "studio_look",
    "french_elegance",
    "finger_swipe",
    "smooth_transition",
    "snow_night_kiss",
    "eternal_kiss",
    "cheers_2026",
    "kiss_pro",
    "fight_pro",
    "hug_pro",
    "heart_gesture_pro",
    // The 2025 dual scenes (some sunset 2026-01-30).
    "hug",
    "kiss",
    "heart_gesture",
];

/// The `input` of an effect: one image or two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EffectInput {
    /// Single-image scenes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInput>,
    /// Two-image scenes: exactly 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageInput>,
    /// Historic shape only (2025): the model inside `input`.
    #[serde(default, rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// Historic shape only (2025): the mode inside `input`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Historic shape only (2025): the duration inside `input`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
}

/// Creates a video-effect task. The scene is a string: there are about 200 of them and they
/// change often (see the official templates).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CreateEffect {
    /// The scene, e.g. `color_mixing`, `hug_pro`.
    pub effect_scene: String,
    /// The image(s).
    pub input: EffectInput,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateEffect {
    /// A single-image scene.
    pub fn single(effect_scene: impl Into<String>, image: impl Into<ImageInput>) -> Self {
        Self::with_input(effect_scene, EffectInput { image: Some(image.into()), images: Vec::new(), model: None, mode: None, duration: None })
    }

    /// A two-image scene: `left` and `right` in the composed photo.
    pub fn pair(effect_scene: impl Into<String>, left: impl Into<ImageInput>, right: impl Into<ImageInput>) -> Self {
        Self::with_input(
            effect_scene,
            EffectInput { image: None, images: vec![left.into(), right.into()], model: None, mode: None, duration: None },
        )
    }

    fn with_input(effect_scene: impl Into<String>, input: EffectInput) -> Self {
        Self { effect_scene: effect_scene.into(), input, callback_url: None, external_task_id: None, preflight: Preflight::default() }
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(!self.effect_scene.trim().is_empty(), "effect_scene", "is required")?;
        let two = TWO_IMAGE_SCENES.contains(&self.effect_scene.as_str());
        if two {
            ensure(self.input.images.len() == 2, "input.images", format!("{} takes exactly 2 images", self.effect_scene))?;
            ensure(self.input.image.is_none(), "input.image", format!("{} takes `images`, not `image`", self.effect_scene))?;
        } else {
            ensure(self.input.image.is_some(), "input.image", format!("{} takes one `image`", self.effect_scene))?;
            ensure(self.input.images.is_empty(), "input.images", format!("{} takes `image`, not `images`", self.effect_scene))?;
        }
        image("input.image", self.input.image.as_ref())?;
        for (i, img) in self.input.images.iter().enumerate() {
            image(&format!("input.images[{i}]"), Some(img))?;
        }
        Ok(())
    }
}

setters!(CreateEffect {
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
});

create_endpoint!(CreateEffect, "/v1/videos/effects");
task_family!("video-effect", "/v1/videos/effects", max_page_size = 500,
    get: GetEffectTask, list: ListEffectTasks, create: CreateEffect);
