#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod account;
pub mod audio;
pub mod callback;
pub mod common;
mod de;
mod endpoint;
mod envelope;
pub mod family;
pub mod general;
pub mod images;
pub mod models;
pub mod multi_elements;
mod query;
pub mod runblob;
mod sniff;
pub mod standard;
pub mod task;
mod validate;
pub mod videos;

pub use common::{
    AspectRatio, CameraConfig, CameraControl, CameraType, ImageInput, Mode, Model, Secs, Sound,
};
pub use endpoint::{
    AuthScheme, CreateEndpoint, Endpoint, Method, PollGroup, ResponseFormat, Split, TaskQuery,
};
pub use envelope::Envelope;
pub use family::{FAMILIES, Family, FamilyCreate};
pub use query::TaskRef;
pub use task::{Task, TaskStatus};
