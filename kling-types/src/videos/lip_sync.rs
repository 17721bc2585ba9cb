//! Lip sync (`kling-api.md` 3.7): the classic endpoint, face identification, and advanced lip
//! sync on identified faces.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::de;
use crate::endpoint::{Endpoint, Method, Preflight};
use crate::task::BalanceDeduction;
use crate::validate::{ensure, max_items, range};

string_enum! {
    /// What drives a classic lip sync.
    pub enum LipSyncMode (Custom: "Any other mode, sent as given.") {
        /// `text2video`: speak `text` with a preset voice.
        Text2Video = "text2video",
        /// `audio2video`: follow an audio file.
        Audio2Video = "audio2video",
    }
}

string_enum! {
    /// Where the audio of an `audio2video` lip sync comes from.
    pub enum AudioType (Custom: "Any other value, sent as given.") {
        /// `file`: `audio_file` holds base64.
        File = "file",
        /// `url`: `audio_url` holds a URL.
        Url = "url",
    }
}

string_enum! {
    /// Speech language of lip sync (`en` when absent) and TTS.
    pub enum VoiceLanguage (Custom: "Any other language, sent as given.") {
        /// `zh`: Chinese.
        Zh = "zh",
        /// `en`: English.
        En = "en",
    }
}

/// The `input` of a classic lip sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct LipSyncInput {
    /// `text2video` (speak `text`) or `audio2video` (follow an audio file).
    pub mode: LipSyncMode,
    /// A Kling video id, at most 30 days old (one of `video_id` / `video_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// A video URL, `.mp4`/`.mov`, at most 100 MB (one of `video_id` / `video_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// `text2video`: what to say (at most 120 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `text2video`: a preset voice id (e.g. `oversea_male1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_id: Option<String>,
    /// `text2video`: `zh` or `en` (`en` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_language: Option<VoiceLanguage>,
    /// `text2video`: speed in [0.8, 2.0], one decimal (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_speed: Option<f64>,
    /// `audio2video`: where the audio comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_type: Option<AudioType>,
    /// `audio2video` with `file`: base64 audio (`.mp3/.wav/.m4a/.aac`, at most 5 MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_file: Option<String>,
    /// `audio2video` with `url`: the audio URL (`.mp3/.wav/.m4a/.aac`, at most 5 MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
}

/// Creates a classic lip-sync task (`POST /v1/videos/lip-sync`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateLipSync {
    /// The video and what it says, sent as the `input` object.
    pub input: LipSyncInput,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

/// The video a lip sync works on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VideoSource {
    /// A Kling video id (at most 30 days old).
    Id(String),
    /// A video URL (each endpoint states its own format, length and size limits).
    Url(String),
}

impl CreateLipSync {
    fn with_input(video: VideoSource, mode: LipSyncMode) -> LipSyncInput {
        let (video_id, video_url) = match video {
            VideoSource::Id(id) => (Some(id), None),
            VideoSource::Url(url) => (None, Some(url)),
        };
        LipSyncInput {
            mode,
            video_id,
            video_url,
            text: None,
            voice_id: None,
            voice_language: None,
            voice_speed: None,
            audio_type: None,
            audio_file: None,
            audio_url: None,
        }
    }

    /// The person in `video` says `text` with preset voice `voice_id`.
    pub fn text(video: VideoSource, text: impl Into<String>, voice_id: impl Into<String>) -> Self {
        let mut input = Self::with_input(video, LipSyncMode::Text2Video);
        input.text = Some(text.into());
        input.voice_id = Some(voice_id.into());
        Self {
            input,
            callback_url: None,
            preflight: Preflight::default(),
        }
    }

    /// The person in `video` follows the audio at `audio_url`.
    pub fn audio_url(video: VideoSource, audio_url: impl Into<String>) -> Self {
        let mut input = Self::with_input(video, LipSyncMode::Audio2Video);
        input.audio_type = Some(AudioType::Url);
        input.audio_url = Some(audio_url.into());
        Self {
            input,
            callback_url: None,
            preflight: Preflight::default(),
        }
    }

    /// The person in `video` follows the base64 audio `audio_file`.
    pub fn audio_file(video: VideoSource, audio_file: impl Into<String>) -> Self {
        let mut input = Self::with_input(video, LipSyncMode::Audio2Video);
        input.audio_type = Some(AudioType::File);
        input.audio_file = Some(audio_file.into());
        Self {
            input,
            callback_url: None,
            preflight: Preflight::default(),
        }
    }

