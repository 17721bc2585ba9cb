//! [`SqliteQueue`]: the batch queue in a table (`queue`: one row per entry, with the worker
//! holding it and when it last said so). Taking an entry, new or left idle by a dead worker,
//! is one `BEGIN IMMEDIATE` transaction; a worker keeps its entries by touching them, only
//! while it still holds them.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_core::fleet::{Backlog, BatchJob, Delivery, JobQueue, JobRecord};
use kling_errors::Error;
use rusqlite::{OptionalExtension, params};

use crate::db::{Inner, blocking, immediate, millis, now_ms};
use crate::jobs::encode;

/// The batch queue of a [`Store`](crate::Store), as seen by one consumer (a worker).
#[derive(Clone)]
pub struct SqliteQueue {
    inner: Arc<Inner>,
    consumer: Arc<str>,
}

impl std::fmt::Debug for SqliteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteQueue")
            .field("path", &self.inner.path())
            .field("consumer", &self.consumer)
            .finish()
    }
}

/// An entry's job read back: a job, or why it is not one (the worker rejects it).
fn job_of(json: &str) -> Result<BatchJob, String> {
    BatchJob::parse(json)
        .and_then(BatchJob::keyed)
        .map_err(|e| e.to_string())
}

/// An entry id as this queue writes them (a positive integer); anything else is no entry.
fn entry_id(entry: &str) -> Option<i64> {
    entry.parse::<i64>().ok().filter(|n| *n > 0)
}

impl SqliteQueue {
    pub(crate) fn new(inner: Arc<Inner>, consumer: &str) -> Self {
        Self {
            inner,
            consumer: Arc::from(consumer),
        }
    }

    /// This consumer's name.
    pub fn consumer(&self) -> &str {
        &self.consumer
    }
}

#[async_trait]
impl JobQueue for SqliteQueue {
    async fn submit(&self, job: &BatchJob) -> Result<bool, Error> {
        let record = job.queued_record()?;
        let id = record.external_task_id.clone();
        let (record, state) = encode(&record)?;
        let entry = serde_json::to_string(job).unwrap_or_default();
        // The record and the entry in one step, once per id: no crash leaves one without the
        // other.
        blocking(&self.inner, "queue a job", move |conn| {
            immediate(conn, |tx| {
                let recorded = tx.execute(
                    "INSERT INTO jobs (id, state, record) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO NOTHING",
                    params![id, state, record],
                )?;
                if recorded == 0 {
                    return Ok(false);
                }
                tx.execute(
                    "INSERT INTO queue (job_id, job) VALUES (?1, ?2)",
                    params![id, entry],
                )?;
                Ok(true)
            })
        })
        .await
    }

    async fn next(&self, claim_idle: Duration) -> Result<Option<Delivery>, Error> {
        let consumer = self.consumer.clone();
        let idle = millis(claim_idle);
        let taken = blocking(&self.inner, "take a job from the queue", move |conn| {
            let now = now_ms();
            let stale = now.saturating_sub(idle);
            // A look first, without the write lock: an idle worker polls often.
            let any: Option<i64> = conn
                .query_row(
                    "SELECT entry FROM queue WHERE owner IS NULL OR touched <= ?1 LIMIT 1",
                    [stale],
                    |r| r.get(0),
                )
                .optional()?;
            if any.is_none() {
                return Ok(None);
            }
            immediate(conn, |tx| {
                // A dead worker's entry first (left idle past the claim time), else a new one.
                let pick = |sql: &str, arg: Option<i64>| {
                    let mut statement = tx.prepare(sql)?;
                    let row = match arg {
                        Some(a) => statement.query_row([a], |r| Ok((r.get(0)?, r.get(1)?))),
                        None => statement.query_row([], |r| Ok((r.get(0)?, r.get(1)?))),
                    };
                    row.optional()
                };
                let (found, redelivered): (Option<(i64, String)>, bool) = match pick(
                    "SELECT entry, job FROM queue WHERE owner IS NOT NULL AND touched <= ?1
                     ORDER BY entry LIMIT 1",
                    Some(stale),
                )? {
                    Some(row) => (Some(row), true),
                    None => (
                        pick(
                            "SELECT entry, job FROM queue WHERE owner IS NULL ORDER BY entry LIMIT 1",
                            None,
                        )?,
                        false,
                    ),
                };
                let Some((entry, job)) = found else {
                    return Ok(None);
                };
                tx.execute(
                    "UPDATE queue SET owner = ?1, touched = ?2, deliveries = deliveries + 1
                     WHERE entry = ?3",
                    params![&*consumer, now, entry],
                )?;
                Ok(Some((entry, job, redelivered)))
            })
        })
        .await?;
        Ok(taken.map(|(entry, job, redelivered)| {
            Delivery::new(entry.to_string(), job_of(&job), redelivered)
        }))
    }

