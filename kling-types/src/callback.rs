//! Callback (webhook) bodies (`kling-api.md` section 4, `gateways.md` section 2): the bare
//! legacy task, the new-standard task, or a RunBlob generation.
//!
//! Legacy callbacks are unsigned: treat a payload as a hint and re-fetch the task before
//! acting on it.

use crate::runblob::Generation;
use crate::standard;
use crate::task::Task;

/// The largest callback body parsed (1 MiB; a task is a few KiB).
pub const MAX_CALLBACK_BYTES: usize = 1 << 20;

/// A callback body, recognized by its shape.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallbackPayload {
    /// A legacy task (`task_id`, `task_status`, ...).
    Legacy(Box<Task>),
    /// A new-standard task (`id`, `status`, `outputs`, ...).
    Standard(Box<standard::Task>),
    /// A RunBlob generation (`generation_id`, `status`, `video_url`|`image_url`, `message`).
    RunBlob(Box<Generation>),
}

impl CallbackPayload {
    /// Parses a callback body (anyone on the internet can send one: it is bounded first).
    ///
    /// # Errors
    ///
    /// A body over [`MAX_CALLBACK_BYTES`], not JSON, or in none of the three shapes.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        if body.len() > MAX_CALLBACK_BYTES {
            return Err(serde::de::Error::custom(format!(
                "the callback body is {} bytes, over the {MAX_CALLBACK_BYTES}-byte limit",
                body.len()
            )));
        }
        let value: serde_json::Value = serde_json::from_slice(body)?;
        if value.get("task_id").is_some() && value.get("task_status").is_some() {
            serde_json::from_value(value).map(|t| Self::Legacy(Box::new(t)))
        } else if value.get("generation_id").is_some() {
            serde_json::from_value(value).map(|g| Self::RunBlob(Box::new(g)))
        } else {
            serde_json::from_value(value).map(|t| Self::Standard(Box::new(t)))
        }
    }

    /// The task's id: `task_id` (legacy), `id` (new standard) or `generation_id` (RunBlob).
    pub fn task_id(&self) -> &str {
        match self {
            Self::Legacy(t) => &t.task_id,
            Self::Standard(t) => &t.id,
            Self::RunBlob(g) => &g.generation_id,
        }
    }

    /// The status as the payload wrote it.
    pub fn status(&self) -> &str {
        match self {
            Self::Legacy(t) => t.task_status.as_str(),
            Self::Standard(t) => t.status.as_str(),
            Self::RunBlob(g) => g.status.as_str(),
        }
    }

    /// Whether the task has finished: `succeed` / `succeeded` / `completed` (RunBlob), or `failed`.
    pub fn is_terminal(&self) -> bool {
        match self {
            Self::Legacy(t) => t.task_status.is_terminal(),
            Self::Standard(t) => t.status.is_terminal(),
            Self::RunBlob(g) => g.status.is_terminal(),
        }
    }
}
