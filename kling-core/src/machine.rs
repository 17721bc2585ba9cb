//! The exchanges as state machines: a call with retries, a create with `external_task_id`
//! reconciliation, and a wait that polls a task. Each says what to do next ([`Step`]) and is
//! told what happened ([`Machine::on_response`]); the drivers only move bytes and sleep.

use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

use kling_errors::{
    AmbiguousCreateError, Error, ErrorKind, HeaderLookup, RetryClass, TaskFailedError,
    TransportError, WaitTimeoutError,
};
use kling_types::{CreateTask, Endpoint};
use serde::de::DeserializeOwned;

use crate::engine::{Engine, Prepared};
use crate::http::{HttpRequest, HttpResponse};
use crate::pollable::{Pollable, TaskState};
use crate::retry::{Attempt, Decision};
use crate::time::generate_external_task_id;

/// What a machine wants next.
#[derive(Debug)]
#[non_exhaustive]
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
}

/// A machine driven out of order (a driver bug, not a server answer).
fn misuse(message: &str) -> Error {
    kling_errors::ValidationError::new(
        "machine",
        kling_errors::KlingCode::InvalidParameter,
        message,
    )
    .into()
}

enum CallState<T> {
    Start,
    Ready,
    Sleep(Duration),
    Waiting,
    Done(T),
    Failed(Error),
    Finished,
}

/// One API call with the retry policy of `reliability.md` 1.3 (reads retried, creates only
/// when nothing could have happened, 1003/1004 re-minted once).
pub struct Call<T> {
    engine: Engine,
    prepared: Prepared,
    max_attempts: u32,
    attempts: u32,
    refreshed: bool,
    deadline: Option<SystemTime>,
    budget: Duration,
    state: CallState<T>,
    last_error: Option<Error>,
    retry: bool,
}

impl<T: DeserializeOwned> Call<T> {
    /// A call of `prepared`.
    pub fn new(engine: &Engine, prepared: Prepared) -> Self {
        let max_attempts = if prepared.idempotent() {
            engine.config.retry.max_read_attempts
        } else {
            engine.config.retry.max_create_posts
        };
        Self {
            budget: engine.config.retry.operation_deadline,
            engine: engine.clone(),
            prepared,
            max_attempts,
            attempts: 0,
            refreshed: false,
            deadline: None,
            state: CallState::Start,
            last_error: None,
            retry: true,
        }
    }

    /// A call of `endpoint` (validated and serialized here).
    ///
    /// # Errors
    ///
    /// The endpoint's validation error.
    pub fn of<E: Endpoint<Response = T>>(engine: &Engine, endpoint: &E) -> Result<Self, Error> {
        Ok(Self::new(engine, engine.prepare(endpoint)?))
    }

    /// Limits the call to `max_attempts` attempts (1: no retry).
    #[must_use]
    pub fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sends once, except for the one re-mint after 1003/1004 (a definite rejection): every
    /// other decision to send again is the caller's (the create flow's).
    #[must_use]
    pub fn single(mut self) -> Self {
        self.retry = false;
        self
    }

    /// Ends the call by `deadline` (instead of the configured operation deadline).
    #[must_use]
    pub fn deadline(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The last failure, if an attempt failed.
    pub fn last_error(&self) -> Option<&Error> {
        self.last_error.as_ref()
    }

    fn fail(&mut self, error: Error) {
        self.state = CallState::Failed(error);
    }
}

impl<T: DeserializeOwned> Machine for Call<T> {
    type Output = T;

