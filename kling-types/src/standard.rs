//! The new-standard API ("API 2.0", model in the path; `kling-api.md` 2d, 2e, 3.15), kept
//! apart from the legacy one: its own task type (`id`, `status` with `succeeded`, `outputs`,
//! `billing`), its own request shape (`contents`, `settings`, `options`). API-key auth only.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{AspectRatio, WatermarkInfo};
use crate::de;
use crate::endpoint::{
    AuthScheme, CreateEndpoint, Endpoint, Method, Preflight, TaskQuery, segment,
};
use crate::query::TaskRef;
use crate::validate::{ensure, int_range, invalid, max_items, required_text};
use crate::videos::CharacterOrientation;

string_enum! {
    /// A model of the new standard (it goes in the path).
    pub enum StandardModel (Custom: "Any other model, sent as given.") {
        /// `kling-3.0-turbo`
        Kling3_0Turbo = "kling-3.0-turbo",
        /// `kling-3.0`
        Kling3_0 = "kling-3.0",
        /// `kling-3.0-omni`
        Kling3_0Omni = "kling-3.0-omni",
        /// `kling-2.6`
        Kling2_6 = "kling-2.6",
        /// `kling-2.5-turbo` (UNCONFIRMED page)
        Kling2_5Turbo = "kling-2.5-turbo",
    }
}

string_enum! {
    /// `settings.audio`.
    pub enum Audio (Custom: "Any other value, sent as given.") {
        /// `native`: generated sound.
        Native = "native",
        /// `off`: silent.
        Off = "off",
        /// `original`: the input video's sound (omni, motion control).
        Original = "original",
    }
}

string_enum! {
    /// `settings.resolution`.
    pub enum Resolution (Custom: "Any other value, sent as given.") {
        /// `720p`
        P720 = "720p",
        /// `1080p`
        P1080 = "1080p",
        /// `4k` (3.0 and 3.0 Omni)
        FourK = "4k",
    }
}

/// `settings`: generation parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Settings {
    /// Sound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
    /// Resolution (720p when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// Aspect ratio (text-to-video, omni without a first frame or base video).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Seconds, an integer (5 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// Multi-shot (3.x; shots are written in the prompt: `shot n, m, words;`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// Motion control: which input the orientation follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character_orientation: Option<CharacterOrientation>,
}

