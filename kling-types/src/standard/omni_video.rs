//! Omni video, new standard: `POST /omni-video/{model}`.

use kling_errors::ValidationError;

use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, segment};
use crate::validate::ensure;

use super::create::{Kind, StandardCreate};
use super::request::{Content, StandardModel};
use super::tasks::{GetTasks, Task};

/// Omni video: `POST /omni-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OmniVideoKind;

impl Kind for OmniVideoKind {
    const ENDPOINT: &'static str = "omni-video";
}

/// Omni video on the new standard (`kling-3.0-omni`, `kling-o1`; API key only).
pub type CreateOmniVideo = StandardCreate<OmniVideoKind>;

impl CreateOmniVideo {
    /// Omni video with `model` (`kling-3.0-omni` or `kling-o1`) and `prompt`.
    pub fn new(model: StandardModel, prompt: impl Into<String>) -> Self {
        Self::base(model).content(Content::prompt(prompt))
    }

    fn check(&self) -> Result<(), ValidationError> {
        let first = self.count(|c| matches!(c, Content::FirstFrame { .. }));
        let last = self.count(|c| matches!(c, Content::LastFrame { .. }));
        let videos =
            self.count(|c| matches!(c, Content::FeatureVideo { .. } | Content::BaseVideo { .. }));
        ensure(
            last == 0 || first == 1,
            "contents",
            "a last_frame needs a first_frame",
        )?;
        ensure(videos <= 1, "contents", "at most one video")?;
        let base = self.count(|c| matches!(c, Content::BaseVideo { .. }));
        let feature = self.count(|c| matches!(c, Content::FeatureVideo { .. }));
        ensure(
            base == 0 || first + last == 0,
            "contents",
            "a base_video (the clip to edit) takes no first_frame or last_frame",
        )?;
        ensure(
            feature == 0 || last == 0,
            "contents",
            "a feature_video takes a first_frame but no last_frame",
        )?;
        ensure(
            self.count(|c| matches!(c, Content::Voice { .. })) == 0,
            "contents",
            "omni video takes no voice items",
        )?;
        if first == 0 && videos == 0 {
            ensure(
                self.settings.aspect_ratio.is_some(),
                "settings.aspect_ratio",
                "is required without a first frame or a reference video",
            )?;
        }
        self.common_checks()
    }
}

standard_endpoint!(CreateOmniVideo, "/omni-video");
