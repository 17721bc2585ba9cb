//! What a mock remembers: its tasks and their ids, the pack's units and slots, the rate
//! window, selection sessions, the request log and the statistics of `/mock/stats`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kling_auth::AccessKeyPair;
use serde::Serialize;

use crate::billing::{Pack, Wallet};
use crate::callbacks::Signers;
use crate::config::MockConfig;
use crate::faults::Fault;
use crate::task::{Api, TaskRecord};

/// Tasks kept; beyond it the oldest are forgotten (a mock under a benchmark must not grow
/// without bound). Real tasks expire too (30 days).
pub(crate) const MAX_TASKS: usize = 100_000;
/// Lines of the request log kept (the most recent).
pub(crate) const MAX_LOG: usize = 100_000;
/// Distinct external ids counted in the statistics.
const MAX_COUNTED_IDS: usize = 10_000;
/// Names of files handed out by synchronous calls kept servable (the most recent).
const MAX_ISSUED: usize = 100_000;
/// Selection and face sessions kept.
pub(crate) const MAX_SESSIONS: usize = 10_000;
/// How long a session lives (Kling: 24 h).
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What `GET /mock/stats` answers (and [`MockServer::stats`](crate::MockServer::stats)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MockStats {
    /// API requests received (the file host and `/mock/` excluded).
    pub requests: u64,
    /// Tasks created (every API).
    pub tasks: u64,
    /// The account's tasks running now (submitted or processing; RunBlob's generations run on
    /// the gateway's account and are not counted).
    pub running: usize,
    /// The most of the account's tasks that ran at once.
    pub peak_running: usize,
    /// Create attempts per `external_task_id` (refused ones included: a count above 1 is a
    /// client that posted the same job again).
    pub creates_by_external_id: BTreeMap<String, u64>,
    /// Answers per HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Answers per service code: Kling's numeric codes (`0` for success), RunBlob's `detail`.
    pub codes: BTreeMap<String, u64>,
}

/// A selection session (multi-elements) or a face session (identify-face).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) created: Instant,
    /// Whether it came from identify-face (else init-selection).
    pub(crate) faces: bool,
    /// The marked points per frame.
    pub(crate) frames: BTreeMap<u32, Vec<(f64, f64)>>,
}

/// The mutable state, behind one lock (every request is short).
pub(crate) struct Inner {
    pub(crate) config: MockConfig,
    pub(crate) pairs: Vec<AccessKeyPair>,
    pub(crate) files_url: String,
    /// Tasks by sequence number (the numeric task id).
    pub(crate) tasks: BTreeMap<u64, TaskRecord>,
    /// External id to task sequence number (unique per account, as on Kling).
    pub(crate) by_external: HashMap<String, u64>,
    /// When each running task ends, and the slots it holds.
    running: BinaryHeap<Reverse<(Instant, u64)>>,
    next_id: u64,
    /// Kling's resource pack.
    pub(crate) pack: Pack,
    /// RunBlob's balance.
    pub(crate) wallet: Wallet,
    /// Files handed out by the synchronous calls (tasks' files follow from the tasks).
    issued: IssuedNames,
    pub(crate) faults: Vec<Fault>,
    pub(crate) log: VecDeque<String>,
    /// The current rate-limit window: its start and the requests in it.
    window: (Instant, u32),
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) stats: MockStats,
    /// How callbacks and webhooks are signed.
    pub(crate) signers: Signers,
}

/// The state shared by the handlers.
pub(crate) type App = Arc<Mutex<Inner>>;

/// Locks the state; a poisoned lock (a panicking handler) still serves.
pub(crate) fn lock(app: &App) -> MutexGuard<'_, Inner> {
    app.lock().unwrap_or_else(|e| e.into_inner())
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Ids a mock may take per millisecond since the Unix epoch: the first id of a mock is its
/// start time in ms times this, so a restarted mock never hands out an id (nor a file name)
/// of an earlier run, and ids stay 18-digit numbers like Kling's until the year 2286.
const IDS_PER_MS: u64 = 100_000;

