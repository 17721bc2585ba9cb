//! Waiting for a task: polls its query on the schedule of `reliability.md` 2.2.

use std::time::{Duration, SystemTime};

use kling_errors::{
    DecodeError, DecodeFailure, Error, ErrorKind, Operation, TaskFailedError, TaskNotFoundError,
    TransportError, WaitTimeoutError,
};
use kling_types::{Endpoint, PollGroup};

use super::{Call, Machine, Step};
use crate::client::WaitOptions;
use crate::engine::{Engine, Prepared, Reply};
use crate::http::HttpResponse;
use crate::job::{Pollable, TaskState, TaskView};
use crate::nudge::Nudge;
use crate::poll::{GroupKey, Sweep, Turn};
use crate::time::saturating_secs;

/// Where a wait is, for progress reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The task's id (before the first answer: the id the query asks for).
    pub task_id: String,
    /// The last status seen.
    pub status: String,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// Polls made.
    pub polls: u32,
}

enum WaitPhase<Q: Pollable> {
    Start,
    Sleep(Duration),
    /// The poll is due: shared (another wait's request saw the task, or this one leads a
    /// shared request) or alone.
    Due,
    Poll(Box<Call<<Q as Endpoint>::Response>>),
    /// Leading a shared poll of the task's group.
    Lead(Box<Sweep>),
    /// Another wait's shared request is reading the task: look again after this long.
    Follow(Duration),
    /// Asleep until the time, waking each quarter second to see whether a callback rang.
    Nap(SystemTime),
    Done(Q::Task),
    Failed(Error),
    Finished,
}

/// Polls a task until it finishes (`reliability.md` 2.2): a task of unknown age is looked at
/// at once (a finished one returns without a sleep), a task just created after 5 s; then
/// each gap at most 10 % of the time waited (at least 1 s, at most 30 s), shortened by up to
/// 10 % jitter, so a task's end is noticed within max(1 s, 10 % of its run time). Waits of
/// one engine whose tasks share a [`PollGroup`](kling_types::PollGroup) share their polls
/// ([`PollConfig::shared`](crate::PollConfig::shared)). Unknown statuses keep it polling; a task the API does
/// not find (or list) through the short grace after the first look ends it with
/// [`TaskNotFoundError`]; `failed` becomes [`TaskFailedError`] with the server's message and
/// the failing poll's request id; the deadline becomes [`WaitTimeoutError`] (the task lives
/// on); 10 consecutive failed polls or a fatal error end it.
pub struct Wait<Q: Pollable> {
    engine: Engine,
    query: Q,
    prepared: Prepared,
    task_id: String,
    started: Option<SystemTime>,
    delay: Duration,
    polls: u32,
    failures: u32,
    seen: bool,
    last_status: Option<String>,
    max_wait: Duration,
    first_delay: Duration,
    /// Whether the first poll comes at once (a task of unknown age).
    look_at_once: bool,
    /// When the first answer came: the grace for a task not found counts from it.
    first_look: Option<SystemTime>,
    unseen_grace: Duration,
    phase: WaitPhase<Q>,
    span: tracing::Span,
    /// The task's group of shared polls, while it has one.
    group: Option<(PollGroup, GroupKey)>,
    /// Whether the wait is in its group's list (joined at its first planned poll).
    joined: bool,
    /// When the next poll is due, and how old an observation of another wait's it takes.
    due: SystemTime,
    tolerance: Duration,
    /// When the observation just read was made (a shared one may be older than `now`): the
    /// next poll is planned from it, so the gap between two looks never exceeds the plan.
    observed_at: Option<SystemTime>,
    /// Gaps planned so far: the first is the configured first delay, the rest follow the age.
    gaps: u32,
    /// The last turn led a shared poll: the next takes its answer or polls alone.
    led: bool,
    /// What a callback receiver rings.
    nudge: Option<Nudge>,
}

