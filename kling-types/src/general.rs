//! Voices and elements (`kling-api.md` 3.13): custom voices, preset voices, the element
//! (subject) library.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::endpoint::{Endpoint, Method, Preflight};
use crate::validate::{ensure, int_range, max_chars, required_text};

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
#[non_exhaustive]
pub struct CreateCustomVoice {
    /// The voice's name (at most 20 characters).
    pub voice_name: String,
    /// A recording URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_url: Option<String>,
    /// A Kling video id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
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
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
});

create_endpoint!(CreateCustomVoice, "/v1/general/custom-voices");
task_family!("custom-voice", "/v1/general/custom-voices", max_page_size = 1000,
    get: GetCustomVoiceTask, list: ListCustomVoiceTasks, create: CreateCustomVoice);

/// A paged list of the presets of a library (voices or elements).
macro_rules! preset_list {
    ($ty:ident, $what:literal, $path:literal, $max:literal) => {
        #[doc = concat!("Lists the official ", $what, ": `GET ", $path, "?pageNum=&pageSize=`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $ty {
            /// The page, from 1.
            pub page_num: u32,
            /// Items per page.
            pub page_size: u32,
        }

        impl $ty {
            /// The first page, 30 per page.
            pub fn new() -> Self {
                Self {
                    page_num: 1,
                    page_size: 30,
                }
            }
            /// Page `page_num`.
            #[must_use]
            pub fn page(mut self, page_num: u32) -> Self {
                self.page_num = page_num;
                self
            }
            /// `page_size` per page.
            #[must_use]
            pub fn page_size(mut self, page_size: u32) -> Self {
                self.page_size = page_size;
                self
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Endpoint for $ty {
            type Response = Vec<crate::task::Task>;
            type Body = ();
            fn method(&self) -> Method {
                Method::Get
            }
            fn path(&self) -> String {
                $path.to_owned()
            }
            fn query(&self) -> Vec<(&'static str, String)> {
                vec![
                    ("pageNum", self.page_num.to_string()),
                    ("pageSize", self.page_size.to_string()),
                ]
            }
            fn body(&self) -> Option<&()> {
                None
            }
            fn validate(&self) -> Result<(), ValidationError> {
                int_range("pageNum", Some(self.page_num), 1, 1000)?;
                int_range("pageSize", Some(self.page_size), 1, $max)
            }
        }
    };
}

preset_list!(
    ListPresetVoices,
    "voices",
    "/v1/general/presets-voices",
    1000
);
preset_list!(
    ListPresetElements,
    "elements",
    "/v1/general/advanced-presets-elements",
    500
);

/// Deletes a custom voice (`POST /v1/general/delete-voices`). The response is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteVoice {
    /// The voice.
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

string_enum! {
    /// How an element is referenced.
    pub enum ReferenceType (Custom: "Any other value, sent as given.") {
        /// `image_refer`: a frontal image and 1-3 more.
        ImageRefer = "image_refer",
        /// `video_refer`: one video (realistic humans; kling-video-o3 and later).
        VideoRefer = "video_refer",
    }
}

/// `{"image_url": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImageUrl {
    /// The image.
    pub image_url: String,
}

/// `{"video_url": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VideoUrl {
    /// The video.
    pub video_url: String,
}

/// The images of an `image_refer` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElementImages {
    /// The frontal image.
    pub frontal_image: String,
    /// 1-3 more views.
    pub refer_images: Vec<ImageUrl>,
}

/// The video of a `video_refer` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElementVideos {
    /// One video (mp4/mov, 3-8 s, 1080p, 16:9 or 9:16).
    pub refer_videos: Vec<VideoUrl>,
}

/// `{"tag_id": ...}` (`o_101` Hottest … `o_108` Others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagRef {
    /// The tag.
    pub tag_id: String,
}

