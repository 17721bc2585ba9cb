//! Image recognize (segmentation, synchronous): `POST /v1/videos/image-recognize`.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::ImageInput;
use crate::endpoint::{Endpoint, Method};
use crate::validate::image;

/// Segments an image (`POST /v1/videos/image-recognize`, synchronous): the result is in
/// `task_result.images` (`object_seg`, `head_seg`, `face_seg`, `cloth_seg`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RecognizeImage {
    /// The image to segment: a public URL or raw base64 (JPEG/PNG, at most 10 MB).
    pub image: ImageInput,
}

impl RecognizeImage {
    /// Segments `image`.
    pub fn new(image: impl Into<ImageInput>) -> Self {
        Self {
            image: image.into(),
        }
    }
}

impl Endpoint for RecognizeImage {
    type Response = crate::task::Task;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/v1/videos/image-recognize".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        image("image", Some(&self.image))
    }
}
