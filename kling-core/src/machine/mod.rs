//! The exchanges as state machines: a call with retries ([`Call`]), a create with
//! `external_task_id` reconciliation ([`Create`]), and a wait that polls a task ([`Wait`]).
//! Each says what to do next ([`Step`]) and is told what happened
//! ([`Machine::on_response`]); the drivers only move bytes and sleep.

mod call;
mod create;
mod wait;

use std::time::{Duration, SystemTime};

use kling_errors::{Error, TransportError};

use crate::http::{HttpRequest, HttpResponse};

pub use call::Call;
pub use create::{Create, Created};
pub use wait::{Progress, Wait};

/// What a machine wants next.
#[derive(Debug)]
#[non_exhaustive]
// Not boxed: a step is moved once per attempt, and a box would be an allocation per request.
#[allow(clippy::large_enum_variant)]
pub enum Step<T> {
    /// Send this request, then call [`Machine::on_response`] with what came back.
    Send(HttpRequest),
    /// Sleep this long, then ask again.
    Sleep(Duration),
    /// Finished.
    Done(T),
    /// Failed.
    Failed(Error),
}

/// A sans-IO exchange.
pub trait Machine {
    /// What it produces.
    type Output;

    /// What to do next, at `now`.
    fn step(&mut self, now: SystemTime) -> Step<Self::Output>;

    /// What came back for the last [`Step::Send`], received at `now`.
    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime);

    /// Where a long exchange is (waits report their polls); `None` for the others.
    fn progress(&self, now: SystemTime) -> Option<Progress> {
        let _ = now;
        None
    }

    /// The span of the exchange under way (for a create, its current call), so a driver puts
    /// the transport's own events under it.
    fn span(&self) -> tracing::Span {
        tracing::Span::none()
    }
}

/// `error`, carrying the create's `external_task_id` when the API has one.
pub(crate) fn about(error: Error, external_task_id: Option<&str>) -> Error {
    match external_task_id {
        Some(id) => error.with_external_task_id(id),
        None => error,
    }
}

/// A machine (or job) driven out of order: a driver bug, not a server answer.
pub(crate) fn misuse(message: &str) -> Error {
    kling_errors::InternalError::new(message).into()
}
