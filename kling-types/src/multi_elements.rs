//! Multi-modal video editing (`kling-api.md` 3.12): a selection session on a video (all
//! synchronous calls), then a task that adds, swaps or removes the selected elements.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{Mode, Secs, WatermarkInfo};
use crate::de;
use crate::endpoint::{Endpoint, Method, Preflight};
use crate::task::BalanceDeduction;
use crate::validate::{ensure, image, max_chars, max_items, required_text};
use crate::videos::{ImageItem, VideoSource};

/// What a selection call returns: the session (valid 24 h), what was charged, and the
/// call-specific fields (RLE masks, previews) as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SelectionSession {
    /// Pass to the next selection call and to [`CreateMultiElements`]; valid for 24 hours.
    #[serde(deserialize_with = "de::text")]
    pub session_id: String,
    /// Units charged for the call, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub final_unit_deduction: Option<String>,
    /// Cash charged: the discounted price and the list price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_balance_deduction: Option<BalanceDeduction>,
    /// Everything else of the response (masks, preview URLs), kept as sent.
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// A point of a selection, in fractions of the frame's width and height ([0, 1]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SelectionPoint {
    /// From the left, in [0, 1].
    pub x: f64,
    /// From the top, in [0, 1].
    pub y: f64,
}

impl SelectionPoint {
    /// The point `(x, y)`.
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

/// Starts a selection session on a video (`POST /v1/videos/multi-elements/init-selection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct InitSelection {
    /// A Kling video id, at most 30 days old (one of `video_id` / `video_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    /// A video URL (2-5 s or 7-10 s, 720-2160 px, 24/30/60 fps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
}

impl InitSelection {
    /// A selection session on `video` (a Kling video id or a URL).
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

/// Marks (or unmarks) points on a frame (`add-selection` / `delete-selection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct EditSelection {
    #[serde(skip)]
    delete: bool,
    /// The `session_id` from [`InitSelection`] (valid 24 hours).
    pub session_id: String,
    /// The frame to mark, by index (a session marks at most 10 frames).
    pub frame_index: u32,
    /// The points on that frame, at most 10.
    pub points: Vec<SelectionPoint>,
}

impl EditSelection {
    /// Adds `points` on frame `frame_index` to the selection.
    pub fn add(
        session_id: impl Into<String>,
        frame_index: u32,
        points: impl IntoIterator<Item = SelectionPoint>,
    ) -> Self {
        Self {
            delete: false,
            session_id: session_id.into(),
            frame_index,
            points: points.into_iter().collect(),
        }
    }

    /// Removes `points` on frame `frame_index` from the selection.
    pub fn delete(
        session_id: impl Into<String>,
        frame_index: u32,
        points: impl IntoIterator<Item = SelectionPoint>,
    ) -> Self {
        Self {
            delete: true,
            ..Self::add(session_id, frame_index, points)
        }
    }
}

/// Clears or previews the selection (`clear-selection` / `preview-selection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SessionCall {
    #[serde(skip)]
    preview: bool,
    /// The `session_id` from [`InitSelection`] (valid 24 hours).
    pub session_id: String,
}

impl SessionCall {
    /// Clears the selection: `POST /v1/videos/multi-elements/clear-selection`.
    pub fn clear(session_id: impl Into<String>) -> Self {
        Self {
            preview: false,
            session_id: session_id.into(),
        }
    }

    /// Previews the selection: `POST /v1/videos/multi-elements/preview-selection`.
    pub fn preview(session_id: impl Into<String>) -> Self {
        Self {
            preview: true,
            session_id: session_id.into(),
        }
    }
}

macro_rules! session_endpoint {
    ($ty:ident, |$s:ident| $path:expr, |$v:ident| $check:expr) => {
        impl Endpoint for $ty {
            type Response = SelectionSession;
            type Body = Self;
            fn method(&self) -> Method {
                Method::Post
            }
            fn path(&self) -> String {
                let $s = self;
                $path.to_owned()
            }
            fn body(&self) -> Option<&Self> {
                Some(self)
            }
            fn validate(&self) -> Result<(), ValidationError> {
                let $v = self;
                $check
            }
        }
    };
}