/// The last first id taken in this process: mocks started in the same millisecond still get
/// ranges of their own.
static LAST_BASE: AtomicU64 = AtomicU64::new(0);

/// The id before a new mock's first one: the start time in ms times [`IDS_PER_MS`], past
/// the range of any mock started earlier in this process.
fn first_id() -> u64 {
    let now = u64::try_from(now_ms())
        .unwrap_or(0)
        .saturating_mul(IDS_PER_MS);
    let mut last = LAST_BASE.load(Ordering::Relaxed);
    loop {
        let base = now.max(last.saturating_add(IDS_PER_MS));
        match LAST_BASE.compare_exchange_weak(last, base, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return base,
            Err(seen) => last = seen,
        }
    }
}

/// File names handed out, oldest forgotten first.
#[derive(Default)]
struct IssuedNames {
    names: HashSet<String>,
    order: VecDeque<String>,
}

impl IssuedNames {
    fn add(&mut self, name: String) {
        if self.names.contains(&name) {
            return;
        }
        if self.order.len() >= MAX_ISSUED
            && let Some(old) = self.order.pop_front()
        {
            self.names.remove(&old);
        }
        self.names.insert(name.clone());
        self.order.push_back(name);
    }
}

impl Inner {
    pub(crate) fn new(config: MockConfig, files_url: String) -> Self {
        let pairs = config
            .access_keys
            .iter()
            .filter_map(|(ak, sk)| AccessKeyPair::new(ak.clone(), sk.clone()).ok())
            .collect();
        let signers = Signers {
            kling: config
                .webhook_secret
                .as_deref()
                .and_then(|s| kling_auth::WebhookVerifier::new(s).ok()),
            runblob: config.runblob_webhook_secret.clone(),
        };
        Self {
            signers,
            pack: Pack::new(config.credits),
            wallet: Wallet::new(config.credits),
            issued: IssuedNames::default(),
            config,
            pairs,
            files_url,
            tasks: BTreeMap::new(),
            by_external: HashMap::new(),
            running: BinaryHeap::new(),
            next_id: first_id(),
            faults: Vec::new(),
            log: VecDeque::new(),
            window: (Instant::now(), 0),
            sessions: HashMap::new(),
            stats: MockStats::default(),
        }
    }

    /// A fresh sequence number (task ids, session ids, sync results).
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Counts a request and logs it; returns its request id.
    pub(crate) fn record_request(&mut self, method: &str, path: &str) -> String {
        self.stats.requests += 1;
        if self.log.len() >= MAX_LOG {
            self.log.pop_front();
        }
        self.log.push_back(format!("{method} {path}"));
        format!("mock-{}", self.stats.requests)
    }

    /// Counts an answer.
    pub(crate) fn record_answer(&mut self, status: u16, code: Option<&str>) {
        *self.stats.statuses.entry(status).or_default() += 1;
        if let Some(code) = code {
            let key = if self.stats.codes.len() < 64 || self.stats.codes.contains_key(code) {
                code.to_owned()
            } else {
                "(other)".to_owned()
            };
            *self.stats.codes.entry(key).or_default() += 1;
        }
    }

    /// Counts a create attempt carrying `external`.
    pub(crate) fn count_create(&mut self, external: &str) {
        let counted = self.stats.creates_by_external_id.len() < MAX_COUNTED_IDS
            || self.stats.creates_by_external_id.contains_key(external);
        let key = if counted { external } else { "(other)" };
        *self
            .stats
            .creates_by_external_id
            .entry(key.to_owned())
            .or_default() += 1;
    }

    /// Whether this request is over the rate limit (it counts toward the window either way).
    pub(crate) fn over_rate_limit(&mut self) -> bool {
        let Some(limit) = self.config.rate_limit_per_sec else {
            return false;
        };
        if self.window.0.elapsed() >= Duration::from_secs(1) {
            self.window = (Instant::now(), 0);
        }
        self.window.1 = self.window.1.saturating_add(1);
        self.window.1 > limit
    }

