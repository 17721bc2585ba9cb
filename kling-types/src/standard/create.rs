//! [`StandardCreate`], the builder every new-standard create shares (`POST /<kind>/{model}`),
//! its common checks, and the macro that makes each kind an endpoint.

use serde::Serialize;

use kling_errors::ValidationError;

use crate::common::{AspectRatio, WatermarkInfo};
use crate::endpoint::Preflight;
use crate::models::{self, Api, Facts};
use crate::validate::required_text;

use super::request::{Audio, Content, Options, Resolution, Settings, StandardModel};

/// A create of the new standard: `POST /<kind>/{model}` with `contents` (or `prompt`),
/// `settings` and `options`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct StandardCreate<K> {
    #[serde(skip)]
    kind: K,
    /// The model, sent in the path (`/<kind>/kling-3.0`), not in the body.
    #[serde(skip)]
    pub model: StandardModel,
    /// Text-to-video: the top-level prompt (at most 3072 characters on 3.0 and 3.0 Turbo, 2500 on
    /// 2.6 and 2.5 Turbo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The typed inputs (`prompt`, `first_frame`, `element`, ...); text-to-video sends `prompt`
    /// instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content>,
    /// `settings`: resolution, duration, audio, ...; omitted when empty, so the server's defaults
    /// apply.
    #[serde(skip_serializing_if = "Settings::is_empty")]
    pub settings: Settings,
    /// `options`: `callback_url`, `external_task_id`, `watermark_info`; omitted when empty.
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

    /// Sets `settings.audio`: `native`, `off` or `original` (`off` when unset, `original` on motion
    /// control).
    #[must_use]
    pub fn audio(mut self, audio: Audio) -> Self {
        self.settings.audio = Some(audio);
        self
    }

    /// Sets `settings.resolution`: `720p` (the default), `1080p` or `4k` (3.0 and 3.0 Omni).
    #[must_use]
    pub fn resolution(mut self, resolution: Resolution) -> Self {
        self.settings.resolution = Some(resolution);
        self
    }

    /// Sets `settings.aspect_ratio` (`16:9` when unset); image-to-video takes none.
    #[must_use]
    pub fn aspect_ratio(mut self, ratio: AspectRatio) -> Self {
        self.settings.aspect_ratio = Some(ratio);
        self
    }

    /// Sets `settings.duration`, whole seconds sent as a number (5 when unset; 5 or 10 on 2.6 and
    /// 2.5 Turbo, 3-10 on O1, 3-15 on 3.x).
    #[must_use]
    pub fn duration(mut self, seconds: u32) -> Self {
        self.settings.duration = Some(seconds);
        self
    }

    /// Sets `settings.multi_shot` (3.0; shots are written in the prompt); 3.0 Turbo has no such
    /// setting.
    #[must_use]
    pub fn multi_shot(mut self, on: bool) -> Self {
        self.settings.multi_shot = Some(on);
        self
    }

    /// Sets `options.callback_url`: Kling POSTs the task there at every status change.
    #[must_use]
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.options.callback_url = Some(url.into());
        self
    }

    /// Sets `options.external_task_id` (unique per account); the create flow generates one when
    /// unset.
    #[must_use]
    pub fn external_task_id(mut self, id: impl Into<String>) -> Self {
        self.options.external_task_id = Some(id.into());
        self
    }

    /// Sets `options.watermark_info`; when enabled, each output also gets a `watermark_url`.
    #[must_use]
    pub fn watermark_info(mut self, watermark: WatermarkInfo) -> Self {
        self.options.watermark_info = Some(watermark);
        self
    }

    /// Switches preflight validation off for this request, for a model or combination the SDK does
    /// not know yet; the server still validates.
    #[must_use]
    pub fn without_validation(mut self) -> Self {
        self.preflight.skip = true;
        self
    }

    pub(super) fn count(&self, pred: impl Fn(&Content) -> bool) -> usize {
        self.contents.iter().filter(|c| pred(c)).count()
    }

    /// The request in the terms of the models data.
    pub(super) fn model_facts(&self) -> Facts<'_>
    where
        K: Kind,
    {
        let (prompt_field, prompt) = match &self.prompt {
            Some(p) => ("prompt", Some(p.as_str())),
            None => (
                "contents.prompt",
                self.contents.iter().find_map(|c| match c {
                    Content::Prompt { text } => Some(text.as_str()),
                    _ => None,
                }),
            ),
        };
        let s = &self.settings;
        Facts::new(Api::Standard, K::ENDPOINT, "model", self.model.as_str())
            .prompt(prompt_field, prompt)
            .duration("settings.duration", s.duration)
            .resolution(
                "settings.resolution",
                s.resolution.as_ref().map(Resolution::as_str),
            )
            .aspect_ratio(
                "settings.aspect_ratio",
                s.aspect_ratio.as_ref().map(AspectRatio::as_str),
            )
            .audio("settings.audio", s.audio.as_ref().map(Audio::as_str))
            .multi_shot("settings.multi_shot", s.multi_shot)
            .first_frame(self.count(|c| matches!(c, Content::FirstFrame { .. })) > 0)
            .last_frame(
                "contents",
                self.count(|c| matches!(c, Content::LastFrame { .. })) > 0,
            )
            .images(
                "contents",
                self.count(|c| matches!(c, Content::ReferImage { .. })),
            )
            .elements(
                "contents",
                self.count(|c| matches!(c, Content::Element { .. })),
            )
            .voices(
                "contents",
                self.count(|c| matches!(c, Content::Voice { .. })),
            )
            .videos(
                "contents",
                self.count(|c| {
                    matches!(c, Content::FeatureVideo { .. } | Content::BaseVideo { .. })
                }),
            )
            // Motion control and an edited base video are as long as their input video.
            .length_follows_input(
                K::ENDPOINT == "motion-control"
                    || self.count(|c| matches!(c, Content::BaseVideo { .. })) > 0,
            )
    }

    /// What every kind checks: a prompt item is not blank and within the API's ceiling, then
    /// the model's own rules from the models data.
    pub(super) fn common_checks(&self) -> Result<(), ValidationError>
    where
        K: Kind,
    {
        for c in &self.contents {
            if let Content::Prompt { text } = c {
                required_text("contents.prompt", text, 3072)?;
            }
        }
        models::check(&self.model_facts())
    }
}

/// Which endpoint of the models data a create kind is.
pub(crate) trait Kind {
    /// Its name in `models.json` (`text-to-video`, `image-to-video`, ...).
    const ENDPOINT: &'static str;
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
            fn facts(&self) -> Option<crate::models::Facts<'_>> {
                Some(self.model_facts())
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
            fn set_callback_url(&mut self, url: String) -> bool {
                self.options.callback_url = Some(url);
                true
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
