//! [`BatchQueue`]: the batch queue on a Redis stream with one consumer group. A worker reads
//! new entries (`XREADGROUP`), keeps the ones it works on from going idle (`XCLAIM` to itself,
//! checked in a script), acknowledges the finished ones (`XACK`), and takes over the entries a
//! dead worker left pending (`XAUTOCLAIM`).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use kling_core::fleet::{Backlog, BatchJob, Delivery, JobQueue};
use kling_errors::Error;
use redis::{Script, Value};

use crate::conn::Fleet;

/// The consumer group every worker reads in.
const GROUP: &str = "workers";

/// Resets an entry's idle time, only if this consumer still owns it: whether it does.
const TOUCH: &str = r"
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
";

/// Records a job as queued and adds its entry, in one step, unless its id is recorded already:
/// a job is queued once however often it is submitted, and no crash leaves a record without
/// its entry.
const SUBMIT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], 'queued')
redis.call('XADD', KEYS[3], '*', 'job', ARGV[3])
return 1
";

/// Keeps a parked job's entry for a resume and acknowledges it, in one step: a job never
/// leaves the stream without a way back.
const PARK: &str = r"
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
";

/// Queues a parked job again: its record back to queued, its entry added again, its parked
/// copy removed, in one step; nothing when the job is no longer blocked.
const RESUME: &str = r"
local state = redis.call('HGET', KEYS[2], ARGV[1])
local entry = redis.call('HGET', KEYS[3], ARGV[1])
if state ~= 'blocked' or not entry then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], 'queued')
redis.call('XADD', KEYS[4], '*', 'job', entry)
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
";

/// The batch queue, as seen by one consumer.
#[derive(Debug, Clone)]
pub struct BatchQueue {
    fleet: Fleet,
    stream: String,
    consumer: String,
}

type Fields = Vec<String>;
/// Entries as a stream read returns them: `(id, fields)`.
type Entries = Vec<(String, Fields)>;

fn job_of(fields: &Fields) -> Result<BatchJob, String> {
    let json = fields
        .chunks(2)
        .find(|kv| kv[0] == "job")
        .and_then(|kv| kv.get(1))
        .ok_or_else(|| "the entry has no `job` field".to_owned())?;
    BatchJob::parse(json)
        .and_then(BatchJob::keyed)
        .map_err(|e| e.to_string())
}

fn count(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Value::BulkString(b)) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

impl BatchQueue {
    pub(crate) fn new(fleet: Fleet, consumer: &str) -> Self {
        let stream = fleet.key("queue");
        Self {
            fleet,
            stream,
            consumer: consumer.to_owned(),
        }
    }

