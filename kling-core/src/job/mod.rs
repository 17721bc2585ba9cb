//! The job model: one abstraction of "a create endpoint and its whole job", the same for the
//! legacy API, the new standard and RunBlob.
//!
//! kling-types describes each create ([`CreateEndpoint`]: which query polls it, how to look
//! it up after an ambiguous failure) and each query ([`TaskQuery`]: which task of the answer
//! it asked for). This module says what a task *means* ([`TaskView`]: where it is, whether it
//! produced results, which result files), and names what the SDK can run end to end:
//! [`CreateTask`] (a create whose task can be waited for and downloaded) and [`Pollable`] (a
//! query a wait can poll). Both are implemented for every such type automatically.

mod files;
mod run;

use std::fmt::Debug;

use kling_errors::Dialect;
use kling_types::models::{Api, RETENTION};
use kling_types::runblob::{Generation, GenerationStatus};
use kling_types::{CreateEndpoint, Task, TaskQuery, TaskStatus, standard};

pub use files::{FileKind, ResultFile, is_safe_file_name};
pub(crate) use run::{JobRun, JobStep};

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskState<'a> {
    /// Not finished; the status as the server wrote it (unknown statuses are not finished).
    Pending(&'a str),
    /// Finished with results.
    Succeeded,
    /// Finished without results; the server's reason, if any.
    Failed(Option<&'a str>),
}

/// What the job model needs to know of a task, for every task type: its identity, where it
/// is, and which files it produced.
pub trait TaskView {
    /// Whose task it is (decides how a failure message is read).
    fn dialect(&self) -> Dialect;
    /// The task's (or generation's) id.
    fn task_id(&self) -> &str;
    /// The caller's id for the task, when the server echoes one.
    fn external_task_id(&self) -> Option<&str>;
    /// Where it is.
    fn state(&self) -> TaskState<'_>;
    /// Whether a succeeded task carries at least one result (a success without one is an
    /// invalid response, not a success). Voices and elements are results without files.
    fn has_results(&self) -> bool;
    /// The files it produced, in download order, with safe, unique file names. Results
    /// without a URL are skipped; watermarked copies come only when they were asked for
    /// (the server sends none otherwise).
    fn result_files(&self) -> Vec<ResultFile>;
    /// When the task's result files stop working (milliseconds since the Unix epoch): Kling
    /// purges them a fixed time after creation (the models data's
    /// [`RETENTION`]). `None` when the API documents no
    /// retention or the task carries no plausible creation time.
    fn expires_at(&self) -> Option<i64> {
        None
    }
}

/// A reply holding a task reads as the task (`client.download_files(&client.task(&q)?, dir)`).
impl<T: TaskView> TaskView for crate::Reply<T> {
    fn dialect(&self) -> Dialect {
        self.value.dialect()
    }
    fn task_id(&self) -> &str {
        self.value.task_id()
    }
    fn external_task_id(&self) -> Option<&str> {
        self.value.external_task_id()
    }
    fn state(&self) -> TaskState<'_> {
        self.value.state()
    }
    fn has_results(&self) -> bool {
        self.value.has_results()
    }
    fn result_files(&self) -> Vec<ResultFile> {
        self.value.result_files()
    }
    fn expires_at(&self) -> Option<i64> {
        self.value.expires_at()
    }
}

/// A query a wait can poll: a [`TaskQuery`] whose task the job model understands.
/// Implemented for every such query (legacy `Get…Task`, the new standard's `GetTasks`,
/// RunBlob's `GetGeneration`).
pub trait Pollable:
    TaskQuery<Response: Send + 'static, Task: TaskView + Clone + Debug + Send + Sync + 'static>
    + Clone
    + Debug
    + Send
    + Sync
    + 'static
{
}

impl<Q> Pollable for Q where
    Q: TaskQuery<Response: Send + 'static, Task: TaskView + Clone + Debug + Send + Sync + 'static>
        + Clone
        + Debug
        + Send
        + Sync
        + 'static
{
}

/// A create whose whole job the SDK can run: post it (reconciled by `external_task_id` where
/// the API has one), poll its task, download its results. Implemented for every create of
/// the legacy API, the new standard and RunBlob, and for your own [`CreateEndpoint`]s whose
/// query is [`Pollable`].
pub trait CreateTask:
    CreateEndpoint<Response: Clone + Debug + Send + Sync + 'static, Query: Pollable>
    + Send
    + Sync
    + 'static
{
}

impl<E> CreateTask for E where
    E: CreateEndpoint<Response: Clone + Debug + Send + Sync + 'static, Query: Pollable>
        + Send
        + Sync
        + 'static
{
}

/// The task a create's job ends with (what its poll query reads).
pub type TaskOf<E> = <<E as CreateEndpoint>::Query as TaskQuery>::Task;

impl TaskView for Task {
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }
    fn task_id(&self) -> &str {
        &self.task_id
    }
    fn external_task_id(&self) -> Option<&str> {
        Task::external_task_id(self)
    }
    fn state(&self) -> TaskState<'_> {
        match &self.task_status {
            TaskStatus::Succeed => TaskState::Succeeded,
            TaskStatus::Failed => TaskState::Failed(self.failure_message()),
            other => TaskState::Pending(other.as_str()),
        }
    }
    fn has_results(&self) -> bool {
        let r = &self.task_result;
        r.videos.iter().any(|v| !v.url.is_empty())
            || r.images
                .iter()
                .any(|i| !i.url.is_empty() || i.views().next().is_some())
            || !r.series_images.is_empty()
            || !r.audios.is_empty()
            || !r.voices.is_empty()
            || !r.elements.is_empty()
    }
    fn result_files(&self) -> Vec<ResultFile> {
        files::legacy(self)
    }
    fn expires_at(&self) -> Option<i64> {
        RETENTION.expires_at(Api::Legacy, self.created_at?)
    }
}

impl TaskView for standard::Task {
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }
    fn task_id(&self) -> &str {
        &self.id
    }
    fn external_task_id(&self) -> Option<&str> {
        self.external_id.as_deref()
    }
    fn state(&self) -> TaskState<'_> {
        match &self.status {
            standard::TaskStatus::Succeeded => TaskState::Succeeded,
            standard::TaskStatus::Failed => TaskState::Failed(self.failure_message()),
            other => TaskState::Pending(other.as_str()),
        }
    }
    fn has_results(&self) -> bool {
        !self.outputs.is_empty()
    }
    fn result_files(&self) -> Vec<ResultFile> {
        files::standard(self)
    }
    fn expires_at(&self) -> Option<i64> {
        RETENTION.expires_at(Api::Standard, self.create_time?)
    }
}

impl TaskView for Generation {
    fn dialect(&self) -> Dialect {
        Dialect::RunBlob
    }
    fn task_id(&self) -> &str {
        &self.generation_id
    }
    fn external_task_id(&self) -> Option<&str> {
        None
    }
    fn state(&self) -> TaskState<'_> {
        match &self.status {
            GenerationStatus::Completed => TaskState::Succeeded,
            GenerationStatus::Failed => TaskState::Failed(self.failure_message()),
            other => TaskState::Pending(other.as_str()),
        }
    }
    fn has_results(&self) -> bool {
        self.video_url.as_deref().is_some_and(|u| !u.is_empty())
            || self.image_url.as_deref().is_some_and(|u| !u.is_empty())
    }
    fn result_files(&self) -> Vec<ResultFile> {
        files::generation(self)
    }
}
