//! Injected time, sleep and randomness, so tests drive hours of backoff in microseconds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

use crate::cancel::{CancelHandle, first_of};

mod date;
mod text;

pub use date::{show_utc_ms, unix_ms};
pub use text::{ParseDurationError, parse_duration, show_duration};

/// The current wall-clock time.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Blocking sleep.
pub trait Sleep: Send + Sync {
    /// Sleeps for `duration`.
    fn sleep(&self, duration: Duration);

    /// Sleeps for `duration`, waking early when `cancel` fires. A sleep that returns at once
    /// (a test clock) need not override it; a real one does.
    fn sleep_or_cancel(&self, duration: Duration, cancel: &CancelHandle) {
        let _ = cancel;
        self.sleep(duration);
    }
}

/// `std::thread::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl Sleep for ThreadSleep {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn sleep_or_cancel(&self, duration: Duration, cancel: &CancelHandle) {
        cancel.sleep(duration);
    }
}

/// Async sleep (the async client provides tokio's).
#[async_trait]
pub trait AsyncSleep: Send + Sync {
    /// Sleeps for `duration`.
    async fn sleep(&self, duration: Duration);

    /// Sleeps for `duration`, waking early when `cancel` fires.
    async fn sleep_or_cancel(&self, duration: Duration, cancel: &CancelHandle) {
        first_of(self.sleep(duration), cancel.cancelled()).await;
    }
}

/// Randomness for jitter and generated ids.
pub trait Rng: Send + Sync {
    /// A uniformly distributed `u64`.
    fn next_u64(&self) -> u64;

    /// A uniformly distributed `f64` in `[0, 1)`.
    fn next_f64(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A small, fast generator (xorshift64*), seeded from the clock and a counter. Not for
/// cryptography: it only spreads retries and makes ids unique.
#[derive(Debug)]
pub struct FastRng(AtomicU64);

impl FastRng {
    /// A generator with a seed from the system clock.
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let seed = nanos
            ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            ^ u64::from(std::process::id());
        Self::seeded(seed)
    }

    /// A generator with a fixed seed (reproducible tests).
    pub fn seeded(seed: u64) -> Self {
        Self(AtomicU64::new(seed | 1))
    }
}

impl Default for FastRng {
    fn default() -> Self {
        Self::new()
    }
}

impl Rng for FastRng {
    fn next_u64(&self) -> u64 {
        let mut x = self.0.load(Ordering::Relaxed);
        loop {
            let mut y = x;
            y ^= y >> 12;
            y ^= y << 25;
            y ^= y >> 27;
            match self
                .0
                .compare_exchange_weak(x, y, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return y.wrapping_mul(0x2545_F491_4F6C_DD1D),
                Err(now) => x = now,
            }
        }
    }
}

/// A clock for tests: it only moves when told to. Clones share the time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A sleep for tests: it returns at once, advances a [`ManualClock`] and records each delay.
#[derive(Debug, Clone)]
pub struct ManualSleep {
    clock: ManualClock,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl ManualSleep {
    /// A sleep advancing `clock`.
    pub fn new(clock: ManualClock) -> Self {
        Self {
            clock,
            slept: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Every delay slept, in order.
    pub fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, duration: Duration) {
        self.slept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(duration);
        self.clock.advance(duration);
    }
}

impl Sleep for ManualSleep {
    fn sleep(&self, duration: Duration) {
        self.record(duration);
    }
}

#[async_trait]
impl AsyncSleep for ManualSleep {
    async fn sleep(&self, duration: Duration) {
        self.record(duration);
    }
}

/// `secs` seconds as a [`Duration`], saturating: NaN and negatives are zero, anything beyond
/// what a `Duration` holds is `Duration::MAX` (never a panic, whatever a config or a server
/// said).
pub fn saturating_secs(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

/// Generates an `external_task_id`: `kling-rs-` and a random UUID v4.
pub fn generate_external_task_id(rng: &dyn Rng) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000; // version 4
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000; // variant 10
    format!(
        "kling-rs-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_saturate() {
        assert_eq!(saturating_secs(f64::NAN), Duration::ZERO);
        assert_eq!(saturating_secs(-3.0), Duration::ZERO);
        assert_eq!(saturating_secs(f64::INFINITY), Duration::MAX);
        assert_eq!(saturating_secs(1e30), Duration::MAX);
        assert_eq!(saturating_secs(1.5), Duration::from_millis(1500));
    }

    #[test]
    fn ids_are_uuid_v4_shaped_and_distinct() {
        let rng = FastRng::seeded(7);
        let a = generate_external_task_id(&rng);
        let b = generate_external_task_id(&rng);
        assert_ne!(a, b);
        assert_eq!(a.len(), "kling-rs-".len() + 36);
        assert_eq!(&a[9 + 14..9 + 15], "4");
        let f = rng.next_f64();
        assert!((0.0..1.0).contains(&f));
    }
}
