//! Every model of every API as data: what each create may carry and what it costs.
//!
//! The table ([`MODELS`]) is generated from `kling-types/models.json` by `cargo xtask codegen`
//! (which also writes `MODELS.md`), so an API change is a data change. Preflight validation
//! ([`check`]), cost estimates ([`estimate`]), `kling models` and kling-mock's server-side checks
//! all read it. A model the table does not know, or a rule it does not state, is never checked.
//!
//! ```
//! use kling_types::models::{self, Api};
//!
//! let turbo = models::find(Api::Standard, "kling-3.0-turbo").unwrap();
//! let t2v = turbo.endpoint("text-to-video").unwrap();
//! assert_eq!(t2v.rules.prompt_max, Some(3072));
//! assert_eq!(t2v.rules.audio, Some(&[][..])); // no `settings.audio` at all
//! ```

mod check;
mod facts;
// Written by `cargo xtask codegen`, one literal per line; rustfmt would reflow it.
#[rustfmt::skip]
mod generated;
mod price;

pub use check::check;
pub use facts::{Facts, Slot};
pub use generated::{INLINE_IMAGES, MODELS, RETENTION, RUNBLOB_MATRIX};
pub use price::{Currency, Estimate, amount, estimate};

use std::fmt;

use serde::Serialize;

/// Which API a model belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// The legacy API: the model in the body (`model_name`), `/v1/...`.
    Legacy,
    /// The new standard: the model in the path, API keys only.
    Standard,
    /// RunBlob's Kling endpoints.
    RunBlob,
}

impl Api {
    /// The name the data file and `kling models` use: `legacy`, `standard`, `runblob`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Standard => "standard",
            Self::RunBlob => "runblob",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a model produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Videos.
    Video,
    /// Images.
    Image,
}

/// Which quality tier a RunBlob classic name is (RunBlob puts the tier in the name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Standard (720p): the name without `_pro`.
    Std,
    /// Professional (1080p): `_pro`, or a model that is always professional.
    Pro,
    /// One tier only; the name chooses nothing.
    Single,
}

/// The durations a model takes, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[serde(untagged)]
pub enum Durations {
    /// Exactly these values.
    OneOf(&'static [u32]),
    /// Any whole number in `min..=max`.
    Range {
        /// The shortest, in seconds.
        min: u32,
        /// The longest, in seconds.
        max: u32,
    },
}

impl Durations {
    /// Whether `seconds` is allowed.
    pub fn allows(self, seconds: u32) -> bool {
        match self {
            Self::OneOf(values) => values.contains(&seconds),
            Self::Range { min, max } => (min..=max).contains(&seconds),
        }
    }
}

impl fmt::Display for Durations {
    /// `5 or 10`, `5, 10 or 15`, `3 to 15`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OneOf(values) => f.write_str(&either(values.iter().map(u32::to_string))),
            Self::Range { min, max } => write!(f, "{min} to {max}"),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn either(items: impl IntoIterator<Item = impl fmt::Display>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// What a create may carry. `None` = not checked; an empty list = the field is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct Rules {
    /// Allowed durations.
    pub durations: Option<Durations>,
    /// Allowed legacy `mode` values (`std`, `pro`, `4k`).
    pub modes: Option<&'static [&'static str]>,
    /// Allowed resolutions (`720p`, `1080p`, `4k`; images `1k`, `2k`, `4k`).
    pub resolutions: Option<&'static [&'static str]>,
    /// Allowed aspect ratios.
    pub aspect_ratios: Option<&'static [&'static str]>,
    /// Allowed sound values (legacy `sound`, new-standard `settings.audio`).
    pub audio: Option<&'static [&'static str]>,
    /// Whether a last (end) frame may be given.
    pub end_frame: Option<bool>,
    /// Whether multi-shot may be switched on.
    pub multi_shot: Option<bool>,
    /// Whether `cfg_scale` is taken.
    pub cfg_scale: Option<bool>,
    /// Whether a negative prompt is taken.
    pub negative_prompt: Option<bool>,
    /// The longest prompt, in characters.
    pub prompt_max: Option<u32>,
    /// The most input images.
    pub images_max: Option<u32>,
    /// The most elements.
    pub elements_max: Option<u32>,
    /// The most voices.
    pub voices_max: Option<u32>,
    /// The most input videos.
    pub videos_max: Option<u32>,
    /// Image formats taken (`jpeg`, `png`, `gif`, `webp`).
    pub image_formats: Option<&'static [&'static str]>,
    /// The largest input image, in MB.
    pub image_max_mb: Option<u32>,
}