    fn step(&mut self, now: SystemTime) -> Step<T> {
        loop {
            match std::mem::replace(&mut self.state, CallState::Finished) {
                CallState::Start => {
                    self.deadline.get_or_insert(now + self.budget);
                    self.state = CallState::Ready;
                }
                CallState::Sleep(d) => {
                    self.state = CallState::Ready;
                    return Step::Sleep(d);
                }
                CallState::Ready => {
                    let header = match self.engine.auth.header(now) {
                        Ok(h) => h,
                        Err(e) => return Step::Failed(e.into()),
                    };
                    let deadline = self.deadline.unwrap_or(now);
                    let left = deadline.duration_since(now).unwrap_or(Duration::ZERO);
                    let timeout = self
                        .engine
                        .config
                        .request_timeout
                        .min(left.max(Duration::from_secs(1)));
                    self.attempts += 1;
                    self.state = CallState::Waiting;
                    let request = self.prepared.request(
                        &self.engine,
                        Some((header.name(), header.expose_value())),
                        timeout,
                    );
                    tracing::debug!(attempt = self.attempts, method = request.method.as_str(), url = %request.url, "sending");
                    return Step::Send(request);
                }
                CallState::Waiting => {
                    // Asked again before a response: send the same attempt again is wrong;
                    // report it as a misuse of the machine.
                    return Step::Failed(misuse("step() called twice without on_response()"));
                }
                CallState::Done(v) => return Step::Done(v),
                CallState::Failed(e) => return Step::Failed(e),
                CallState::Finished => {
                    return Step::Failed(misuse("the call has already finished"));
                }
            }
        }
    }

    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime) {
        let (outcome, date) = match result {
            Ok(response) => {
                let date = response.headers.header("date").map(str::to_owned);
                (self.engine.parse::<T>(&self.prepared, &response, now), date)
            }
            Err(e) => (Err(self.engine.transport_error(&self.prepared, e)), None),
        };
        let error = match outcome {
            Ok(value) => {
                if self.attempts == 1 {
                    self.engine
                        .policy
                        .budget()
                        .refund(self.engine.config.retry.budget);
                }
                self.state = CallState::Done(value);
                return;
            }
            Err(error) => error,
        };
        let deadline = self.deadline.unwrap_or(now);
        let decision = if self.retry {
            self.engine.policy.decide(
                &error,
                &Attempt::new(self.attempts, self.max_attempts, now, deadline)
                    .auth_refreshed(self.refreshed),
                &*self.engine.rng,
            )
        } else if error.retry_class() == RetryClass::RefreshAuth && !self.refreshed {
            Decision::RefreshAuth
        } else {
            Decision::GiveUp
        };
        match decision {
            Decision::Retry(delay) => {
                tracing::debug!(
                    attempt = self.attempts,
                    reason = %error.kind(),
                    code = ?error.code().map(|c| c.as_wire().into_owned()),
                    request_id = ?error.request_id(),
                    delay = ?delay,
                    "retrying"
                );
                self.last_error = Some(error);
                self.state = if delay.is_zero() {
                    CallState::Ready
                } else {
                    CallState::Sleep(delay)
                };
            }
            Decision::RefreshAuth => {
                tracing::debug!(attempt = self.attempts, request_id = ?error.request_id(), "token rejected: re-minting once");
                self.refreshed = true;
                self.engine.auth.invalidate();
                // 1003 (not yet valid) is clock skew: mint in the server's time.
                if let Some(date) = date {
                    self.engine.auth.observe_server_date(&date, now);
                }
                self.last_error = Some(error);
                self.state = CallState::Ready;
            }
            _ => self.fail(error),
        }
    }
}

/// What a create produced: the task, and how it was obtained.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Created<T> {
    /// The task.
    pub task: T,
    /// The `external_task_id` it was created with (generated when the caller gave none).
    pub external_task_id: String,
    /// How many times the create was posted.
    pub posts: u32,
    /// Whether the task was found by a lookup after an ambiguous failure rather than returned
    /// by a create response.
    pub reconciled: bool,
}

enum CreatePhase<E: CreateTask> {
    Post(Call<E::Response>),
    Lookup {
        call: Call<<E::Lookup as Endpoint>::Response>,
        look: u32,
        cause: Error,
    },
    Sleep {
        delay: Duration,
        then: Box<CreatePhase<E>>,
    },
    PostNext,
    Done(Created<E::Response>),
    Failed(Error),
    Finished,
}

/// The create flow of `reliability.md` 1.3.2: every create carries an `external_task_id`; an
/// ambiguous failure leads to a lookup by that id before any re-post; never a blind re-post.
pub struct Create<E: CreateTask> {
    engine: Engine,
    prepared: Prepared,
    external_task_id: String,
    posts: u32,
    deadline: Option<SystemTime>,
    phase: CreatePhase<E>,
    _endpoint: PhantomData<E>,
}

