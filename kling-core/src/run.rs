//! The driver loops, once: step the machine, send, sleep. The blocking and async clients call
//! these with their transport; logic never lives twice.

use std::time::{Duration, SystemTime};

use kling_errors::{CancelledError, Error};
use tracing::Instrument;

use crate::cancel::CancelHandle;
use crate::http::HttpRequest;
use crate::machine::{Machine, Progress, Step};
use crate::pace::{AsyncRequestPacer, RequestClass, RequestPacer, is_throttle};
use crate::time::{AsyncSleep, Clock, Sleep};
use crate::transport::{AsyncTransport, Transport};

/// Hooks a driver loop calls: progress after every poll, and a cancel handle checked before
/// every step and woken out of every sleep.
pub trait Observer {
    /// A poll was read (waits only).
    fn on_progress(&mut self, progress: &Progress) {
        let _ = progress;
    }
    /// The handle that stops the loop, if any.
    fn cancel(&self) -> Option<&CancelHandle> {
        None
    }
}

/// No hooks.
impl Observer for () {}

/// Reports progress when the machine's poll count grew.
fn report<M: Machine + ?Sized>(
    machine: &M,
    now: SystemTime,
    reported: &mut u32,
    observer: &mut (impl Observer + ?Sized),
) {
    if let Some(progress) = machine.progress(now)
        && progress.polls > *reported
    {
        *reported = progress.polls;
        observer.on_progress(&progress);
    }
}

/// The error of a cancelled loop, naming the task when the machine knows it.
fn cancelled<M: Machine + ?Sized>(
    machine: &M,
    now: SystemTime,
    observer: &(impl Observer + ?Sized),
) -> Option<Error> {
    let cancel = observer.cancel()?;
    cancel.is_cancelled().then(|| {
        let task_id = machine.progress(now).map(|p| p.task_id);
        tracing::info!(task_id = task_id.as_deref(), "cancelled");
        CancelledError::new(task_id).into()
    })
}

/// Runs `machine` to the end, blocking; each request first waits its turn in `pacer`'s budget
/// (a 1302 answer slows the budget down).
///
/// # Errors
///
/// The machine's failure, the pacer's, or [`CancelledError`] when the observer's handle is
/// cancelled.
pub fn run_blocking<M: Machine>(
    machine: &mut M,
    transport: &dyn Transport,
    clock: &dyn Clock,
    sleep: &dyn Sleep,
    pacer: Option<&dyn RequestPacer>,
    observer: &mut dyn Observer,
) -> Result<M::Output, Error> {
    let mut reported = 0;
    loop {
        // One reading of the clock per turn: the machine, the cancel check and the progress
        // report see the same instant.
        let now = clock.now();
        if let Some(error) = cancelled(machine, now, observer) {
            return Err(error);
        }
        let step = machine.step(now);
        report(machine, now, &mut reported, observer);
        match step {
            Step::Send(request) => {
                let class = RequestClass::of_url(&request.url);
                if let Some(pacer) = pacer {
                    let wait = pacer.reserve(class, now)?;
                    if !wait.is_zero() {
                        match observer.cancel() {
                            Some(cancel) => sleep.sleep_or_cancel(wait, cancel),
                            None => sleep.sleep(wait),
                        }
                        if let Some(error) = cancelled(machine, clock.now(), observer) {
                            return Err(error);
                        }
                    }
                }
                let result = machine.span().in_scope(|| transport.send(&request));
                if let (Some(pacer), Ok(answer)) = (pacer, &result)
                    && is_throttle(answer.status, &answer.body)
                {
                    pacer.throttled(class, clock.now());
                }
                machine.on_response(result, clock.now());
            }
            Step::Sleep(duration) => match observer.cancel() {
                Some(cancel) => sleep.sleep_or_cancel(duration, cancel),
                None => sleep.sleep(duration),
            },
            Step::Done(value) => return Ok(value),
            Step::Failed(error) => return Err(error),
        }
    }
}

/// Runs `machine` to the end, asynchronously; each request first waits its turn in `pacer`'s
/// budget. Dropping the future stops it after the current request; nothing is left running.
///
/// # Errors
///
/// The machine's failure, the pacer's, or [`CancelledError`] when the observer's handle is
/// cancelled.
pub async fn run_async<M: Machine + Send>(
    machine: &mut M,
    transport: &dyn AsyncTransport,
    clock: &dyn Clock,
    sleep: &dyn AsyncSleep,
    pacer: Option<&dyn AsyncRequestPacer>,
    observer: &mut (dyn Observer + Send),
) -> Result<M::Output, Error> {
    let mut reported = 0;
    loop {
        // One reading of the clock per turn: the machine, the cancel check and the progress
        // report see the same instant.
        let now = clock.now();
        if let Some(error) = cancelled(machine, now, observer) {
            return Err(error);
        }
        // The step is taken apart in a block of its own, before anything is awaited, so the
        // future keeps only the request across an await, not the whole step (whose `Done`
        // holds the output): a smaller future, moved at less cost.
        let next = {
            let step = machine.step(now);
            report(machine, now, &mut reported, observer);
            match step {
                Step::Send(request) => AsyncNext::Send(request),
                Step::Sleep(duration) => AsyncNext::Sleep(duration),
                Step::Done(value) => return Ok(value),
                Step::Failed(error) => return Err(error),
            }
        };
        // By reference: moved out, the request would be held twice across the await.
        match &next {
            AsyncNext::Send(request) => {
                let class = RequestClass::of_url(&request.url);
                if let Some(pacer) = pacer {
                    let wait = pacer.reserve(class, now).await?;
                    if !wait.is_zero() {
                        match observer.cancel() {
                            Some(cancel) => sleep.sleep_or_cancel(wait, cancel).await,
                            None => sleep.sleep(wait).await,
                        }
                        if let Some(error) = cancelled(machine, clock.now(), observer) {
                            return Err(error);
                        }
                    }
                }
                let result = transport.send(request).instrument(machine.span()).await;
                if let (Some(pacer), Ok(answer)) = (pacer, &result)
                    && is_throttle(answer.status, &answer.body)
                {
                    pacer.throttled(class, clock.now()).await;
                }
                machine.on_response(result, clock.now());
            }
            AsyncNext::Sleep(duration) => match observer.cancel() {
                Some(cancel) => sleep.sleep_or_cancel(*duration, cancel).await,
                None => sleep.sleep(*duration).await,
            },
        }
    }
}

/// What [`run_async`] awaits next.
// Not boxed, as `Step` is not: a box would be an allocation per request.
#[allow(clippy::large_enum_variant)]
enum AsyncNext {
    Send(HttpRequest),
    Sleep(Duration),
}
