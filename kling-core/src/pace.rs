//! The account's request budget: how fast a client (or a whole fleet, through a shared pacer)
//! may send. A token bucket per class of request, on the caller's clock (sans-IO), that halves
//! its rate when the server answers 1302 ("too frequent") and earns it back slowly.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use kling_errors::Error;

use crate::time::saturating_secs;

/// What a request counts against: the account's general budget, or the stricter budget of the
/// account endpoints (`/account/costs` takes at most one request a second, `kling-api.md` 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestClass {
    /// Creates, polls, lists: everything but the account endpoints.
    Task,
    /// `/account/...`: costs and the ledgers.
    Account,
}

impl RequestClass {
    /// The class of a request to `url`.
    pub fn of_url(url: &str) -> Self {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let path = rest.find('/').map_or("", |i| &rest[i..]);
        if path.starts_with("/account/") {
            Self::Account
        } else {
            Self::Task
        }
    }

    /// Its name (`task`, `account`): a key in a shared store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Account => "account",
        }
    }
}

/// How fast a client may send (`Config::rate`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateConfig {
    /// Requests a second, at most (20): creates, polls and lists together.
    pub per_second: f64,
    /// Requests that may go at once after a quiet spell (20).
    pub burst: u32,
    /// Requests a second to the account endpoints (1, as the API documents).
    pub account_per_second: f64,
    /// The lowest rate a run of 1302 answers brings it down to (0.5 a second).
    pub floor: f64,
    /// How fast the rate comes back after a 1302: this many requests a second more, each
    /// second (0.4: from half of 20 back to 20 in 25 s).
    pub recovery: f64,
}

impl Default for RateConfig {
    fn default() -> Self {
        Self {
            per_second: 20.0,
            burst: 20,
            account_per_second: 1.0,
            floor: 0.5,
            recovery: 0.4,
        }
    }
}

/// A token bucket whose rate halves on a throttle and recovers linearly: the budget of one
/// class, on the caller's clock. Tokens may go below zero: each request reserves its own
/// instant, so a burst of callers is spread out rather than retried.
#[derive(Debug, Clone)]
pub struct AdaptiveBucket {
    max_rate: f64,
    floor: f64,
    recovery: f64,
    burst: f64,
    rate: f64,
    tokens: f64,
    last: Option<SystemTime>,
}

impl AdaptiveBucket {
    /// A full bucket of `burst` tokens, refilled at `rate` a second.
    pub fn new(rate: f64, burst: u32, floor: f64, recovery: f64) -> Self {
        // Nonsense settings are bounded rather than trusted: a rate is positive and finite.
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        let floor = if floor.is_finite() && floor > 0.0 {
            floor.min(rate)
        } else {
            rate.min(0.5)
        };
        let recovery = if recovery.is_finite() && recovery >= 0.0 {
            recovery
        } else {
            0.0
        };
        let burst = f64::from(burst.max(1));
        Self {
            max_rate: rate,
            floor,
            recovery,
            burst,
            rate,
            tokens: burst,
            last: None,
        }
    }

    /// The rate now, in requests a second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    fn refill(&mut self, now: SystemTime) {
        let elapsed = self
            .last
            .and_then(|last| now.duration_since(last).ok())
            .map_or(0.0, |d| d.as_secs_f64());
        // A clock that went back refills nothing (and moves nothing back).
        if self.last.is_none_or(|last| now > last) {
            self.last = Some(now);
        }
        self.rate = (self.rate + self.recovery * elapsed).min(self.max_rate);
        self.tokens = (self.tokens + self.rate * elapsed).min(self.burst);
    }

    /// Takes a token for a request at `now`: how long to wait before sending it (zero when a
    /// token was there).
    pub fn reserve(&mut self, now: SystemTime) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            saturating_secs(-self.tokens / self.rate)
        }
    }

    /// The server said "too frequent" (1302): halve the rate (not below the floor) and spend
    /// what the bucket held.
    pub fn throttled(&mut self, now: SystemTime) {
        self.refill(now);
        self.rate = (self.rate / 2.0).max(self.floor);
        self.tokens = self.tokens.min(0.0);
    }
}

/// A request budget for the blocking client: before each request the driver asks how long to
/// wait, and reports a 1302 answer. The client keeps one in memory ([`MemoryPacer`], from
/// [`Config::rate`](crate::Config::rate)) unless
/// [`ClientBuilder::request_pacer`](crate::ClientBuilder::request_pacer) sets another (one
/// shared by a fleet).
pub trait RequestPacer: Send + Sync + Debug {
    /// Reserves the sending of a request of `class` at `now`: how long to wait first.
    ///
    /// # Errors
    ///
    /// When the budget cannot be consulted (a shared store that is gone): nothing is sent.
    fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error>;

    /// A request of `class` was answered 1302 at `now`: slow down.
    fn throttled(&self, class: RequestClass, now: SystemTime);
}

/// A request budget for the async client (see [`RequestPacer`]).
#[async_trait]
pub trait AsyncRequestPacer: Send + Sync + Debug {
    /// As [`RequestPacer::reserve`].
    ///
    /// # Errors
    ///
    /// As [`RequestPacer::reserve`].
    async fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error>;

    /// As [`RequestPacer::throttled`].
    async fn throttled(&self, class: RequestClass, now: SystemTime);
}

/// The budget of one process: a bucket per class, behind a lock.
#[derive(Debug)]
pub struct MemoryPacer {
    task: Mutex<AdaptiveBucket>,
    account: Mutex<AdaptiveBucket>,
}

impl MemoryPacer {
    /// The budget `config` describes.
    pub fn new(config: &RateConfig) -> Self {
        let bucket = |rate: f64, burst: u32| {
            Mutex::new(AdaptiveBucket::new(
                rate,
                burst,
                config.floor,
                config.recovery,
            ))
        };
        Self {
            task: bucket(config.per_second, config.burst),
            account: bucket(config.account_per_second, 1),
        }
    }

