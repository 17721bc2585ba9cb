//! Image to video, new standard: `POST /image-to-video/{model}`.

use kling_errors::ValidationError;

use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, segment};
use crate::validate::ensure;

use super::create::{Kind, StandardCreate};
use super::request::{Content, StandardModel};
use super::tasks::{GetTasks, Task};

/// Image to video: `POST /image-to-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImageToVideoKind;

impl Kind for ImageToVideoKind {
    const ENDPOINT: &'static str = "image-to-video";
}

/// Image to video on the new standard (`kling-3.0`, `kling-3.0-turbo`, `kling-2.6`,
/// `kling-2.5-turbo`; API key only).
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
        // No image-to-video page takes an aspect ratio: the output follows the frame.
        ensure(
            self.settings.aspect_ratio.is_none(),
            "settings.aspect_ratio",
            "image-to-video takes no aspect ratio",
        )?;
        ensure(
            self.contents.iter().all(|c| {
                matches!(
                    c,
                    Content::Prompt { .. }
                        | Content::FirstFrame { .. }
                        | Content::LastFrame { .. }
                        | Content::Element { .. }
                        | Content::Voice { .. }
                )
            }),
            "contents",
            "image-to-video takes prompt, first_frame, last_frame, element and voice items",
        )?;
        self.common_checks()
    }
}

standard_endpoint!(CreateImageToVideo, "/image-to-video");
