//! The retry policy (`reliability.md` 1.3): classification by service code first, HTTP status
//! second, transport phase third (all done by [`Error::retry_class`]); then the backoff of the
//! class, `Retry-After` as a floor, the deadline and a retry budget shared by clones.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use kling_errors::{Error, RetryClass, TransportFailure};

use crate::config::RetryConfig;
use crate::time::Rng;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Send the same request again after this delay.
    Retry(Duration),
    /// Drop the cached token, mint a new one and retry at once (once per call).
    RefreshAuth,
    /// Stop and return the error.
    GiveUp,
}

/// Tokens spent on retries, shared by a client's clones: a storm of failures cannot turn into
/// a storm of retries.
#[derive(Debug, Clone)]
pub struct RetryBudget(Arc<AtomicI64>);

impl RetryBudget {
    /// A budget of `tokens`.
    pub fn new(tokens: u32) -> Self {
        Self(Arc::new(AtomicI64::new(i64::from(tokens))))
    }

    /// Takes `cost` tokens if there are enough.
    pub fn withdraw(&self, cost: i64) -> bool {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                (t >= cost).then_some(t - cost)
            })
            .is_ok()
    }

    /// Gives one token back (a first-try success), up to `max`.
    pub fn refund(&self, max: u32) {
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                (t < i64::from(max)).then_some(t + 1)
            });
    }

    /// Tokens left.
    pub fn remaining(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Where a call stands when an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// Attempts made, the failed one included.
    pub attempts: u32,
    /// The most attempts allowed (every class but [`RetryClass::ThrottleLong`], which only the
    /// deadline bounds).
    pub max_attempts: u32,
    /// Whether the call already re-minted its token once.
    pub auth_refreshed: bool,
    /// Now.
    pub now: SystemTime,
    /// When the call must end.
    pub deadline: SystemTime,
}

impl Attempt {
    /// `attempts` of `max_attempts` made, at `now`, ending by `deadline`.
    pub fn new(attempts: u32, max_attempts: u32, now: SystemTime, deadline: SystemTime) -> Self {
        Self {
            attempts,
            max_attempts,
            auth_refreshed: false,
            now,
            deadline,
        }
    }

    /// Records whether the token was already re-minted.
    #[must_use]
    pub fn auth_refreshed(mut self, refreshed: bool) -> Self {
        self.auth_refreshed = refreshed;
        self
    }
}

/// The pure retry decision.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    config: RetryConfig,
    budget: RetryBudget,
}

impl RetryPolicy {
    /// A policy with its own budget.
    pub fn new(config: RetryConfig) -> Self {
        let budget = RetryBudget::new(config.budget);
        Self { config, budget }
    }

    /// The settings.
    pub fn config(&self) -> &RetryConfig {
        &self.config
    }

    /// The shared budget.
    pub fn budget(&self) -> &RetryBudget {
        &self.budget
    }

