//! [`SqliteJobStore`]: one row per job (`jobs`: its `external_task_id`, its state, its record
//! as JSON).

use std::sync::Arc;

use async_trait::async_trait;
use kling_core::fleet::{JobRecord, JobState, JobStore};
use kling_errors::{Error, InternalError};
use rusqlite::{OptionalExtension, params};

use crate::db::{Inner, blocking};

/// The job store of a [`Store`](crate::Store).
#[derive(Clone)]
pub struct SqliteJobStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SqliteJobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteJobStore")
            .field("path", &self.inner.path())
            .finish()
    }
}

/// A record as JSON, and its state's name.
pub(crate) fn encode(record: &JobRecord) -> Result<(String, &'static str), Error> {
    let json = serde_json::to_string(record)
        .map_err(|e| InternalError::new(&format!("a job record does not encode: {e}")))?;
    Ok((json, record.state.as_str()))
}

/// A state's name read back (a newer version's is [`JobState::Unknown`]).
pub(crate) fn parse_state(text: &str) -> JobState {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).unwrap_or(JobState::Unknown)
}

impl SqliteJobStore {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// How many jobs are in each state (every known state, zeros included).
    ///
    /// # Errors
    ///
    /// When the file cannot be read.
    pub async fn counts(&self) -> Result<Vec<(JobState, u64)>, Error> {
        let rows = blocking(&self.inner, "read the job states", |conn| {
            let mut statement = conn.prepare("SELECT state, count(*) FROM jobs GROUP BY state")?;
            let rows =
                statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
        let mut counts: Vec<(JobState, u64)> = JobState::ALL.iter().map(|&s| (s, 0)).collect();
        for (state, n) in rows {
            let (state, n) = (parse_state(&state), u64::try_from(n).unwrap_or(0));
            match counts.iter_mut().find(|(s, _)| *s == state) {
                Some((_, total)) => *total += n,
                None => counts.push((state, n)),
            }
        }
        Ok(counts)
    }

    /// Every job's record, by `external_task_id`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or holds a record that does not decode.
    pub async fn all(&self) -> Result<Vec<JobRecord>, Error> {
        let rows = blocking(&self.inner, "read the job records", |conn| {
            let mut statement = conn.prepare("SELECT record FROM jobs ORDER BY id")?;
            let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
        rows.iter().map(|r| JobRecord::decode(r)).collect()
    }
}

#[async_trait]
impl JobStore for SqliteJobStore {
    async fn get(&self, external_task_id: &str) -> Result<Option<JobRecord>, Error> {
        let id = external_task_id.to_owned();
        let value = blocking(&self.inner, "read a job record", move |conn| {
            conn.query_row("SELECT record FROM jobs WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })
            .optional()
        })
        .await?;
        value.as_deref().map(JobRecord::decode).transpose()
    }

    async fn put(&self, record: &JobRecord) -> Result<(), Error> {
        let (json, state) = encode(record)?;
        let id = record.external_task_id.clone();
        blocking(&self.inner, "write a job record", move |conn| {
            conn.execute(
                "INSERT INTO jobs (id, state, record) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record",
                params![id, state, json],
            )
        })
        .await
        .map(drop)
    }

    async fn insert(&self, record: &JobRecord) -> Result<bool, Error> {
        let (json, state) = encode(record)?;
        let id = record.external_task_id.clone();
        let written = blocking(&self.inner, "write a job record", move |conn| {
            conn.execute(
                "INSERT INTO jobs (id, state, record) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO NOTHING",
                params![id, state, json],
            )
        })
        .await?;
        Ok(written == 1)
    }

    async fn note_callback(&self, task_id: &str, status: &str) -> Result<(), Error> {
        kling_core::fleet::check_note(task_id, status)?;
        let (task_id, status) = (task_id.to_owned(), status.to_owned());
        let now = unix_seconds();
        blocking(&self.inner, "note a callback", move |conn| {
            // Notes older than a week are long past their task's end: dropped as new ones come.
            conn.execute(
                "DELETE FROM callbacks WHERE noted < ?1",
                [now.saturating_sub(CALLBACK_NOTE_SECONDS)],
            )?;
            conn.execute(
                "INSERT INTO callbacks (task_id, status, noted) VALUES (?1, ?2, ?3)
                 ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, noted = excluded.noted",
                params![task_id, status, now],
            )
        })
        .await
        .map(drop)
    }

    async fn called_back(&self, task_ids: &[String]) -> Result<Vec<String>, Error> {
        let ids = task_ids.to_vec();
        blocking(&self.inner, "read the callback notes", move |conn| {
            let mut stmt = conn.prepare("SELECT 1 FROM callbacks WHERE task_id = ?1")?;
            let mut noted = Vec::new();
            for id in ids {
                if stmt.exists([&id])? {
                    noted.push(id);
                }
            }
            Ok(noted)
        })
        .await
    }
}

/// How long a callback note is kept: long past any task's end.
const CALLBACK_NOTE_SECONDS: i64 = 7 * 24 * 3600;

/// Seconds since the Unix epoch (0 for a clock set before it).
fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