impl Rules {
    /// No rule at all (the base of the generated literals).
    pub(crate) const NONE: Self = Self {
        durations: None,
        modes: None,
        resolutions: None,
        aspect_ratios: None,
        audio: None,
        end_frame: None,
        multi_shot: None,
        cfg_scale: None,
        negative_prompt: None,
        prompt_max: None,
        images_max: None,
        elements_max: None,
        voices_max: None,
        videos_max: None,
        image_formats: None,
        image_max_mb: None,
    };
}

/// The values the server assumes when a create leaves a field out (for pricing and for rules
/// that depend on them, such as "sound needs pro mode").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Defaults {
    /// The default duration, in whole seconds.
    pub duration: Option<u32>,
    /// The default legacy `mode` (e.g. `std`).
    pub mode: Option<&'static str>,
    /// The default resolution (e.g. `720p`).
    pub resolution: Option<&'static str>,
    /// The default sound setting (e.g. `off`).
    pub audio: Option<&'static str>,
}

impl Defaults {
    /// No default known.
    pub(crate) const NONE: Self = Self {
        duration: None,
        mode: None,
        resolution: None,
        audio: None,
    };
}

/// When a conditional rule or a price row applies. Every key that is set must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Condition {
    /// A last frame is (or is not) given.
    pub last_frame: Option<bool>,
    /// A first frame is (or is not) given.
    pub first_frame: Option<bool>,
    /// A reference video is (or is not) given.
    pub video_input: Option<bool>,
    /// Voices are (or are not) given.
    pub voices: Option<bool>,
    /// Elements are (or are not) given.
    pub elements: Option<bool>,
    /// Input images (other than frames) are (or are not) given.
    pub images: Option<bool>,
    /// Multi-shot is (or is not) on.
    pub multi_shot: Option<bool>,
    /// The sound, after defaults, is one of these.
    pub audio: Option<&'static [&'static str]>,
    /// The legacy mode, after defaults, is one of these.
    pub mode: Option<&'static [&'static str]>,
    /// The resolution, after defaults (legacy `std` = 720p, `pro` = 1080p), is one of these.
    pub resolution: Option<&'static [&'static str]>,
}

impl Condition {
    /// A condition that always holds.
    pub(crate) const ALWAYS: Self = Self {
        last_frame: None,
        first_frame: None,
        video_input: None,
        voices: None,
        elements: None,
        images: None,
        multi_shot: None,
        audio: None,
        mode: None,
        resolution: None,
    };
}

/// A rule that applies only when its condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Conditional {
    /// The condition under which `then` applies.
    pub when: Condition,
    /// The extra rules.
    pub then: Rules,
    /// The sentence a refusal shows.
    pub why: &'static str,
}

/// One endpoint of one model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EndpointSpec {
    /// The endpoint's name in the data (`text2video`, `image-to-video`, `o3-photo`, ...).
    pub endpoint: &'static str,
    /// `false` when the model does not serve this endpoint.
    pub offered: bool,
    /// Why (a refusal shows it), or a note on a rule.
    pub why: Option<&'static str>,
    /// The rules (the model's shared rules with this endpoint's overrides).
    pub rules: Rules,
    /// The server's defaults.
    pub defaults: Defaults,
    /// Rules that apply under a condition.
    pub when: &'static [Conditional],
}

/// What a price is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// A second of output video.
    Second,
    /// An output image.
    Image,
    /// A call.
    Call,
}

/// One row of a model's price table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Price {
    /// The endpoints it prices; empty = every endpoint of the model.
    pub endpoints: &'static [&'static str],
    /// When it applies.
    pub when: Condition,
    /// What it counts.
    pub per: Per,
    /// How much per unit counted.
    pub amount: f64,
    /// What `amount` is in: video units, image units or US dollars.
    pub currency: Currency,
}

/// One model of one API.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ModelSpec {
    /// Which API serves it, and so the shape of its requests.
    pub api: Api,
    /// Its name on the wire.
    pub name: &'static str,
    /// The vendor's name for it.
    pub label: &'static str,
    /// What it produces.
    pub kind: Kind,
    /// RunBlob classic: its quality tier.
    pub tier: Option<Tier>,
    /// Where the rules come from (sections of the spec, seeds).
    pub source: &'static str,
    /// Anything a caller should know.
    pub note: Option<&'static str>,
    /// The endpoints it serves (or explicitly does not).
    pub endpoints: &'static [EndpointSpec],
    /// Its prices, tried in order.
    pub prices: &'static [Price],
}

impl ModelSpec {
    /// This model's rules on `endpoint`, if the data says anything about it.
    pub fn endpoint(&self, endpoint: &str) -> Option<&'static EndpointSpec> {
        self.endpoints.iter().find(|e| e.endpoint == endpoint)
    }
}

/// The model `name` of `api`, if the data knows it.
pub fn find(api: Api, name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|m| m.api == api && m.name == name)
}