    /// This consumer's name.
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    /// Creates the stream and its group if they are missing (from the stream's start, so
    /// entries added before any worker are read too).
    ///
    /// # Errors
    ///
    /// When Redis refuses.
    pub async fn ensure_group(&self) -> Result<(), Error> {
        let made: Result<String, redis::RedisError> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut self.fleet.conn())
            .await;
        match made {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(self.fleet.error("cannot create the consumer group", e)),
        }
    }

    /// Queues a job: records it as queued and adds its entry, unless its id is already
    /// recorded (then nothing is done: `false`). The job is checked first (see
    /// [`BatchJob::create`]).
    ///
    /// # Errors
    ///
    /// The job's [`ValidationError`](kling_errors::ValidationError) (not keyed, unknown
    /// family, a field out of range); a Redis failure.
    pub async fn submit(&self, job: &BatchJob) -> Result<bool, Error> {
        let record = job.queued_record()?;
        let id = record.external_task_id.clone();
        let record = serde_json::to_string(&record).unwrap_or_default();
        let entry = serde_json::to_string(job).unwrap_or_default();
        let queued: i64 = Script::new(SUBMIT)
            .key(self.fleet.job_key(&id))
            .key(self.fleet.states_key())
            .key(&self.stream)
            .arg(record)
            .arg(&id)
            .arg(entry)
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot queue a job", e))?;
        Ok(queued == 1)
    }

    /// The next entry for this worker: first one left pending longer than `claim_idle` by any
    /// worker (a dead one's), else a new one; `None` when there is neither.
    ///
    /// # Errors
    ///
    /// When Redis cannot be read.
    pub async fn next(&self, claim_idle: Duration) -> Result<Option<Delivery>, Error> {
        let claimed: (String, Entries, Vec<String>) = redis::cmd("XAUTOCLAIM")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(u64::try_from(claim_idle.as_millis()).unwrap_or(u64::MAX))
            .arg("0-0")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot claim idle jobs", e))?;
        if let Some((entry, fields)) = claimed.1.into_iter().next() {
            return Ok(Some(Delivery::new(entry, job_of(&fields), true)));
        }
        let read: Option<Vec<(String, Entries)>> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(1)
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">")
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot read the queue", e))?;
        Ok(read
            .and_then(|streams| streams.into_iter().next())
            .and_then(|(_, entries)| entries.into_iter().next())
            .map(|(entry, fields)| Delivery::new(entry, job_of(&fields), false)))
    }

    /// Keeps `entry` from going idle while this worker works on it; `false` when another
    /// worker has taken it over (stop working on it).
    ///
    /// # Errors
    ///
    /// When Redis cannot be reached.
    pub async fn touch(&self, entry: &str) -> Result<bool, Error> {
        let owned: i64 = Script::new(TOUCH)
            .key(&self.stream)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(entry)
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot keep a job", e))?;
        Ok(owned == 1)
    }

    /// Acknowledges a finished entry.
    ///
    /// # Errors
    ///
    /// When Redis cannot be reached.
    pub async fn ack(&self, entry: &str) -> Result<(), Error> {
        let _: i64 = redis::cmd("XACK")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(entry)
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot acknowledge a job", e))?;
        Ok(())
    }

    /// Parks a job the account cannot run now (its record says blocked): keeps `job` for
    /// [`resume`](Self::resume) and acknowledges `entry`, so no worker takes it again.
    ///
    /// # Errors
    ///
    /// When Redis cannot be reached (the entry then stays pending and comes back).
    pub async fn park(&self, entry: &str, job: &BatchJob) -> Result<(), Error> {
        let id = job.id().unwrap_or_default();
        let json = serde_json::to_string(job).unwrap_or_default();
        let _: i64 = Script::new(PARK)
            .key(&self.stream)
            .key(self.fleet.parked_key())
            .arg(GROUP)
            .arg(entry)
            .arg(id)
            .arg(json)
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot park a job", e))?;
        Ok(())
    }

    /// Queues every blocked job again (after a top-up, or access granted): each record goes
    /// back to queued and its entry into the stream, once. How many were queued.
    ///
    /// # Errors
    ///
    /// When Redis cannot be reached.
    pub async fn resume(&self) -> Result<u64, Error> {
        let ids: Vec<String> = redis::cmd("HKEYS")
            .arg(self.fleet.parked_key())
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot read the parked jobs", e))?;
        let store = self.fleet.store();
        let mut queued = 0;
        for id in ids {
            let Some(mut record) = kling_core::fleet::JobStore::get(&store, &id).await? else {
                continue;
            };
            record.queue_again();
            let json = serde_json::to_string(&record).unwrap_or_default();
            let done: i64 = Script::new(RESUME)
                .key(self.fleet.job_key(&id))
                .key(self.fleet.states_key())
                .key(self.fleet.parked_key())
                .key(&self.stream)
                .arg(&id)
                .arg(json)
                .invoke_async(&mut self.fleet.conn())
                .await
                .map_err(|e| self.fleet.error("cannot resume a job", e))?;
            queued += u64::try_from(done).unwrap_or(0);
        }
        Ok(queued)
    }

    /// What is left.
    ///
    /// # Errors
    ///
    /// When Redis cannot be read.
    pub async fn backlog(&self) -> Result<Backlog, Error> {
        let entries: u64 = redis::cmd("XLEN")
            .arg(&self.stream)
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot read the queue", e))?;
        let groups: Vec<HashMap<String, Value>> = redis::cmd("XINFO")
            .arg("GROUPS")
            .arg(&self.stream)
            .query_async(&mut self.fleet.conn())
            .await
            .or_else(|e| {
                // No stream yet: nothing queued.
                if e.to_string().contains("no such key") {
                    Ok(Vec::new())
                } else {
                    Err(self.fleet.error("cannot read the queue", e))
                }
            })?;
        let group = groups
            .iter()
            .find(|g| matches!(g.get("name"), Some(Value::BulkString(n)) if n == GROUP.as_bytes()));
        Ok(match group {
            Some(g) => Backlog::new(entries, count(g.get("lag")), count(g.get("pending"))),
            None => Backlog::new(entries, entries, 0),
        })
    }
}

/// The same steps, through the queue trait the worker loop is written over.
#[async_trait]
impl JobQueue for BatchQueue {
    async fn prepare(&self) -> Result<(), Error> {
        self.ensure_group().await
    }
    async fn submit(&self, job: &BatchJob) -> Result<bool, Error> {
        BatchQueue::submit(self, job).await
    }
    async fn next(&self, claim_idle: Duration) -> Result<Option<Delivery>, Error> {
        BatchQueue::next(self, claim_idle).await
    }
    async fn touch(&self, entry: &str) -> Result<bool, Error> {
        BatchQueue::touch(self, entry).await
    }
    async fn ack(&self, entry: &str) -> Result<(), Error> {
        BatchQueue::ack(self, entry).await
    }
    async fn park(&self, entry: &str, job: &BatchJob) -> Result<(), Error> {
        BatchQueue::park(self, entry, job).await
    }
    async fn resume(&self) -> Result<u64, Error> {
        BatchQueue::resume(self).await
    }
    async fn backlog(&self) -> Result<Backlog, Error> {
        BatchQueue::backlog(self).await
    }
}
