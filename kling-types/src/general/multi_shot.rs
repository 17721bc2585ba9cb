//! AI Multi-Shot (`POST /v1/general/ai-multi-shot`, `kling-api.md` 10.5): from one frontal
//! image of a subject, three sets of other views, ready to make an element of. The task's
//! images carry three URLs each (`url_1`..`url_3`), not `url`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::ImageInput;
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::image;

/// The name the models data files AI Multi-Shot under: it has no model field, so its rules and
/// its price are the endpoint's own.
pub const AI_MULTI_SHOT: &str = "ai-multi-shot";

/// Infers other views of a subject from its frontal image (`POST /v1/general/ai-multi-shot`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateAiMultiShot {
    /// The subject's frontal view: a URL or base64 (JPEG or PNG, at most 10 MB, sides of at
    /// least 300 px, aspect ratio between 1:2.5 and 2.5:1).
    pub element_frontal_image: ImageInput,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateAiMultiShot {
    /// Other views of the subject in `frontal_image`.
    pub fn new(frontal_image: impl Into<ImageInput>) -> Self {
        Self {
            element_frontal_image: frontal_image.into(),
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    pub(crate) fn model_facts(&self) -> Facts<'_> {
        Facts::new(Api::Legacy, AI_MULTI_SHOT, "", AI_MULTI_SHOT).inline_images(
            "element_frontal_image",
            [self.element_frontal_image.as_str()],
        )
    }

    fn check(&self) -> Result<(), ValidationError> {
        image("element_frontal_image", Some(&self.element_frontal_image))?;
        models::check(&self.model_facts())
    }
}

setters!(CreateAiMultiShot {
    /// Sets where the server POSTs the task's status changes.
    callback_url: String,
    /// Sets your own id for the task, to find it by (and to reconcile an ambiguous create).
    external_task_id: String,
});

create_endpoint!(CreateAiMultiShot, "/v1/general/ai-multi-shot", facts);
task_family!("AI multi-shot", "/v1/general/ai-multi-shot", max_page_size = 500,
    get: GetAiMultiShotTask, list: ListAiMultiShotTasks, create: CreateAiMultiShot);
