//! Audio (`kling-api.md` 3.10): video to audio, text to audio (sound effects), and TTS.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::endpoint::{Endpoint, Method, Preflight};
use crate::validate::{ensure, max_chars, range, required_text};
use crate::videos::{VideoSource, VoiceLanguage};

/// Adds sound effects and music to a video (`POST /v1/audio/video-to-audio`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateVideoToAudio {
    /// A Kling video id, at most 30 days old (one of `video_id` / `video_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// A video URL, `.mp4`/`.mov`, 3-20 s, at most 100 MB (one of `video_id` / `video_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The sound effects wanted (at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sound_effect_prompt: Option<String>,
    /// The music wanted (at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgm_prompt: Option<String>,
    /// ASMR mode (off when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asmr_mode: Option<bool>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateVideoToAudio {
    /// Sound effects and music for `video` (a Kling video id or a URL); the result has both.
    pub fn new(video: VideoSource) -> Self {
        let (video_id, video_url) = match video {
            VideoSource::Id(id) => (Some(id), None),
            VideoSource::Url(url) => (None, Some(url)),
        };
        Self {
            video_id,
            video_url,
            sound_effect_prompt: None,
            bgm_prompt: None,
            asmr_mode: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(
            self.video_id.is_some() != self.video_url.is_some(),
            "video_id",
            "exactly one of video_id and video_url is required",
        )?;
        max_chars(
            "sound_effect_prompt",
            self.sound_effect_prompt.as_deref(),
            200,
        )?;
        max_chars("bgm_prompt", self.bgm_prompt.as_deref(), 200)
    }
}

setters!(CreateVideoToAudio {
    /// Sets the sound effects wanted (at most 200 characters).
    sound_effect_prompt: String,
    /// Sets the background music wanted (at most 200 characters).
    bgm_prompt: String,
    /// Turns ASMR mode on or off (off when unset).
    asmr_mode: bool,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateVideoToAudio, "/v1/audio/video-to-audio");
task_family!("video-to-audio", "/v1/audio/video-to-audio", max_page_size = 500,
    get: GetVideoToAudioTask, list: ListVideoToAudioTasks, create: CreateVideoToAudio);

/// Generates a sound effect from text (`POST /v1/audio/text-to-audio`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateTextToAudio {
    /// The sound wanted (at most 200 characters).
    pub prompt: String,
    /// Length in seconds, 3.0-10.0 with one decimal.
    pub duration: f64,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateTextToAudio {
    /// A `duration`-second sound (3.0-10.0, one decimal) of `prompt` (at most 200 characters).
    pub fn new(prompt: impl Into<String>, duration: f64) -> Self {
        Self {
            prompt: prompt.into(),
            duration,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        required_text("prompt", &self.prompt, 200)?;
        range("duration", Some(self.duration), 3.0, 10.0)?;
        ensure(
            ((self.duration * 10.0).round() - self.duration * 10.0).abs() < 1e-9,
            "duration",
            "takes at most one decimal",
        )
    }
}

setters!(CreateTextToAudio {
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateTextToAudio, "/v1/audio/text-to-audio");
task_family!("text-to-audio", "/v1/audio/text-to-audio", max_page_size = 500,
    get: GetTextToAudioTask, list: ListTextToAudioTasks, create: CreateTextToAudio);

/// Text to speech (`POST /v1/audio/tts`), synchronous: the audio is in the response's
/// `task_result.audios`, and its id works as `audio_id` in avatar and lip sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Tts {
    /// What to say (at most 1000 characters).
    pub text: String,
    /// The voice to speak with (official ones:
    /// [`ListPresetVoices`](crate::general::ListPresetVoices)).
    pub voice_id: String,
    /// `zh` or `en` (required here; the docs give `zh` as the default).
    pub voice_language: VoiceLanguage,
    /// Speed in [0.8, 2.0], one decimal (1.0 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_speed: Option<f64>,
}

impl Tts {
    /// `text` spoken by `voice_id` in `language`.
    pub fn new(
        text: impl Into<String>,
        voice_id: impl Into<String>,
        language: VoiceLanguage,
    ) -> Self {
        Self {
            text: text.into(),
            voice_id: voice_id.into(),
            voice_language: language,
            voice_speed: None,
        }
    }

    /// Sets the speed, in [0.8, 2.0] with one decimal (1.0 when unset).
    #[must_use]
    pub fn voice_speed(mut self, speed: f64) -> Self {
        self.voice_speed = Some(speed);
        self
    }
}

impl Endpoint for Tts {
    type Response = crate::task::Task;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/v1/audio/tts".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        required_text("text", &self.text, 1000)?;
        ensure(!self.voice_id.trim().is_empty(), "voice_id", "is required")?;
        range("voice_speed", self.voice_speed, 0.8, 2.0)
    }
}
