//! [`Fleet`]: the connection to the Redis a fleet shares, its key names, and Redis errors as
//! the SDK's errors (naming the server, never its password).

use std::time::Duration;

use kling_errors::{Error, Operation, TransportError, TransportFailure, TransportPhase};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::queue::BatchQueue;
use crate::slots::RedisSlots;
use crate::store::RedisJobStore;

/// The Redis a fleet shares, and the prefix of its keys (several fleets may share one Redis).
///
/// Cloning is cheap: clones share one multiplexed connection, re-established by itself after
/// a connection loss or a Redis restart (commands sent meanwhile fail, and the callers here
/// back off and go on).
#[derive(Clone)]
pub struct Fleet {
    conn: ConnectionManager,
    prefix: String,
    shown_url: String,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("url", &self.shown_url)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The URL with its password (if any) replaced by `***`: what errors and logs show.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or("", |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// A Redis error as the SDK's error: a transport failure naming the server (redacted).
pub(crate) fn redis_error(shown_url: &str, doing: &str, e: redis::RedisError) -> Error {
    let failure = if e.is_timeout() {
        TransportFailure::Timeout
    } else if e.is_connection_refusal() {
        TransportFailure::Connect
    } else if e.is_connection_dropped() {
        TransportFailure::Reset
    } else {
        TransportFailure::Io
    };
    TransportError::new(
        failure,
        TransportPhase::Unknown,
        Operation::Read,
        &format!("redis {doing}: {e}"),
    )
    .with_host(shown_url)
    .with_source(e)
    .into()
}

impl Fleet {
    /// Connects to the Redis at `url` (`redis://[user:password@]host:port[/db]`, or
    /// `rediss://` for TLS where the `redis` crate was built with it), checking that it answers.
    /// Keys start with `prefix` and a colon (`kling` → `kling:slots`, `kling:job:<id>`, ...).
    ///
    /// # Errors
    ///
    /// A validation error (field `redis_url`) when the URL is malformed; a transport error
    /// naming the URL (without its password) when Redis does not answer.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, Error> {
        let shown_url = redact_url(url);
        // A URL that does not parse is the caller's mistake, not a network failure.
        let client = redis::Client::open(url).map_err(|e| {
            kling_errors::ValidationError::new(
                "redis_url",
                kling_errors::KlingCode::InvalidParameter,
                &format!(
                    "{shown_url:?} is not a Redis URL (redis://[user:password@]host:port[/db]): {}",
                    e.detail().unwrap_or("it does not parse")
                ),
            )
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_secs(1));
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| redis_error(&shown_url, "cannot be reached", e))?;
        let fleet = Self {
            conn,
            prefix: prefix.to_owned(),
            shown_url,
        };
        let _: String = redis::cmd("PING")
            .query_async(&mut fleet.conn())
            .await
            .map_err(|e| fleet.error("does not answer PING", e))?;
        Ok(fleet)
    }

    /// A handle on the shared connection.
    pub(crate) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// `prefix:name`.
    pub(crate) fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// The fleet's request budget (`config`'s rates, shared by every worker that uses it):
    /// give it to each worker's client with `ClientBuilder::request_pacer`.
    pub fn pacer(&self, config: kling_core::RateConfig) -> crate::RedisPacer {
        crate::RedisPacer::new(self.clone(), config)
    }

    /// The key of a job's record.
    pub(crate) fn job_key(&self, external_task_id: &str) -> String {
        self.key(&format!("job:{external_task_id}"))
    }

    /// The key of the hash of every job's state.
    pub(crate) fn states_key(&self) -> String {
        self.key("states")
    }

    /// The key of the hash of parked jobs' queue entries (id → the job as queued), kept for
    /// a resume.
    pub(crate) fn parked_key(&self) -> String {
        self.key("parked")
    }

    /// A Redis error of this fleet.
    pub(crate) fn error(&self, doing: &str, e: redis::RedisError) -> Error {
        redis_error(&self.shown_url, doing, e)
    }

    /// The URL, password redacted.
    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// The account's task slots: at most `limit` held at once by the whole fleet, each a lease
    /// of `ttl` renewed while held (a dead worker's slots come back within `ttl`).
    pub fn slots(&self, limit: usize, ttl: Duration) -> RedisSlots {
        RedisSlots::new(self.clone(), limit, ttl)
    }

    /// The job store.
    pub fn store(&self) -> RedisJobStore {
        RedisJobStore::new(self.clone())
    }

    /// The batch queue, read by the consumer `consumer` (unique per worker).
    pub fn queue(&self, consumer: &str) -> BatchQueue {
        BatchQueue::new(self.clone(), consumer)
    }
}

/// A fleet on Redis, as the worker loop and `kling batch` see any backend.
#[async_trait::async_trait]
impl kling_core::fleet::FleetBackend for Fleet {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn location(&self) -> String {
        format!("{} (prefix {})", self.shown_url, self.prefix)
    }

    fn job_queue(&self, consumer: &str) -> std::sync::Arc<dyn kling_core::fleet::JobQueue> {
        std::sync::Arc::new(self.queue(consumer))
    }

    fn job_store(&self) -> std::sync::Arc<dyn kling_core::fleet::JobStore> {
        std::sync::Arc::new(self.store())
    }

    fn task_slots(
        &self,
        limit: usize,
        ttl: Duration,
    ) -> std::sync::Arc<dyn kling_core::fleet::AsyncTaskSlots> {
        std::sync::Arc::new(self.slots(limit, ttl))
    }

    fn request_pacer(
        &self,
        config: kling_core::RateConfig,
    ) -> std::sync::Arc<dyn kling_core::AsyncRequestPacer> {
        std::sync::Arc::new(self.pacer(config))
    }

    async fn counts(&self) -> Result<Vec<(kling_core::fleet::JobState, u64)>, Error> {
        self.store().counts().await
    }

    async fn records(&self) -> Result<Vec<kling_core::fleet::JobRecord>, Error> {
        self.store().all().await
    }

    async fn slots_held(&self) -> Result<usize, Error> {
        // The limit and the time to live play no part in a count.
        self.slots(1, Duration::from_secs(1)).held().await
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact_url("redis://user:s3cret@redis.example:6379/2"),
            "redis://user:***@redis.example:6379/2"
        );
        assert_eq!(redact_url("redis://:s3cret@h:1"), "redis://:***@h:1");
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(redact_url("not a url"), "not a url");
        assert!(!redact_url("rediss://a:p@ss@h/0").contains("p@ss"));
    }
}
