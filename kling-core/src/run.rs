//! The driver loops, once: step the machine, send, sleep. The blocking and async clients call
//! these with their transport; logic never lives twice.

use kling_errors::{CancelledError, Error};

use crate::machine::{Machine, Progress, Step};
use crate::time::{AsyncSleep, Clock, Sleep};
use crate::transport::{AsyncTransport, Transport};

/// Hooks a driver loop calls: progress after every poll, and a cancel check before every step.
pub trait Observer {
    /// A poll was read (waits only).
    fn on_progress(&mut self, progress: &Progress) {
        let _ = progress;
    }
    /// Whether to stop now.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Reports progress when the machine's poll count grew.
fn report<M: Machine + ?Sized>(
    machine: &M,
    now: std::time::SystemTime,
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

/// No hooks.
impl Observer for () {}

/// Runs `machine` to the end, blocking.
///
/// # Errors
///
/// The machine's failure, or [`CancelledError`] when `observer` cancels.
pub fn run_blocking<M: Machine>(
    machine: &mut M,
    transport: &dyn Transport,
    clock: &dyn Clock,
    sleep: &dyn Sleep,
    observer: &mut dyn Observer,
) -> Result<M::Output, Error> {
    let mut reported = 0;
    loop {
        if observer.cancelled() {
            return Err(CancelledError::new(None).into());
        }
        let step = machine.step(clock.now());
        report(machine, clock.now(), &mut reported, observer);
        match step {
            Step::Send(request) => {
                let result = transport.send(&request);
                machine.on_response(result, clock.now());
            }
            Step::Sleep(duration) => sleep.sleep(duration),
            Step::Done(value) => return Ok(value),
            Step::Failed(error) => return Err(error),
        }
    }
}

/// Runs `machine` to the end, asynchronously. Dropping the future stops it after the current
/// request; nothing is left running.
///
/// # Errors
///
/// The machine's failure, or [`CancelledError`] when `observer` cancels.
pub async fn run_async<M: Machine + Send>(
    machine: &mut M,
    transport: &dyn AsyncTransport,
    clock: &dyn Clock,
    sleep: &dyn AsyncSleep,
    observer: &mut (dyn Observer + Send),
) -> Result<M::Output, Error> {
    let mut reported = 0;
    loop {
        if observer.cancelled() {
            return Err(CancelledError::new(None).into());
        }
        let step = machine.step(clock.now());
        report(machine, clock.now(), &mut reported, observer);
        match step {
            Step::Send(request) => {
                let result = transport.send(&request).await;
                machine.on_response(result, clock.now());
            }
            Step::Sleep(duration) => sleep.sleep(duration).await,
            Step::Done(value) => return Ok(value),
            Step::Failed(error) => return Err(error),
        }
    }
}