    async fn touch(&self, entry: &str) -> Result<bool, Error> {
        let Some(entry) = entry_id(entry) else {
            return Ok(false);
        };
        let consumer = self.consumer.clone();
        let touched = blocking(&self.inner, "keep a job", move |conn| {
            conn.execute(
                "UPDATE queue SET touched = ?1 WHERE entry = ?2 AND owner = ?3",
                params![now_ms(), entry, &*consumer],
            )
        })
        .await?;
        Ok(touched == 1)
    }

    async fn ack(&self, entry: &str) -> Result<(), Error> {
        let Some(entry) = entry_id(entry) else {
            return Ok(());
        };
        blocking(&self.inner, "acknowledge a job", move |conn| {
            conn.execute("DELETE FROM queue WHERE entry = ?1", [entry])
        })
        .await
        .map(drop)
    }

    async fn park(&self, entry: &str, job: &BatchJob) -> Result<(), Error> {
        let entry = entry_id(entry);
        let id = job.id().unwrap_or_default().to_owned();
        let json = serde_json::to_string(job).unwrap_or_default();
        // Kept for a resume and acknowledged in one step: a job never leaves the queue
        // without a way back.
        blocking(&self.inner, "park a job", move |conn| {
            immediate(conn, |tx| {
                tx.execute(
                    "INSERT INTO parked (job_id, job) VALUES (?1, ?2)
                     ON CONFLICT (job_id) DO UPDATE SET job = excluded.job",
                    params![id, json],
                )?;
                if let Some(entry) = entry {
                    tx.execute("DELETE FROM queue WHERE entry = ?1", [entry])?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn resume(&self) -> Result<u64, Error> {
        blocking(&self.inner, "resume the parked jobs", |conn| {
            immediate(conn, |tx| {
                let parked: Vec<(String, String, String)> = {
                    let mut statement = tx.prepare(
                        "SELECT parked.job_id, parked.job, jobs.record FROM parked
                         JOIN jobs ON jobs.id = parked.job_id WHERE jobs.state = 'blocked'",
                    )?;
                    let rows =
                        statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                let mut queued = 0;
                for (id, job, record) in parked {
                    // A record that does not decode is left as it is, for a person to see.
                    let Ok(mut record) = JobRecord::decode(&record) else {
                        continue;
                    };
                    record.queue_again();
                    let Ok((record, state)) = encode(&record) else {
                        continue;
                    };
                    tx.execute(
                        "UPDATE jobs SET state = ?2, record = ?3 WHERE id = ?1",
                        params![id, state, record],
                    )?;
                    tx.execute(
                        "INSERT INTO queue (job_id, job) VALUES (?1, ?2)",
                        params![id, job],
                    )?;
                    tx.execute("DELETE FROM parked WHERE job_id = ?1", [&id])?;
                    queued += 1;
                }
                Ok(queued)
            })
        })
        .await
    }

    async fn backlog(&self) -> Result<Backlog, Error> {
        let (entries, undelivered) = blocking(&self.inner, "read the queue", |conn| {
            conn.query_row(
                "SELECT count(*), count(*) FILTER (WHERE owner IS NULL) FROM queue",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
        })
        .await?;
        let entries = u64::try_from(entries).unwrap_or(0);
        let undelivered = u64::try_from(undelivered).unwrap_or(0);
        Ok(Backlog::new(
            entries,
            undelivered,
            entries.saturating_sub(undelivered),
        ))
    }
}
