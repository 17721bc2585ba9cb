//! The parts of a new-standard create request: the model (in the path), the `contents`
//! items, `settings` and `options`.

use serde::{Deserialize, Serialize};

use crate::common::{AspectRatio, WatermarkInfo};
use crate::videos::CharacterOrientation;

string_enum! {
    /// A model of the new standard (it goes in the path).
    pub enum StandardModel (Custom: "Any other model, sent as given.") {
        /// `kling-3.0-turbo`: text and image to video; audio observed always on.
        Kling3_0Turbo = "kling-3.0-turbo",
        /// `kling-3.0`: text and image to video, motion control.
        Kling3_0 = "kling-3.0",
        /// `kling-3.0-omni`: omni video.
        Kling3_0Omni = "kling-3.0-omni",
        /// `kling-2.6`: text and image to video, motion control.
        Kling2_6 = "kling-2.6",
        /// `kling-2.5-turbo`: text and image to video; no audio.
        Kling2_5Turbo = "kling-2.5-turbo",
        /// `kling-o1` (omni video)
        KlingO1 = "kling-o1",
    }
}

string_enum! {
    /// `settings.audio` (`off` when absent, `original` on motion control); which values a model
    /// takes is in the models data.
    pub enum Audio (Custom: "Any other value, sent as given.") {
        /// `native`: generated sound.
        Native = "native",
        /// `off`: silent.
        Off = "off",
        /// `original`: the input video's sound (omni, motion control).
        Original = "original",
    }
}

string_enum! {
    /// `settings.resolution` (`720p` when absent).
    pub enum Resolution (Custom: "Any other value, sent as given.") {
        /// `720p`: the default.
        P720 = "720p",
        /// `1080p`
        P1080 = "1080p",
        /// `4k` (3.0 and 3.0 Omni)
        FourK = "4k",
    }
}

/// `settings`: generation parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Settings {
    /// `native`, `off` or `original` (`off` when absent; motion control: `original`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
    /// `720p` (the default), `1080p` or `4k` (3.0 and 3.0 Omni only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// Aspect ratio (text-to-video, omni without a first frame or base video).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Whole seconds, sent as a number (5 when absent; 5 or 10 on 2.6 and 2.5 Turbo, 3-10 on O1,
    /// 3-15 on 3.x).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// Multi-shot on 3.0 (shots are written in the prompt: `shot n, m, words;`); 3.0 Turbo takes no
    /// such setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// Motion control (required there): `image` or `video`, the input the orientation follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character_orientation: Option<CharacterOrientation>,
}

impl Settings {
    pub(super) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `options`: delivery of the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Options {
    /// Where the server POSTs status changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    /// `{"enabled": true}` adds a `watermark_url` beside each output's `url` (off when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
}

impl Options {
    pub(super) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One item of `contents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Content {
    /// The prompt.
    Prompt {
        /// The text (at most 2500 characters; 3072 on 3.0 image-to-video and 3.0 Omni).
        text: String,
    },
    /// The first frame.
    FirstFrame {
        /// Image URL or base64 (JPEG/PNG, at most 50 MB, sides at least 300 px).
        url: String,
    },
    /// The last frame (needs a first frame).
    LastFrame {
        /// Image URL or base64 (same rules as the first frame).
        url: String,
    },
    /// A reference image (omni).
    ReferImage {
        /// Image URL or base64 (JPEG/PNG, at most 50 MB).
        url: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A style/camera reference video, or the next/previous shot (omni).
    FeatureVideo {
        /// Video URL (`.mp4`/`.mov`, at most 200 MB; at most one video per task).
        url: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A video to edit (omni).
    BaseVideo {
        /// Video URL (`.mp4`/`.mov`, at most 200 MB); takes no first or last frame.
        url: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// An element of the library.
    Element {
        /// The element's id (a string on the wire, e.g. `"161"`; a number is accepted when read).
        #[serde(deserialize_with = "crate::de::text")]
        element_id: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A voice the prompt cites as `@<id>` (image to video on kling-2.6; needs native audio).
    Voice {
        /// A custom or preset `voice_id`.
        voice_id: String,
        /// Its name in the prompt.
        id: String,
    },
    /// Motion control: the character image.
    Image {
        /// Image URL (at most 50 MB).
        url: String,
    },
    /// Motion control: the motion video.
    Video {
        /// Video URL (`.mp4`/`.mov`, at most 100 MB, 3-30 s; 3-10 s with `image` orientation).
        url: String,
    },
}

impl Content {
    /// `{"type":"prompt","text":...}`
    pub fn prompt(text: impl Into<String>) -> Self {
        Self::Prompt { text: text.into() }
    }
    /// `{"type":"first_frame","url":...}`
    pub fn first_frame(url: impl Into<String>) -> Self {
        Self::FirstFrame { url: url.into() }
    }
    /// `{"type":"last_frame","url":...}`
    pub fn last_frame(url: impl Into<String>) -> Self {
        Self::LastFrame { url: url.into() }
    }
    /// `{"type":"element","element_id":...,"id":...}`: an element, cited in the prompt by `id`.
    pub fn element(element_id: impl Into<String>, id: impl Into<String>) -> Self {
        Self::Element {
            element_id: element_id.into(),
            id: Some(id.into()),
        }
    }
    /// `{"type":"voice","voice_id":...,"id":...}`: a voice, cited in the prompt as `@<id>`.
    pub fn voice(voice_id: impl Into<String>, id: impl Into<String>) -> Self {
        Self::Voice {
            voice_id: voice_id.into(),
            id: id.into(),
        }
    }
}
