//! Shared polls: the waits of one client (or one fleet worker) whose tasks share a
//! [`PollGroup`] ride on the same requests. A wait whose poll comes due asks the hub for its
//! [`Turn`]: an observation of its task taken recently enough by another wait's request
//! (no request of its own), a shared request already reading its task (look again in a
//! moment), or the lead of a new shared request ([`Sweep`]) for every wait of the group due
//! by now. A task a shared request did not show is polled alone, so correctness never
//! depends on a list's order or completeness.
//!
//! Sans-IO like the rest: the hub is a map under a mutex, its times are the callers' `now`.

mod sweep;

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use kling_types::PollGroup;

pub(crate) use sweep::Sweep;

/// How long a wait follows another's shared request before it gives up on it and polls
/// alone (a leader whose future is held but never polled must not hold the others).
const FOLLOW_AT_MOST: Duration = Duration::from_secs(30);
/// How soon a following wait looks again.
const FOLLOW_STEP: Duration = Duration::from_millis(50);

/// Which shared requests a group's tasks are read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GroupKey {
    Standard,
    Legacy(&'static str),
}

impl GroupKey {
    pub(crate) fn of(group: &PollGroup) -> Option<Self> {
        match group {
            PollGroup::Standard { .. } => Some(Self::Standard),
            PollGroup::Legacy { family, .. } => Some(Self::Legacy(family.path)),
            _ => None,
        }
    }
}

/// What a shared request saw of one task.
pub(crate) struct Observation {
    /// When the request that saw it was answered.
    pub(crate) at: SystemTime,
    /// The task, shaped as its one-task query's response; `None`: asked for and not shown.
    pub(crate) value: Option<Box<dyn Any + Send>>,
    /// The server's id of the request that saw it.
    pub(crate) request_id: Option<String>,
}

/// A wait of the group: when its next poll is due and how old an observation it takes.
struct Waiting {
    due: SystemTime,
    tolerance: Duration,
    /// Waits on the same task (rare): the entry leaves with the last.
    count: u32,
}

/// A shared request in flight: who leads it and since when.
struct InFlight {
    token: u64,
    started: SystemTime,
}

#[derive(Default)]
struct Group {
    waiting: HashMap<String, Waiting>,
    seen: HashMap<String, Observation>,
    sweep: Option<InFlight>,
}

/// What a wait whose poll is due does now.
pub(crate) enum Turn {
    /// Another wait's request saw the task recently enough: use it.
    Take(Observation),
    /// Poll alone (the group has no one else due, or a shared request did not show the task).
    Alone,
    /// A shared request is reading the task: look again after this long.
    Follow(Duration),
    /// Send a shared request for the group's due waits.
    Lead(Box<Sweep>),
}

/// The shared polls of one engine: every group's waits and what was seen of their tasks.
#[derive(Default)]
pub(crate) struct PollHub {
    groups: Mutex<HashMap<GroupKey, Group>>,
    tokens: std::sync::atomic::AtomicU64,
}

impl PollHub {
    fn lock(&self) -> MutexGuard<'_, HashMap<GroupKey, Group>> {
        // The map holds no invariant a panic could break halfway: use it as it is.
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A wait on `task_id` joins `key`'s group.
    pub(crate) fn join(&self, key: GroupKey, task_id: &str, due: SystemTime, tolerance: Duration) {
        let mut groups = self.lock();
        let group = groups.entry(key).or_default();
        group
            .waiting
            .entry(task_id.to_owned())
            .and_modify(|w| w.count = w.count.saturating_add(1))
            .or_insert(Waiting {
                due,
                tolerance,
                count: 1,
            });
    }

    /// The wait's next poll is due at `due` and takes an observation `tolerance` older.
    pub(crate) fn plan(&self, key: GroupKey, task_id: &str, due: SystemTime, tolerance: Duration) {
        if let Some(w) = self
            .lock()
            .get_mut(&key)
            .and_then(|g| g.waiting.get_mut(task_id))
        {
            w.due = due;
            w.tolerance = tolerance;
        }
    }

    /// Whether a wait on `task_id` is in `key`'s group.
    pub(crate) fn is_waiting(&self, key: GroupKey, task_id: &str) -> bool {
        self.lock()
            .get(&key)
            .is_some_and(|g| g.waiting.contains_key(task_id))
    }

    /// A wait on `task_id` ended (or was dropped).
    pub(crate) fn leave(&self, key: GroupKey, task_id: &str) {
        let mut groups = self.lock();
        let Some(group) = groups.get_mut(&key) else {
            return;
        };
        if let Some(w) = group.waiting.get_mut(task_id) {
            w.count = w.count.saturating_sub(1);
            if w.count == 0 {
                group.waiting.remove(task_id);
                group.seen.remove(task_id);
            }
        }
        if group.waiting.is_empty() && group.sweep.is_none() {
            groups.remove(&key);
        }
    }