session_endpoint!(
    InitSelection,
    |_s| "/v1/videos/multi-elements/init-selection",
    |v| ensure(
        v.video_id.is_some() != v.video_url.is_some(),
        "video_id",
        "exactly one of video_id and video_url is required"
    )
);
session_endpoint!(
    EditSelection,
    |s| if s.delete {
        "/v1/videos/multi-elements/delete-selection"
    } else {
        "/v1/videos/multi-elements/add-selection"
    },
    |v| {
        ensure(!v.session_id.trim().is_empty(), "session_id", "is required")?;
        ensure(!v.points.is_empty(), "points", "is required")?;
        max_items("points", &v.points, 10)?;
        for (i, p) in v.points.iter().enumerate() {
            ensure(
                (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y),
                &format!("points[{i}]"),
                "x and y must be within [0, 1]",
            )?;
        }
        Ok(())
    }
);
session_endpoint!(
    SessionCall,
    |s| if s.preview {
        "/v1/videos/multi-elements/preview-selection"
    } else {
        "/v1/videos/multi-elements/clear-selection"
    },
    |v| ensure(!v.session_id.trim().is_empty(), "session_id", "is required")
);

string_enum! {
    /// What a multi-element edit does to the selection.
    pub enum EditMode (Custom: "Any other mode, sent as given.") {
        /// `addition`: add 1-2 images' subjects.
        Addition = "addition",
        /// `swap`: replace the selection with 1 image's subject.
        Swap = "swap",
        /// `removal`: remove the selection (no images).
        Removal = "removal",
    }
}

/// Creates the edit task of a selection session (`POST /v1/videos/multi-elements`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateMultiElements {
    /// The `session_id` from [`InitSelection`] (valid 24 hours).
    pub session_id: String,
    /// `addition`, `swap` or `removal` of the selected elements.
    pub edit_mode: EditMode,
    /// Images: 1-2 for addition, 1 for swap, none for removal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_list: Vec<ImageItem>,
    /// What to do, in words (at most 2500 characters; `<<<video_1>>>`, `<<<image_1>>>`).
    pub prompt: String,
    /// What to avoid (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// `std` or `pro`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Length in seconds, `"5"` or `"10"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<Secs>,
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

impl CreateMultiElements {
    /// `edit_mode` on the selection of `session_id`, as `prompt` describes.
    pub fn new(
        session_id: impl Into<String>,
        edit_mode: EditMode,
        prompt: impl Into<String>,
    ) -> Self {
        Self {
            session_id: session_id.into(),
            edit_mode,
            image_list: Vec::new(),
            prompt: prompt.into(),
            negative_prompt: None,
            mode: None,
            duration: None,
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
        required_text("prompt", &self.prompt, 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        let n = self.image_list.len();
        let (lo, hi) = match self.edit_mode {
            EditMode::Addition => (1, 2),
            EditMode::Swap => (1, 1),
            EditMode::Removal => (0, 0),
            EditMode::Custom(_) => (0, usize::MAX),
        };
        ensure(
            (lo..=hi).contains(&n),
            "image_list",
            format!("{} takes {lo} to {hi} images, got {n}", self.edit_mode),
        )?;
        for (i, item) in self.image_list.iter().enumerate() {
            image(&format!("image_list[{i}].image"), Some(&item.image))?;
        }
        if let Some(d) = self.duration {
            ensure(
                matches!(d.0, 5 | 10),
                "duration",
                format!("must be 5 or 10, got {d}"),
            )?;
        }
        Ok(())
    }
}

setters!(CreateMultiElements {
    /// Sets what to avoid (at most 2500 characters).
    negative_prompt: String,
    /// Sets `mode`: `std` or `pro`.
    mode: Mode,
    /// Sets the length in seconds: 5 or 10, sent as a string.
    duration: Secs,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} lists {
    /// Sets the images: 1-2 for `addition`, 1 for `swap`, none for `removal`.
    image_list: ImageItem,
});

create_endpoint!(CreateMultiElements, "/v1/videos/multi-elements");
task_family!("multi-element edit", "/v1/videos/multi-elements", max_page_size = 500,
    get: GetMultiElementsTask, list: ListMultiElementsTasks, create: CreateMultiElements);
