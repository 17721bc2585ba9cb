//! The model capability matrix of the legacy video API (`kling-api.md` section 6a, with the
//! current map of 6b; where RunBlob's seed matrix disagrees, 6c says why we follow the official
//! evidence). Preflight validation uses it to catch known-bad combinations; a model it does not
//! know is never blocked.

use crate::common::{Mode, Model};

/// What a video model can do on the legacy endpoints.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct VideoCapabilities {
    /// Text-to-video on `/v1/videos/text2video`.
    pub text_to_video: bool,
    /// Image-to-video on `/v1/videos/image2video`.
    pub image_to_video: bool,
    /// The modes it accepts; `None` when the model has a single tier and the API accepts any
    /// mode value.
    pub modes: Option<&'static [Mode]>,
    /// Shortest and longest duration in seconds.
    pub durations: (u32, u32),
    /// Whether only 5 and 10 seconds are accepted within that range.
    pub five_or_ten_only: bool,
    /// Whether `cfg_scale` is supported (official: not by kling-v2.x and later).
    pub cfg_scale: bool,
    /// Whether native `sound` can be switched on.
    pub sound: bool,
    /// Whether sound needs pro mode (kling-v2-6: std is silent only).
    pub sound_needs_pro: bool,
    /// Whether an end frame (`image_tail`) is supported, and whether only in pro mode.
    pub end_frame: EndFrame,
    /// Multi-shot prompts (v3).
    pub multi_shot: bool,
}

/// End-frame (`image_tail`) support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndFrame {
    /// Not supported.
    No,
    /// Only in pro mode.
    ProOnly,
    /// Supported.
    Yes,
}

static STD_PRO: &[Mode] = &[Mode::Std, Mode::Pro];
static STD_PRO_4K: &[Mode] = &[Mode::Std, Mode::Pro, Mode::FourK];

const BASE: VideoCapabilities = VideoCapabilities {
    text_to_video: true,
    image_to_video: true,
    modes: Some(STD_PRO),
    durations: (5, 10),
    five_or_ten_only: true,
    cfg_scale: false,
    sound: false,
    sound_needs_pro: false,
    end_frame: EndFrame::ProOnly,
    multi_shot: false,
};

impl Model {
    /// The legacy video capabilities of this model, or `None` when it is not a legacy video
    /// model this version knows (then nothing is checked against it).
    pub fn video_capabilities(&self) -> Option<VideoCapabilities> {
        Some(match self {
            Self::KlingV1 => VideoCapabilities {
                cfg_scale: true,
                end_frame: EndFrame::Yes,
                ..BASE
            },
            Self::KlingV1_5 => VideoCapabilities {
                text_to_video: false,
                cfg_scale: true,
                ..BASE
            },
            Self::KlingV1_6 => VideoCapabilities {
                cfg_scale: true,
                ..BASE
            },
            // Single tier (720p): the capability map shows no std/pro split; clients still send
            // a mode and it is accepted.
            Self::KlingV2Master => VideoCapabilities {
                modes: None,
                end_frame: EndFrame::No,
                ..BASE
            },
            Self::KlingV2_1 => VideoCapabilities {
                text_to_video: false,
                ..BASE
            },
            Self::KlingV2_1Master => VideoCapabilities {
                modes: None,
                end_frame: EndFrame::No,
                ..BASE
            },
            Self::KlingV2_5Turbo => BASE,
            // 6b: 3-10 s on the current map (the older table says 5/10): allow the wider range.
            Self::KlingV2_6 => VideoCapabilities {
                durations: (3, 10),
                five_or_ten_only: false,
                sound: true,
                sound_needs_pro: true,
                ..BASE
            },
            Self::KlingV3 => VideoCapabilities {
                modes: Some(STD_PRO_4K),
                durations: (3, 15),
                five_or_ten_only: false,
                sound: true,
                end_frame: EndFrame::Yes,
                multi_shot: true,
                ..BASE
            },
            _ => return None,
        })
    }

    /// Whether this is an omni-video model (`kling-video-o1`, `kling-v3-omni`).
    pub fn is_omni_video(&self) -> bool {
        matches!(self, Self::KlingVideoO1 | Self::KlingV3Omni)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_the_spec() {
        assert!(!Model::KlingV1_5.video_capabilities().unwrap().text_to_video);
        assert!(!Model::KlingV2_1.video_capabilities().unwrap().text_to_video);
        assert!(Model::KlingV1_6.video_capabilities().unwrap().cfg_scale);
        assert!(!Model::KlingV2_6.video_capabilities().unwrap().cfg_scale);
        assert_eq!(
            Model::KlingV3.video_capabilities().unwrap().durations,
            (3, 15)
        );
        assert!(
            Model::Custom("kling-v9".into())
                .video_capabilities()
                .is_none()
        );
    }
}