impl Settings {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `options`: delivery of the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Options {
    /// Where the server POSTs status changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task, unique per account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    /// Also return watermarked copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
}

impl Options {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One item of `contents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Content {
    /// The prompt.
    Prompt {
        /// The text (at most 3072 characters).
        text: String,
    },
    /// The first frame.
    FirstFrame {
        /// Image URL.
        url: String,
    },
    /// The last frame (needs a first frame).
    LastFrame {
        /// Image URL.
        url: String,
    },
    /// A reference image (omni).
    ReferImage {
        /// Image URL.
        url: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A style/camera reference video, or the next/previous shot (omni).
    FeatureVideo {
        /// Video URL.
        url: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A video to edit (omni).
    BaseVideo {
        /// Video URL.
        url: String,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// An element of the library.
    Element {
        /// The element.
        element_id: u64,
        /// Its name in the prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// Motion control: the character image.
    Image {
        /// Image URL.
        url: String,
    },
    /// Motion control: the motion video.
    Video {
        /// Video URL.
        url: String,
    },
}

impl Content {
    /// `{"type":"prompt","text":...}`
    pub fn prompt(text: impl Into<String>) -> Self {
        Self::Prompt { text: text.into() }
    }
    /// `{"type":"first_frame","url":...}`
    pub fn first_frame(url: impl Into<String>) -> Self {
        Self::FirstFrame { url: url.into() }
    }
    /// `{"type":"last_frame","url":...}`
    pub fn last_frame(url: impl Into<String>) -> Self {
        Self::LastFrame { url: url.into() }
    }
    /// `{"type":"element","element_id":...,"id":...}`
    pub fn element(element_id: u64, id: impl Into<String>) -> Self {
        Self::Element {
            element_id,
            id: Some(id.into()),
        }
    }
}

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
    preflight: Preflight,
}

/// Text to video: `POST /text-to-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextToVideoKind;
/// Image to video: `POST /image-to-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImageToVideoKind;
/// Omni video: `POST /omni-video/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OmniVideoKind;
/// Motion control: `POST /motion-control/{model}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MotionControlKind;

/// Text to video, new standard.
pub type CreateTextToVideo = StandardCreate<TextToVideoKind>;
/// Image to video, new standard.
pub type CreateImageToVideo = StandardCreate<ImageToVideoKind>;
/// Omni video, new standard.
pub type CreateOmniVideo = StandardCreate<OmniVideoKind>;
/// Motion control, new standard.
pub type CreateMotionControl = StandardCreate<MotionControlKind>;

impl<K: Default> StandardCreate<K> {
    fn base(model: StandardModel) -> Self {
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

    fn count(&self, pred: impl Fn(&Content) -> bool) -> usize {
        self.contents.iter().filter(|c| pred(c)).count()
    }

    fn common_checks(&self) -> Result<(), ValidationError> {
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

impl CreateTextToVideo {
    /// Text to video with `model`.
    pub fn new(model: StandardModel, prompt: impl Into<String>) -> Self {
        let mut r = Self::base(model);
        r.prompt = Some(prompt.into());
        r
    }

    fn check(&self) -> Result<(), ValidationError> {
        required_text("prompt", self.prompt.as_deref().unwrap_or(""), 3072)?;
        self.common_checks()
    }
}

impl CreateImageToVideo {
    /// Image to video with `model`, from the first frame at `first_frame_url`.
    pub fn new(model: StandardModel, first_frame_url: impl Into<String>) -> Self {
        Self::base(model).content(Content::first_frame(first_frame_url))
    }

    fn check(&self) -> Result<(), ValidationError> {
        let first = self.count(|c| matches!(c, Content::FirstFrame { .. }));
        let last = self.count(|c| matches!(c, Content::LastFrame { .. }));
        ensure(
            first == 1,
            "contents",
            "exactly one first_frame is required (a last frame alone is not supported)",
        )?;
        ensure(last <= 1, "contents", "at most one last_frame")?;
        ensure(
            self.count(|c| matches!(c, Content::Element { .. })) <= 3,
            "contents",
            "at most 3 elements",
        )?;
        ensure(
            self.settings.aspect_ratio.is_none(),
            "settings.aspect_ratio",
            "image-to-video takes no aspect ratio",
        )?;
        if self.model == StandardModel::Kling3_0Turbo {
            ensure(
                self.contents
                    .iter()
                    .all(|c| matches!(c, Content::Prompt { .. } | Content::FirstFrame { .. })),
                "contents",
                "kling-3.0-turbo accepts only prompt and first_frame items",
            )?;
            ensure(
                self.settings
                    .resolution
                    .as_ref()
                    .is_none_or(|r| matches!(r, Resolution::P720 | Resolution::P1080)),
                "settings.resolution",
                "kling-3.0-turbo renders 720p or 1080p",
            )?;
        }
        self.common_checks()
    }
}

impl CreateOmniVideo {
    /// Omni video with `model` (`kling-3.0-omni`) and `prompt`.
    pub fn new(model: StandardModel, prompt: impl Into<String>) -> Self {
        Self::base(model).content(Content::prompt(prompt))
    }

    fn check(&self) -> Result<(), ValidationError> {
        let first = self.count(|c| matches!(c, Content::FirstFrame { .. }));
        let last = self.count(|c| matches!(c, Content::LastFrame { .. }));
        let videos =
            self.count(|c| matches!(c, Content::FeatureVideo { .. } | Content::BaseVideo { .. }));
        ensure(
            last == 0 || first == 1,
            "contents",
            "a last_frame needs a first_frame",
        )?;
        ensure(videos <= 1, "contents", "at most one video")?;
        if first == 0 && videos == 0 {
            ensure(
                self.settings.aspect_ratio.is_some(),
                "settings.aspect_ratio",
                "is required without a first frame or a reference video",
            )?;
        }
        self.common_checks()
    }
}

impl CreateMotionControl {
    /// The character at `image_url` moving like the person in `video_url`.
    pub fn new(
        model: StandardModel,
        image_url: impl Into<String>,
        video_url: impl Into<String>,
        orientation: CharacterOrientation,
    ) -> Self {
        let mut r = Self::base(model)
            .content(Content::Image {
                url: image_url.into(),
            })
            .content(Content::Video {
                url: video_url.into(),
            });
        r.settings.character_orientation = Some(orientation);
        r
    }

    fn check(&self) -> Result<(), ValidationError> {
        ensure(
            self.count(|c| matches!(c, Content::Image { .. })) == 1,
            "contents",
            "exactly one image is required",
        )?;
        ensure(
            self.count(|c| matches!(c, Content::Video { .. })) == 1,
            "contents",
            "exactly one video is required",
        )?;
        ensure(
            self.settings.character_orientation.is_some(),
            "settings.character_orientation",
            "is required",
        )?;
        if let Some(a) = &self.settings.audio {
            ensure(
                !a.is_known() || matches!(a, Audio::Original | Audio::Off),
                "settings.audio",
                "must be original or off",
            )?;
        }
        self.common_checks()
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

standard_endpoint!(CreateTextToVideo, "/text-to-video");
standard_endpoint!(CreateImageToVideo, "/image-to-video");
standard_endpoint!(CreateOmniVideo, "/omni-video");
standard_endpoint!(CreateMotionControl, "/motion-control");

/// Queries tasks by id or by external id, in a batch: `GET /tasks?task_ids=a,b`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetTasks {
    /// Whether the ids are external ids.
    pub external: bool,
    /// The ids.
    pub ids: Vec<String>,
}

impl GetTasks {
    /// The tasks with system ids `ids`.
    pub fn by_ids(ids: impl IntoIterator<Item = String>) -> Self {
        Self {
            external: false,
            ids: ids.into_iter().collect(),
        }
    }

    /// The tasks created with external ids `ids`.
    pub fn by_external_ids(ids: impl IntoIterator<Item = String>) -> Self {
        Self {
            external: true,
            ids: ids.into_iter().collect(),
        }
    }
}

impl Endpoint for GetTasks {
    type Response = Vec<Task>;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        "/tasks".to_owned()
    }
    fn auth_scheme(&self) -> AuthScheme {
        AuthScheme::ApiKey
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let key = if self.external {
            "external_task_ids"
        } else {
            "task_ids"
        };
        vec![(key, self.ids.join(","))]
    }
    fn body(&self) -> Option<&()> {
        None
    }
    fn validate(&self) -> Result<(), ValidationError> {
        let field = if self.external {
            "external_task_ids"
        } else {
            "task_ids"
        };
        ensure(!self.ids.is_empty(), field, "needs at least one id")?;
        ensure(
            self.ids
                .iter()
                .all(|id| !id.trim().is_empty() && !id.contains(',')),
            field,
            "ids must be non-empty and contain no comma",
        )
    }
}

/// As a [`TaskQuery`], `GetTasks` reads the task of its first id.
impl TaskQuery for GetTasks {
    type Task = Task;
    fn task_ref(&self) -> TaskRef {
        let id = self.ids.first().cloned().unwrap_or_default();
        if self.external {
            TaskRef::ExternalTaskId(id)
        } else {
            TaskRef::TaskId(id)
        }
    }
    fn task(&self, tasks: Vec<Task>) -> Option<Task> {
        let wanted = self.ids.first()?;
        if !self.external {
            return tasks.into_iter().find(|t| t.id == *wanted);
        }
        // The task that echoes the caller's id, else one that echoes none (taken at its word).
        let mut unechoed = None;
        for task in tasks {
            match task.external_id.as_deref() {
                Some(echoed) if echoed == wanted => return Some(task),
                None if unechoed.is_none() => unechoed = Some(task),
                _ => {}
            }
        }
        unechoed
    }
}

/// A filter of the task listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskFilter {
    /// `status` or `product_type`.
    pub key: String,
    /// The accepted values (`submitted|processing|succeeded|failed`, `video|image|try_on`).
    pub values: Vec<String>,
}

impl TaskFilter {
    /// Keeps tasks whose `key` is one of `values`.
    pub fn new(key: impl Into<String>, values: impl IntoIterator<Item = String>) -> Self {
        Self {
            key: key.into(),
            values: values.into_iter().collect(),
        }
    }
}

/// Lists tasks with a cursor: `POST /tasks`. A read, though it is a POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct ListTasks {
    /// From, Unix ms as text (end_time - 30 days when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// To, Unix ms as text (now when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The previous page's `next_cursor` (the time range is then ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Tasks per page (100 when absent, at most 500).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<TaskFilter>,
}

impl ListTasks {
    /// The most recent tasks (the server's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Tasks created between `start_ms` and `end_ms`.
    #[must_use]
    pub fn between(mut self, start_ms: i64, end_ms: i64) -> Self {
        self.start_time = Some(start_ms.to_string());
        self.end_time = Some(end_ms.to_string());
        self
    }

