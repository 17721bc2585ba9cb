//! Telling a wait its task may have ended: what a callback receiver rings.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::SystemTime;

use crate::poll::{GroupKey, PollHub};

/// The wait a nudge is attached to: its task, and its group of shared polls.
struct Target {
    task_id: String,
    group: Option<(Weak<PollHub>, GroupKey)>,
}

#[derive(Default)]
struct State {
    rung: Option<SystemTime>,
    target: Option<Target>,
}

/// Tells a wait that its task may have ended (a callback came for it): the wait looks at
/// once, at its next quarter second, instead of at its next planned poll. A wait holding a
/// nudge ([`WaitOptions::nudge`](crate::WaitOptions::nudge)) polls on a slow fallback
/// cadence ([`PollConfig::callback_fallback`](crate::PollConfig::callback_fallback)), since
/// the callback is expected to ring: a lost callback is still found, later.
///
/// A ring is a hint, never an answer: the wait reads the task from the API (an unsigned
/// callback can be forged; a forged ring costs one poll and changes nothing). Waits rung
/// together look together, in one shared poll where their tasks share a group. Clones share
/// the state.
#[derive(Clone, Default)]
pub struct Nudge(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// Where the task's callbacks are posted, when the nudge's holder creates it.
    callback_url: Option<String>,
    state: Mutex<State>,
}

impl fmt::Debug for Nudge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        // The URL may carry a callback token: never shown.
        f.debug_struct("Nudge")
            .field(
                "callback_url",
                &self.0.callback_url.as_ref().map(|_| "[redacted]"),
            )
            .field("task_id", &state.target.as_ref().map(|t| &t.task_id))
            .field("rung", &state.rung)
            .finish()
    }
}

impl Nudge {
    /// A nudge, not rung, attached to no wait yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A nudge for a task created with `callback_url` as its callback: a stored job
    /// ([`run_stored_job`](crate::fleet::run_stored_job)) posts its create with it, where the
    /// create takes one (and polls as usual where it does not).
    pub fn with_callback_url(callback_url: impl Into<String>) -> Self {
        Self(Arc::new(Inner {
            callback_url: Some(callback_url.into()),
            state: Mutex::default(),
        }))
    }

    /// The callback URL the task is created with, if any (it may carry a secret token).
    pub fn callback_url(&self) -> Option<&str> {
        self.0.callback_url.as_deref()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Rings it at `now`: the wait holding it looks at its task within a quarter second.
    pub fn ring(&self, now: SystemTime) {
        let mut state = self.state();
        state.rung = Some(now);
        if let Some(Target {
            task_id,
            group: Some((hub, key)),
        }) = &state.target
            && let Some(hub) = hub.upgrade()
        {
            // Due now, for the group's next shared poll: waits rung together are read together.
            hub.plan(*key, task_id, now, std::time::Duration::ZERO);
        }
    }

    /// The id of the task the wait holding it is waiting for, once that wait has begun: what
    /// a callback names.
    pub fn task_id(&self) -> Option<String> {
        self.state().target.as_ref().map(|t| t.task_id.clone())
    }

    /// Whether it was rung and the wait has not looked since.
    pub fn is_rung(&self) -> bool {
        self.state().rung.is_some()
    }

    /// The wait on `task_id` holds it.
    pub(crate) fn attach(&self, task_id: &str, group: Option<(Weak<PollHub>, GroupKey)>) {
        self.state().target = Some(Target {
            task_id: task_id.to_owned(),
            group,
        });
    }

    /// When it was rung, clearing it.
    pub(crate) fn take(&self) -> Option<SystemTime> {
        self.state().rung.take()
    }
}
