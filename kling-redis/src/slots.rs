//! [`RedisSlots`]: the account's task slots shared by a fleet, as leases in a sorted set
//! (member: the lease, score: when it expires, in Redis's own clock).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use kling_core::fleet::AsyncTaskSlots;
use kling_core::time::{FastRng, Rng};
use kling_core::{SlotLease, TaskSlot};
use kling_errors::Error;
use redis::Script;
use tokio::task::JoinHandle;

use crate::conn::Fleet;

/// Drops the expired leases, then takes one if fewer than the limit are held. Atomic: one
/// script, Redis's clock (workers' clocks may disagree).
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
  return 1
end
return 0
";

/// Pushes a held lease's expiry on. A lease that is gone (Redis lost it, or it expired while
/// Redis was unreachable) is put back: its task is still running on Kling and must count.
const RENEW: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
return 1
";

/// A fleet's task slots: at most `limit` leases held at once; each held lease is renewed every
/// third of its time to live, and removed when its [`TaskSlot`] is given back. A worker that
/// dies, or a slot dropped without being given back (its task may still be running), stops
/// renewing: the lease expires and the next acquire drops it.
#[derive(Clone)]
pub struct RedisSlots {
    fleet: Fleet,
    key: String,
    limit: usize,
    ttl: Duration,
    /// How often a waiting acquire tries again.
    retry: Duration,
    holder: Arc<str>,
    counter: Arc<AtomicU64>,
    /// Spreads the retries of waiting acquires, so workers do not retry in step.
    rng: Arc<FastRng>,
}

impl std::fmt::Debug for RedisSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSlots")
            .field("key", &self.key)
            .field("limit", &self.limit)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// A held lease: renewed until given back (then removed) or dropped (then left to expire:
/// the job's future was dropped, its task may still run).
struct Lease {
    renewal: JoinHandle<()>,
    fleet: Fleet,
    key: String,
    id: String,
}

impl SlotLease for Lease {
    fn give_back(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.renewal.abort();
        let (fleet, key, id) = (self.fleet.clone(), self.key.clone(), self.id.clone());
        Box::pin(async move {
            let removed: Result<i64, _> = redis::cmd("ZREM")
                .arg(&key)
                .arg(&id)
                .query_async(&mut fleet.conn())
                .await;
            if let Err(e) = removed {
                tracing::warn!(error = %fleet.error("cannot give a slot back", e), "kling-redis: a slot could not be given back (it expires by itself)");
            }
        })
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewal.abort();
    }
}

impl RedisSlots {
    pub(crate) fn new(fleet: Fleet, limit: usize, ttl: Duration) -> Self {
        let key = fleet.key("slots");
        Self {
            fleet,
            key,
            limit: limit.max(1),
            // A lease shorter than a second would be renewed more often than it is worth.
            ttl: ttl.max(Duration::from_secs(1)),
            retry: Duration::from_millis(100),
            holder: Arc::from(holder_id().as_str()),
            counter: Arc::new(AtomicU64::new(0)),
            rng: Arc::new(FastRng::new()),
        }
    }

    /// How long a waiting acquire sleeps between two tries (100 ms).
    #[must_use]
    pub fn retry_every(mut self, every: Duration) -> Self {
        self.retry = every.max(Duration::from_millis(10));
        self
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The leases held now by the whole fleet (expired ones not counted).
    ///
    /// # Errors
    ///
    /// When Redis cannot be read.
    pub async fn held(&self) -> Result<usize, Error> {
        let script = Script::new(
            r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
",
        );
        let n: i64 = script
            .key(&self.key)
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot count the slots", e))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// One try: a lease id if a slot was free.
    async fn try_acquire(&self) -> Result<Option<String>, Error> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}:{n}", self.holder);
        let got: i64 = Script::new(ACQUIRE)
            .key(&self.key)
            .arg(millis(self.ttl))
            .arg(self.limit)
            .arg(&id)
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot take a slot", e))?;
        Ok((got == 1).then_some(id))
    }

    fn hold(&self, id: String) -> TaskSlot {
        let (fleet, key, ttl) = (self.fleet.clone(), self.key.clone(), self.ttl);
        let lease = id.clone();
        let renewal = tokio::spawn(async move {
            let script = Script::new(RENEW);
            loop {
                tokio::time::sleep(ttl / 3).await;
                let renewed: Result<i64, _> = script
                    .key(&key)
                    .arg(millis(ttl))
                    .arg(&lease)
                    .invoke_async(&mut fleet.conn())
                    .await;
                if let Err(e) = renewed {
                    tracing::warn!(error = %e, "kling-redis: a lease could not be renewed (retrying)");
                }
            }
        });
        TaskSlot::leased(Lease {
            renewal,
            fleet: self.fleet.clone(),
            key: self.key.clone(),
            id,
        })
    }
}

#[async_trait]
impl AsyncTaskSlots for RedisSlots {
    /// Waits for a free slot. A Redis outage is waited out (with a growing pause, up to 2 s).
    async fn acquire(&self) -> Result<TaskSlot, Error> {
        let mut outage = Duration::from_millis(100);
        loop {
            match self.try_acquire().await {
                Ok(Some(id)) => return Ok(self.hold(id)),
                Ok(None) => {
                    outage = Duration::from_millis(100);
                    // Half to one and a half of the pause.
                    let pause = self.retry.mul_f64(0.5 + self.rng.next_f64());
                    tokio::time::sleep(pause).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "kling-redis: cannot take a slot (retrying)");
                    tokio::time::sleep(outage).await;
                    outage = (outage * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// This process's name in lease ids: host, process id and start time, so two workers never
/// hold the same id.
pub(crate) fn holder_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{host}:{}:{started:x}", std::process::id())
}