    /// Sets the speech language (`en` when unset).
    #[must_use]
    pub fn voice_language(mut self, language: VoiceLanguage) -> Self {
        self.input.voice_language = Some(language);
        self
    }

    /// Sets the speech speed, in [0.8, 2.0] with one decimal (1 when unset).
    #[must_use]
    pub fn voice_speed(mut self, speed: f64) -> Self {
        self.input.voice_speed = Some(speed);
        self
    }

    fn check(&self) -> Result<(), ValidationError> {
        let i = &self.input;
        ensure(
            i.video_id.is_some() != i.video_url.is_some(),
            "input.video_id",
            "exactly one of video_id and video_url is required",
        )?;
        match i.mode {
            LipSyncMode::Text2Video => {
                let text = i.text.as_deref().unwrap_or("");
                ensure(
                    !text.trim().is_empty(),
                    "input.text",
                    "is required for text2video",
                )?;
                ensure(
                    text.chars().count() <= 120,
                    "input.text",
                    "must be at most 120 characters",
                )?;
                ensure(
                    i.voice_id.as_deref().is_some_and(|v| !v.is_empty()),
                    "input.voice_id",
                    "is required for text2video",
                )?;
                range("input.voice_speed", i.voice_speed, 0.8, 2.0)?;
            }
            LipSyncMode::Audio2Video => match i.audio_type {
                Some(AudioType::File) => ensure(
                    i.audio_file.is_some(),
                    "input.audio_file",
                    "is required with audio_type file",
                )?,
                Some(AudioType::Url) => ensure(
                    i.audio_url.is_some(),
                    "input.audio_url",
                    "is required with audio_type url",
                )?,
                Some(AudioType::Custom(_)) => {}
                None => {
                    return Err(crate::validate::invalid(
                        "input.audio_type",
                        "is required for audio2video",
                    ));
                }
            },
            LipSyncMode::Custom(_) => {}
        }
        Ok(())
    }
}

setters!(CreateLipSync {
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
});

create_endpoint!(CreateLipSync, "/v1/videos/lip-sync");
task_family!("lip-sync", "/v1/videos/lip-sync", max_page_size = 500,
    get: GetLipSyncTask, list: ListLipSyncTasks);

/// Finds the faces of a video for advanced lip sync (`POST /v1/videos/identify-face`,
/// synchronous).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct IdentifyFace {
    /// A Kling video id, at most 30 days old (one of `video_id` / `video_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// A video URL: `.mp4`/`.mov`, 2-60 s, at most 100 MB, 720p/1080p (sides 512-2160 px).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
}

impl IdentifyFace {
    /// Identifies the faces of `video`.
    pub fn new(video: VideoSource) -> Self {
        match video {
            VideoSource::Id(id) => Self {
                video_id: Some(id),
                video_url: None,
            },
            VideoSource::Url(url) => Self {
                video_id: None,
                video_url: Some(url),
            },
        }
    }
}

/// The faces found in a video, and the session to lip-sync them in (valid 24 h).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct FaceIdentification {
    /// Pass to [`CreateAdvancedLipSync`] with the chosen `face_id`.
    #[serde(deserialize_with = "de::text")]
    pub session_id: String,
    /// Units charged for the detection, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub final_unit_deduction: Option<String>,
    /// Cash charged: the discounted price and the list price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_balance_deduction: Option<BalanceDeduction>,
    /// The faces found, each with the time window it is on screen.
    #[serde(default, deserialize_with = "de::vec")]
    pub face_data: Vec<Face>,
}

/// A face found in a video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Face {
    /// The id to choose it by in [`FaceChoice`].
    #[serde(deserialize_with = "de::text")]
    pub face_id: String,
    /// URL of a picture of the face.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_image: Option<String>,
    /// When the face appears in the video, in milliseconds from its start.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub start_time: Option<i64>,
    /// When the face leaves the video, in milliseconds from its start.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub end_time: Option<i64>,
}

impl Endpoint for IdentifyFace {
    type Response = FaceIdentification;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/v1/videos/identify-face".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        ensure(
            self.video_id.is_some() != self.video_url.is_some(),
            "video_id",
            "exactly one of video_id and video_url is required",
        )
    }
}

