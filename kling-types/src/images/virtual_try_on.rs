//! Virtual try-on: `/v1/images/kolors-virtual-try-on`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{ImageInput, Model};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::image;

/// Dresses a person in a garment (`POST /v1/images/kolors-virtual-try-on`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CreateVirtualTryOn {
    /// The model (`kolors-virtual-try-on-v1` when absent, or `-v1-5`).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// The person to dress: a public URL or raw base64 (JPEG/PNG, at most 10 MB, sides at least 300
    /// px).
    pub human_image: ImageInput,
    /// The garment (a product shot or on white; one upper, lower or dress).
    pub cloth_image: ImageInput,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task (unique per account); how the SDK finds it after an ambiguous create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateVirtualTryOn {
    /// `human_image` wearing `cloth_image`.
    pub fn new(human_image: impl Into<ImageInput>, cloth_image: impl Into<ImageInput>) -> Self {
        Self {
            model: None,
            human_image: human_image.into(),
            cloth_image: cloth_image.into(),
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    /// This create in the models data's terms (`kolors-virtual-try-on-v1` when no model is
    /// named, the endpoint's default).
    pub(crate) fn model_facts(&self) -> Facts<'_> {
        let model = self
            .model
            .as_ref()
            .map_or("kolors-virtual-try-on-v1", Model::as_str);
        Facts::new(Api::Legacy, "try-on", "model_name", model)
            .inline_images("human_image", [self.human_image.as_str()])
            .inline_images("cloth_image", [self.cloth_image.as_str()])
    }

    fn check(&self) -> Result<(), ValidationError> {
        models::check(&self.model_facts())?;
        image("human_image", Some(&self.human_image))?;
        image("cloth_image", Some(&self.cloth_image))
    }
}

setters!(CreateVirtualTryOn {
    /// Sets `model_name`: `kolors-virtual-try-on-v1` (the default) or `kolors-virtual-try-on-v1-5`.
    model: Model,
    /// Sets `callback_url`: Kling POSTs the task there at every status change.
    callback_url: String,
    /// Sets `external_task_id` (unique per account); the create flow generates one when unset.
    external_task_id: String,
});

create_endpoint!(
    CreateVirtualTryOn,
    "/v1/images/kolors-virtual-try-on",
    facts
);
task_family!("virtual try-on", "/v1/images/kolors-virtual-try-on", max_page_size = 500,
    get: GetVirtualTryOnTask, list: ListVirtualTryOnTasks, create: CreateVirtualTryOn);