impl<E: CreateTask> Create<E>
where
    E::Response: DeserializeOwned,
    <E::Lookup as Endpoint>::Response: DeserializeOwned,
{
    /// A create of `endpoint`. An `external_task_id` is generated when it has none, so the
    /// caller can always find the task again.
    ///
    /// # Errors
    ///
    /// The endpoint's validation error.
    pub fn new(engine: &Engine, mut endpoint: E) -> Result<Self, Error> {
        let external_task_id = match endpoint.external_task_id() {
            Some(id) => id.to_owned(),
            None => {
                let id = generate_external_task_id(&*engine.rng);
                endpoint.set_external_task_id(id.clone());
                id
            }
        };
        let prepared = engine
            .prepare(&endpoint)
            .map_err(|e| e.with_external_task_id(external_task_id.clone()))?;
        Ok(Self {
            engine: engine.clone(),
            prepared,
            external_task_id,
            posts: 0,
            deadline: None,
            phase: CreatePhase::PostNext,
            _endpoint: PhantomData,
        })
    }

    /// The create's `external_task_id`.
    pub fn external_task_id(&self) -> &str {
        &self.external_task_id
    }

    fn post_call(&mut self) -> Call<E::Response> {
        // One POST per call: the decision to post again is this machine's.
        let mut call = Call::new(&self.engine, self.prepared.clone()).single();
        if let Some(deadline) = self.deadline {
            call = call.deadline(deadline);
        }
        call
    }

    fn lookup_call(
        &self,
        deadline: SystemTime,
    ) -> Result<Call<<E::Lookup as Endpoint>::Response>, Error> {
        let lookup = E::lookup(&self.external_task_id);
        Ok(Call::of(&self.engine, &lookup)?.deadline(deadline))
    }

    fn ambiguous(&self, cause: Error) -> Error {
        AmbiguousCreateError::new(
            self.external_task_id.clone(),
            self.posts,
            cause.with_external_task_id(self.external_task_id.clone()),
        )
        .into()
    }

    fn after_post_error(&mut self, error: Error, now: SystemTime) -> CreatePhase<E> {
        let deadline = self.deadline.unwrap_or(now);
        let max = self.engine.config.retry.max_create_posts;
        match error.retry_class() {
            RetryClass::Ambiguous => match self.lookup_call(deadline) {
                Ok(call) => CreatePhase::Lookup {
                    call,
                    look: 0,
                    cause: error,
                },
                Err(e) => CreatePhase::Failed(e),
            },
            _ => match self.engine.policy.decide(
                &error,
                &Attempt::new(self.posts, max, now, deadline).auth_refreshed(true),
                &*self.engine.rng,
            ) {
                Decision::Retry(delay) => CreatePhase::Sleep {
                    delay,
                    then: Box::new(CreatePhase::PostNext),
                },
                _ => {
                    CreatePhase::Failed(error.with_external_task_id(self.external_task_id.clone()))
                }
            },
        }
    }

    fn after_lookup(
        &mut self,
        result: Result<<E::Lookup as Endpoint>::Response, Error>,
        look: u32,
        cause: Error,
        now: SystemTime,
    ) -> CreatePhase<E> {
        let deadline = self.deadline.unwrap_or(now);
        let not_found = match result {
            Ok(found) => match E::found(found) {
                Some(task) => {
                    return CreatePhase::Done(Created {
                        task,
                        external_task_id: self.external_task_id.clone(),
                        posts: self.posts,
                        reconciled: true,
                    });
                }
                None => true,
            },
            Err(e) => e.kind() == ErrorKind::NotFound,
        };
        if !not_found {
            // The lookup itself failed: the outcome stays open; never re-post blind.
            return CreatePhase::Failed(self.ambiguous(cause));
        }
        if look == 0 {
            // A task just created may not be visible yet: look once more after a grace.
            let grace = self.engine.config.retry.reconcile_grace;
            return match self.lookup_call(deadline) {
                Ok(call) => CreatePhase::Sleep {
                    delay: grace,
                    then: Box::new(CreatePhase::Lookup {
                        call,
                        look: 1,
                        cause,
                    }),
                },
                Err(e) => CreatePhase::Failed(e),
            };
        }
        // Not there after two looks: re-post with the same id and the same bytes.
        if self.posts < self.engine.config.retry.max_create_posts {
            let delay = self
                .engine
                .config
                .retry
                .transient
                .delay(self.posts, self.engine.rng.next_f64());
            if now + delay < deadline {
                return CreatePhase::Sleep {
                    delay,
                    then: Box::new(CreatePhase::PostNext),
                };
            }
        }
        CreatePhase::Failed(self.ambiguous(cause))
    }
}

