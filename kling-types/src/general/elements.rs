//! The element (subject) library: custom elements (`/v1/general/advanced-custom-elements`),
//! the official elements and the deletes.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::endpoint::{Endpoint, Method, Preflight};
use crate::validate::{ensure, max_chars, required_text};

string_enum! {
    /// What an element is built from (`reference_type`): images or one video.
    pub enum ReferenceType (Custom: "Any other value, sent as given.") {
        /// `image_refer`: a frontal image and 1-3 more.
        ImageRefer = "image_refer",
        /// `video_refer`: one video (realistic humans; kling-video-o3 and later).
        VideoRefer = "video_refer",
    }
}

/// One more view of an `image_refer` element, sent as `{"image_url": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ImageUrl {
    /// The image URL.
    pub image_url: String,
}

/// The reference video of a `video_refer` element, sent as `{"video_url": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct VideoUrl {
    /// The video URL (mp4/mov, 3-8 s, 1080p, 16:9 or 9:16, at most 200 MB).
    pub video_url: String,
}

/// The images of an `image_refer` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ElementImages {
    /// The frontal image of the subject (URL).
    pub frontal_image: String,
    /// 1-3 more views.
    pub refer_images: Vec<ImageUrl>,
}

/// The video of a `video_refer` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ElementVideos {
    /// One video (mp4/mov, 3-8 s, 1080p, 16:9 or 9:16).
    pub refer_videos: Vec<VideoUrl>,
}

/// `{"tag_id": ...}` (`o_101` Hottest … `o_108` Others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TagRef {
    /// A tag id from `o_101` (Hottest) to `o_108` (Others).
    pub tag_id: String,
}

/// Creates an element of the subject library (`POST /v1/general/advanced-custom-elements`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateElement {
    /// The element's name (required, at most 20 characters); 3.x prompts cite it as `@Name`.
    pub element_name: String,
    /// The element's description (required, at most 100 characters).
    pub element_description: String,
    /// `image_refer` (needs `element_image_list`) or `video_refer` (needs `element_video_list`).
    pub reference_type: ReferenceType,
    /// The frontal image and 1-3 more views, for `image_refer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_image_list: Option<ElementImages>,
    /// Exactly one reference video, for `video_refer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_video_list: Option<ElementVideos>,
    /// A voice id (preset or custom) to give the element, sent as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_voice_id: Option<String>,
    /// Tags from `o_101` (Hottest) to `o_108` (Others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag_list: Vec<TagRef>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
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
        refer_images: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let mut e = Self::base(name.into(), description.into(), ReferenceType::ImageRefer);
        e.element_image_list = Some(ElementImages {
            frontal_image: frontal_image.into(),
            refer_images: refer_images
                .into_iter()
                .map(|image_url| ImageUrl {
                    image_url: image_url.into(),
                })
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

    /// Sets the tags by id, `o_101` (Hottest) to `o_108` (Others).
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
    /// Sets `element_voice_id`: a preset or custom voice id.
    element_voice_id: String,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(CreateElement, "/v1/general/advanced-custom-elements");
task_family!("element", "/v1/general/advanced-custom-elements", max_page_size = 500,
    get: GetElementTask, list: ListElementTasks, create: CreateElement);

string_enum! {
    /// Which of the API's two element-delete paths a [`DeleteElement`] takes. Both take the same
    /// body and give the same answer; the video-side element pages show the first, the
    /// image-side pages the second, and which suits which element is not documented
    /// (`kling-api.md` 10.5).
    #[derive(Default)]
    pub enum DeletePath (Custom: "Any other path under `/v1/general/`, sent as given.") {
        /// `/v1/general/delete-advanced-elements` (the default).
        #[default]
        Advanced = "delete-advanced-elements",
        /// `/v1/general/delete-elements`.
        Elements = "delete-elements",
    }
}

/// Deletes an element (`POST /v1/general/delete-advanced-elements`, or `delete-elements` with
/// [`via`](Self::via)). The answer (`task_id`, `task_status`) is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct DeleteElement {
    /// The element's id, sent as a JSON string (legacy query results print it as a number).
    #[serde(deserialize_with = "crate::de::text")]
    pub element_id: String,
    /// The path the delete is posted to; not part of the body.
    #[serde(skip)]
    pub path: DeletePath,
}

impl DeleteElement {
    /// Deletes `element_id` through `/v1/general/delete-advanced-elements`.
    pub fn new(element_id: impl Into<String>) -> Self {
        Self {
            element_id: element_id.into(),
            path: DeletePath::Advanced,
        }
    }

    /// Posts the delete to `path` instead.
    #[must_use]
    pub fn via(mut self, path: DeletePath) -> Self {
        self.path = path;
        self
    }
}

impl Endpoint for DeleteElement {
    type Response = serde_json::Value;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("/v1/general/{}", self.path.as_str())
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    // Deleting twice leaves the same state.
    fn idempotent(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<(), ValidationError> {
        ensure(
            !self.element_id.trim().is_empty(),
            "element_id",
            "is required",
        )?;
        let path = self.path.as_str();
        ensure(
            !path.is_empty() && path.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "path",
            format!("{path:?} is not a path under /v1/general/"),
        )
    }
}
