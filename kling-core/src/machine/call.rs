//! One API call with the retry policy of `reliability.md` 1.3.

use std::time::{Duration, SystemTime};

use kling_errors::{Error, HeaderLookup, RetryClass, TransportError};
use kling_types::Endpoint;
use serde::de::DeserializeOwned;

use super::{Machine, Step, misuse};
use crate::engine::{Engine, Prepared, Reply};
use crate::http::HttpResponse;
use crate::retry::{Attempt, Decision};

enum CallState<T> {
    Start,
    Ready,
    Sleep(Duration),
    Waiting,
    Done(Reply<T>),
    Failed(Error),
    Finished,
}

/// One API call with the retry policy of `reliability.md` 1.3 (reads retried, creates only
/// when nothing could have happened, 1003/1004 re-minted once). Its output keeps the
/// response's `request_id`.
pub struct Call<T> {
    engine: Engine,
    prepared: Prepared,
    max_attempts: u32,
    attempts: u32,
    decode_failures: u32,
    refreshed: bool,
    deadline: Option<SystemTime>,
    budget: Duration,
    state: CallState<T>,
    last_error: Option<Error>,
    retry: bool,
    span: tracing::Span,
}

impl<T: DeserializeOwned> Call<T> {
    /// A call of `prepared`.
    pub fn new(engine: &Engine, prepared: Prepared) -> Self {
        let max_attempts = if prepared.idempotent() {
            engine.config().retry.max_read_attempts
        } else {
            engine.config().retry.max_create_posts
        };
        let span = tracing::debug_span!(
            "kling.call",
            method = prepared.method().as_str(),
            path = prepared.path()
        );
        Self {
            budget: engine.config().retry.operation_deadline,
            engine: engine.clone(),
            prepared,
            max_attempts,
            attempts: 0,
            decode_failures: 0,
            refreshed: false,
            deadline: None,
            state: CallState::Start,
            last_error: None,
            retry: true,
            span,
        }
    }

    /// A call of `endpoint` (validated and serialized here).
    ///
    /// # Errors
    ///
    /// The endpoint's validation error, or credentials the endpoint does not accept.
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

    fn send_next(&mut self, now: SystemTime) -> Step<Reply<T>> {
        let header = match self.engine.auth_header(&self.prepared, now) {
            Ok(h) => h,
            Err(e) => return Step::Failed(e),
        };
        let deadline = self.deadline.unwrap_or(now);
        let left = deadline.duration_since(now).unwrap_or(Duration::ZERO);
        let timeout = self
            .engine
            .config()
            .request_timeout
            .min(left.max(Duration::from_secs(1)));
        self.attempts += 1;
        self.state = CallState::Waiting;
        tracing::debug!(attempt = self.attempts, "sending");
        Step::Send(self.prepared.request(
            &self.engine,
            Some((header.name(), header.expose_value())),
            timeout,
        ))
    }
}

impl<T: DeserializeOwned> Machine for Call<T> {
    type Output = Reply<T>;

    fn step(&mut self, now: SystemTime) -> Step<Reply<T>> {
        let span = self.span.clone();
        let _enter = span.enter();
        loop {
            match std::mem::replace(&mut self.state, CallState::Finished) {
                CallState::Start => {
                    self.deadline.get_or_insert(
                        now.checked_add(self.budget)
                            .unwrap_or(now + Duration::from_secs(86_400 * 365)),
                    );
                    self.state = CallState::Ready;
                }
                CallState::Sleep(d) => {
                    self.state = CallState::Ready;
                    return Step::Sleep(d);
                }
                CallState::Ready => return self.send_next(now),
                CallState::Waiting => {
                    // Asked again before a response: sending the same attempt again is
                    // wrong; report it as a misuse of the machine.
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
        let _enter = self.span.enter();
        let (outcome, response) = match result {
            Ok(response) => (
                self.engine.parse::<T>(&self.prepared, &response, now),
                Some(response),
            ),
            Err(e) => (Err(self.engine.transport_error(&self.prepared, e)), None),
        };
        let error = match outcome {
            Ok(reply) => {
                if self.attempts == 1 {
                    self.engine
                        .policy()
                        .budget()
                        .refund(self.engine.config().retry.budget);
                }
                self.state = CallState::Done(reply);
                return;
            }
            Err(error) => error,
        };
        let deadline = self.deadline.unwrap_or(now);
        if matches!(error, Error::Decode(_)) {
            self.decode_failures += 1;
        }
        let decodes_spent = self.decode_failures > self.engine.config().retry.max_decode_retries;
        let decision = if self.retry && !decodes_spent {
            self.engine.policy().decide(
                &error,
                &Attempt::new(self.attempts, self.max_attempts, now, deadline)
                    .auth_refreshed(self.refreshed),
                self.engine.rng(),
            )
        } else if error.retry_class() == RetryClass::RefreshAuth && !self.refreshed {
            Decision::RefreshAuth
        } else {
            Decision::GiveUp
        };
        match decision {
            Decision::Retry(delay) => {
                tracing::info!(
                    attempt = self.attempts,
                    reason = %error.kind(),
                    code = error.code().map(|c| c.as_wire()).as_deref().unwrap_or("-"),
                    request_id = error.request_id().unwrap_or("-"),
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
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
                tracing::info!(
                    attempt = self.attempts,
                    request_id = ?error.request_id(),
                    "token rejected: re-minting once"
                );
                self.refreshed = true;
                self.engine.auth().invalidate();
                // 1003 (not yet valid) is clock skew: mint in the server's time.
                if let Some(date) = response.as_ref().and_then(|r| r.headers.header("date")) {
                    self.engine.auth().observe_server_date(date, now);
                }
                self.last_error = Some(error);
                self.state = CallState::Ready;
            }
            _ => self.state = CallState::Failed(error),
        }
    }

    fn span(&self) -> tracing::Span {
        self.span.clone()
    }
}
