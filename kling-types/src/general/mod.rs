//! Voices and elements (`kling-api.md` 3.13): custom voices, preset voices, the element
//! (subject) library, and AI Multi-Shot (more views of a subject from its frontal image,
//! `kling-api.md` 10.5).

mod elements;
mod multi_shot;
mod presets;
mod voices;

pub use elements::*;
pub use multi_shot::*;
pub use presets::*;
pub use voices::*;
