//! The driver loops, once: step the machine, send, sleep. The blocking and async clients call
//! these with their transport; logic never lives twice.

use kling_errors::{CancelledError, Error};

use crate::machine::{Machine, Step};
use crate::time::{AsyncSleep, Clock, Sleep};
use crate::transport::{AsyncTransport, Transport};

/// Hooks a driver loop calls: after every response, and before every step (to cancel).
pub trait Observer {
    /// Called after each response was fed to the machine.
    fn after_response(&mut self) {}
    /// Whether to stop now.
    fn cancelled(&self) -> bool {
        false
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
    loop {
        if observer.cancelled() {
            return Err(CancelledError::new(None).into());
        }
        match machine.step(clock.now()) {
            Step::Send(request) => {
                let result = transport.send(&request);
                machine.on_response(result, clock.now());
                observer.after_response();
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
    loop {
        if observer.cancelled() {
            return Err(CancelledError::new(None).into());
        }
        match machine.step(clock.now()) {
            Step::Send(request) => {
                let result = transport.send(&request).await;
                machine.on_response(result, clock.now());
                observer.after_response();
            }
            Step::Sleep(duration) => sleep.sleep(duration).await,
            Step::Done(value) => return Ok(value),
            Step::Failed(error) => return Err(error),
        }
    }
}