/// One face of an advanced lip sync and the audio it speaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct FaceChoice {
    /// A `face_id` from [`IdentifyFace`]'s `face_data`.
    pub face_id: String,
    /// An audio id from `/v1/audio/tts`, at most 30 days old, 2-60 s (one of `audio_id` /
    /// `sound_file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_id: Option<String>,
    /// An audio URL or base64, `.mp3/.wav/.m4a/.aac`, at most 5 MB, 2-60 s (one of `audio_id` /
    /// `sound_file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sound_file: Option<String>,
    /// Where the audio is cropped from, in milliseconds into the audio.
    pub sound_start_time: i64,
    /// Crop end in the audio, ms (at least 2 s after the start).
    pub sound_end_time: i64,
    /// Where the cropped audio goes, in milliseconds into the video (at least 2 s must overlap the
    /// face).
    pub sound_insert_time: i64,
    /// Volume of the inserted audio, in [0, 2] (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sound_volume: Option<f64>,
    /// Volume of the video's own sound, in [0, 2] (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_audio_volume: Option<f64>,
}

impl FaceChoice {
    /// Face `face_id` speaks TTS audio `audio_id`, cropped to `[start, end)` ms, inserted at
    /// `insert` ms.
    pub fn audio_id(
        face_id: impl Into<String>,
        audio_id: impl Into<String>,
        start: i64,
        end: i64,
        insert: i64,
    ) -> Self {
        Self {
            face_id: face_id.into(),
            audio_id: Some(audio_id.into()),
            sound_file: None,
            sound_start_time: start,
            sound_end_time: end,
            sound_insert_time: insert,
            sound_volume: None,
            original_audio_volume: None,
        }
    }

    /// Face `face_id` speaks the audio file `sound_file` (URL or base64).
    pub fn sound_file(
        face_id: impl Into<String>,
        sound_file: impl Into<String>,
        start: i64,
        end: i64,
        insert: i64,
    ) -> Self {
        let mut choice = Self::audio_id(face_id, String::new(), start, end, insert);
        choice.audio_id = None;
        choice.sound_file = Some(sound_file.into());
        choice
    }
}

/// Creates an advanced lip-sync task on an identified face
/// (`POST /v1/videos/advanced-lip-sync`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateAdvancedLipSync {
    /// The `session_id` of an [`IdentifyFace`] answer.
    pub session_id: String,
    /// The face and the audio it speaks: exactly one for now.
    pub face_choose: Vec<FaceChoice>,
    /// `{"enabled": true}` adds a `watermark_url` beside each result's `url` (off when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<crate::common::WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateAdvancedLipSync {
    /// Lip-syncs `face` in session `session_id`.
    pub fn new(session_id: impl Into<String>, face: FaceChoice) -> Self {
        Self {
            session_id: session_id.into(),
            face_choose: vec![face],
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(
            !self.session_id.trim().is_empty(),
            "session_id",
            "is required",
        )?;
        ensure(!self.face_choose.is_empty(), "face_choose", "is required")?;
        max_items("face_choose", &self.face_choose, 1)?;
        for (i, face) in self.face_choose.iter().enumerate() {
            let f = |name: &str| format!("face_choose[{i}].{name}");
            ensure(
                face.audio_id.is_some() != face.sound_file.is_some(),
                &f("audio_id"),
                "exactly one of audio_id and sound_file is required",
            )?;
            ensure(
                face.sound_end_time - face.sound_start_time >= 2000,
                &f("sound_end_time"),
                "the cropped audio must be at least 2 s long",
            )?;
            ensure(
                face.sound_start_time >= 0 && face.sound_insert_time >= 0,
                &f("sound_start_time"),
                "times must not be negative",
            )?;
            range(&f("sound_volume"), face.sound_volume, 0.0, 2.0)?;
            range(
                &f("original_audio_volume"),
                face.original_audio_volume,
                0.0,
                2.0,
            )?;
        }
        Ok(())
    }
}

setters!(CreateAdvancedLipSync {
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: crate::common::WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateAdvancedLipSync, "/v1/videos/advanced-lip-sync");
task_family!("advanced lip-sync", "/v1/videos/advanced-lip-sync", max_page_size = 500,
    get: GetAdvancedLipSyncTask, list: ListAdvancedLipSyncTasks, create: CreateAdvancedLipSync);
