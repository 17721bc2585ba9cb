//! Images (`kling-api.md` 3.11): generation, multi-image to image, omni image, expand,
//! virtual try-on, and image recognize.

mod expand;
mod generations;
mod image_recognize;
mod multi_image2image;
mod omni_image;
mod shared;
mod virtual_try_on;

pub use expand::{CreateImageExpand, EXPAND, GetImageExpandTask, ListImageExpandTasks};
pub use generations::{
    CreateImageGeneration, GetImageGenerationTask, ImageReference, ListImageGenerationTasks,
};
pub use image_recognize::RecognizeImage;
pub use multi_image2image::{
    CreateMultiImage2Image, GetMultiImage2ImageTask, ListMultiImage2ImageTasks, SubjectImage,
};
pub use omni_image::{CreateOmniImage, GetOmniImageTask, ListOmniImageTasks, ResultType};
pub use shared::ImageResolution;
pub use virtual_try_on::{CreateVirtualTryOn, GetVirtualTryOnTask, ListVirtualTryOnTasks};