    /// What the wait on `task_id`, due at `due`, does at `now`.
    pub(crate) fn turn(
        self: &Arc<Self>,
        engine: &crate::Engine,
        group: &PollGroup,
        due: SystemTime,
        tolerance: Duration,
        now: SystemTime,
    ) -> Turn {
        let Some(key) = GroupKey::of(group) else {
            return Turn::Alone;
        };
        let task_id = group.task_id();
        let mut groups = self.lock();
        let g = groups.entry(key).or_default();
        let oldest = due.checked_sub(tolerance).unwrap_or(SystemTime::UNIX_EPOCH);
        if let Some(seen) = g.seen.remove(task_id)
            && seen.at >= oldest
        {
            return match seen.value {
                Some(_) => Turn::Take(seen),
                None => Turn::Alone,
            };
        }
        if let Some(sweep) = &g.sweep {
            // One shared request at a time per group: a wait due meanwhile looks again when
            // it is answered (a listing may show its task; if not, it leads the next one).
            // A request under way too long is left to its leader: this wait goes alone.
            let under_way = now.duration_since(sweep.started).unwrap_or_default();
            return if under_way < FOLLOW_AT_MOST {
                Turn::Follow(FOLLOW_STEP)
            } else {
                Turn::Alone
            };
        }
        // Every wait of the group that would take an observation made now.
        let mut ids: Vec<String> = g
            .waiting
            .iter()
            .filter(|(_, w)| w.due.checked_sub(w.tolerance).is_none_or(|t| t <= now))
            .map(|(id, _)| id.clone())
            .collect();
        if !ids.iter().any(|id| id == task_id) {
            ids.push(task_id.to_owned());
        }
        if ids.len() < 2 {
            return Turn::Alone;
        }
        ids.sort_unstable();
        let token = self
            .tokens
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        g.sweep = Some(InFlight {
            token,
            started: now,
        });
        let registered = g.waiting.len();
        drop(groups);
        Turn::Lead(Box::new(Sweep::new(
            engine, self, key, group, token, ids, registered,
        )))
    }

    /// Keeps what a shared request answered at `now` of the group's waiting tasks; returns the
    /// ids it kept.
    pub(crate) fn record(
        &self,
        key: GroupKey,
        seen: impl IntoIterator<Item = (String, Box<dyn Any + Send>)>,
        request_id: Option<&str>,
        now: SystemTime,
    ) -> Vec<String> {
        let mut groups = self.lock();
        let Some(g) = groups.get_mut(&key) else {
            return Vec::new();
        };
        let mut kept = Vec::new();
        for (id, value) in seen {
            if g.waiting.contains_key(&id) {
                g.seen.insert(
                    id.clone(),
                    Observation {
                        at: now,
                        value: Some(value),
                        request_id: request_id.map(str::to_owned),
                    },
                );
                kept.push(id);
            }
        }
        kept
    }

    /// The shared request `token` is over: `missing` (asked for, never shown) are marked so
    /// their waits poll alone.
    pub(crate) fn finish(&self, key: GroupKey, token: u64, missing: &[String], now: SystemTime) {
        let mut groups = self.lock();
        let Some(g) = groups.get_mut(&key) else {
            return;
        };
        if g.sweep.as_ref().is_some_and(|s| s.token == token) {
            g.sweep = None;
        }
        for id in missing {
            if g.waiting.contains_key(id) {
                g.seen.insert(
                    id.clone(),
                    Observation {
                        at: now,
                        value: None,
                        request_id: None,
                    },
                );
            }
        }
        if g.waiting.is_empty() && g.sweep.is_none() {
            groups.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn the_hub_forgets_a_group_whose_waits_all_left() {
        let hub = PollHub::default();
        let key = GroupKey::Standard;
        let at = UNIX_EPOCH + Duration::from_secs(100);
        hub.join(key, "1", at, Duration::from_secs(1));
        hub.join(key, "2", at, Duration::from_secs(1));
        hub.join(key, "2", at, Duration::from_secs(1));
        let seen = vec![("1".to_owned(), Box::new(1u8) as Box<dyn Any + Send>)];
        assert_eq!(hub.record(key, seen, None, at), ["1"]);
        // Not waited for: not kept.
        let stranger = vec![("9".to_owned(), Box::new(9u8) as Box<dyn Any + Send>)];
        assert!(hub.record(key, stranger, None, at).is_empty());
        hub.leave(key, "1");
        hub.leave(key, "2");
        assert!(hub.is_waiting(key, "2"), "two waits on task 2: one left");
        hub.leave(key, "2");
        assert!(hub.lock().is_empty(), "nothing kept once every wait left");
    }
}
