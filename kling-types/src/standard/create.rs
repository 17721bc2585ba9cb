//! [`StandardCreate`], the builder every new-standard create shares (`POST /<kind>/{model}`),
//! its common checks, and the macro that makes each kind an endpoint.

use serde::Serialize;

use kling_errors::ValidationError;

use crate::common::{AspectRatio, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::validate::{ensure, int_range, required_text};

use super::request::{Audio, Content, Options, Resolution, Settings, StandardModel};

/// A create of the new standard: `POST /<kind>/{model}` with `contents` (or `prompt`),
/// `settings` and `options`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StandardCreate<K> {
    #[serde(skip)]
    kind: K,
    /// The model (in the path).
    #[serde(skip)]
    pub model: StandardModel,
    /// Text-to-video: the prompt (at most 3072 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The inputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content>,
    /// Generation parameters.
    #[serde(skip_serializing_if = "Settings::is_empty")]
    pub settings: Settings,
    /// Delivery.
    #[serde(skip_serializing_if = "Options::is_empty")]
    pub options: Options,
    #[serde(skip)]
    pub(super) preflight: Preflight,
}

impl<K: Default> StandardCreate<K> {
    pub(super) fn base(model: StandardModel) -> Self {
        Self {
            kind: K::default(),
            model,
            prompt: None,
            contents: Vec::new(),
            settings: Settings::default(),
            options: Options::default(),
            preflight: Preflight::default(),
        }
    }

    /// Adds an item to `contents`.
    #[must_use]
    pub fn content(mut self, item: Content) -> Self {
        self.contents.push(item);
        self
    }

    /// Sets the sound.
    #[must_use]
    pub fn audio(mut self, audio: Audio) -> Self {
        self.settings.audio = Some(audio);
        self
    }

    /// Sets the resolution.
    #[must_use]
    pub fn resolution(mut self, resolution: Resolution) -> Self {
        self.settings.resolution = Some(resolution);
        self
    }

    /// Sets the aspect ratio.
    #[must_use]
    pub fn aspect_ratio(mut self, ratio: AspectRatio) -> Self {
        self.settings.aspect_ratio = Some(ratio);
        self
    }

    /// Sets the duration in seconds.
    #[must_use]
    pub fn duration(mut self, seconds: u32) -> Self {
        self.settings.duration = Some(seconds);
        self
    }

    /// Turns multi-shot on or off.
    #[must_use]
    pub fn multi_shot(mut self, on: bool) -> Self {
        self.settings.multi_shot = Some(on);
        self
    }

    /// Sets the callback URL.
    #[must_use]
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.options.callback_url = Some(url.into());
        self
    }

    /// Sets the caller's id for the task.
    #[must_use]
    pub fn external_task_id(mut self, id: impl Into<String>) -> Self {
        self.options.external_task_id = Some(id.into());
        self
    }

    /// Requests watermarked copies.
    #[must_use]
    pub fn watermark_info(mut self, watermark: WatermarkInfo) -> Self {
        self.options.watermark_info = Some(watermark);
        self
    }

    /// Switches preflight validation off for this request.
    #[must_use]
    pub fn without_validation(mut self) -> Self {
        self.preflight.skip = true;
        self
    }

    pub(super) fn count(&self, pred: impl Fn(&Content) -> bool) -> usize {
        self.contents.iter().filter(|c| pred(c)).count()
    }

    pub(super) fn common_checks(&self) -> Result<(), ValidationError> {
        for c in &self.contents {
            if let Content::Prompt { text } = c {
                required_text("contents.prompt", text, 3072)?;
            }
        }
        let m = &self.model;
        if let Some(d) = self.settings.duration {
            match m {
                StandardModel::Kling2_6 | StandardModel::Kling2_5Turbo => ensure(
                    matches!(d, 5 | 10),
                    "settings.duration",
                    format!("{m} takes 5 or 10 seconds, got {d}"),
                )?,
                StandardModel::Custom(_) => {}
                _ => int_range("settings.duration", Some(d), 3, 15)?,
            }
        }
        if self.settings.resolution == Some(Resolution::FourK) && m.is_known() {
            ensure(
                matches!(m, StandardModel::Kling3_0 | StandardModel::Kling3_0Omni),
                "settings.resolution",
                format!("4k is only available on kling-3.0 and kling-3.0-omni, not {m}"),
            )?;
        }
        if self.settings.multi_shot == Some(true) && m.is_known() {
            ensure(
                matches!(
                    m,
                    StandardModel::Kling3_0
                        | StandardModel::Kling3_0Turbo
                        | StandardModel::Kling3_0Omni
                ),
                "settings.multi_shot",
                format!("multi-shot needs a 3.0 model, not {m}"),
            )?;
        }
        if *m == StandardModel::Kling2_6 && self.settings.audio == Some(Audio::Native) {
            ensure(
                self.settings.resolution == Some(Resolution::P1080),
                "settings.resolution",
                "kling-2.6 generates audio at 1080p only",
            )?;
        }
        Ok(())
    }
}

macro_rules! standard_endpoint {
    ($alias:ty, $prefix:literal) => {
        impl Endpoint for $alias {
            type Response = Task;
            type Body = Self;
            fn method(&self) -> Method {
                Method::Post
            }
            fn path(&self) -> String {
                format!(concat!($prefix, "/{}"), segment(self.model.as_str()))
            }
            fn body(&self) -> Option<&Self> {
                Some(self)
            }
            fn auth_scheme(&self) -> AuthScheme {
                AuthScheme::ApiKey
            }
            fn validate(&self) -> Result<(), ValidationError> {
                if self.preflight.skip {
                    Ok(())
                } else {
                    self.check()
                }
            }
        }

        impl CreateEndpoint for $alias {
            type Query = GetTasks;
            fn external_task_id(&self) -> Option<&str> {
                self.options.external_task_id.as_deref()
            }
            fn set_external_task_id(&mut self, id: String) {
                self.options.external_task_id = Some(id);
            }
            fn lookup(&self, external_task_id: &str) -> Option<GetTasks> {
                Some(GetTasks::by_external_ids([external_task_id.to_owned()]))
            }
            fn poll_query(&self, created: &Task) -> GetTasks {
                GetTasks::by_ids([created.id.clone()])
            }
            fn found(task: Task) -> Option<Task> {
                Some(task)
            }
        }
    };
}
