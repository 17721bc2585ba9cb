//! Motion control, new standard: `POST /motion-control/{model}`.

use kling_errors::ValidationError;

use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, segment};
use crate::validate::ensure;
use crate::videos::CharacterOrientation;

use super::create::{Kind, StandardCreate};
use super::request::{Content, StandardModel};
use super::tasks::{GetTasks, Task};

/// Motion control: `POST /motion-control/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MotionControlKind;

impl Kind for MotionControlKind {
    const ENDPOINT: &'static str = "motion-control";
}

/// Motion control on the new standard (`kling-3.0`, `kling-2.6`; API key only).
pub type CreateMotionControl = StandardCreate<MotionControlKind>;

impl CreateMotionControl {
    /// The character at `image_url` moving like the person in `video_url`.
    pub fn new(
        model: StandardModel,
        image_url: impl Into<String>,
        video_url: impl Into<String>,
        orientation: CharacterOrientation,
    ) -> Self {
        let mut r = Self::base(model)
            .content(Content::Image {
                url: image_url.into(),
            })
            .content(Content::Video {
                url: video_url.into(),
            });
        r.settings.character_orientation = Some(orientation);
        r
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(
            self.count(|c| matches!(c, Content::Image { .. })) == 1,
            "contents",
            "exactly one image is required",
        )?;
        ensure(
            self.count(|c| matches!(c, Content::Video { .. })) == 1,
            "contents",
            "exactly one video is required",
        )?;
        ensure(
            self.settings.character_orientation.is_some(),
            "settings.character_orientation",
            "is required",
        )?;
        // The models data holds the per-model rules (audio values, elements: 3.0 one, 2.6 none).
        self.common_checks()
    }
}

standard_endpoint!(CreateMotionControl, "/motion-control");
