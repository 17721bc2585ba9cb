//! Custom voices (`POST /v1/general/custom-voices`, its queries and lists), the official voices
//! and the delete.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::endpoint::{Endpoint, Method, Preflight};
use crate::validate::{ensure, required_text};

/// Where a custom voice is cloned from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VoiceSample {
    /// A clean recording (`.mp3/.wav/.mp4/.mov`, 5-30 s).
    Url(String),
    /// A Kling video with sound (v2.6 with sound on, avatar or lip-sync output).
    VideoId(String),
}

/// Clones a voice (`POST /v1/general/custom-voices`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateCustomVoice {
    /// The voice's name (at most 20 characters).
    pub voice_name: String,
    /// A recording URL: one clean voice, `.mp3/.wav/.mp4/.mov`, 5-30 s (one of `voice_url` /
    /// `video_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_url: Option<String>,
    /// A Kling video with sound: v2.6 with sound on, avatar or lip-sync output (one of `voice_url`
    /// / `video_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateCustomVoice {
    /// A voice named `voice_name`, cloned from `sample`.
    pub fn new(voice_name: impl Into<String>, sample: VoiceSample) -> Self {
        let (voice_url, video_id) = match sample {
            VoiceSample::Url(url) => (Some(url), None),
            VoiceSample::VideoId(id) => (None, Some(id)),
        };
        Self {
            voice_name: voice_name.into(),
            voice_url,
            video_id,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        required_text("voice_name", &self.voice_name, 20)?;
        ensure(
            self.voice_url.is_some() != self.video_id.is_some(),
            "voice_url",
            "exactly one of voice_url and video_id is required",
        )
    }
}

setters!(CreateCustomVoice {
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateCustomVoice, "/v1/general/custom-voices");
task_family!("custom-voice", "/v1/general/custom-voices", max_page_size = 1000,
    get: GetCustomVoiceTask, list: ListCustomVoiceTasks, create: CreateCustomVoice);

/// Deletes a custom voice (`POST /v1/general/delete-voices`). The response is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct DeleteVoice {
    /// The `voice_id` of the custom voice to delete.
    pub voice_id: String,
}

impl DeleteVoice {
    /// Deletes `voice_id`.
    pub fn new(voice_id: impl Into<String>) -> Self {
        Self {
            voice_id: voice_id.into(),
        }
    }
}

impl Endpoint for DeleteVoice {
    type Response = serde_json::Value;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/v1/general/delete-voices".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    // Deleting twice leaves the same state.
    fn idempotent(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<(), ValidationError> {
        ensure(!self.voice_id.trim().is_empty(), "voice_id", "is required")
    }
}