    /// Forgets the tasks that have ended; returns the account's (tasks, slots) still running.
    fn prune_running(&mut self) -> (usize, u64) {
        let now = Instant::now();
        while let Some(Reverse((end, _))) = self.running.peek() {
            if *end > now {
                break;
            }
            self.running.pop();
        }
        let slots = self.running.iter().map(|Reverse((_, s))| *s).sum();
        let tasks = self.running.iter().filter(|Reverse((_, s))| *s > 0).count();
        (tasks, slots)
    }

    /// Whether `slots` more fit in the pack now.
    pub(crate) fn slots_free(&mut self, slots: u64) -> bool {
        let (_, used) = self.prune_running();
        used + slots <= self.config.max_concurrency as u64
    }

    /// The URL of file `name` on the file host, which serves it from now on (the files of
    /// synchronous calls; a task's files are served from the task).
    pub(crate) fn issue_file(&mut self, name: String) -> String {
        let url = format!("{}/files/{name}", self.files_url);
        self.issued.add(name);
        url
    }

    /// Whether a synchronous call handed out file `name`.
    pub(crate) fn issued_file(&self, name: &str) -> bool {
        self.issued.names.contains(name)
    }

    /// Stores a new task: its slots, its external id, the statistics.
    pub(crate) fn add_task(&mut self, seq: u64, task: TaskRecord) {
        if task.done_after > Duration::ZERO {
            // RunBlob's generations run on the gateway's account: counted, holding no slot.
            let slots = if matches!(task.api, Api::RunBlob(_)) {
                0
            } else {
                task.units
            };
            self.running.push(Reverse((task.done_at(), slots)));
        }
        let (running, _) = self.prune_running();
        // An instant task runs for no time, yet it ran: count it in the peak.
        let floor = usize::from(!matches!(task.api, Api::RunBlob(_)));
        self.stats.peak_running = self.stats.peak_running.max(running.max(floor));
        self.stats.tasks += 1;
        if let Some(e) = &task.external {
            self.by_external.insert(e.clone(), seq);
        }
        self.tasks.insert(seq, task);
        while self.tasks.len() > MAX_TASKS {
            if let Some((_, old)) = self.tasks.pop_first()
                && let Some(e) = old.external
            {
                self.by_external.remove(&e);
            }
        }
    }

    /// The task with id `id` (a decimal sequence number).
    pub(crate) fn task(&self, id: &str) -> Option<&TaskRecord> {
        self.tasks.get(&id.parse::<u64>().ok()?)
    }

    /// The task with id `id`, to change it.
    pub(crate) fn task_mut(&mut self, id: &str) -> Option<&mut TaskRecord> {
        self.tasks.get_mut(&id.parse::<u64>().ok()?)
    }

    /// The task created with external id `external`.
    pub(crate) fn task_by_external(&self, external: &str) -> Option<&TaskRecord> {
        self.tasks.get(self.by_external.get(external)?)
    }

    /// The statistics now.
    pub(crate) fn stats(&mut self) -> MockStats {
        let (running, _) = self.prune_running();
        let mut stats = self.stats.clone();
        stats.running = running;
        stats
    }

    /// Stores a session, making room when full (expired ones first, else the oldest).
    pub(crate) fn add_session(&mut self, id: String, session: Session) {
        if self.sessions.len() >= MAX_SESSIONS {
            self.sessions
                .retain(|_, s| s.created.elapsed() < SESSION_LIFETIME);
        }
        if self.sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .sessions
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone())
        {
            self.sessions.remove(&oldest);
        }
        self.sessions.insert(id, session);
    }

    /// A live session.
    pub(crate) fn session_mut(&mut self, id: &str) -> Option<&mut Session> {
        self.sessions
            .get_mut(id)
            .filter(|s| s.created.elapsed() < SESSION_LIFETIME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mock_starts_its_ids_past_the_last() {
        let (a, b) = (first_id(), first_id());
        assert!(b >= a + IDS_PER_MS, "{a} {b}");
        assert_eq!(a.to_string().len(), 18, "{a}");
    }
}