impl<Q: Pollable> Wait<Q> {
    /// A wait polling `query`.
    ///
    /// # Errors
    ///
    /// The query's validation error, or credentials it does not accept.
    pub fn new(engine: &Engine, query: Q) -> Result<Self, Error> {
        let poll = &engine.config().poll;
        let task_id = query.task_ref().as_str().to_owned();
        let span = tracing::info_span!(
            "kling.wait",
            task_id = task_id.as_str(),
            external_task_id = tracing::field::Empty
        );
        let group = query
            .poll_group()
            .filter(|_| poll.shared)
            .and_then(|g| GroupKey::of(&g).map(|k| (g, k)));
        Ok(Self {
            prepared: engine.prepare(&query)?,
            group,
            joined: false,
            due: SystemTime::UNIX_EPOCH,
            tolerance: Duration::ZERO,
            observed_at: None,
            gaps: 0,
            led: false,
            nudge: None,
            engine: engine.clone(),
            query,
            task_id,
            started: None,
            delay: poll.first_delay,
            polls: 0,
            failures: 0,
            seen: false,
            last_status: None,
            max_wait: poll.max_wait,
            first_delay: poll.first_delay,
            look_at_once: true,
            first_look: None,
            unseen_grace: poll.unseen_grace,
            phase: WaitPhase::Start,
            span,
        })
    }

