//! Values shared by many requests: models, modes, aspect ratios, durations, image inputs.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use kling_errors::{KlingCode, ValidationError};

pub use crate::sniff::ImageFormat;

string_enum! {
    /// A model name (`model_name` of the legacy API). Unknown names pass through as
    /// [`Model::Custom`], so a model released tomorrow works today.
    pub enum Model (Custom: "Any other model name, sent as given.") {
        /// `kling-v1`
        KlingV1 = "kling-v1",
        /// `kling-v1-5`
        KlingV1_5 = "kling-v1-5",
        /// `kling-v1-6`
        KlingV1_6 = "kling-v1-6",
        /// `kling-v2` (images)
        KlingV2 = "kling-v2",
        /// `kling-v2-new` (image restyle only)
        KlingV2New = "kling-v2-new",
        /// `kling-v2-master`
        KlingV2Master = "kling-v2-master",
        /// `kling-v2-1`
        KlingV2_1 = "kling-v2-1",
        /// `kling-v2-1-master`
        KlingV2_1Master = "kling-v2-1-master",
        /// `kling-v2-5-turbo`
        KlingV2_5Turbo = "kling-v2-5-turbo",
        /// `kling-v2-6`
        KlingV2_6 = "kling-v2-6",
        /// `kling-v3`
        KlingV3 = "kling-v3",
        /// `kling-v3-omni`
        KlingV3Omni = "kling-v3-omni",
        /// `kling-video-o1`
        KlingVideoO1 = "kling-video-o1",
        /// `kling-image-o1`
        KlingImageO1 = "kling-image-o1",
        /// `kolors-virtual-try-on-v1`
        KolorsVirtualTryOnV1 = "kolors-virtual-try-on-v1",
        /// `kolors-virtual-try-on-v1-5`
        KolorsVirtualTryOnV1_5 = "kolors-virtual-try-on-v1-5",
    }
}

string_enum! {
    /// Generation mode: quality tier and resolution.
    pub enum Mode (Custom: "Any other mode, sent as given.") {
        /// `std`: 720p, cost-effective.
        Std = "std",
        /// `pro`: 1080p.
        Pro = "pro",
        /// `4k` (v3 family).
        FourK = "4k",
    }
}

string_enum! {
    /// Output aspect ratio.
    pub enum AspectRatio (Custom: "Any other ratio, sent as given.") {
        /// `16:9`
        Landscape16x9 = "16:9",
        /// `9:16`
        Portrait9x16 = "9:16",
        /// `1:1`
        Square = "1:1",
        /// `4:3` (images)
        Landscape4x3 = "4:3",
        /// `3:4` (images)
        Portrait3x4 = "3:4",
        /// `3:2` (images)
        Landscape3x2 = "3:2",
        /// `2:3` (images)
        Portrait2x3 = "2:3",
        /// `21:9` (images; not on kling-v1)
        Wide21x9 = "21:9",
        /// `auto` (omni image)
        Auto = "auto",
    }
}

string_enum! {
    /// Native sound generation (v2.6 and later).
    pub enum Sound (Custom: "Any other value, sent as given.") {
        /// `on`
        On = "on",
        /// `off`
        Off = "off",
    }
}

string_enum! {
    /// A yes/no flag the API writes as a string.
    pub enum YesNo (Custom: "Any other value, sent as given.") {
        /// `yes`
        Yes = "yes",
        /// `no`
        No = "no",
    }
}

/// `watermark_info`: whether to also return a watermarked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct WatermarkInfo {
    /// When `true`, results carry a `watermark_url` beside `url`.
    #[serde(default)]
    pub enabled: bool,
}

impl WatermarkInfo {
    /// `{"enabled": enabled}`.
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }
}

/// A duration in whole seconds, written as a string (`"5"`) by the legacy API. Decodes from a
/// string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secs(pub u32);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<u32> for Secs {
    fn from(secs: u32) -> Self {
        Self(secs)
    }
}

/// Whole seconds, as a string (`"5"`) or a number.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Secs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secs".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "integer"], "pattern": "^[0-9]+$", "minimum": 0})
    }
}

