//! Cancelling a wait from elsewhere: a handle both clients honour, blocking (a sleeping wait
//! wakes at once) and async (a sleeping future wakes at once), with no runtime of its own.

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

#[derive(Default)]
struct State {
    cancelled: bool,
    /// Wakers of pending [`Cancelled`] futures, by id.
    waiters: Vec<(u64, Waker)>,
    next_id: u64,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    condvar: Condvar,
}

/// Stops a wait from another thread or task; a sleeping wait wakes at once and ends with a
/// [`CancelledError`](kling_errors::CancelledError) naming the task. Clones share the state.
///
/// Kling has no cancel endpoint: cancelling the wait does not stop the generation or refund
/// its credits.
#[derive(Clone, Default)]
pub struct CancelHandle(Arc<Shared>);

impl fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CancelHandle")
            .field(&self.is_cancelled())
            .finish()
    }
}

impl CancelHandle {
    /// A handle, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Cancels every wait holding this handle (or a clone).
    pub fn cancel(&self) {
        let waiters = {
            let mut state = self.state();
            state.cancelled = true;
            std::mem::take(&mut state.waiters)
        };
        self.0.condvar.notify_all();
        for (_, waker) in waiters {
            waker.wake();
        }
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.state().cancelled
    }

    /// Blocks up to `duration`, returning early on cancel.
    pub fn sleep(&self, duration: Duration) {
        let state = self.state();
        let _ = self
            .0
            .condvar
            .wait_timeout_while(state, duration, |s| !s.cancelled);
    }

    /// A future that completes when the handle is cancelled.
    pub fn cancelled(&self) -> Cancelled<'_> {
        Cancelled {
            handle: self,
            id: None,
        }
    }
}

/// The future of [`CancelHandle::cancelled`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Cancelled<'a> {
    handle: &'a CancelHandle,
    id: Option<u64>,
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let handle = self.handle;
        let mut state = handle.state();
        if state.cancelled {
            return Poll::Ready(());
        }
        match self.id {
            Some(id) => {
                if let Some((_, waker)) = state.waiters.iter_mut().find(|(i, _)| *i == id) {
                    waker.clone_from(cx.waker());
                }
            }
            None => {
                let id = state.next_id;
                state.next_id += 1;
                state.waiters.push((id, cx.waker().clone()));
                drop(state);
                self.id = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Cancelled<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.handle.state().waiters.retain(|(i, _)| *i != id);
        }
    }
}

/// Runs `a` and `b` together until either finishes.
pub(crate) async fn first_of<A: Future, B: Future>(a: A, b: B) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if a.as_mut().poll(cx).is_ready() || b.as_mut().poll(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sleeping_thread_wakes_on_cancel() {
        let handle = CancelHandle::new();
        let sleeper = handle.clone();
        let (done, woke) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            sleeper.sleep(Duration::from_secs(3600));
            let _ = done.send(sleeper.is_cancelled());
        });
        handle.cancel();
        // A guard against hanging, not a timing assertion: the sleeper must wake, not sleep
        // its hour out.
        assert_eq!(woke.recv_timeout(Duration::from_secs(30)), Ok(true));
    }

    #[test]
    fn the_future_completes_on_cancel_and_forgets_its_waker_when_dropped() {
        let handle = CancelHandle::new();
        let mut cx = Context::from_waker(Waker::noop());
        {
            let mut pending = pin!(handle.cancelled());
            assert!(pending.as_mut().poll(&mut cx).is_pending());
            assert_eq!(handle.state().waiters.len(), 1);
        }
        assert!(
            handle.state().waiters.is_empty(),
            "dropped futures leave nothing"
        );
        let mut waiting = pin!(handle.cancelled());
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        handle.cancel();
        assert!(waiting.as_mut().poll(&mut cx).is_ready());
    }
}
