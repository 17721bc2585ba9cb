//! Image to video, new standard: `POST /image-to-video/{model}`.

use kling_errors::ValidationError;

use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, segment};
use crate::validate::ensure;

use super::create::StandardCreate;
use super::request::{Content, Resolution, StandardModel};
use super::tasks::{GetTasks, Task};

/// Image to video: `POST /image-to-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImageToVideoKind;

/// Image to video, new standard.
pub type CreateImageToVideo = StandardCreate<ImageToVideoKind>;

impl CreateImageToVideo {
    /// Image to video with `model`, from the first frame at `first_frame_url`.
    pub fn new(model: StandardModel, first_frame_url: impl Into<String>) -> Self {
        Self::base(model).content(Content::first_frame(first_frame_url))
    }

    fn check(&self) -> Result<(), ValidationError> {
        let first = self.count(|c| matches!(c, Content::FirstFrame { .. }));
        let last = self.count(|c| matches!(c, Content::LastFrame { .. }));
        ensure(
            first == 1,
            "contents",
            "exactly one first_frame is required (a last frame alone is not supported)",
        )?;
        ensure(last <= 1, "contents", "at most one last_frame")?;
        ensure(
            self.count(|c| matches!(c, Content::Element { .. })) <= 3,
            "contents",
            "at most 3 elements",
        )?;
        ensure(
            self.settings.aspect_ratio.is_none(),
            "settings.aspect_ratio",
            "image-to-video takes no aspect ratio",
        )?;
        if self.model == StandardModel::Kling3_0Turbo {
            ensure(
                self.contents
                    .iter()
                    .all(|c| matches!(c, Content::Prompt { .. } | Content::FirstFrame { .. })),
                "contents",
                "kling-3.0-turbo accepts only prompt and first_frame items",
            )?;
            ensure(
                self.settings
                    .resolution
                    .as_ref()
                    .is_none_or(|r| matches!(r, Resolution::P720 | Resolution::P1080)),
                "settings.resolution",
                "kling-3.0-turbo renders 720p or 1080p",
            )?;
        }
        self.common_checks()
    }
}

standard_endpoint!(CreateImageToVideo, "/image-to-video");
