//! [`RedisJobStore`]: job records as JSON strings (`prefix:job:<external_task_id>`), with an
//! index of every job's state (`prefix:states`, a hash) for counts and listings; callback notes
//! as `prefix:callback:<task_id>` strings that expire after a week.

use async_trait::async_trait;
use kling_core::fleet::{JobRecord, JobState, JobStore};
use kling_errors::{Error, InternalError};
use redis::Script;

use crate::conn::Fleet;

/// Writes a record and its state in one step.
const PUT: &str = r"
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
";

/// Writes a record only if its id has none.
const INSERT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
";

/// The job store of a fleet, on Redis.
#[derive(Debug, Clone)]
pub struct RedisJobStore {
    fleet: Fleet,
    states: String,
}

impl RedisJobStore {
    pub(crate) fn new(fleet: Fleet) -> Self {
        let states = fleet.states_key();
        Self { fleet, states }
    }

    fn record_key(&self, external_task_id: &str) -> String {
        self.fleet.job_key(external_task_id)
    }

    async fn write(&self, script: &str, record: &JobRecord) -> Result<bool, Error> {
        let json = serde_json::to_string(record)
            .map_err(|e| InternalError::new(&format!("a job record does not encode: {e}")))?;
        let written: i64 = Script::new(script)
            .key(self.record_key(&record.external_task_id))
            .key(&self.states)
            .arg(json)
            .arg(&record.external_task_id)
            .arg(record.state.as_str())
            .invoke_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot write a job record", e))?;
        Ok(written == 1)
    }

    /// How many jobs are in each state.
    ///
    /// # Errors
    ///
    /// When Redis cannot be read.
    pub async fn counts(&self) -> Result<Vec<(JobState, u64)>, Error> {
        let states: Vec<String> = redis::cmd("HVALS")
            .arg(&self.states)
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot read the job states", e))?;
        Ok(kling_core::fleet::count_states(
            states.iter().map(|s| parse_state(s)),
        ))
    }

    /// Every job's record, in no particular order (read in pages of 200).
    ///
    /// # Errors
    ///
    /// When Redis cannot be read or holds a record that does not decode.
    pub async fn all(&self) -> Result<Vec<JobRecord>, Error> {
        let ids: Vec<String> = redis::cmd("HKEYS")
            .arg(&self.states)
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot list the jobs", e))?;
        let mut records = Vec::with_capacity(ids.len());
        for page in ids.chunks(200) {
            let keys: Vec<String> = page.iter().map(|id| self.record_key(id)).collect();
            let values: Vec<Option<String>> = redis::cmd("MGET")
                .arg(&keys)
                .query_async(&mut self.fleet.conn())
                .await
                .map_err(|e| self.fleet.error("cannot read the job records", e))?;
            for value in values.into_iter().flatten() {
                records.push(JobRecord::decode(&value)?);
            }
        }
        Ok(records)
    }
}

fn parse_state(text: &str) -> JobState {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).unwrap_or(JobState::Unknown)
}

#[async_trait]
impl JobStore for RedisJobStore {
    async fn get(&self, external_task_id: &str) -> Result<Option<JobRecord>, Error> {
        let value: Option<String> = redis::cmd("GET")
            .arg(self.record_key(external_task_id))
            .query_async(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot read a job record", e))?;
        value.as_deref().map(JobRecord::decode).transpose()
    }

    async fn put(&self, record: &JobRecord) -> Result<(), Error> {
        self.write(PUT, record).await.map(drop)
    }

    async fn insert(&self, record: &JobRecord) -> Result<bool, Error> {
        self.write(INSERT, record).await
    }

    async fn note_callback(&self, task_id: &str, status: &str) -> Result<(), Error> {
        kling_core::fleet::check_note(task_id, status)?;
        redis::cmd("SET")
            .arg(self.fleet.key(&format!("callback:{task_id}")))
            .arg(status)
            .arg("EX")
            .arg(CALLBACK_NOTE_SECONDS)
            .query_async::<()>(&mut self.fleet.conn())
            .await
            .map_err(|e| self.fleet.error("cannot note a callback", e))
    }

    async fn called_back(&self, task_ids: &[String]) -> Result<Vec<String>, Error> {
        let mut noted = Vec::new();
        for page in task_ids.chunks(200) {
            let keys: Vec<String> = page
                .iter()
                .map(|id| self.fleet.key(&format!("callback:{id}")))
                .collect();
            let values: Vec<Option<String>> = redis::cmd("MGET")
                .arg(&keys)
                .query_async(&mut self.fleet.conn())
                .await
                .map_err(|e| self.fleet.error("cannot read the callback notes", e))?;
            noted.extend(
                page.iter()
                    .zip(values)
                    .filter(|(_, v)| v.is_some())
                    .map(|(id, _)| id.clone()),
            );
        }
        Ok(noted)
    }
}

/// How long a callback note is kept: long past any task's end.
const CALLBACK_NOTE_SECONDS: u64 = 7 * 24 * 3600;