    /// A wait polling `query` with the deadline of `options`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_options(
        engine: &Engine,
        query: Q,
        options: &WaitOptions<'_>,
    ) -> Result<Self, Error> {
        let mut wait = Self::new(engine, query)?;
        wait.look_at_once = !options.just_created;
        if let Some(nudge) = &options.nudge {
            wait.nudge = Some(nudge.clone());
            wait.attach_nudge();
        }
        Ok(match options.max_wait {
            Some(max) => wait.max_wait(max),
            None => wait,
        })
    }

    /// The id of the task waited for.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// Waits at most `max_wait` (instead of the configured 30 min).
    #[must_use]
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Polls first after `delay` (a task just created; zero polls at once), instead of
    /// looking at once.
    #[must_use]
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self.delay = delay;
        self.look_at_once = delay.is_zero();
        self
    }

    /// Where the wait is.
    pub fn progress(&self, now: SystemTime) -> Progress {
        Progress {
            task_id: self.task_id.clone(),
            status: self
                .last_status
                .clone()
                .unwrap_or_else(|| "submitted".to_owned()),
            elapsed: self.elapsed(now),
            polls: self.polls,
        }
    }

    fn elapsed(&self, now: SystemTime) -> Duration {
        self.started
            .and_then(|s| now.duration_since(s).ok())
            .unwrap_or_default()
    }

    fn deadline(&self) -> SystemTime {
        let start = self.started.unwrap_or(SystemTime::UNIX_EPOCH);
        // `Duration::MAX` means "forever": saturate instead of overflowing.
        start
            .checked_add(self.max_wait)
            .unwrap_or(start + Duration::from_secs(86_400 * 365 * 100))
    }

    fn timeout(&self, now: SystemTime) -> Error {
        WaitTimeoutError::new(
            self.task_id.clone(),
            self.last_status.clone(),
            self.elapsed(now),
        )
        .into()
    }

    /// The next sleep, or the deadline. Every sleep is at least `min_delay` and at most the
    /// cap (if the cap is not below the floor), whatever the settings.
    fn schedule(&mut self, now: SystemTime) -> WaitPhase<Q> {
        self.schedule_fit(now, true)
    }

    /// As [`schedule`](Self::schedule); `fit_age: false` lets the gaps grow by the factor
    /// alone (the looks for a task not found yet: no end to notice).
    fn schedule_fit(&mut self, now: SystemTime, fit_age: bool) -> WaitPhase<Q> {
        let poll = &self.engine.config().poll;
        let floor = poll.min_delay;
        let cap = poll.cap.max(floor);
        let mut base = self.delay.clamp(floor, cap).as_secs_f64();
        if fit_age && self.gaps > 0 && poll.fraction >= 0.0 {
            // The gap fits the time waited so far (NaN and infinity leave it alone), planned
            // at 90 % of it so the request that reads the task fits in the bound too.
            let by_age = self.elapsed(now).as_secs_f64() * poll.fraction * 0.9;
            base = base.min(by_age).max(floor.as_secs_f64());
        }
        self.gaps = self.gaps.saturating_add(1);
        let jitter = 1.0 - poll.jitter.clamp(0.0, 1.0) * self.engine.rng().next_f64();
        let mut planned = saturating_secs(base * jitter).clamp(floor, cap);
        if self.nudge.is_some() && fit_age {
            // A callback will ring: polls are only the fallback.
            planned = planned.max(poll.callback_fallback);
        }
        self.delay = saturating_secs(base * poll.factor).clamp(floor, cap);
        // Planned from the look just read: a shared observation was made before `now`.
        let stale = self
            .observed_at
            .take()
            .and_then(|at| now.duration_since(at).ok())
            .unwrap_or_default();
        let delay = planned.saturating_sub(stale).max(floor / 2).min(planned);
        let deadline = self.deadline();
        let delay = if now.checked_add(delay).is_none_or(|t| t >= deadline) {
            let left = deadline.duration_since(now).unwrap_or_default();
            if left.is_zero() {
                return WaitPhase::Failed(self.timeout(now));
            }
            // One last poll at the deadline.
            left
        } else {
            delay
        };
        self.plan(now, delay, planned / 2);
        WaitPhase::Sleep(delay)
    }

    /// Tells the nudge which task (and group) it wakes.
    fn attach_nudge(&self) {
        if let Some(nudge) = &self.nudge {
            let group = self
                .group
                .as_ref()
                .map(|(_, key)| (std::sync::Arc::downgrade(self.engine.polls()), *key));
            nudge.attach(&self.task_id, group);
        }
    }

    /// Tells the task's group when this wait's next poll is due.
    fn plan(&mut self, now: SystemTime, delay: Duration, tolerance: Duration) {
        self.due = now.checked_add(delay).unwrap_or(now);
        self.tolerance = tolerance;
        let Some((group, key)) = &self.group else {
            return;
        };
        let hub = self.engine.polls();
        if self.joined {
            hub.plan(*key, group.task_id(), self.due, tolerance);
        } else {
            hub.join(*key, group.task_id(), self.due, tolerance);
            self.joined = true;
        }
    }

    /// The poll is due: what the task's group says to do.
    fn due_turn(&mut self, now: SystemTime) -> WaitPhase<Q> {
        let Some((group, _)) = &self.group else {
            return WaitPhase::Poll(self.poll_call(now));
        };
        let led = std::mem::take(&mut self.led);
        let turn =
            self.engine
                .polls()
                .clone()
                .turn(&self.engine, group, self.due, self.tolerance, now);
        match turn {
            Turn::Take(seen) => {
                let Some(value) = seen.value.and_then(|v| v.downcast::<Q::Response>().ok()) else {
                    return WaitPhase::Poll(self.poll_call(now));
                };
                self.observed_at = Some(seen.at);
                self.on_poll(Ok(Reply::new(*value, seen.request_id)), now)
            }
            Turn::Follow(step) => {
                let left = self.deadline().duration_since(now).unwrap_or_default();
                if left.is_zero() {
                    return WaitPhase::Poll(self.poll_call(now));
                }
                WaitPhase::Follow(step.min(left))
            }
            Turn::Lead(sweep) if !led => {
                self.led = true;
                let deadline = self.deadline().max(now + Duration::from_secs(1));
                WaitPhase::Lead(Box::new(sweep.deadline(deadline)))
            }
            Turn::Lead(_) | Turn::Alone => WaitPhase::Poll(self.poll_call(now)),
        }
    }

    fn failed(&self, task: &Q::Task, message: Option<&str>, request_id: Option<String>) -> Error {
        let mut error = TaskFailedError::new(task.dialect(), task.task_id().to_owned(), message);
        if let Some(id) = request_id {
            error = error.with_request_id(id);
        }
        let error: Error = error.into();
        match task.external_task_id() {
            Some(id) => error.with_external_task_id(id),
            None => error,
        }
    }

    fn on_poll(
        &mut self,
        result: Result<Reply<Q::Response>, Error>,
        now: SystemTime,
    ) -> WaitPhase<Q> {
        self.polls += 1;
        self.first_look.get_or_insert(now);
        let reply = match result {
            Ok(reply) => reply,
            Err(error) => return self.on_poll_error(error, now),
        };
        self.failures = 0;
        let Some(task) = self.query.task(reply.value) else {
            // Not listed: the new standard's list may come back empty at first; a task seen
            // before that drops out of a list is a list's lag, not an end.
            if self.seen {
                return self.pending("not listed", now);
            }
            return self.unseen(None, now);
        };
        if !self.seen {
            self.seen = true;
            self.task_id = task.task_id().to_owned();
            self.attach_nudge();
            if let Some(id) = task.external_task_id() {
                self.span.record("external_task_id", id);
            }
        }
        let request_id = reply.request_id;
        // The poll that ends the wait is reported too: with the end it saw, not the status
        // before it.
        match task.state() {
            TaskState::Succeeded => self.last_status = Some("succeeded".to_owned()),
            TaskState::Failed(_) => self.last_status = Some("failed".to_owned()),
            TaskState::Pending(_) => {}
        }
        match task.state() {
            TaskState::Succeeded if task.has_results() => {
                tracing::debug!(polls = self.polls, status = "succeeded", "poll");
                WaitPhase::Done(task)
            }
            // A shared answer (a list page) may leave the results out: the task's own query
            // has the last word.
            TaskState::Succeeded if self.observed_at.take().is_some() => {
                WaitPhase::Poll(self.poll_call(now))
            }
            TaskState::Succeeded => {
                let mut error = DecodeError::new(
                    DecodeFailure::MissingData,
                    Operation::Read,
                    200,
                    b"succeeded without results",
                );
                if let Some(id) = request_id {
                    error = error.with_request_id(id);
                }
                WaitPhase::Failed(error.into())
            }
            TaskState::Failed(message) => {
                tracing::debug!(polls = self.polls, status = "failed", "poll");
                WaitPhase::Failed(self.failed(&task, message, request_id))
            }
            TaskState::Pending(status) => {
                let status = status.to_owned();
                self.pending(&status, now)
            }
        }
    }

    fn pending(&mut self, status: &str, now: SystemTime) -> WaitPhase<Q> {
        tracing::debug!(
            polls = self.polls,
            status,
            elapsed = ?self.elapsed(now),
            "poll"
        );
        self.last_status = Some(status.to_owned());
        if now >= self.deadline() {
            return WaitPhase::Failed(self.timeout(now));
        }
        self.schedule(now)
    }

    /// A look that did not find the task, never seen yet: a task just created may take a
    /// moment to show up, so the wait looks again within the grace, then gives up.
    fn unseen(&mut self, answer: Option<Error>, now: SystemTime) -> WaitPhase<Q> {
        tracing::debug!(polls = self.polls, "poll: the task is not found (yet)");
        let first = self.first_look.unwrap_or(now);
        let grace_end = first.checked_add(self.unseen_grace).unwrap_or(first);
        let left = grace_end.duration_since(now).unwrap_or_default();
        if left.is_zero() {
            let mut error =
                TaskNotFoundError::new(self.task_id.clone(), self.polls, self.elapsed(now));
            if let Some(answer) = answer {
                error = error.with_answer(answer);
            }
            return WaitPhase::Failed(error.into());
        }
        self.last_status = Some("not found yet".to_owned());
        match self.schedule_fit(now, false) {
            // The last look lands at the grace's end, not a full gap later.
            WaitPhase::Sleep(d) => WaitPhase::Sleep(d.min(left)),
            other => other,
        }
    }

    fn on_poll_error(&mut self, error: Error, now: SystemTime) -> WaitPhase<Q> {
        if error.kind() == ErrorKind::NotFound && !self.seen {
            return self.unseen(Some(error), now);
        }
        self.failures += 1;
        let fatal = matches!(
            error.kind(),
            ErrorKind::Auth
                | ErrorKind::Billing
                | ErrorKind::Permission
                | ErrorKind::InvalidRequest
                | ErrorKind::NotFound
        );
        if fatal
            || self.failures >= self.engine.config().poll.max_consecutive_failures
            || now >= self.deadline()
        {
            return WaitPhase::Failed(error);
        }
        self.schedule(now)
    }

    fn poll_call(&self, now: SystemTime) -> Box<Call<Q::Response>> {
        let deadline = self.deadline().max(now + Duration::from_secs(1));
        Box::new(Call::new(&self.engine, self.prepared.clone()).deadline(deadline))
    }
}

