//! A create whose outcome is unknown: [`AmbiguousCreateError`].

use std::error::Error as StdError;
use std::fmt;

use super::Error;
use crate::text::bounded;

/// A create failed in a way that leaves open whether the task exists, and the lookup by
/// `external_task_id` could not settle it. Look the task up by that id before creating again.
#[derive(Debug)]
pub struct AmbiguousCreateError {
    external_task_id: Option<String>,
    endpoint: Option<String>,
    posts: u32,
    last: Error,
}

impl AmbiguousCreateError {
    /// An unsettled create after `posts` POSTs; `last` is the failure that left it open.
    pub fn new(external_task_id: impl Into<String>, posts: u32, last: Error) -> Self {
        Self {
            external_task_id: Some(external_task_id.into()),
            endpoint: None,
            posts,
            last,
        }
    }

    /// An unsettled create of an API that takes no `external_task_id` and so cannot look the
    /// task up (RunBlob): it is reported, never posted again.
    pub fn without_lookup(posts: u32, last: Error) -> Self {
        Self {
            external_task_id: None,
            endpoint: None,
            posts,
            last,
        }
    }

    /// Records which operation was posted (`POST /v1/kling/o3-video/generate`).
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(bounded(&endpoint.into()));
        self
    }

    /// The id to look the task up by; `None` where the API has none.
    pub fn external_task_id(&self) -> Option<&str> {
        self.external_task_id.as_deref()
    }

    /// Method and path of the create (`POST /v1/kling/o3-video/generate`); `None` unless
    /// [`with_endpoint`](Self::with_endpoint) recorded it.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// How many times the create was posted.
    pub fn posts(&self) -> u32 {
        self.posts
    }

    /// The failure that left the outcome open.
    pub fn last_error(&self) -> &Error {
        &self.last
    }
}

impl fmt::Display for AmbiguousCreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the create")?;
        if let Some(endpoint) = &self.endpoint {
            write!(f, " ({endpoint})")?;
        }
        write!(
            f,
            " may or may not have happened after {} attempt(s)",
            self.posts
        )?;
        match &self.external_task_id {
            Some(id) => write!(
                f,
                "; look the task up by external_task_id {id:?} before creating again"
            ),
            None => write!(
                f,
                "; this API cannot look a task up by the caller's id: check its recent \
                 generations before creating again"
            ),
        }
    }
}

impl StdError for AmbiguousCreateError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.last)
    }
}
