//! The legacy task object (`data` of a create or a query, an element of a list) and its result
//! variants (`kling-api.md` 2b, 2c). Every field absent in some state is optional; `null`
//! collections decode as empty; ids are strings even when the server sends numbers.

use serde::{Deserialize, Serialize};

use crate::common::WatermarkInfo;
use crate::de;

string_enum! {
    /// The state of a legacy task. Unknown states decode as [`TaskStatus::Unknown`] and count
    /// as not finished.
    pub enum TaskStatus (Unknown: "A state this version does not know.") {
        /// `submitted`: queued.
        Submitted = "submitted",
        /// `processing`: running.
        Processing = "processing",
        /// `succeed`: done; results are in `task_result`.
        Succeed = "succeed",
        /// `failed`: done; the reason is in `task_status_msg`.
        Failed = "failed",
    }
}

impl TaskStatus {
    /// Whether the task has finished, one way or the other.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeed | Self::Failed)
    }
}

/// A legacy task (`task_id`, `task_status`), as creates, queries, lists and callbacks return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Task {
    /// The system's id for the task (a long numeric string).
    #[serde(deserialize_with = "de::text")]
    pub task_id: String,
    /// `submitted`, `processing`, `succeed` or `failed` (the legacy spelling).
    pub task_status: TaskStatus,
    /// Why the task failed (queries only); empty or absent otherwise.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub task_status_msg: Option<String>,
    /// The caller's id and, for extend / lip sync / video-to-audio, the parent video.
    #[serde(
        default,
        skip_serializing_if = "TaskInfo::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub task_info: TaskInfo,
    /// The results, once the task succeeded.
    #[serde(
        default,
        skip_serializing_if = "TaskResult::is_empty",
        deserialize_with = "de::null_default"
    )]
    pub task_result: TaskResult,
    /// `{"enabled": ...}` echoed back: whether results carry a `watermark_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Units (credits) charged, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub final_unit_deduction: Option<String>,
    /// Cash charged: the discounted price (`quota`) and the list price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_balance_deduction: Option<BalanceDeduction>,
    /// Creation time, Unix milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub created_at: Option<i64>,
    /// Last update, Unix milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub updated_at: Option<i64>,
}

impl Task {
    /// The failure reason, if the task failed with one.
    pub fn failure_message(&self) -> Option<&str> {
        self.task_status_msg
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
    }

    /// The `external_task_id` the task was created with (from `task_info`), if any.
    pub fn external_task_id(&self) -> Option<&str> {
        self.task_info.external_task_id.as_deref()
    }
}

/// `task_info`: the caller's `external_task_id` and, for some families, the parent video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TaskInfo {
    /// The `external_task_id` given at creation, echoed back.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub external_task_id: Option<String>,
    /// The video this task worked on (extend, lip sync, video-to-audio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_video: Option<ParentVideo>,
}

impl TaskInfo {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `task_info.parent_video`: the input video of an extend, lip-sync or video-to-audio task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ParentVideo {
    /// The parent video's Kling id.
    #[serde(deserialize_with = "de::text")]
    pub id: String,
    /// Its download URL (generated files are deleted after 30 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its length in seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration: Option<String>,
}

/// `final_balance_deduction`: cash charged at the discount price and at list price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct BalanceDeduction {
    /// Charged amount, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub quota: Option<String>,
    /// Amount at list price, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub list_price: Option<String>,
}

/// `task_result`: one struct for every family; each family fills its own lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TaskResult {
    /// Videos (video families, video-to-audio).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub videos: Vec<VideoResult>,
    /// Images (image families, image recognize).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub images: Vec<ImageResult>,
    /// Omni image: `single` or `series`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<String>,
    /// Omni image: the images of a `series` result.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub series_images: Vec<ImageResult>,
    /// Audios (text-to-audio, video-to-audio, TTS).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub audios: Vec<AudioResult>,
    /// Voices (custom and preset voices).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub voices: Vec<VoiceResult>,
    /// Elements (custom and preset elements).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub elements: Vec<ElementResult>,
}

impl TaskResult {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A generated video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct VideoResult {
    /// Globally unique video id (usable as `video_id` input for 30 days).
    #[serde(deserialize_with = "de::text")]
    pub id: String,
    /// Download URL (deleted after 30 days).
    #[serde(default)]
    pub url: String,
    /// Watermarked copy, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_url: Option<String>,
    /// Length in seconds, as text (`"5.1"`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration: Option<String>,
}

/// A generated image, or an image-recognize segmentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ImageResult {
    /// Position among the `n` images (0-9).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub index: Option<i64>,
    /// Download URL (empty for AI Multi-Shot, whose images are [`views`](Self::views)).
    #[serde(default)]
    pub url: String,
    /// Watermarked copy, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_url: Option<String>,
    /// AI Multi-Shot: the first of the set's three views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_1: Option<String>,
    /// AI Multi-Shot: the second view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_2: Option<String>,
    /// AI Multi-Shot: the third view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_3: Option<String>,
    /// Image recognize: the segmentation (`object_seg`, `head_seg`, `face_seg`, `cloth_seg`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Image recognize: whether the image contains it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub is_contain: Option<bool>,
}

impl ImageResult {
    /// The URLs of an AI Multi-Shot set (`url_1`, `url_2`, `url_3`), those that are set.
    pub fn views(&self) -> impl Iterator<Item = &str> {
        [&self.url_1, &self.url_2, &self.url_3]
            .into_iter()
            .filter_map(|u| u.as_deref().filter(|u| !u.is_empty()))
    }
}

/// A generated audio (text-to-audio and video-to-audio give mp3 and wav; TTS gives `url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AudioResult {
    /// The audio's id (usable as `audio_id` in avatar and lip sync).
    #[serde(deserialize_with = "de::text")]
    pub id: String,
    /// TTS: download URL of the speech.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// TTS: length in seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration: Option<String>,
    /// MP3 download URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_mp3: Option<String>,
    /// WAV download URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_wav: Option<String>,
    /// MP3 length in seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration_mp3: Option<String>,
    /// WAV length in seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration_wav: Option<String>,
}

/// A voice (custom or preset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct VoiceResult {
    /// The voice's id, usable as `voice_id` in TTS and in `voice_list`.
    #[serde(deserialize_with = "de::text")]
    pub voice_id: String,
    /// The voice's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_name: Option<String>,
    /// URL of a sample of the voice to listen to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_url: Option<String>,
    /// `kling` for official voices, else the creator's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub owned_by: Option<String>,
}

/// An element of the subject library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ElementResult {
    /// The element's id (an int64 on the wire, kept as text).
    #[serde(deserialize_with = "de::text")]
    pub element_id: String,
    /// The element's name (at most 20 characters at creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_name: Option<String>,
    /// The element's description (at most 100 characters at creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_description: Option<String>,
    /// `video_refer` or `image_refer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_type: Option<String>,
    /// The reference images, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_image_list: Option<serde_json::Value>,
    /// The reference videos, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_video_list: Option<serde_json::Value>,
    /// The voice bound to the element, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_voice_info: Option<VoiceResult>,
    /// The element's tags, kept as sent.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub tag_list: Vec<serde_json::Value>,
    /// `kling` for presets, else the creator's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub owned_by: Option<String>,
    /// `succeed` or `deleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}
