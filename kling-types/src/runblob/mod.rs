//! RunBlob's Kling API (`gateways.md` section 2): a gateway with its own bodies, bare JSON
//! responses, string error codes and `pending|processing|completed|failed` generations.
//! Validation errors carry RunBlob's own labels (`TOO_MANY_IMAGES`, `MIXED_IMAGE_INPUTS`,
//! `INVALID_DURATION`, `INVALID_MODEL`, `INVALID_PARAMETERS`).

#[macro_use]
mod generation;

mod balance;
mod classic;
mod model;
mod o1_video;
mod o3_video;
mod photo;
mod rules;

pub use balance::{Balance, GetBalance};
pub use classic::{ClassicDuration, Generate};
pub use generation::{
    Generation, GenerationStatus, GetGeneration, ListGenerations, NewGeneration, Product,
};
pub use model::RunBlobModel;
pub use o1_video::GenerateO1Video;
pub use o3_video::GenerateO3Video;
pub use photo::GeneratePhoto;
