//! The legacy video families (`/v1/videos/...`): create, query, list.

mod image2video;
mod shared;
mod text2video;

pub use image2video::{CreateImage2Video, DynamicMask, GetImage2VideoTask, ListImage2VideoTasks, Point};
pub use text2video::{CreateText2Video, GetText2VideoTask, ListText2VideoTasks};
