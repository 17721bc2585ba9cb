//! Text to video, new standard: `POST /text-to-video/{model}`.

use kling_errors::ValidationError;

use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, segment};
use crate::validate::required_text;

use super::create::{Kind, StandardCreate};
use super::request::StandardModel;
use super::tasks::{GetTasks, Task};

/// Text to video: `POST /text-to-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextToVideoKind;

impl Kind for TextToVideoKind {
    const ENDPOINT: &'static str = "text-to-video";
}

/// Text to video on the new standard (`kling-3.0`, `kling-3.0-turbo`, `kling-2.6`,
/// `kling-2.5-turbo`; API key only).
pub type CreateTextToVideo = StandardCreate<TextToVideoKind>;

impl CreateTextToVideo {
    /// Text to video of `prompt` (sent as the top-level `prompt`) with `model`.
    pub fn new(model: StandardModel, prompt: impl Into<String>) -> Self {
        let mut r = Self::base(model);
        r.prompt = Some(prompt.into());
        r
    }

    fn check(&self) -> Result<(), ValidationError> {
        required_text("prompt", self.prompt.as_deref().unwrap_or(""), 3072)?;
        self.common_checks()
    }
}

standard_endpoint!(CreateTextToVideo, "/text-to-video");