    /// Decides what to do after `at.attempts` attempts failed, the last with `error`.
    pub fn decide(&self, error: &Error, at: &Attempt, rng: &dyn Rng) -> Decision {
        let Attempt {
            attempts,
            max_attempts,
            auth_refreshed,
            now,
            deadline,
        } = *at;
        let class = error.retry_class();
        let backoff = match class {
            RetryClass::RefreshAuth => {
                return if auth_refreshed {
                    Decision::GiveUp
                } else {
                    Decision::RefreshAuth
                };
            }
            RetryClass::Transient => self.config.transient,
            RetryClass::Throttle => self.config.throttle,
            RetryClass::ThrottleLong => self.config.concurrency,
            _ => return Decision::GiveUp,
        };
        if class != RetryClass::ThrottleLong && attempts >= max_attempts {
            return Decision::GiveUp;
        }
        let mut delay = backoff.delay(attempts, rng.next_f64());
        if let Some(asked) = error.retry_after() {
            // A server that asks for more than we will wait gets its answer back instead.
            if asked > self.config.max_retry_after {
                return Decision::GiveUp;
            }
            delay = delay.max(asked);
        }
        let remaining = deadline.duration_since(now).unwrap_or(Duration::ZERO);
        if delay >= remaining {
            return Decision::GiveUp;
        }
        let cost = match error {
            Error::Transport(t)
                if matches!(
                    t.failure(),
                    TransportFailure::Timeout | TransportFailure::Connect
                ) =>
            {
                10
            }
            _ => 5,
        };
        if !self.budget.withdraw(cost) {
            return Decision::GiveUp;
        }
        Decision::Retry(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::FastRng;
    use kling_errors::{ApiError, Dialect, KlingCode, Operation, TransportError, TransportPhase};

    fn api(code: i64, status: u16, op: Operation) -> Error {
        ApiError::new(Dialect::Kling, op, status)
            .with_code(KlingCode::from_code(code))
            .into()
    }

    #[test]
    fn table() {
        let p = RetryPolicy::new(RetryConfig::default());
        let rng = FastRng::seeded(1);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let deadline = now + Duration::from_secs(120);
        let d = |e: &Error, attempts| p.decide(e, &Attempt::new(attempts, 4, now, deadline), &rng);
        assert!(
            matches!(d(&api(1302, 429, Operation::Read), 1), Decision::Retry(x) if x >= Duration::from_millis(500) && x <= Duration::from_secs(1))
        );
        assert!(
            matches!(d(&api(1303, 429, Operation::Create), 1), Decision::Retry(x) if x >= Duration::from_millis(2500))
        );
        assert!(
            matches!(d(&api(1303, 429, Operation::Create), 9), Decision::Retry(_)),
            "bounded by the deadline, not the count"
        );
        for code in [1100, 1101, 1102, 1304] {
            assert_eq!(d(&api(code, 429, Operation::Read), 1), Decision::GiveUp);
        }
        assert_eq!(
            d(&api(1004, 401, Operation::Create), 1),
            Decision::RefreshAuth
        );
        assert_eq!(
            p.decide(
                &api(1004, 401, Operation::Create),
                &Attempt::new(2, 4, now, deadline).auth_refreshed(true),
                &rng
            ),
            Decision::GiveUp
        );
        assert!(matches!(
            d(&api(5000, 500, Operation::Read), 1),
            Decision::Retry(_)
        ));
        assert_eq!(d(&api(5000, 500, Operation::Read), 4), Decision::GiveUp);
        assert_eq!(
            d(&api(5000, 500, Operation::Create), 1),
            Decision::GiveUp,
            "ambiguous: the create flow reconciles"
        );
        let ra: Error = ApiError::new(Dialect::Kling, Operation::Read, 503)
            .with_retry_after(Duration::from_secs(3))
            .into();
        assert!(matches!(d(&ra, 1), Decision::Retry(x) if x == Duration::from_secs(3)));
        let long: Error = ApiError::new(Dialect::Kling, Operation::Read, 503)
            .with_retry_after(Duration::from_secs(3600))
            .into();
        assert_eq!(d(&long, 1), Decision::GiveUp);
        let near = p.decide(
            &ra,
            &Attempt::new(1, 4, deadline - Duration::from_secs(2), deadline),
            &rng,
        );
        assert_eq!(
            near,
            Decision::GiveUp,
            "a delay past the deadline is not taken"
        );
        let t: Error = TransportError::new(
            TransportFailure::Connect,
            TransportPhase::BeforeSend,
            Operation::Create,
            "refused",
        )
        .into();
        assert!(matches!(d(&t, 1), Decision::Retry(_)));
    }

    #[test]
    fn budget_runs_out() {
        let b = RetryBudget::new(12);
        assert!(b.withdraw(10));
        assert!(!b.withdraw(5));
        b.refund(12);
        b.refund(12);
        b.refund(12);
        assert!(b.withdraw(5));
        assert_eq!(b.remaining(), 0);
    }
}
