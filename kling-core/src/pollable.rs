//! What the poller needs to know of a task, for every task type of kling-types.

use kling_errors::Dialect;
use kling_types::runblob::{Generation, GenerationStatus};
use kling_types::{Task, TaskStatus, standard};

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

/// A task the poller can wait for.
pub trait Pollable {
    /// Whose task it is (decides how a failure message is read).
    fn dialect(&self) -> Dialect;
    /// The task's id.
    fn task_id(&self) -> &str;
    /// Where it is.
    fn state(&self) -> TaskState<'_>;
    /// Whether a succeeded task carries at least one result (a success without one is an
    /// invalid response, not a success).
    fn has_results(&self) -> bool;
}

impl Pollable for Task {
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }
    fn task_id(&self) -> &str {
        &self.task_id
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
            || r.images.iter().any(|i| !i.url.is_empty())
            || !r.series_images.is_empty()
            || !r.audios.is_empty()
            || !r.voices.is_empty()
            || !r.elements.is_empty()
    }
}

impl Pollable for standard::Task {
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }
    fn task_id(&self) -> &str {
        &self.id
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
}

/// `GET /tasks` answers with a list: the first task is the one asked for.
impl Pollable for Vec<standard::Task> {
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }
    fn task_id(&self) -> &str {
        self.first().map_or("", |t| t.id.as_str())
    }
    fn state(&self) -> TaskState<'_> {
        self.first()
            .map_or(TaskState::Pending("not visible yet"), Pollable::state)
    }
    fn has_results(&self) -> bool {
        self.first().is_some_and(Pollable::has_results)
    }
}

impl Pollable for Generation {
    fn dialect(&self) -> Dialect {
        Dialect::RunBlob
    }
    fn task_id(&self) -> &str {
        &self.generation_id
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
}
