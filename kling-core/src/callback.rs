//! Callbacks: a hint, never acted on directly (legacy callbacks are unsigned). Deduplicate
//! them, then re-fetch the task with an authenticated GET (`reconcile_callback` on the
//! clients) and act on the server's view.

use std::collections::HashMap;
use std::sync::Mutex;

/// Remembers which `(task, status)` pairs were seen, so a redelivered or reordered callback is
/// handled once; a terminal status is sticky: nothing after it counts.
#[derive(Debug, Default)]
pub struct CallbackDedupe {
    seen: Mutex<HashMap<String, Seen>>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Seen {
    statuses: Vec<String>,
    terminal: bool,
}

impl CallbackDedupe {
    /// A deduper remembering up to 100,000 tasks.
    pub fn new() -> Self {
        Self::with_capacity(100_000)
    }

    /// A deduper remembering up to `capacity` tasks (when full, finished tasks are forgotten
    /// first).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Whether this callback is news: `false` for a `(task_id, status)` already seen, and for
    /// anything after the task's terminal status.
    pub fn is_new(&self, task_id: &str, status: &str, terminal: bool) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.contains_key(task_id) && seen.len() >= self.capacity {
            seen.retain(|_, s| !s.terminal);
            if seen.len() >= self.capacity {
                seen.clear();
            }
        }
        let entry = seen.entry(task_id.to_owned()).or_default();
        if entry.terminal || entry.statuses.iter().any(|s| s == status) {
            return false;
        }
        entry.statuses.push(status.to_owned());
        entry.terminal = terminal;
        true
    }

    /// Forgets `task_id`: its next callback is news again (one that could not be handled is
    /// then taken when its sender retries).
    pub fn forget(&self, task_id: &str) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(task_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_late_callbacks_are_dropped() {
        let d = CallbackDedupe::new();
        assert!(d.is_new("1", "submitted", false));
        assert!(!d.is_new("1", "submitted", false));
        assert!(d.is_new("1", "processing", false));
        assert!(d.is_new("1", "succeed", true));
        assert!(!d.is_new("1", "processing", false), "terminal is sticky");
        assert!(!d.is_new("1", "failed", true));
        assert!(d.is_new("2", "submitted", false));
    }

    #[test]
    fn capacity_forgets_finished_tasks_first() {
        let d = CallbackDedupe::with_capacity(2);
        assert!(d.is_new("a", "succeed", true));
        assert!(d.is_new("b", "processing", false));
        assert!(d.is_new("c", "processing", false));
        assert!(
            !d.is_new("b", "processing", false),
            "unfinished tasks are kept"
        );
    }
}