impl Serialize for Secs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Secs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("whole seconds, as a string or a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Secs, E> {
                u32::try_from(v)
                    .map(Secs)
                    .map_err(|_| E::custom("duration out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Secs, E> {
                u32::try_from(v)
                    .map(Secs)
                    .map_err(|_| E::custom("duration out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Secs, E> {
                if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
                    Ok(Secs(v as u32))
                } else {
                    Err(E::custom("duration must be whole seconds"))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secs, E> {
                v.trim()
                    .parse()
                    .map(Secs)
                    .map_err(|_| E::custom("duration must be whole seconds"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An image input: a public URL, or raw base64 **without** a `data:` prefix (the API rejects the
/// prefix; [`ImageInput::new`] strips it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct ImageInput(String);

impl ImageInput {
    /// An image from a URL or base64 text; a `data:<type>;base64,` prefix is removed.
    pub fn new(image: impl Into<String>) -> Self {
        let image = image.into();
        match strip_data_url(&image) {
            Some(raw) => Self(raw.to_owned()),
            None => Self(image),
        }
    }

    /// The value sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the value is a URL (rather than base64).
    pub fn is_url(&self) -> bool {
        is_url(&self.0)
    }

    /// An image sent inline, from a file's bytes: refused unless its first bytes are a JPEG,
    /// PNG, GIF or WebP within the API's inline limit (10 MB; the models data's
    /// [`INLINE_IMAGES`](crate::models::INLINE_IMAGES)), then base64-encoded. A model may take
    /// fewer formats (AI Multi-Shot: JPEG or PNG); preflight checks that per request.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] on `image` saying what the bytes look like (`text`, `a PDF`,
    /// ...), which format they are when the API does not take it, or their size.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ValidationError> {
        use base64::Engine as _;
        let rules = &crate::models::INLINE_IMAGES;
        let refuse =
            |message: String| ValidationError::new("image", KlingCode::InvalidParameter, &message);
        let format = ImageFormat::sniff(bytes)
            .map_err(|looks| refuse(format!("is not an image: it looks like {looks}")))?;
        if !rules.formats.contains(&format) {
            return Err(refuse(format!(
                "is a {format} image, which the API does not take"
            )));
        }
        let max = u64::from(rules.max_mb).saturating_mul(1_000_000);
        if bytes.len() as u64 > max {
            return Err(refuse(format!(
                "is {:.1} MB; an inline image is at most {} MB (upload it and pass its URL)",
                bytes.len() as f64 / 1e6,
                rules.max_mb
            )));
        }
        Ok(Self(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ))
    }
}

/// Whether `value` is an `http(s)://` URL (the scheme in any case): a value the API fetches
/// itself, never a local path or base64.
pub fn is_url(value: &str) -> bool {
    let scheme = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    scheme.starts_with("https://") || scheme.starts_with("http://")
}

/// A local file's bytes as the API takes an inline file that is not an image (audio, a
/// video): standard base64 with padding, no `data:` prefix. Nothing is checked; for an image
/// use [`ImageInput::from_bytes`], which also checks what the bytes hold and their size.
pub fn base64_file(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl From<&str> for ImageInput {
    fn from(image: &str) -> Self {
        Self::new(image)
    }
}

impl From<String> for ImageInput {
    fn from(image: String) -> Self {
        Self::new(image)
    }
}

/// The base64 part of a `data:...;base64,` URL.
fn strip_data_url(text: &str) -> Option<&str> {
    let rest = text
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("data:"))
        .map(|_| &text[5..])?;
    let comma = rest.find(',')?;
    rest[..comma]
        .to_ascii_lowercase()
        .ends_with(";base64")
        .then(|| &rest[comma + 1..])
}

/// `{"element_id": ...}`: a subject from the element library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ElementRef {
    /// The element's id.
    pub element_id: u64,
}

impl ElementRef {
    /// A reference to element `element_id`.
    pub fn new(element_id: u64) -> Self {
        Self { element_id }
    }
}

/// `{"voice_id": ...}`: a voice referenced as `<<<voice_1>>>` in a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct VoiceRef {
    /// The voice's id (a preset or custom voice).
    pub voice_id: String,
}

impl VoiceRef {
    /// A reference to voice `voice_id`.
    pub fn new(voice_id: impl Into<String>) -> Self {
        Self {
            voice_id: voice_id.into(),
        }
    }
}

string_enum! {
    /// How a multi-shot video is cut.
    pub enum ShotType (Custom: "Any other value, sent as given.") {
        /// `customize`: the shots of `multi_prompt`.
        Customize = "customize",
        /// `intelligence`: the model cuts the prompt into shots.
        Intelligence = "intelligence",
    }
}

/// One shot of a customized multi-shot video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ShotPrompt {
    /// The shot's number, from 1.
    pub index: u32,
    /// What happens in the shot (at most 512 characters).
    pub prompt: String,
    /// The shot's length; the shots add up to the video's duration.
    pub duration: Secs,
}

impl ShotPrompt {
    /// Shot `index`, `duration` seconds long.
    pub fn new(index: u32, prompt: impl Into<String>, duration: u32) -> Self {
        Self {
            index,
            prompt: prompt.into(),
            duration: Secs(duration),
        }
    }
}

string_enum! {
    /// The camera movement of `camera_control`.
    pub enum CameraType (Custom: "Any other movement, sent as given.") {
        /// `simple`: one movement set in `config`.
        Simple = "simple",
        /// `down_back`: pan down and pull back.
        DownBack = "down_back",
        /// `forward_up`: push in and tilt up.
        ForwardUp = "forward_up",
        /// `right_turn_forward`
        RightTurnForward = "right_turn_forward",
        /// `left_turn_forward`
        LeftTurnForward = "left_turn_forward",
    }
}

/// The six axes of a `simple` camera movement, each in [-10, 10]; exactly one is non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CameraConfig {
    /// Translation along x (negative: left).
    #[serde(serialize_with = "compact_f64")]
    pub horizontal: f64,
    /// Translation along y (negative: down).
    #[serde(serialize_with = "compact_f64")]
    pub vertical: f64,
    /// Rotation (negative: down/left).
    #[serde(serialize_with = "compact_f64")]
    pub pan: f64,
    /// Rotation about the other axis.
    #[serde(serialize_with = "compact_f64")]
    pub tilt: f64,
    /// Rotation about z (negative: counter-clockwise).
    #[serde(serialize_with = "compact_f64")]
    pub roll: f64,
    /// Field of view (negative: narrower).
    #[serde(serialize_with = "compact_f64")]
    pub zoom: f64,
}

impl CameraConfig {
    /// Only `horizontal` set.
    pub fn horizontal(v: f64) -> Self {
        Self {
            horizontal: v,
            ..Self::default()
        }
    }
    /// Only `vertical` set.
    pub fn vertical(v: f64) -> Self {
        Self {
            vertical: v,
            ..Self::default()
        }
    }
    /// Only `pan` set.
    pub fn pan(v: f64) -> Self {
        Self {
            pan: v,
            ..Self::default()
        }
    }
    /// Only `tilt` set.
    pub fn tilt(v: f64) -> Self {
        Self {
            tilt: v,
            ..Self::default()
        }
    }
    /// Only `roll` set.
    pub fn roll(v: f64) -> Self {
        Self {
            roll: v,
            ..Self::default()
        }
    }
    /// Only `zoom` set.
    pub fn zoom(v: f64) -> Self {
        Self {
            zoom: v,
            ..Self::default()
        }
    }

    pub(crate) fn axes(&self) -> [(&'static str, f64); 6] {
        [
            ("horizontal", self.horizontal),
            ("vertical", self.vertical),
            ("pan", self.pan),
            ("tilt", self.tilt),
            ("roll", self.roll),
            ("zoom", self.zoom),
        ]
    }
}

/// Writes an integral value without a fraction (`5`, not `5.0`), as the documented examples do.
fn compact_f64<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// `camera_control` of legacy text- and image-to-video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct CameraControl {
    /// The movement.
    #[serde(rename = "type")]
    pub kind: CameraType,
    /// The axes, for [`CameraType::Simple`] only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<CameraConfig>,
}

impl CameraControl {
    /// A `simple` movement along the axes of `config`.
    pub fn simple(config: CameraConfig) -> Self {
        Self {
            kind: CameraType::Simple,
            config: Some(config),
        }
    }

    /// One of the preset movements (which take no `config`).
    pub fn preset(kind: CameraType) -> Self {
        Self { kind, config: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_are_stripped() {
        assert_eq!(
            ImageInput::new("data:image/png;base64,iVBORw0KGgo").as_str(),
            "iVBORw0KGgo"
        );
        assert_eq!(
            ImageInput::new("DATA:image/jpeg;BASE64,/9j/").as_str(),
            "/9j/"
        );
        assert_eq!(ImageInput::new("iVBORw0KGgo").as_str(), "iVBORw0KGgo");
        assert_eq!(
            ImageInput::new("https://x/a.png").as_str(),
            "https://x/a.png"
        );
        assert!(ImageInput::new("https://x/a.png").is_url());
        // Not base64: kept (validation reports it).
        assert_eq!(
            ImageInput::new("data:text/plain,hi").as_str(),
            "data:text/plain,hi"
        );
    }

    #[test]
    fn enums_keep_unknown_values() {
        assert_eq!(Model::from("kling-v9"), Model::Custom("kling-v9".into()));
        assert_eq!(
            serde_json::to_string(&Model::KlingV2_6).unwrap(),
            "\"kling-v2-6\""
        );
        let m: Mode = serde_json::from_str("\"8k\"").unwrap();
        assert_eq!(m, Mode::Custom("8k".into()));
        assert!(!m.is_known());
    }

    #[test]
    fn secs_are_strings_on_the_wire() {
        assert_eq!(serde_json::to_string(&Secs(5)).unwrap(), "\"5\"");
        assert_eq!(serde_json::from_str::<Secs>("10").unwrap(), Secs(10));
        assert_eq!(serde_json::from_str::<Secs>("\"15\"").unwrap(), Secs(15));
        assert!(serde_json::from_str::<Secs>("\"5.5\"").is_err());
    }

    #[test]
    fn images_from_bytes_are_checked_then_encoded() {
        let png = ImageInput::from_bytes(b"\x89PNG\r\n\x1a\n").unwrap();
        assert_eq!(png.as_str(), "iVBORw0KGgo=");
        let text = ImageInput::from_bytes(b"a red fox in the snow").unwrap_err();
        assert_eq!(text.field(), "image");
        assert!(text.to_string().contains("looks like text"), "{text}");
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(10_000_001, 0);
        let e = ImageInput::from_bytes(&big).unwrap_err();
        assert!(e.to_string().contains("10.0 MB"), "{e}");
        assert!(is_url("HTTPS://e.com/a.png") && is_url("http://e") && !is_url("iVBOR"));
    }
}
