//! Video effects: `POST /v1/videos/effects` (`kling-api.md` 3.9).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{ImageInput, Mode, Model, Secs};
use crate::endpoint::Preflight;
use crate::validate::{ensure, image};

string_enum! {
    /// An effect scene. The official list has about 200 and changes often; the ones named in
    /// the spec are here, any other passes through as [`EffectScene::Custom`].
    pub enum EffectScene (Custom: "Any other scene, sent as given.") {
        /// `color_mixing` (one image)
        ColorMixing = "color_mixing",
        /// `pet_lion_pro` (one image)
        PetLionPro = "pet_lion_pro",
        /// `bloombloom` (one image, 2025)
        Bloombloom = "bloombloom",
        /// `dizzydizzy` (one image, 2025)
        Dizzydizzy = "dizzydizzy",
        /// `fuzzyfuzzy` (one image, 2025)
        Fuzzyfuzzy = "fuzzyfuzzy",
        /// `squish` (one image, 2025)
        Squish = "squish",
        /// `expansion` (one image, 2025)
        Expansion = "expansion",
        /// `pet_skateboard` (two images)
        PetSkateboard = "pet_skateboard",
        /// `daily_ootd` (two images)
        DailyOotd = "daily_ootd",
        /// `toss_run` (two images)
        TossRun = "toss_run",
        /// `switch_to_silk` (two images)
        SwitchToSilk = "switch_to_silk",
        /// `studio_look` (two images)
        StudioLook = "studio_look",
        /// `french_elegance` (two images)
        FrenchElegance = "french_elegance",
        /// `finger_swipe` (two images)
        FingerSwipe = "finger_swipe",
        /// `smooth_transition` (two images)
        SmoothTransition = "smooth_transition",
        /// `snow_night_kiss` (two images)
        SnowNightKiss = "snow_night_kiss",
        /// `eternal_kiss` (two images)
        EternalKiss = "eternal_kiss",
        /// `cheers_2026` (two images)
        Cheers2026 = "cheers_2026",
        /// `kiss_pro` (two images)
        KissPro = "kiss_pro",
        /// `fight_pro` (two images)
        FightPro = "fight_pro",
        /// `hug_pro` (two images)
        HugPro = "hug_pro",
        /// `heart_gesture_pro` (two images)
        HeartGesturePro = "heart_gesture_pro",
        /// `hug` (two images, 2025; sunset 2026-01-30)
        Hug = "hug",
        /// `kiss` (two images, 2025; sunset 2026-01-30)
        Kiss = "kiss",
        /// `heart_gesture` (two images, 2025)
        HeartGesture = "heart_gesture",
    }
}

impl EffectScene {
    /// Whether the scene takes two images (first = left, second = right); `None` for a scene
    /// this version does not know (then either shape is accepted).
    pub fn takes_two_images(&self) -> Option<bool> {
        match self {
            Self::ColorMixing
            | Self::PetLionPro
            | Self::Bloombloom
            | Self::Dizzydizzy
            | Self::Fuzzyfuzzy
            | Self::Squish
            | Self::Expansion => Some(false),
            Self::Custom(_) => None,
            _ => Some(true),
        }
    }
}

/// The `input` of an effect: one image or two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct EffectInput {
    /// The image of a single-image scene: a public URL or raw base64 (JPEG/PNG, at most 10 MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInput>,
    /// The images of a two-image scene: exactly 2, first = left, second = right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageInput>,
    /// Historic shape only (2025): `model_name` inside `input` (current docs show none).
    #[serde(
        default,
        rename = "model_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub model: Option<Model>,
    /// Historic shape only (2025): `std` or `pro` inside `input` (current docs show none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Historic shape only (2025): `"5"` or `"10"` inside `input` (current docs show none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
}

/// Creates a video-effect task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateEffect {
    /// The effect, sent as `effect_scene` (e.g. `color_mixing`); it decides one image or two.
    pub effect_scene: EffectScene,
    /// The image, or the two images, the scene takes.
    pub input: EffectInput,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateEffect {
    /// A single-image scene (e.g. `color_mixing`) applied to `image`.
    pub fn single(effect_scene: impl Into<EffectScene>, image: impl Into<ImageInput>) -> Self {
        Self::with_input(
            effect_scene,
            EffectInput {
                image: Some(image.into()),
                images: Vec::new(),
                model: None,
                mode: None,
                duration: None,
            },
        )
    }

    /// A two-image scene: `left` and `right` in the composed photo.
    pub fn pair(
        effect_scene: impl Into<EffectScene>,
        left: impl Into<ImageInput>,
        right: impl Into<ImageInput>,
    ) -> Self {
        Self::with_input(
            effect_scene,
            EffectInput {
                image: None,
                images: vec![left.into(), right.into()],
                model: None,
                mode: None,
                duration: None,
            },
        )
    }

    fn with_input(effect_scene: impl Into<EffectScene>, input: EffectInput) -> Self {
        Self {
            effect_scene: effect_scene.into(),
            input,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(
            !self.effect_scene.as_str().trim().is_empty(),
            "effect_scene",
            "is required",
        )?;
        let scene = &self.effect_scene;
        match scene.takes_two_images() {
            Some(true) => {
                ensure(
                    self.input.images.len() == 2,
                    "input.images",
                    format!("{scene} takes exactly 2 images"),
                )?;
                ensure(
                    self.input.image.is_none(),
                    "input.image",
                    format!("{scene} takes `images`, not `image`"),
                )?;
            }
            Some(false) => {
                ensure(
                    self.input.image.is_some(),
                    "input.image",
                    format!("{scene} takes one `image`"),
                )?;
                ensure(
                    self.input.images.is_empty(),
                    "input.images",
                    format!("{scene} takes `image`, not `images`"),
                )?;
            }
            None => ensure(
                self.input.image.is_some() == self.input.images.is_empty(),
                "input.image",
                "give either `image` or `images`",
            )?,
        }
        image("input.image", self.input.image.as_ref())?;
        for (i, img) in self.input.images.iter().enumerate() {
            image(&format!("input.images[{i}]"), Some(img))?;
        }
        Ok(())
    }
}

setters!(CreateEffect {
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateEffect, "/v1/videos/effects");
task_family!("video-effect", "/v1/videos/effects", max_page_size = 500,
    get: GetEffectTask, list: ListEffectTasks, create: CreateEffect);
