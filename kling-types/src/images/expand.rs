//! Image expansion (outpainting): `/v1/images/editing/expand`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{ImageInput, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::{ensure, image, int_range, max_chars, range};

/// The name the models data files image expansion under (the endpoint has no model field).
pub const EXPAND: &str = "expand";

/// Outpaints an image (`POST /v1/images/editing/expand`). Ratios are multiples of the
/// original height (up/down) or width (left/right), each in [0, 2]; the new area is at most
/// 3x the original.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateImageExpand {
    /// The image to expand: a public URL or raw base64 (JPEG/PNG, at most 10 MB, sides at least 300
    /// px).
    pub image: ImageInput,
    /// Growth upwards, as a multiple of the original height, in [0, 2].
    pub up_expansion_ratio: f64,
    /// Growth downwards, as a multiple of the original height, in [0, 2].
    pub down_expansion_ratio: f64,
    /// Growth to the left, as a multiple of the original width, in [0, 2].
    pub left_expansion_ratio: f64,
    /// Growth to the right, as a multiple of the original width, in [0, 2].
    pub right_expansion_ratio: f64,
    /// What to fill in (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// How many images, 1-9 (each is billed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
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

impl CreateImageExpand {
    /// Expands `image` by the given ratios (up, down, left, right).
    pub fn new(image: impl Into<ImageInput>, up: f64, down: f64, left: f64, right: f64) -> Self {
        Self {
            image: image.into(),
            up_expansion_ratio: up,
            down_expansion_ratio: down,
            left_expansion_ratio: left,
            right_expansion_ratio: right,
            prompt: None,
            n: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// This create in the models data's terms: the endpoint has no model field, so the data
    /// files its rules and price under [`EXPAND`].
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        Facts::new(Api::Legacy, EXPAND, "", EXPAND)
            .prompt("prompt", self.prompt.as_deref())
            .inline_images("image", [self.image.as_str()])
            .outputs(self.n)
    }

    fn check(&self) -> Result<(), ValidationError> {
        models::check(&self.model_facts())?;
        image("image", Some(&self.image))?;
        for (field, v) in [
            ("up_expansion_ratio", self.up_expansion_ratio),
            ("down_expansion_ratio", self.down_expansion_ratio),
            ("left_expansion_ratio", self.left_expansion_ratio),
            ("right_expansion_ratio", self.right_expansion_ratio),
        ] {
            range(field, Some(v), 0.0, 2.0)?;
        }
        let area = (1.0 + self.up_expansion_ratio + self.down_expansion_ratio)
            * (1.0 + self.left_expansion_ratio + self.right_expansion_ratio);
        ensure(
            area <= 3.0 + 1e-9,
            "up_expansion_ratio",
            format!("the expanded area is {area:.2}x the original; at most 3x"),
        )?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        int_range("n", self.n, 1, 9)
    }
}

setters!(CreateImageExpand {
    /// Sets what to fill in (at most 2500 characters).
    prompt: String,
    /// Sets `watermark_info`; when enabled, each result also gets a `watermark_url`.
    watermark_info: WatermarkInfo,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
} plain {
    /// Sets how many images, 1-9 (each is billed).
    n: u32,
});

create_endpoint!(CreateImageExpand, "/v1/images/editing/expand", facts);
task_family!("image-expand", "/v1/images/editing/expand", max_page_size = 500,
    get: GetImageExpandTask, list: ListImageExpandTasks, create: CreateImageExpand);
