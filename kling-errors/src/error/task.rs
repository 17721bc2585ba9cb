//! A generation task that ended in failure ([`TaskFailedError`]), was waited on past the
//! deadline ([`WaitTimeoutError`]) or was never found ([`TaskNotFoundError`]).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::class::{Dialect, ErrorKind, Refund};
use crate::codes::ErrorCode;
use crate::text::bounded;

/// A generation task ended in failure. Never retried by the SDK: a new task costs credits.
#[derive(Debug, Clone)]
pub struct TaskFailedError {
    pub(crate) dialect: Dialect,
    pub(crate) task_id: String,
    pub(crate) external_task_id: Option<String>,
    pub(crate) code: Option<ErrorCode>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl TaskFailedError {
    /// A failed task. `message` is the task's failure text (`task_status_msg`, RunBlob's
    /// `message`/`error_message`, ...): when it is a code of `dialect` (or a documented
    /// sentence of one), [`code`](Self::code) recognizes it.
    pub fn new(dialect: Dialect, task_id: impl Into<String>, message: Option<&str>) -> Self {
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        let code = message.and_then(|m| crate::decode::code_in_text(dialect, m));
        Self {
            dialect,
            task_id: task_id.into(),
            external_task_id: None,
            code,
            message: message.map(bounded),
            request_id: None,
        }
    }

    /// Records the request id of the response that reported the failure.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Which API ran the task; [`code`](Self::code) was looked up among its codes.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The provider's id of the task (Kling's `task_id`, RunBlob's generation id).
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The failure code, when the message was one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.code.as_ref()
    }

    /// The failure text (at most 2 KiB).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Why the task failed, normalized: the code's kind (a timeout, a content policy, ...),
    /// else [`ErrorKind::TaskFailed`].
    pub fn reason(&self) -> ErrorKind {
        self.code
            .as_ref()
            .and_then(ErrorCode::kind)
            .unwrap_or(ErrorKind::TaskFailed)
    }

    /// Whether the provider gives the credits back (RunBlob's timeout and system failure do).
    pub fn refund(&self) -> Refund {
        self.code
            .as_ref()
            .and_then(ErrorCode::refund)
            .unwrap_or(Refund::Unknown)
    }
}

impl fmt::Display for TaskFailedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} task {} failed ({})",
            self.dialect,
            self.task_id,
            self.reason()
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl StdError for TaskFailedError {}

/// Waiting for a task reached its deadline. The task may still finish: fetch it later by its
/// id.
#[derive(Debug, Clone)]
pub struct WaitTimeoutError {
    task_id: String,
    pub(super) external_task_id: Option<String>,
    last_status: Option<String>,
    elapsed: Duration,
}

impl WaitTimeoutError {
    /// A wait that gave up after `elapsed`, last seeing `last_status`.
    pub fn new(task_id: impl Into<String>, last_status: Option<String>, elapsed: Duration) -> Self {
        Self {
            task_id: task_id.into(),
            external_task_id: None,
            last_status,
            elapsed,
        }
    }

    /// The provider's id of the task waited on: fetch it by this id later, as it may still
    /// finish.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The task status of the last poll that answered, as the wire carried it (`submitted`,
    /// `processing`); `None` when no poll had answered yet.
    pub fn last_status(&self) -> Option<&str> {
        self.last_status.as_deref()
    }

    /// Time from the start of the wait until it gave up, by the clock the wait used; normally
    /// close to the maximum wait it was given.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl fmt::Display for WaitTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gave up waiting for task {} after {:.0?}",
            self.task_id, self.elapsed
        )?;
        if let Some(status) = &self.last_status {
            write!(f, " (last status: {})", bounded(status))?;
        }
        Ok(())
    }
}

impl StdError for WaitTimeoutError {}

/// A wait never found its task: the API answered "not found" (or did not list it) at the
/// first look and through the short grace a task just created may need to show up. The id is
/// wrong, or the task belongs to another account, region or API.
#[derive(Debug)]
pub struct TaskNotFoundError {
    task_id: String,
    pub(super) external_task_id: Option<String>,
    looks: u32,
    elapsed: Duration,
    /// The server's own "not found" answer, when it gave one (a list that left the task out
    /// gives none).
    pub(super) answer: Option<crate::Error>,
}

impl TaskNotFoundError {
    /// A wait for `task_id` that looked `looks` times over `elapsed` without finding it.
    pub fn new(task_id: impl Into<String>, looks: u32, elapsed: Duration) -> Self {
        Self {
            task_id: task_id.into(),
            external_task_id: None,
            looks,
            elapsed,
            answer: None,
        }
    }

    /// The server's "not found" answer to the last look (its code and request id are the
    /// error's).
    #[must_use]
    pub fn with_answer(mut self, answer: crate::Error) -> Self {
        self.answer = Some(answer);
        self
    }

    /// The id the wait asked for.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// How many times the wait looked.
    pub fn looks(&self) -> u32 {
        self.looks
    }

    /// Time from the first look to giving up.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl fmt::Display for TaskNotFoundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no task {} found ({} look{}",
            bounded(&self.task_id),
            self.looks,
            if self.looks == 1 { "" } else { "s" },
        )?;
        if !self.elapsed.is_zero() {
            write!(f, " over {:.0?}", self.elapsed)?;
        }
        f.write_str(
            "): check the id, and that the account, region and API are the ones that created it",
        )
    }
}

impl StdError for TaskNotFoundError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.answer.as_ref().map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::codes::RunBlobCode;

    #[test]
    fn task_failures_recognize_codes_and_refunds() {
        let t = TaskFailedError::new(Dialect::RunBlob, "gen-1", Some("TIMEOUT"));
        assert_eq!(t.code(), Some(&ErrorCode::RunBlob(RunBlobCode::Timeout)));
        assert_eq!(
            (t.reason(), t.refund()),
            (ErrorKind::Timeout, Refund::Automatic)
        );
        let k = TaskFailedError::new(
            Dialect::Kling,
            "867",
            Some("Failure to pass the risk control system"),
        );
        assert_eq!((k.code(), k.reason()), (None, ErrorKind::TaskFailed));
        let e: Error = k.into();
        assert_eq!(e.kind(), ErrorKind::TaskFailed);
        assert!(!e.is_retryable());
    }
}