    fn bucket(&self, class: RequestClass) -> &Mutex<AdaptiveBucket> {
        match class {
            RequestClass::Task => &self.task,
            RequestClass::Account => &self.account,
        }
    }
}

impl RequestPacer for MemoryPacer {
    fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error> {
        let mut bucket = self.bucket(class).lock().unwrap_or_else(|e| e.into_inner());
        Ok(bucket.reserve(now))
    }

    fn throttled(&self, class: RequestClass, now: SystemTime) {
        let mut bucket = self.bucket(class).lock().unwrap_or_else(|e| e.into_inner());
        bucket.throttled(now);
        tracing::info!(
            rate = bucket.rate(),
            class = class.as_str(),
            "throttled: slowing down"
        );
    }
}

#[async_trait]
impl AsyncRequestPacer for MemoryPacer {
    async fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error> {
        RequestPacer::reserve(self, class, now)
    }

    async fn throttled(&self, class: RequestClass, now: SystemTime) {
        RequestPacer::throttled(self, class, now);
    }
}

/// Pacers shared by several clients (`Arc<MemoryPacer>`, `Arc<dyn RequestPacer>`).
impl<T: RequestPacer + ?Sized> RequestPacer for std::sync::Arc<T> {
    fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error> {
        (**self).reserve(class, now)
    }

    fn throttled(&self, class: RequestClass, now: SystemTime) {
        (**self).throttled(class, now);
    }
}

/// Pacers shared by several clients.
#[async_trait]
impl<T: AsyncRequestPacer + ?Sized> AsyncRequestPacer for std::sync::Arc<T> {
    async fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error> {
        (**self).reserve(class, now).await
    }

    async fn throttled(&self, class: RequestClass, now: SystemTime) {
        (**self).throttled(class, now).await;
    }
}

/// Whether an answer is the server's "too frequent" (429 with Kling's 1302): the request
/// budget slows down. 1303 (the concurrency limit, also 429) is not about the rate.
pub(crate) fn is_throttle(status: u16, body: &[u8]) -> bool {
    status == 429
        && serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("code").and_then(serde_json::Value::as_i64))
            == Some(1302)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn a_burst_goes_then_requests_are_spread_at_the_rate() {
        let mut b = AdaptiveBucket::new(10.0, 3, 0.5, 0.2);
        let waits: Vec<Duration> = (0..6).map(|_| b.reserve(at(0))).collect();
        assert_eq!(&waits[..3], [Duration::ZERO; 3]);
        // Each later one a tenth of a second after the one before.
        assert_eq!(waits[3], Duration::from_millis(100));
        assert_eq!(waits[4], Duration::from_millis(200));
        assert_eq!(waits[5], Duration::from_millis(300));
        // A second later the bucket is full again (at most the burst).
        let later: Vec<Duration> = (0..4).map(|_| b.reserve(at(2_000))).collect();
        assert_eq!(later[..3], [Duration::ZERO; 3]);
        assert!(later[3] > Duration::ZERO);
    }

    #[test]
    fn a_throttle_halves_the_rate_which_recovers_slowly() {
        let mut b = AdaptiveBucket::new(10.0, 1, 0.5, 0.2);
        b.throttled(at(0));
        assert!((b.rate() - 5.0).abs() < 1e-9);
        b.throttled(at(0));
        b.throttled(at(0));
        b.throttled(at(0));
        b.throttled(at(0));
        assert!((b.rate() - 0.5).abs() < 1e-9, "not below the floor");
        // 10 s later: 0.5 + 0.2 * 10 = 2.5 a second.
        b.reserve(at(10_000));
        assert!((b.rate() - 2.5).abs() < 1e-9, "{}", b.rate());
        b.reserve(at(100_000));
        assert!(
            (b.rate() - 10.0).abs() < 1e-9,
            "back to the maximum, not past it"
        );
    }

    #[test]
    fn nonsense_settings_and_a_clock_going_back_stay_bounded() {
        let mut b = AdaptiveBucket::new(f64::NAN, 0, -1.0, f64::INFINITY);
        assert!(b.rate() > 0.0 && b.rate().is_finite());
        let _ = b.reserve(at(5_000));
        let wait = b.reserve(at(1_000));
        assert!(wait < Duration::from_secs(10), "{wait:?}");
    }

    #[test]
    fn account_endpoints_have_their_own_budget() {
        assert_eq!(
            RequestClass::of_url("https://api.test/account/costs?x=1"),
            RequestClass::Account
        );
        assert_eq!(
            RequestClass::of_url("https://api.test/v1/videos/text2video"),
            RequestClass::Task
        );
        assert_eq!(
            RequestClass::of_url("/account/costs"),
            RequestClass::Account
        );
        let pacer = MemoryPacer::new(&RateConfig::default());
        let first = RequestPacer::reserve(&pacer, RequestClass::Account, at(0)).unwrap();
        let second = RequestPacer::reserve(&pacer, RequestClass::Account, at(0)).unwrap();
        assert_eq!((first, second), (Duration::ZERO, Duration::from_secs(1)));
        // The task budget is untouched by the account's.
        let task = RequestPacer::reserve(&pacer, RequestClass::Task, at(0)).unwrap();
        assert_eq!(task, Duration::ZERO);
    }

    #[test]
    fn only_1302_is_a_throttle() {
        assert!(is_throttle(429, br#"{"code":1302,"message":"too fast"}"#));
        assert!(!is_throttle(429, br#"{"code":1303}"#));
        assert!(!is_throttle(200, br#"{"code":1302}"#));
        assert!(!is_throttle(429, b"<html>"));
    }
}
