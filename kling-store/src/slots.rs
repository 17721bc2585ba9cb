//! [`SqliteSlots`]: the account's task slots shared by the processes of one machine, as leases
//! in a table (`slots`: the lease, when it expires).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use kling_core::fleet::AsyncTaskSlots;
use kling_core::time::{FastRng, Rng};
use kling_core::{SlotLease, TaskSlot};
use kling_errors::Error;
use rusqlite::params;
use tokio::task::JoinHandle;

use crate::db::{Inner, blocking, immediate, millis, now_ms};

/// A store's task slots: at most `limit` leases held at once by every process using the file;
/// each held lease is renewed every third of its time to live, and removed when its
/// [`TaskSlot`] is given back. A worker that dies, or a slot dropped without being given back
/// (its task may still be running), stops renewing: the lease expires and the next acquire
/// drops it.
#[derive(Clone)]
pub struct SqliteSlots {
    inner: Arc<Inner>,
    limit: usize,
    ttl: Duration,
    /// How often a waiting acquire tries again.
    retry: Duration,
    holder: Arc<str>,
    counter: Arc<AtomicU64>,
    /// Spreads the retries of waiting acquires, so workers do not retry in step.
    rng: Arc<FastRng>,
}

impl std::fmt::Debug for SqliteSlots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSlots")
            .field("path", &self.inner.path())
            .field("limit", &self.limit)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// A held lease: renewed until given back (then removed) or dropped (then left to expire:
/// the job's future was dropped, its task may still run).
struct Lease {
    renewal: JoinHandle<()>,
    inner: Arc<Inner>,
    id: String,
    given_back: GivenBack,
}

/// Whether a lease was given back, locked around every write of it. Aborting the renewal does
/// not stop a write already on a blocking thread: without this, a renewal that commits after
/// the removal would put the lease back (as it does for one that expired) and hold the slot
/// for a whole time to live.
type GivenBack = Arc<Mutex<bool>>;

fn lock(given_back: &GivenBack) -> MutexGuard<'_, bool> {
    given_back.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SlotLease for Lease {
    fn give_back(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.renewal.abort();
        let (inner, lease, given_back) =
            (self.inner.clone(), self.id.clone(), self.given_back.clone());
        Box::pin(async move {
            let removed = blocking(&inner, "give a task slot back", move |conn| {
                let mut given = lock(&given_back);
                *given = true;
                conn.execute("DELETE FROM slots WHERE lease = ?1", [lease])
            })
            .await;
            if let Err(e) = removed {
                tracing::warn!(error = %e, "kling-store: a slot could not be given back (it expires by itself)");
            }
        })
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewal.abort();
    }
}

impl SqliteSlots {
    pub(crate) fn new(inner: Arc<Inner>, limit: usize, ttl: Duration) -> Self {
        Self {
            inner,
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

    /// The leases held now by every process (expired ones not counted).
    ///
    /// # Errors
    ///
    /// When the file cannot be read.
    pub async fn held(&self) -> Result<usize, Error> {
        held(&self.inner).await
    }

    /// One try: a lease id if a slot was free. Dropping the expired leases, counting and
    /// taking are one transaction.
    async fn try_acquire(&self) -> Result<Option<String>, Error> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}:{n}", self.holder);
        let (ttl, limit) = (
            millis(self.ttl),
            i64::try_from(self.limit).unwrap_or(i64::MAX),
        );
        let lease = id.clone();
        let got = blocking(&self.inner, "take a task slot", move |conn| {
            immediate(conn, |tx| {
                let now = now_ms();
                tx.execute("DELETE FROM slots WHERE expires <= ?1", [now])?;
                let held: i64 = tx.query_row("SELECT count(*) FROM slots", [], |r| r.get(0))?;
                if held >= limit {
                    return Ok(false);
                }
                tx.execute(
                    "INSERT INTO slots (lease, expires) VALUES (?1, ?2)",
                    params![lease, now.saturating_add(ttl)],
                )?;
                Ok(true)
            })
        })
        .await?;
        Ok(got.then_some(id))
    }

    fn hold(&self, id: String) -> TaskSlot {
        let (inner, ttl) = (self.inner.clone(), self.ttl);
        let lease = id.clone();
        let given_back = GivenBack::default();
        let checked = given_back.clone();
        let renewal = tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                let lease = lease.clone();
                // A lease that is gone (it expired while this process was stalled) is put
                // back: its task is still running on Kling and must count.
                let checked = checked.clone();
                let renewed = blocking(&inner, "renew a task slot", move |conn| {
                    let given = lock(&checked);
                    if *given {
                        return Ok(0);
                    }
                    conn.execute(
                        "INSERT INTO slots (lease, expires) VALUES (?1, ?2)
                         ON CONFLICT (lease) DO UPDATE SET expires = excluded.expires",
                        params![lease, now_ms().saturating_add(millis(ttl))],
                    )
                })
                .await;
                if let Err(e) = renewed {
                    tracing::warn!(error = %e, "kling-store: a lease could not be renewed (retrying)");
                }
            }
        });
        TaskSlot::leased(Lease {
            renewal,
            inner: self.inner.clone(),
            id,
            given_back,
        })
    }
}

/// The leases of `inner`'s file not yet expired.
pub(crate) async fn held(inner: &Arc<Inner>) -> Result<usize, Error> {
    let n = blocking(inner, "count the task slots", |conn| {
        conn.query_row(
            "SELECT count(*) FROM slots WHERE expires > ?1",
            [now_ms()],
            |r| r.get::<_, i64>(0),
        )
    })
    .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[async_trait]
impl AsyncTaskSlots for SqliteSlots {
    /// Waits for a free slot. A file busy past its timeout is waited out (with a growing
    /// pause, up to 2 s).
    async fn acquire(&self) -> Result<TaskSlot, Error> {
        let mut trouble = Duration::from_millis(100);
        loop {
            match self.try_acquire().await {
                Ok(Some(id)) => return Ok(self.hold(id)),
                Ok(None) => {
                    trouble = Duration::from_millis(100);
                    // Half to one and a half of the pause.
                    let pause = self.retry.mul_f64(0.5 + self.rng.next_f64());
                    tokio::time::sleep(pause).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "kling-store: cannot take a slot (retrying)");
                    tokio::time::sleep(trouble).await;
                    trouble = (trouble * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

/// This process's name in lease ids: host, process id and start time, so two workers never
/// hold the same id.
fn holder_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{host}:{}:{started:x}", std::process::id())
}
