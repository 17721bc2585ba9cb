//! [`SqlitePacer`]: one request budget for every process using a store, a token bucket per
//! class of request in a table (`pace`), updated in one transaction per request.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use kling_core::pace::{AsyncRequestPacer, MemoryPacer, RateConfig, RequestClass, RequestPacer};
use kling_errors::Error;
use rusqlite::{OptionalExtension, params};

use crate::db::{Inner, blocking, immediate};

/// The settings of one class's bucket, bounded as kling-core's `AdaptiveBucket` bounds them:
/// a rate is positive and finite, the floor no higher than the rate.
#[derive(Debug, Clone, Copy)]
struct Settings {
    max_rate: f64,
    burst: f64,
    floor: f64,
    recovery: f64,
}

impl Settings {
    fn of(config: &RateConfig, class: RequestClass) -> Self {
        let (rate, burst) = match class {
            RequestClass::Account => (config.account_per_second, 1),
            _ => (config.per_second, config.burst),
        };
        let max_rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        let floor = if config.floor.is_finite() && config.floor > 0.0 {
            config.floor.min(max_rate)
        } else {
            max_rate.min(0.5)
        };
        let recovery = if config.recovery.is_finite() && config.recovery >= 0.0 {
            config.recovery
        } else {
            0.0
        };
        Self {
            max_rate,
            burst: f64::from(burst.max(1)),
            floor,
            recovery,
        }
    }
}

/// A bucket as stored: tokens (below zero: requests already promised a later turn), when it
/// was last used (seconds since the Unix epoch), and its rate now.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bucket {
    tokens: f64,
    last: f64,
    rate: f64,
}

/// What a request (`throttle`: a 1302 answer) does to `bucket` at `now`: the bucket after it,
/// and how long the request waits. The same arithmetic as kling-core's `AdaptiveBucket` and
/// kling-redis's script: refill for the time since the last use (the rate also earns back
/// toward its maximum), then take a token, or halve the rate (not below the floor) and spend
/// what the bucket held. A bucket read back that is not numbers (a damaged row) starts full.
fn step(bucket: Option<Bucket>, settings: Settings, now: f64, throttle: bool) -> (Bucket, f64) {
    let bucket = bucket.filter(|b| {
        b.tokens.is_finite() && b.last.is_finite() && b.rate.is_finite() && b.rate > 0.0
    });
    let Bucket {
        mut tokens,
        last,
        mut rate,
    } = bucket.unwrap_or(Bucket {
        tokens: settings.burst,
        last: now,
        rate: settings.max_rate,
    });
    // A clock that went back refills nothing (and moves nothing back).
    let elapsed = (now - last).max(0.0);
    rate = (rate + settings.recovery * elapsed).min(settings.max_rate);
    tokens = (tokens + rate * elapsed).min(settings.burst);
    let mut wait = 0.0;
    if throttle {
        rate = (rate / 2.0).max(settings.floor);
        tokens = tokens.min(0.0);
    } else {
        tokens -= 1.0;
        if tokens < 0.0 {
            wait = -tokens / rate;
        }
    }
    let bucket = Bucket {
        tokens,
        last: now.max(last),
        rate,
    };
    (bucket, wait)
}

/// A store's request budget: every process's requests draw on the same buckets, and a 1302
/// seen by one slows them all (earned back slowly). While the file cannot be used (busy past
/// its timeout) a worker falls back to a budget of its own at the same rates.
#[derive(Clone)]
pub struct SqlitePacer {
    inner: Arc<Inner>,
    config: RateConfig,
    fallback: Arc<MemoryPacer>,
}