/// Creates an element of the subject library (`POST /v1/general/advanced-custom-elements`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateElement {
    /// Its name (at most 20 characters).
    pub element_name: String,
    /// Its description (at most 100 characters).
    pub element_description: String,
    /// How it is referenced.
    pub reference_type: ReferenceType,
    /// The images (`image_refer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_image_list: Option<ElementImages>,
    /// The video (`video_refer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_video_list: Option<ElementVideos>,
    /// Its voice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_voice_id: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_list: Vec<TagRef>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateElement {
    fn base(name: String, description: String, reference_type: ReferenceType) -> Self {
        Self {
            element_name: name,
            element_description: description,
            reference_type,
            element_image_list: None,
            element_video_list: None,
            element_voice_id: None,
            tag_list: Vec::new(),
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// An element from a frontal image and 1-3 more views.
    pub fn from_images(
        name: impl Into<String>,
        description: impl Into<String>,
        frontal_image: impl Into<String>,
        refer_images: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut e = Self::base(name.into(), description.into(), ReferenceType::ImageRefer);
        e.element_image_list = Some(ElementImages {
            frontal_image: frontal_image.into(),
            refer_images: refer_images
                .into_iter()
                .map(|image_url| ImageUrl { image_url })
                .collect(),
        });
        e
    }

    /// An element from one video.
    pub fn from_video(
        name: impl Into<String>,
        description: impl Into<String>,
        video_url: impl Into<String>,
    ) -> Self {
        let mut e = Self::base(name.into(), description.into(), ReferenceType::VideoRefer);
        e.element_video_list = Some(ElementVideos {
            refer_videos: vec![VideoUrl {
                video_url: video_url.into(),
            }],
        });
        e
    }

    /// Sets the tags.
    #[must_use]
    pub fn tags(mut self, tags: impl IntoIterator<Item = String>) -> Self {
        self.tag_list = tags.into_iter().map(|tag_id| TagRef { tag_id }).collect();
        self
    }

    fn check(&self) -> Result<(), ValidationError> {
        required_text("element_name", &self.element_name, 20)?;
        required_text("element_description", &self.element_description, 100)?;
        match self.reference_type {
            ReferenceType::ImageRefer => {
                let Some(images) = &self.element_image_list else {
                    return Err(crate::validate::invalid(
                        "element_image_list",
                        "is required for image_refer",
                    ));
                };
                ensure(
                    !images.frontal_image.trim().is_empty(),
                    "element_image_list.frontal_image",
                    "is required",
                )?;
                let n = images.refer_images.len();
                ensure(
                    (1..=3).contains(&n),
                    "element_image_list.refer_images",
                    format!("takes 1 to 3 images, got {n}"),
                )
            }
            ReferenceType::VideoRefer => {
                let n = self
                    .element_video_list
                    .as_ref()
                    .map_or(0, |v| v.refer_videos.len());
                ensure(
                    n == 1,
                    "element_video_list.refer_videos",
                    format!("takes exactly 1 video, got {n}"),
                )
            }
            ReferenceType::Custom(_) => max_chars("element_name", Some(&self.element_name), 20),
        }
    }
}

setters!(CreateElement {
    /// Sets the element's voice.
    element_voice_id: String,
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
});

create_endpoint!(CreateElement, "/v1/general/advanced-custom-elements");
task_family!("element", "/v1/general/advanced-custom-elements", max_page_size = 500,
    get: GetElementTask, list: ListElementTasks, create: CreateElement);

/// Deletes an element (`POST /v1/general/delete-advanced-elements`). The response is kept as
/// sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeleteElement {
    /// The element.
    pub element_id: u64,
}

impl DeleteElement {
    /// Deletes `element_id`.
    pub fn new(element_id: u64) -> Self {
        Self { element_id }
    }
}

impl Endpoint for DeleteElement {
    type Response = serde_json::Value;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/v1/general/delete-advanced-elements".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    // Deleting twice leaves the same state.
    fn idempotent(&self) -> bool {
        true
    }
}
