//! [`RedisPacer`]: one request budget for a whole fleet, a token bucket per class in a Redis
//! hash, on Redis's clock, updated by one script per request.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use kling_core::pace::{AsyncRequestPacer, MemoryPacer, RateConfig, RequestClass, RequestPacer};
use kling_errors::Error;
use redis::Script;

use crate::conn::Fleet;

/// Refills the bucket for the time since its last use (its rate also earns back toward the
/// maximum), then either takes a token (`reserve`: the reply is how long to wait, in seconds,
/// as text so no precision is lost) or halves the rate (`throttle`). ARGV: rate, burst, floor,
/// recovery, op.
const BUCKET: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local max_rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local floor, recovery = tonumber(ARGV[3]), tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last', 'rate')
local tokens = tonumber(b[1]) or burst
local last = tonumber(b[2]) or now
local rate = tonumber(b[3]) or max_rate
local elapsed = math.max(0, now - last)
rate = math.min(max_rate, rate + recovery * elapsed)
tokens = math.min(burst, tokens + rate * elapsed)
local wait = 0
if ARGV[5] == 'throttle' then
  rate = math.max(floor, rate / 2)
  if tokens > 0 then tokens = 0 end
else
  tokens = tokens - 1
  if tokens < 0 then wait = -tokens / rate end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(now), 'rate', tostring(rate))
redis.call('PEXPIRE', KEYS[1], 3600000)
return tostring(wait)
";

/// A fleet's request budget: every worker's requests draw on the same buckets
/// (`PREFIX:pace:task`, `PREFIX:pace:account`), and a 1302 seen by one worker slows them all.
/// While Redis is unreachable a worker falls back to a budget of its own (the same rates), so
/// an outage slows nothing down and sends no more than one worker would alone.
#[derive(Debug, Clone)]
pub struct RedisPacer {
    fleet: Fleet,
    config: RateConfig,
    fallback: std::sync::Arc<MemoryPacer>,
}

impl RedisPacer {
    pub(crate) fn new(fleet: Fleet, config: RateConfig) -> Self {
        let fallback = std::sync::Arc::new(MemoryPacer::new(&config));
        Self {
            fleet,
            config,
            fallback,
        }
    }

    async fn run(&self, class: RequestClass, op: &str) -> Result<Duration, Error> {
        let (rate, burst) = match class {
            RequestClass::Account => (self.config.account_per_second, 1),
            _ => (self.config.per_second, self.config.burst),
        };
        let reply: String = Script::new(BUCKET)
            .key(self.fleet.key(&format!("pace:{}", class.as_str())))
            .arg(rate)
            .arg(burst.max(1))
            .arg(self.config.floor)
            .arg(self.config.recovery)
            .arg(op)
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot pace a request", e))?;
        // A server's number is checked before it becomes a sleep: finite, not negative, and
        // no longer than a minute.
        let secs = reply
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(0.0)
            .min(60.0);
        Ok(Duration::from_secs_f64(secs))
    }
}

#[async_trait]
impl AsyncRequestPacer for RedisPacer {
    async fn reserve(&self, class: RequestClass, now: SystemTime) -> Result<Duration, Error> {
        match self.run(class, "reserve").await {
            Ok(wait) => Ok(wait),
            Err(e) => {
                tracing::warn!(error = %e, "kling-redis: the fleet's budget is unreachable; pacing alone");
                RequestPacer::reserve(&*self.fallback, class, now)
            }
        }
    }

    async fn throttled(&self, class: RequestClass, now: SystemTime) {
        RequestPacer::throttled(&*self.fallback, class, now);
        if let Err(e) = self.run(class, "throttle").await {
            tracing::warn!(error = %e, "kling-redis: cannot slow the fleet's budget down");
        }
    }
}
