//! Shared by the image families: the output resolution and the aspect-ratio check.

use kling_errors::ValidationError;

use crate::common::AspectRatio;
use crate::validate::ensure;

string_enum! {
    /// Output resolution of an image.
    pub enum ImageResolution (Custom: "Any other resolution, sent as given.") {
        /// `1k`: the default of image generation and omni image.
        OneK = "1k",
        /// `2k`
        TwoK = "2k",
        /// `4k` (omni image)
        FourK = "4k",
    }
}

const IMAGE_RATIOS: &[AspectRatio] = &[
    AspectRatio::Landscape16x9,
    AspectRatio::Portrait9x16,
    AspectRatio::Square,
    AspectRatio::Landscape4x3,
    AspectRatio::Portrait3x4,
    AspectRatio::Landscape3x2,
    AspectRatio::Portrait2x3,
    AspectRatio::Wide21x9,
];

pub(super) fn check_ratio(
    ratio: Option<&AspectRatio>,
    auto_allowed: bool,
) -> Result<(), ValidationError> {
    match ratio {
        Some(r) if r.is_known() => ensure(
            IMAGE_RATIOS.contains(r) || (auto_allowed && *r == AspectRatio::Auto),
            "aspect_ratio",
            format!("{r} is not an image aspect ratio"),
        ),
        _ => Ok(()),
    }
}
