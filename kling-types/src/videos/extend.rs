//! Video extension: `POST /v1/videos/video-extend` (`kling-api.md` 3.4).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::endpoint::Preflight;
use crate::validate::{ensure, max_chars, range};

/// Extends a Kling-generated video by about 4-5 seconds (v1.x videos; total at most 3 minutes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateVideoExtend {
    /// The id of a Kling video (t2v, i2v or an earlier extension) generated in the last 30 days.
    pub video_id: String,
    /// What happens next (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What to avoid (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// Prompt adherence in [0, 1] (0.5 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task, unique per account (the spec has not confirmed this endpoint takes
    /// it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateVideoExtend {
    /// Extends the video `video_id`.
    pub fn new(video_id: impl Into<String>) -> Self {
        Self {
            video_id: video_id.into(),
            prompt: None,
            negative_prompt: None,
            cfg_scale: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(!self.video_id.trim().is_empty(), "video_id", "is required")?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        range("cfg_scale", self.cfg_scale, 0.0, 1.0)
    }
}

setters!(CreateVideoExtend {
    /// Sets what happens next (at most 2500 characters).
    prompt: String,
    /// Sets what to avoid (at most 2500 characters).
    negative_prompt: String,
    /// Sets prompt adherence, in [0, 1] (0.5 when unset).
    cfg_scale: f64,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateVideoExtend, "/v1/videos/video-extend");
task_family!("video-extension", "/v1/videos/video-extend", max_page_size = 500,
    get: GetVideoExtendTask, list: ListVideoExtendTasks, create: CreateVideoExtend);
