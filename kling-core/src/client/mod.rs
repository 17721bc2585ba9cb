//! The client seam: [`Kling`] (blocking) and [`AsyncKling`], the traits both client crates
//! implement and user code can be generic over (or implement for a fake in its tests).
//!
//! The primitives are `send`, `create`, `wait` and `download`; `create_and_wait`,
//! `create_and_wait_and_download` and `reconcile_callback` are written once, as provided
//! methods over kling-core's job sequence. A client crate does not even write the primitives:
//! it implements a hidden backend trait (its transport, clock, sleep, slots and file sink)
//! and gets the whole trait, download loop included, from kling-core.

mod asynchronous;
mod blocking;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use kling_errors::{DecodeError, DecodeFailure, Error, Operation};

use crate::cancel::CancelHandle;
use crate::job::ResultFile;
use crate::machine::Progress;
use crate::nudge::Nudge;
use crate::run::Observer;

pub use asynchronous::{AsyncKling, AsyncKlingBackend};
pub use blocking::{Kling, KlingBackend};

/// A progress callback.
pub type ProgressFn<'a> = Box<dyn FnMut(&Progress) + Send + 'a>;

/// Options of a wait (`wait`, `create_and_wait`, `create_and_wait_and_download`).
#[derive(Default)]
#[non_exhaustive]
pub struct WaitOptions<'a> {
    /// Called after every poll with the status and the time waited.
    pub progress: Option<ProgressFn<'a>>,
    /// How long to wait (the configured default when `None`).
    pub max_wait: Option<Duration>,
    /// Stops the wait from another thread or task. (An async wait also stops when its
    /// future is dropped.)
    pub cancel: Option<CancelHandle>,
    /// The task was created a moment ago: the first poll comes after the configured first
    /// delay (5 s; a task is never done sooner). Otherwise (a task of unknown age) the wait
    /// looks at once, so a finished task returns without a sleep and an unknown id fails
    /// fast. `create_and_wait` sets it.
    pub just_created: bool,
    /// Rung when a callback says the task ended: the wait then looks within a quarter second, and
    /// otherwise polls only every [`PollConfig::callback_fallback`](crate::PollConfig::callback_fallback).
    pub nudge: Option<Nudge>,
}

impl fmt::Debug for WaitOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("progress", &self.progress.is_some())
            .field("max_wait", &self.max_wait)
            .field("cancel", &self.cancel)
            .field("just_created", &self.just_created)
            .field("nudge", &self.nudge)
            .finish()
    }
}

impl<'a> WaitOptions<'a> {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports progress after every poll.
    #[must_use]
    pub fn progress(mut self, f: impl FnMut(&Progress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Waits at most `max_wait` (`Duration::MAX`: as long as it takes).
    #[must_use]
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }

    /// Marks the task as created a moment ago (sets
    /// [`just_created`](WaitOptions#structfield.just_created)): the first poll waits the
    /// configured first delay instead of looking at once.
    #[must_use]
    pub fn after_create(mut self) -> Self {
        self.just_created = true;
        self
    }

    /// Lets a callback receiver wake the wait through `nudge` (see [`Nudge`]).
    #[must_use]
    pub fn nudge(mut self, nudge: Nudge) -> Self {
        self.nudge = Some(nudge);
        self
    }

    /// Lets `cancel` stop the wait; a sleeping wait wakes at once.
    #[must_use]
    pub fn cancel(mut self, cancel: CancelHandle) -> Self {
        self.cancel = Some(cancel);
        self
    }
}

impl Observer for WaitOptions<'_> {
    fn on_progress(&mut self, progress: &Progress) {
        if let Some(report) = self.progress.as_mut() {
            report(progress);
        }
    }
    fn cancel(&self) -> Option<&CancelHandle> {
        self.cancel.as_ref()
    }
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Where it is: the destination given, or, for a task's files, the folder joined with the
    /// file's safe name.
    pub path: PathBuf,
    /// Its size in bytes, as written (checked against the announced length).
    pub bytes: u64,
    /// The task's result file it came from (kind, URL, watermarked or not), for the files of
    /// a job or of [`download_files`](crate::Kling::download_files); `None` for a plain
    /// download of a URL.
    pub result: Option<ResultFile>,
}

impl Downloaded {
    /// A file of `bytes` bytes at `path`.
    pub fn new(path: impl Into<PathBuf>, bytes: u64) -> Self {
        Self {
            path: path.into(),
            bytes,
            result: None,
        }
    }
}

/// A task slot of [`Config::max_in_flight_tasks`](crate::Config::max_in_flight_tasks), held
/// from a create to its task's end.
///
/// The engine gives every slot back with [`give_back`](Self::give_back) once it knows where the
/// task stands (ended, refused, or no longer followed), and waits until it is back, so a worker
/// that returns has given back all it held. A slot dropped instead (its job's future was
/// dropped, or its runtime shut down: the task may still be running on Kling) gives a
/// [`holding`](Self::holding) guard back at once, and leaves a [`leased`](Self::leased) slot to
/// expire as a dead holder's would: counted until then, never freed early under a running task.
#[must_use = "a slot is held until given back (`give_back`) or dropped"]
pub struct TaskSlot(Held);

/// What a [`TaskSlot`] holds.
enum Held {
    Unlimited,
    /// Kept for its `Drop`, which gives the slot back.
    Guard(#[expect(dead_code, reason = "held for its Drop")] Box<dyn Any + Send + Sync>),
    Lease(Box<dyn SlotLease>),
}

/// A slot shared by processes (a lease in a store): given back by a call the engine awaits,
/// left to expire when dropped without one (see [`TaskSlot`]).
pub trait SlotLease: Send + Sync + 'static {
    /// Gives the lease back now. Errors are the implementation's to log: a lease not given
    /// back expires by itself.
    fn give_back(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

impl fmt::Debug for TaskSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Held::Unlimited => "TaskSlot(unlimited)",
            Held::Guard(_) => "TaskSlot(held)",
            Held::Lease(_) => "TaskSlot(leased)",
        })
    }
}

impl TaskSlot {
    /// No limit: nothing is held.
    pub fn unlimited() -> Self {
        Self(Held::Unlimited)
    }

    /// A slot held by `guard` (a semaphore permit) until this is given back or dropped.
    pub fn holding(guard: impl Send + Sync + 'static) -> Self {
        Self(Held::Guard(Box::new(guard)))
    }

    /// A slot held by `lease` until this is given back; dropped without that, the lease is
    /// left to expire (its holder is presumed gone with its task still running).
    pub fn leased(lease: impl SlotLease) -> Self {
        Self(Held::Lease(Box::new(lease)))
    }

    /// Gives the slot back and waits until it is back.
    pub async fn give_back(self) {
        if let Held::Lease(lease) = self.0 {
            lease.give_back().await;
        }
    }

    /// Runs `work` holding this slot, then gives it back (awaited), whatever `work` returned.
    pub async fn hold_while<T>(self, work: impl Future<Output = T>) -> T {
        let out = work.await;
        self.give_back().await;
        out
    }
}

/// The answer to a task's query (or a callback's re-fetch) did not hold that task.
fn not_in_answer() -> Error {
    DecodeError::new(
        DecodeFailure::MissingData,
        Operation::Read,
        200,
        b"the answer does not hold the task that was asked for",
    )
    .into()
}