    /// The page after `cursor`.
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Tasks per page.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds a filter.
    #[must_use]
    pub fn filter(mut self, filter: TaskFilter) -> Self {
        self.filters.push(filter);
        self
    }
}

/// A page of tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskPage {
    /// The tasks.
    #[serde(default, deserialize_with = "de::vec")]
    pub result: Vec<Task>,
    /// How many tasks match.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub count: Option<i64>,
    /// The cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Whether there is a next page.
    #[serde(default)]
    pub has_more: bool,
}

impl Endpoint for ListTasks {
    type Response = TaskPage;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/tasks".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    fn auth_scheme(&self) -> AuthScheme {
        AuthScheme::ApiKey
    }
    fn idempotent(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<(), ValidationError> {
        int_range("limit", self.limit, 1, 500)?;
        max_items("filters", &self.filters, 2)?;
        for (i, f) in self.filters.iter().enumerate() {
            ensure(
                matches!(f.key.as_str(), "status" | "product_type"),
                &format!("filters[{i}].key"),
                format!("must be status or product_type, got {:?}", f.key),
            )?;
        }
        if let (Some(a), Some(b)) = (&self.start_time, &self.end_time) {
            let (a, b) = (a.parse::<i64>(), b.parse::<i64>());
            match (a, b) {
                (Ok(a), Ok(b)) => ensure(a <= b, "start_time", "must not be after end_time")?,
                _ => return Err(invalid("start_time", "times are Unix milliseconds")),
            }
        }
        Ok(())
    }
}

string_enum! {
    /// The state of a new-standard task (note `succeeded`, where the legacy API says
    /// `succeed`). Unknown states count as not finished.
    pub enum TaskStatus (Unknown: "A state this version does not know.") {
        /// `submitted`
        Submitted = "submitted",
        /// `processing`
        Processing = "processing",
        /// `succeeded`
        Succeeded = "succeeded",
        /// `failed`
        Failed = "failed",
    }
}

impl TaskStatus {
    /// Whether the task has finished, one way or the other.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// A new-standard task (create response, query item, callback body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Task {
    /// The system's id.
    #[serde(deserialize_with = "de::text")]
    pub id: String,
    /// Where the task is.
    pub status: TaskStatus,
    /// Why it failed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub message: Option<String>,
    /// Created, Unix ms.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub create_time: Option<i64>,
    /// Updated, Unix ms.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub update_time: Option<i64>,
    /// The caller's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub external_id: Option<String>,
    /// The results, typed by `type`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub outputs: Vec<Output>,
    /// What was charged.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub billing: Vec<Billing>,
}

impl Task {
    /// The failure reason, if the task failed with one.
    pub fn failure_message(&self) -> Option<&str> {
        self.message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
    }
}

/// One result of a new-standard task. One flat struct for every `type` (`video`, `image`,
/// `audio`, `voice`, `element`, and any type added later), each filling its own fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Output {
    /// `video`, `image`, `audio`, `voice`, `element`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Video, audio, voice, element: the id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub id: Option<String>,
    /// Video, image, voice (trial): the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Video, image: the watermarked copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_url: Option<String>,
    /// Video: seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration: Option<String>,
    /// Image: the group of a series.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub group_id: Option<String>,
    /// Audio: MP3 URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mp3_url: Option<String>,
    /// Audio: WAV URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wav_url: Option<String>,
    /// Audio: MP3 seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub mp3_duration: Option<String>,
    /// Audio: WAV seconds, as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub wav_duration: Option<String>,
    /// Voice, element: the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Element: the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Element: `video_character_elements` or `multi_image_elements`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_type: Option<String>,
    /// Element: its references (`materials` on the callback page), kept as sent.
    #[serde(
        default,
        alias = "materials",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub references: Vec<serde_json::Value>,
    /// Element: tags, kept as sent.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de::vec"
    )]
    pub tags: Vec<serde_json::Value>,
    /// Voice, element: `kling` or the creator's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub owned_by: Option<String>,
    /// Voice, element: `succeeded` or `deleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One charge of a new-standard task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Billing {
    /// `cash` or `unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_type: Option<String>,
    /// Cash: `balance` or `test_balance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_type: Option<String>,
    /// The amount, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub amount: Option<String>,
    /// Cash: `CNY` or `USD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Unit: `video`, `image` or `audio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<String>,
    /// Cash: list price, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub list_price: Option<String>,
}