impl std::fmt::Debug for SqlitePacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlitePacer")
            .field("path", &self.inner.path())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SqlitePacer {
    pub(crate) fn new(inner: Arc<Inner>, config: RateConfig) -> Self {
        let fallback = Arc::new(MemoryPacer::new(&config));
        Self {
            inner,
            config,
            fallback,
        }
    }

    /// Reads, steps and writes the class's bucket in one transaction: how long to wait.
    async fn run(
        &self,
        class: RequestClass,
        now: SystemTime,
        throttle: bool,
    ) -> Result<Duration, Error> {
        let settings = Settings::of(&self.config, class);
        let now = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let key = class.as_str();
        let wait = blocking(&self.inner, "pace a request", move |conn| {
            immediate(conn, |tx| {
                let stored = tx
                    .query_row(
                        "SELECT tokens, last, rate FROM pace WHERE class = ?1",
                        [key],
                        |r| {
                            Ok(Bucket {
                                tokens: r.get(0)?,
                                last: r.get(1)?,
                                rate: r.get(2)?,
                            })
                        },
                    )
                    .optional()?;
                let (bucket, wait) = step(stored, settings, now, throttle);
                tx.execute(
                    "INSERT INTO pace (class, tokens, last, rate) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (class) DO UPDATE SET
                         tokens = excluded.tokens, last = excluded.last, rate = excluded.rate",
                    params![key, bucket.tokens, bucket.last, bucket.rate],
                )?;
                Ok(wait)
            })
        })
        .await?;
        // No longer than a minute, whatever the table held.
        Ok(Duration::from_secs_f64(wait.clamp(0.0, 60.0)))
    }
}

#[async_trait]
impl AsyncRequestPacer for SqlitePacer {
    async fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error> {
        match self.run(class, now, false).await {
            Ok(wait) => Ok(wait),
            Err(e) => {
                tracing::warn!(error = %e, "kling-store: the shared budget cannot be read; pacing alone");
                RequestPacer::reserve(&*self.fallback, class, now)
            }
        }
    }

    async fn throttled(&self, class: RequestClass, now: SystemTime) {
        RequestPacer::throttled(&*self.fallback, class, now);
        if let Err(e) = self.run(class, now, true).await {
            tracing::warn!(error = %e, "kling-store: cannot slow the shared budget down");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(rate: f64, burst: u32) -> Settings {
        let mut config = RateConfig::default();
        config.per_second = rate;
        config.burst = burst;
        Settings::of(&config, RequestClass::Task)
    }

    #[test]
    fn a_bucket_spends_its_burst_then_spaces_requests_and_halves_on_1302() {
        let s = settings(4.0, 4);
        let mut bucket = None;
        for _ in 0..4 {
            let (b, wait) = step(bucket, s, 100.0, false);
            assert_eq!(wait, 0.0);
            bucket = Some(b);
        }
        let (b, wait) = step(bucket, s, 100.0, false);
        assert!((wait - 0.25).abs() < 1e-9, "{wait}");
        // A 1302: half the rate; the next turn is further away.
        let (b, _) = step(Some(b), s, 100.0, true);
        assert!((b.rate - 2.0).abs() < 1e-9);
        let (b, wait) = step(Some(b), s, 100.0, false);
        assert!(wait > 0.9, "{wait}");
        // Time earns the rate back (0.4 a second) and refills, up to the burst.
        let (b, wait) = step(Some(b), s, 200.0, false);
        assert_eq!(wait, 0.0);
        assert!((b.rate - 4.0).abs() < 1e-9 && b.tokens <= 3.0);
        // A clock that went back refills nothing and keeps the later time.
        let (back, _) = step(Some(b), s, 50.0, false);
        assert_eq!(back.last, 200.0);
    }

    #[test]
    fn nonsense_settings_and_damaged_rows_are_bounded() {
        let s = settings(f64::NAN, 0);
        assert_eq!((s.max_rate, s.burst), (1.0, 1.0));
        let damaged = Bucket {
            tokens: f64::NAN,
            last: f64::INFINITY,
            rate: -1.0,
        };
        let (b, wait) = step(Some(damaged), settings(4.0, 4), 10.0, false);
        assert_eq!((b.tokens, wait), (3.0, 0.0));
    }
}