impl<Q: Pollable> Machine for Wait<Q> {
    type Output = Q::Task;

    fn step(&mut self, now: SystemTime) -> Step<Q::Task> {
        let span = self.span.clone();
        let _enter = span.enter();
        loop {
            match std::mem::replace(&mut self.phase, WaitPhase::Finished) {
                WaitPhase::Start => {
                    self.started = Some(now);
                    self.delay = self.first_delay;
                    self.phase = if self.look_at_once || self.first_delay.is_zero() {
                        WaitPhase::Poll(self.poll_call(now))
                    } else {
                        self.schedule(now)
                    };
                }
                WaitPhase::Sleep(d) if self.nudge.is_some() => {
                    self.phase = WaitPhase::Nap(now.checked_add(d).unwrap_or(now));
                }
                WaitPhase::Sleep(d) => {
                    self.phase = WaitPhase::Due;
                    return Step::Sleep(d);
                }
                WaitPhase::Nap(until) => {
                    if let Some(at) = self.nudge.as_ref().and_then(Nudge::take) {
                        // Rung: due now, and only a look made since the ring answers it.
                        self.due = at.min(now);
                        self.tolerance = Duration::ZERO;
                        self.phase = WaitPhase::Due;
                        continue;
                    }
                    let Ok(left) = until.duration_since(now) else {
                        self.phase = WaitPhase::Due;
                        continue;
                    };
                    if left.is_zero() {
                        self.phase = WaitPhase::Due;
                        continue;
                    }
                    self.phase = WaitPhase::Nap(until);
                    return Step::Sleep(left.min(to_next_slice(now)));
                }
                WaitPhase::Due => self.phase = self.due_turn(now),
                WaitPhase::Follow(d) => {
                    self.phase = WaitPhase::Due;
                    return Step::Sleep(d);
                }
                WaitPhase::Lead(mut sweep) => match sweep.step(now) {
                    Step::Send(r) => {
                        self.phase = WaitPhase::Lead(sweep);
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = WaitPhase::Lead(sweep);
                        return Step::Sleep(d);
                    }
                    // The group's answers are in the hub: this wait's is read like the others'.
                    Step::Done(()) => self.phase = WaitPhase::Due,
                    Step::Failed(e) => {
                        self.led = false;
                        self.phase = self.on_poll(Err(e), now);
                    }
                },
                WaitPhase::Poll(mut call) => match call.step(now) {
                    Step::Send(r) => {
                        self.phase = WaitPhase::Poll(call);
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = WaitPhase::Poll(call);
                        return Step::Sleep(d);
                    }
                    Step::Done(reply) => self.phase = self.on_poll(Ok(reply), now),
                    Step::Failed(e) => self.phase = self.on_poll(Err(e), now),
                },
                WaitPhase::Done(task) => return Step::Done(task),
                WaitPhase::Failed(e) => return Step::Failed(e),
                WaitPhase::Finished => return Step::Failed(self.timeout(now)),
            }
        }
    }

    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime) {
        let _enter = self.span.enter();
        match &mut self.phase {
            WaitPhase::Poll(call) => call.on_response(result, now),
            WaitPhase::Lead(sweep) => sweep.on_response(result, now),
            _ => {}
        }
    }

    fn progress(&self, now: SystemTime) -> Option<Progress> {
        Some(Wait::progress(self, now))
    }

    fn span(&self) -> tracing::Span {
        match &self.phase {
            WaitPhase::Poll(call) => call.span(),
            WaitPhase::Lead(sweep) => sweep.span(),
            _ => self.span.clone(),
        }
    }
}

/// How often a nudged wait looks whether it was rung.
const NAP_SLICE: Duration = Duration::from_millis(250);

/// The time to the next quarter second of the clock: waits rung together wake together, and
/// look together.
fn to_next_slice(now: SystemTime) -> Duration {
    let slice = NAP_SLICE.as_nanos();
    let into = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() % slice)
        .unwrap_or(0);
    Duration::from_nanos(u64::try_from(slice - into).unwrap_or(0))
}

impl<Q: Pollable> Drop for Wait<Q> {
    fn drop(&mut self) {
        // Ended, cancelled or dropped: the group stops counting on this wait.
        if let (true, Some((group, key))) = (self.joined, &self.group) {
            self.engine.polls().leave(*key, group.task_id());
        }
    }
}
