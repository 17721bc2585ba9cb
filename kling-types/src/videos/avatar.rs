//! Avatar (digital human): `POST /v1/videos/avatar/image2video` (`kling-api.md` 3.8).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{ImageInput, Mode, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::validate::{ensure, image, max_chars};

/// What an avatar says: a TTS audio id, or an audio file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AvatarAudio {
    /// An audio id from TTS (at most 30 days old, 2-300 s).
    AudioId(String),
    /// An audio URL or base64 (`.mp3/.wav/.m4a/.aac`, at most 5 MB, 2-300 s).
    SoundFile(String),
}

/// Creates a talking-portrait task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateAvatar {
    /// The portrait: a public URL or raw base64 (JPEG/PNG, at most 10 MB, sides at least 300 px).
    pub image: ImageInput,
    /// An audio id from `/v1/audio/tts` (one of `audio_id` / `sound_file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_id: Option<String>,
    /// An audio URL or base64, 2-300 s (one of `audio_id` / `sound_file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sound_file: Option<String>,
    /// Actions, emotion, camera (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// `std` (the default) or `pro`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// `{"enabled": true}` adds a `watermark_url` beside each result's `url` (off when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateAvatar {
    /// The person in `image` speaking `audio`.
    pub fn new(image: impl Into<ImageInput>, audio: AvatarAudio) -> Self {
        let (audio_id, sound_file) = match audio {
            AvatarAudio::AudioId(id) => (Some(id), None),
            AvatarAudio::SoundFile(file) => (None, Some(file)),
        };
        Self {
            image: image.into(),
            audio_id,
            sound_file,
            prompt: None,
            mode: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        image("image", Some(&self.image))?;
        ensure(
            self.audio_id.is_some() != self.sound_file.is_some(),
            "audio_id",
            "exactly one of audio_id and sound_file is required",
        )?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        if let Some(mode) = &self.mode {
            ensure(
                !mode.is_known() || matches!(mode, Mode::Std | Mode::Pro),
                "mode",
                "must be std or pro",
            )?;
        }
        Ok(())
    }
}

setters!(CreateAvatar {
    /// Sets actions, emotion and camera (at most 2500 characters).
    prompt: String,
    /// Sets `mode`: `std` (the default) or `pro`.
    mode: Mode,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateAvatar, "/v1/videos/avatar/image2video");
task_family!("avatar", "/v1/videos/avatar/image2video", max_page_size = 500,
    get: GetAvatarTask, list: ListAvatarTasks, create: CreateAvatar);
