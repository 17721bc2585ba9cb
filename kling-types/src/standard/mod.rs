//! The new-standard API ("API 2.0", model in the path; `kling-api.md` 2d, 2e, 3.15), kept
//! apart from the legacy one: its own task type (`id`, `status` with `succeeded`, `outputs`,
//! `billing`), its own request shape (`contents`, `settings`, `options`). API-key auth only.

#[macro_use]
mod create;

mod image_to_video;
mod kind;
mod motion_control;
mod omni_video;
mod request;
mod tasks;
mod text_to_video;

pub use create::StandardCreate;
pub use image_to_video::{CreateImageToVideo, ImageToVideoKind};
pub use kind::{KINDS, KindCreate};
pub use motion_control::{CreateMotionControl, MotionControlKind};
pub use omni_video::{CreateOmniVideo, OmniVideoKind};
pub use request::{Audio, Content, Options, Resolution, Settings, StandardModel};
pub use tasks::{Billing, GetTasks, ListTasks, Output, Task, TaskFilter, TaskPage, TaskStatus};
pub use text_to_video::{CreateTextToVideo, TextToVideoKind};
