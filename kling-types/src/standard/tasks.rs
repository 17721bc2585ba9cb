//! New-standard tasks: the batch query (`GET /tasks`), the cursor listing (`POST /tasks`),
//! and the task, status, output and billing types they return.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::de;
use crate::endpoint::{AuthScheme, Endpoint, Method, Split, TaskQuery};
use crate::query::TaskRef;
use crate::validate::{ensure, int_range, invalid, max_items};

/// Queries tasks by id or by external id, in a batch: `GET /tasks?task_ids=a,b`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetTasks {
    /// `true` sends the ids as `external_task_ids`, `false` as `task_ids` (never both).
    pub external: bool,
    /// The ids, comma-joined into the query; more than [`MAX_IDS`](Self::MAX_IDS) go as several
    /// calls.
    pub ids: Vec<String>,
}

impl GetTasks {
    /// The most ids one `GET /tasks` takes: 21 were refused with 1201 (`kling-api.md` 10.8,
    /// seen by a peer; the vendor's pages state no limit). More are sent as several calls.
    pub const MAX_IDS: usize = 20;

    /// The tasks with system ids `ids`: `GET /tasks?task_ids=a,b`.
    pub fn by_ids(ids: impl IntoIterator<Item = String>) -> Self {
        Self {
            external: false,
            ids: ids.into_iter().collect(),
        }
    }

    /// The tasks created with external ids `ids`: `GET /tasks?external_task_ids=x,y`.
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
    fn split(&self) -> Option<Split<Self>> {
        (self.ids.len() > Self::MAX_IDS).then(|| {
            let parts = self
                .ids
                .chunks(Self::MAX_IDS)
                .map(|ids| Self {
                    external: self.external,
                    ids: ids.to_vec(),
                })
                .collect();
            Split::new(parts, |answers| answers.into_iter().flatten().collect())
        })
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
    /// A query of one task by its system id shares the batch polls; several ids or external
    /// ids are polled as asked.
    fn poll_group(&self) -> Option<crate::endpoint::PollGroup> {
        match self.ids.as_slice() {
            [id] if !self.external => Some(crate::endpoint::PollGroup::Standard {
                task_id: id.clone(),
            }),
            _ => None,
        }
    }
}

/// A filter of the task listing (`{key, values}`); values of one key are alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TaskFilter {
    /// `status` or `product_type`; a listing takes at most 2 filters.
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ListTasks {
    /// Start of the range, Unix milliseconds sent as a string (`end_time` - 30 days when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// End of the range, Unix milliseconds sent as a string (now when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The previous page's `next_cursor` (the time range is then ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Tasks per page (100 when absent, at most 500).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Filters on `status` and `product_type`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<TaskFilter>,
}

impl ListTasks {
    /// The most recent tasks (the server's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Tasks created between `start_ms` and `end_ms` (Unix milliseconds).
    #[must_use]
    pub fn between(mut self, start_ms: i64, end_ms: i64) -> Self {
        self.start_time = Some(start_ms.to_string());
        self.end_time = Some(end_ms.to_string());
        self
    }

    /// The page after `cursor`, the previous page's `next_cursor` (the time range is then ignored).
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Tasks per page, 1-500 (100 when unset).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds a filter on `status` or `product_type`.
    #[must_use]
    pub fn filter(mut self, filter: TaskFilter) -> Self {
        self.filters.push(filter);
        self
    }
}

/// A page of tasks from `POST /tasks`: follow `next_cursor` while `has_more`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct TaskPage {
    /// The tasks of this page.
    #[serde(default, deserialize_with = "de::vec")]
    pub result: Vec<Task>,
    /// `count` as sent (the spec does not say whether it counts this page or every match).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub count: Option<i64>,
    /// Pass to [`ListTasks::cursor`] for the next page.
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
        /// `submitted`: queued.
        Submitted = "submitted",
        /// `processing`: running.
        Processing = "processing",
        /// `succeeded`: done; results are in `outputs`.
        Succeeded = "succeeded",
        /// `failed`: done; the reason is in `message`.
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Task {
    /// The system's id for the task (a long numeric string; never parse it as a float).
    #[serde(deserialize_with = "de::text")]
    pub id: String,
    /// `submitted`, `processing`, `succeeded` or `failed` (the new-standard spelling).
    pub status: TaskStatus,
    /// Why it failed (query responses); empty otherwise.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub message: Option<String>,
    /// Creation time, Unix milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub create_time: Option<i64>,
    /// Last update, Unix milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub update_time: Option<i64>,
    /// The `external_task_id` sent in `options`, echoed back as `external_id`.
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
    /// What was charged: cash or units, one entry per charge.
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Output {
    /// `video`, `image`, `audio`, `voice`, `element`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Video, audio, voice, element: the output's id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub id: Option<String>,
    /// Video, image, voice (trial): the URL (generated files are deleted after 30 days).
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
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
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
