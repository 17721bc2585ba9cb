//! Callbacks in a worker: each running job's wait holds a [`Nudge`] (its create carries the
//! worker's callback URL), and a watcher rings the nudges of the tasks the job store has a
//! callback note for (written by `kling batch receive`, or any server running a
//! [`CallbackInbox`](kling_core::fleet::CallbackInbox)).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use kling_core::fleet::JobStore;
use kling_core::{CancelHandle, Nudge};

/// The nudges of a worker's running jobs.
#[derive(Clone)]
pub(crate) struct Bells {
    url: String,
    hung: Arc<Mutex<HashMap<u64, Nudge>>>,
    next: Arc<AtomicU64>,
}

impl fmt::Debug for Bells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL carries the callback token: never shown.
        f.debug_struct("Bells")
            .field("jobs", &self.lock().len())
            .finish_non_exhaustive()
    }
}

/// A job's nudge, taken down when the job's attempt ends.
pub(crate) struct Hung {
    bells: Bells,
    id: u64,
    pub(crate) nudge: Nudge,
}

impl Drop for Hung {
    fn drop(&mut self) {
        self.bells.lock().remove(&self.id);
    }
}

impl Bells {
    /// Nudges for tasks created with `url` as their callback.
    pub(crate) fn new(url: String) -> Self {
        Self {
            url,
            hung: Arc::default(),
            next: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Nudge>> {
        self.hung.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A nudge for one job's attempt.
    pub(crate) fn hang(&self) -> Hung {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let nudge = Nudge::with_callback_url(self.url.clone());
        self.lock().insert(id, nudge.clone());
        Hung {
            bells: self.clone(),
            id,
            nudge,
        }
    }

    /// Rings the nudges of the tasks `store` has a callback note for, every `every`, until
    /// `cancel`.
    pub(crate) async fn watch(
        self,
        store: Arc<dyn JobStore>,
        every: Duration,
        cancel: CancelHandle,
    ) {
        // Rung once each: a ring is answered by the wait's look, whatever the look finds.
        let mut rung: HashSet<u64> = HashSet::new();
        loop {
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = cancel.cancelled() => return,
            }
            let waiting: Vec<(u64, String, Nudge)> = {
                let hung = self.lock();
                rung.retain(|id| hung.contains_key(id));
                hung.iter()
                    .filter(|(id, _)| !rung.contains(id))
                    .filter_map(|(id, n)| Some((*id, n.task_id()?, n.clone())))
                    .collect()
            };
            if waiting.is_empty() {
                continue;
            }
            let ids: Vec<String> = waiting.iter().map(|(_, t, _)| t.clone()).collect();
            let noted: HashSet<String> = match store.called_back(&ids).await {
                Ok(noted) => noted.into_iter().collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "worker: cannot read the callback notes (the waits poll)");
                    continue;
                }
            };
            let now = SystemTime::now();
            for (id, task_id, nudge) in waiting {
                if noted.contains(&task_id) {
                    tracing::debug!(task_id, "worker: a callback came");
                    nudge.ring(now);
                    rung.insert(id);
                }
            }
        }
    }
}

/// Aborts a spawned task when dropped.
pub(crate) struct AbortOnDrop(pub(crate) tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
