//! Identifying a task in a query.

/// Which task a query is about. Kling accepts either id in the same path position (the docs:
/// "choose one of task_id / external_task_id"); the exact form for external ids is
/// UNCONFIRMED in the spec, and this is the one the official page describes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskRef {
    /// The system's `task_id`.
    TaskId(String),
    /// The caller's `external_task_id`.
    ExternalTaskId(String),
}

impl TaskRef {
    /// The id itself, as it goes into the query's path.
    pub fn as_str(&self) -> &str {
        match self {
            Self::TaskId(id) | Self::ExternalTaskId(id) => id,
        }
    }

    pub(crate) fn field(&self) -> &'static str {
        match self {
            Self::TaskId(_) => "task_id",
            Self::ExternalTaskId(_) => "external_task_id",
        }
    }
}