impl<E: CreateTask> Machine for Create<E>
where
    E::Response: DeserializeOwned,
    <E::Lookup as Endpoint>::Response: DeserializeOwned,
{
    type Output = Created<E::Response>;

    fn step(&mut self, now: SystemTime) -> Step<Self::Output> {
        let deadline = *self
            .deadline
            .get_or_insert(now + self.engine.config.create_timeout);
        loop {
            match std::mem::replace(&mut self.phase, CreatePhase::Finished) {
                CreatePhase::PostNext => {
                    let call = self.post_call().deadline(deadline);
                    self.phase = CreatePhase::Post(call);
                }
                CreatePhase::Post(mut call) => match call.step(now) {
                    Step::Send(r) => {
                        self.posts += 1;
                        self.phase = CreatePhase::Post(call);
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = CreatePhase::Post(call);
                        return Step::Sleep(d);
                    }
                    Step::Done(task) => {
                        self.phase = CreatePhase::Done(Created {
                            task,
                            external_task_id: self.external_task_id.clone(),
                            posts: self.posts,
                            reconciled: false,
                        });
                    }
                    Step::Failed(e) => self.phase = self.after_post_error(e, now),
                },
                CreatePhase::Lookup {
                    mut call,
                    look,
                    cause,
                } => match call.step(now) {
                    Step::Send(r) => {
                        self.phase = CreatePhase::Lookup { call, look, cause };
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = CreatePhase::Lookup { call, look, cause };
                        return Step::Sleep(d);
                    }
                    Step::Done(found) => {
                        self.phase = self.after_lookup(Ok(found), look, cause, now)
                    }
                    Step::Failed(e) => self.phase = self.after_lookup(Err(e), look, cause, now),
                },
                CreatePhase::Sleep { delay, then } => {
                    self.phase = *then;
                    return Step::Sleep(delay);
                }
                CreatePhase::Done(created) => return Step::Done(created),
                CreatePhase::Failed(e) => return Step::Failed(e),
                CreatePhase::Finished => {
                    return Step::Failed(misuse("the create has already finished"));
                }
            }
        }
    }

    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime) {
        match &mut self.phase {
            CreatePhase::Post(call) => call.on_response(result, now),
            CreatePhase::Lookup { call, .. } => call.on_response(result, now),
            _ => {}
        }
    }
}

/// Where a wait is, for progress reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The task's id.
    pub task_id: String,
    /// The last status seen.
    pub status: String,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// Polls made.
    pub polls: u32,
}

enum WaitPhase<T> {
    Start,
    Sleep(Duration),
    Poll(Box<Call<T>>),
    Done(T),
    Failed(Error),
    Finished,
}

/// Polls a task until it finishes (`reliability.md` 2.2): first poll after 5 s, then ×1.5 up to
/// 30 s with ±10 % jitter; unknown statuses keep it polling; `failed` becomes
/// [`TaskFailedError`] with the server's message; the deadline becomes
/// [`WaitTimeoutError`] (the task lives on); 10 consecutive failed polls or a fatal error
/// end it.
pub struct Wait<Q: Endpoint> {
    engine: Engine,
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
    phase: WaitPhase<Q::Response>,
}