/// Every model named `name`, in any API (`kling-v3-omni` is both a video and an image model of
/// the legacy API; `kling-3.0` exists on the legacy API as `kling-v3`).
pub fn named(name: &str) -> impl Iterator<Item = &'static ModelSpec> + '_ {
    MODELS.iter().filter(move |m| m.name == name)
}

/// What a local image file must be before it is sent inline (base64): its format, told by its
/// first bytes, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InlineImages {
    /// The formats taken.
    pub formats: &'static [crate::common::ImageFormat],
    /// The largest file, in MB (10^6 bytes).
    pub max_mb: u32,
    /// Where the limits come from.
    pub source: &'static str,
}

/// How long an API keeps the files a task produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Retention {
    /// Days after the task's creation.
    pub days: u32,
    /// The APIs that purge on that schedule.
    pub apis: &'static [Api],
    /// Where it comes from.
    pub source: &'static str,
}

impl Retention {
    /// When the files of a task of `api` created at `created_ms` (milliseconds since the Unix
    /// epoch, as the server sends it) stop working; `None` for an API that documents no
    /// retention, or a creation time that is no plausible time (not after 2020, or past 9999).
    pub fn expires_at(&self, api: Api, created_ms: i64) -> Option<i64> {
        // 2020-01-01 and 9999-12-31 in ms: a server's nonsense is not turned into a date.
        const PLAUSIBLE: std::ops::RangeInclusive<i64> = 1_577_836_800_000..=253_402_300_799_000;
        if !self.apis.contains(&api) || !PLAUSIBLE.contains(&created_ms) {
            return None;
        }
        Some(created_ms.saturating_add(i64::from(self.days).saturating_mul(86_400_000)))
    }
}

/// Seed 000's Model Compatibility Matrix, as the data file records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Matrix {
    /// Where it comes from.
    pub source: &'static str,
    /// Each column's title and the RunBlob model names it covers.
    pub columns: &'static [(&'static str, &'static [&'static str])],
    /// One row per feature the seed compares.
    pub rows: &'static [MatrixRow],
}

/// One feature row of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MatrixRow {
    /// The feature, as the seed names it.
    pub feature: &'static str,
    /// The rule it decides (`text-to-video`, `negative_prompt`, `cfg_scale`, `tier`), or `None`
    /// when RunBlob documents no field for it.
    pub field: Option<&'static str>,
    /// Why it has no field, or how it is read.
    pub why: Option<&'static str>,
    /// The cell of each column, in column order (`Yes`, `No`, `Always`).
    pub cells: &'static [&'static str],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_api_and_lookups_find_them() {
        for (i, a) in MODELS.iter().enumerate() {
            assert!(
                MODELS[i + 1..]
                    .iter()
                    .all(|b| b.api != a.api || b.name != a.name),
                "{} {} twice",
                a.api,
                a.name
            );
            assert_eq!(find(a.api, a.name), Some(a));
        }
        assert!(find(Api::Standard, "kling-9").is_none());
        assert_eq!(named("kling-2.6").count(), 1);
    }

    #[test]
    fn files_expire_thirty_days_after_creation_where_documented() {
        let created = 1_781_080_778_802; // a create_time from the spec's webhook example
        assert_eq!(
            RETENTION.expires_at(Api::Standard, created),
            Some(created + 30 * 86_400_000)
        );
        assert!(RETENTION.expires_at(Api::Legacy, created).is_some());
        assert_eq!(RETENTION.expires_at(Api::RunBlob, created), None);
        for nonsense in [0, -1, 42, i64::MAX] {
            assert_eq!(
                RETENTION.expires_at(Api::Legacy, nonsense),
                None,
                "{nonsense}"
            );
        }
    }

    #[test]
    fn durations_read_as_sentences() {
        assert_eq!(Durations::OneOf(&[5, 10]).to_string(), "5 or 10");
        assert_eq!(Durations::OneOf(&[5, 10, 15]).to_string(), "5, 10 or 15");
        assert_eq!(Durations::Range { min: 3, max: 15 }.to_string(), "3 to 15");
        assert!(Durations::Range { min: 3, max: 15 }.allows(15));
        assert!(!Durations::OneOf(&[5, 10]).allows(7));
    }

    #[test]
    fn the_matrix_names_only_models_of_the_data() {
        for (column, names) in RUNBLOB_MATRIX.columns {
            for name in *names {
                assert!(find(Api::RunBlob, name).is_some(), "{column}: {name}");
            }
        }
        for row in RUNBLOB_MATRIX.rows {
            assert_eq!(
                row.cells.len(),
                RUNBLOB_MATRIX.columns.len(),
                "{}",
                row.feature
            );
        }
    }
}