impl<Q: Endpoint> Wait<Q>
where
    Q::Response: Pollable + DeserializeOwned,
{
    /// A wait polling `query` (a `Get…Task`) for task `task_id`.
    ///
    /// # Errors
    ///
    /// The query's validation error.
    pub fn new(engine: &Engine, query: &Q, task_id: impl Into<String>) -> Result<Self, Error> {
        let poll = &engine.config.poll;
        Ok(Self {
            prepared: engine.prepare(query)?,
            engine: engine.clone(),
            task_id: task_id.into(),
            started: None,
            delay: poll.first_delay,
            polls: 0,
            failures: 0,
            seen: false,
            last_status: None,
            max_wait: poll.max_wait,
            first_delay: poll.first_delay,
            phase: WaitPhase::Start,
        })
    }

    /// A wait polling `query`, the task id read from it: the ids of a `?task_ids=` query, else
    /// the last path segment.
    ///
    /// # Errors
    ///
    /// The query's validation error.
    pub fn for_query(engine: &Engine, query: &Q) -> Result<Self, Error> {
        let task_id = match query.query().first() {
            Some((_, ids)) => ids.clone(),
            None => query
                .path()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        Self::new(engine, query, task_id)
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

    /// Polls first after `delay` (instead of the configured 5 s); zero polls at once.
    #[must_use]
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self.delay = delay;
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
            elapsed: self
                .started
                .and_then(|s| now.duration_since(s).ok())
                .unwrap_or_default(),
            polls: self.polls,
        }
    }

    fn deadline(&self) -> SystemTime {
        self.started.unwrap_or(SystemTime::UNIX_EPOCH) + self.max_wait
    }

    fn timeout(&self, now: SystemTime) -> Error {
        let elapsed = self
            .started
            .and_then(|s| now.duration_since(s).ok())
            .unwrap_or_default();
        WaitTimeoutError::new(self.task_id.clone(), self.last_status.clone(), elapsed).into()
    }

    /// The next sleep, or the deadline.
    fn schedule(&mut self, now: SystemTime) -> WaitPhase<Q::Response> {
        let poll = &self.engine.config.poll;
        let jitter = 1.0 + poll.jitter * (2.0 * self.engine.rng.next_f64() - 1.0);
        let delay = Duration::from_secs_f64((self.delay.as_secs_f64() * jitter).max(0.0));
        self.delay = Duration::from_secs_f64(
            (self.delay.as_secs_f64() * poll.factor).min(poll.cap.as_secs_f64()),
        );
        if now + delay >= self.deadline() {
            let left = self.deadline().duration_since(now).unwrap_or_default();
            if left.is_zero() {
                return WaitPhase::Failed(self.timeout(now));
            }
            // One last poll at the deadline.
            return WaitPhase::Sleep(left);
        }
        WaitPhase::Sleep(delay)
    }

    fn on_poll(
        &mut self,
        result: Result<Q::Response, Error>,
        now: SystemTime,
    ) -> WaitPhase<Q::Response> {
        self.polls += 1;
        match result {
            Ok(task) => {
                self.failures = 0;
                self.seen = true;
                match task.state() {
                    TaskState::Succeeded if task.has_results() => WaitPhase::Done(task),
                    TaskState::Succeeded => WaitPhase::Failed(
                        kling_errors::DecodeError::new(
                            kling_errors::DecodeFailure::MissingData,
                            kling_errors::Operation::Read,
                            200,
                            b"succeeded without results",
                        )
                        .into(),
                    ),
                    TaskState::Failed(message) => {
                        let error: Error = TaskFailedError::new(
                            task.dialect(),
                            task.task_id().to_owned(),
                            message,
                        )
                        .into();
                        WaitPhase::Failed(error)
                    }
                    TaskState::Pending(status) => {
                        self.last_status = Some(status.to_owned());
                        if now >= self.deadline() {
                            return WaitPhase::Failed(self.timeout(now));
                        }
                        self.schedule(now)
                    }
                }
            }
            Err(error) => {
                self.failures += 1;
                let fatal = match error.kind() {
                    ErrorKind::Auth
                    | ErrorKind::Billing
                    | ErrorKind::Permission
                    | ErrorKind::InvalidRequest => true,
                    ErrorKind::NotFound => self.seen,
                    _ => false,
                };
                if fatal
                    || self.failures >= self.engine.config.poll.max_consecutive_failures
                    || now >= self.deadline()
                {
                    return WaitPhase::Failed(error);
                }
                self.schedule(now)
            }
        }
    }
}

impl<Q: Endpoint> Machine for Wait<Q>
where
    Q::Response: Pollable + DeserializeOwned,
{
    type Output = Q::Response;

    fn step(&mut self, now: SystemTime) -> Step<Q::Response> {
        loop {
            match std::mem::replace(&mut self.phase, WaitPhase::Finished) {
                WaitPhase::Start => {
                    self.started = Some(now);
                    self.delay = self.first_delay;
                    self.phase = if self.first_delay.is_zero() {
                        WaitPhase::Poll(Box::new(Call::new(&self.engine, self.prepared.clone())))
                    } else {
                        self.schedule(now)
                    };
                }
                WaitPhase::Sleep(d) => {
                    self.phase = WaitPhase::Poll(Box::new(
                        Call::new(&self.engine, self.prepared.clone())
                            .deadline(self.deadline().max(now + Duration::from_secs(1))),
                    ));
                    return Step::Sleep(d);
                }
                WaitPhase::Poll(mut call) => match call.step(now) {
                    Step::Send(r) => {
                        self.phase = WaitPhase::Poll(call);
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = WaitPhase::Poll(call);
                        return Step::Sleep(d);
                    }
                    Step::Done(task) => self.phase = self.on_poll(Ok(task), now),
                    Step::Failed(e) => self.phase = self.on_poll(Err(e), now),
                },
                WaitPhase::Done(task) => return Step::Done(task),
                WaitPhase::Failed(e) => return Step::Failed(e),
                WaitPhase::Finished => return Step::Failed(self.timeout(now)),
            }
        }
    }

    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime) {
        if let WaitPhase::Poll(call) = &mut self.phase {
            call.on_response(result, now);
        }
    }

    fn progress(&self, now: SystemTime) -> Option<Progress> {
        Some(Wait::progress(self, now))
    }
}
