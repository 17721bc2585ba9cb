//! [`Store`]: the database file, its connections and schema, and SQLite's errors as the SDK's
//! (naming the file).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use kling_core::RateConfig;
use kling_errors::{Error, InternalError, IoError, KlingCode, ValidationError};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::jobs::SqliteJobStore;
use crate::pace::SqlitePacer;
use crate::queue::SqliteQueue;
use crate::slots::SqliteSlots;

/// What a kling-store file says it is (`PRAGMA application_id`: "KLNG").
const APPLICATION_ID: i32 = 0x4b4c_4e47;
/// The version of the tables below (`PRAGMA user_version`).
const SCHEMA_VERSION: i32 = 1;
/// How long one step waits for another process's write to end before it fails (and the
/// loops that called it back off and try again).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections kept open for the next step (more are opened while many steps run at once).
const IDLE_CONNECTIONS: usize = 4;

/// The tables: job records (with their state, for counts), the queue's entries (who holds
/// each and since when), the parked jobs' entries, the slots' leases and the request budget's
/// buckets.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state);
CREATE TABLE IF NOT EXISTS queue (
    entry INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    job TEXT NOT NULL,
    owner TEXT,
    touched INTEGER,
    deliveries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_by_owner ON queue (owner, touched);
CREATE TABLE IF NOT EXISTS parked (
    job_id TEXT PRIMARY KEY NOT NULL,
    job TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS slots (
    lease TEXT PRIMARY KEY NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS callbacks (
    task_id TEXT PRIMARY KEY NOT NULL,
    status TEXT NOT NULL,
    noted INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pace (
    class TEXT PRIMARY KEY NOT NULL,
    tokens REAL NOT NULL,
    last REAL NOT NULL,
    rate REAL NOT NULL
);
";

/// One machine's batch store: a SQLite file holding the job records, the batch queue, the
/// account's task slots and its request budget, shared by every worker process that opens
/// it (WAL mode, a busy timeout, each change one `BEGIN IMMEDIATE` transaction).
///
/// Cloning is cheap: clones share the open connections. Every step runs on tokio's blocking
/// threads (`spawn_blocking`), so the methods need a tokio runtime.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// The file and its idle connections.
pub(crate) struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens the store at `path`, creating the file (and its tables) if it is missing. Any
    /// number of processes of this machine may open the same file at once.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] (field `store`) when the path is empty or the file is not a
    /// kling-store database (another program's, or written by a newer kling-store); an
    /// [`IoError`] naming the file when it cannot be opened or written.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path.as_ref(), true).await
    }

    /// Opens the store at `path`, which must exist already (as reading a batch's status
    /// does: a mistyped path is not made into a new, empty store).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); an [`IoError`] of kind `NotFound` when the file is missing.
    pub async fn open_existing(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path.as_ref(), false).await
    }

    async fn open_with(path: &Path, create: bool) -> Result<Self, Error> {
        if path.as_os_str().is_empty() {
            return Err(invalid("the store's path is empty"));
        }
        // Absolute, so what errors, logs and `kling batch status` show leads to the file.
        let path = std::path::absolute(path)
            .map_err(|e| Error::from(IoError::new("find the batch store", path, e)))?;
        let inner = tokio::task::spawn_blocking(move || Inner::open(path, create))
            .await
            .map_err(|e| InternalError::new(&format!("opening the batch store stopped: {e}")))??;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The database file (absolute).
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The job store.
    pub fn jobs(&self) -> SqliteJobStore {
        SqliteJobStore::new(self.inner.clone())
    }

    /// The batch queue, read by the consumer `consumer` (unique per worker).
    pub fn queue(&self, consumer: &str) -> SqliteQueue {
        SqliteQueue::new(self.inner.clone(), consumer)
    }

    /// The account's task slots: at most `limit` held at once by every process using this
    /// file, each a lease of `ttl` renewed while held (a dead worker's slots come back within
    /// `ttl`).
    pub fn slots(&self, limit: usize, ttl: Duration) -> SqliteSlots {
        SqliteSlots::new(self.inner.clone(), limit, ttl)
    }

    /// The account's request budget (`config`'s rates), shared by every process using this
    /// file: give it to each worker's client with `ClientBuilder::request_pacer`.
    pub fn pacer(&self, config: RateConfig) -> SqlitePacer {
        SqlitePacer::new(self.inner.clone(), config)
    }
}

impl Inner {
    fn open(path: PathBuf, create: bool) -> Result<Self, Error> {
        if !create && !path.exists() {
            return Err(IoError::new(
                "open the batch store",
                &path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
            .into());
        }
        // A device or a pipe (`/dev/null`) would take the writes and keep nothing.
        if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) && !path.is_dir() {
            return Err(invalid(&format!(
                "{} is not a regular file: name a file for the store",
                path.display()
            )));
        }
        let doing = "open the batch store";
        let mut conn = connect(&path, create).map_err(|e| db_error(doing, &path, e))?;
        // A file that is not ours is refused before anything (its journal mode) is changed.
        if let Some(refusal) = check(&conn, &path).map_err(|e| db_error(doing, &path, e))? {
            return Err(invalid(&refusal));
        }
        // WAL lets readers go on while one process writes; the mode is kept in the file.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| db_error(doing, &path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode = %mode, "kling-store: WAL mode is not available; writers will wait for readers");
        }
        init(&mut conn, &path)?;
        Ok(Self {
            path,
            idle: Mutex::new(vec![conn]),
        })
    }

    /// Runs `f` on a connection of this file (an idle one, or a new one), on this thread.
    pub(crate) fn run<T>(
        &self,
        doing: &str,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => connect(&self.path, false).map_err(|e| db_error(doing, &self.path, e))?,
        };
        let out = f(&mut conn);
        // A connection left inside a transaction (a failed rollback) is not used again.
        if conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < IDLE_CONNECTIONS {
                idle.push(conn);
            }
        }
        out.map_err(|e| db_error(doing, &self.path, e))
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Runs `f` on a connection of `inner`'s file on tokio's blocking threads: SQLite's calls
/// block (on the disk, and on another process's write for up to the busy timeout).
pub(crate) async fn blocking<T, F>(
    inner: &Arc<Inner>,
    doing: &'static str,
    f: F,
) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
{
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || inner.run(doing, f))
        .await
        .map_err(|e| InternalError::new(&format!("a batch store step stopped: {e}")))?
}

/// Runs `f` in one `BEGIN IMMEDIATE` transaction (the write lock taken first, so two
/// processes never both read and then write), committed when `f` succeeds.
pub(crate) fn immediate<T>(
    conn: &mut Connection,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// A connection to `path`, waiting up to the busy timeout for other processes' writes, with
/// every commit synced to disk (a record written is kept through a crash of the machine).
fn connect(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// Makes the tables of a new file, or checks that an existing file is a store of ours that
/// this version reads. One transaction: processes opening a new file at once make it once.
fn init(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let doing = "set up the batch store";
    let verdict = immediate(conn, |tx| {
        // Again, inside the transaction: another process may have set the file up meanwhile.
        if let Some(refusal) = check(tx, path)? {
            return Ok(Some(refusal));
        }
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))?;
        Ok(None)
    })
    .map_err(|e| db_error(doing, path, e))?;
    match verdict {
        Some(message) => Err(invalid(&message)),
        None => Ok(()),
    }
}

/// Why the file at `path` is not a store this version may use (another program's database, a
/// newer store's), if it is not; a new, empty file is one.
fn check(conn: &Connection, path: &Path) -> rusqlite::Result<Option<String>> {
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
        [],
        |r| r.get(0),
    )?;
    Ok(if app == APPLICATION_ID && version > SCHEMA_VERSION {
        Some(format!(
            "{} was written by a newer kling-store (schema {version}; this one reads {SCHEMA_VERSION}): update kling",
            path.display()
        ))
    } else if app != APPLICATION_ID && (app != 0 || tables > 0) {
        Some(format!(
            "{} is a SQLite database of another program, not a batch store: name another file",
            path.display()
        ))
    } else {
        None
    })
}

fn invalid(message: &str) -> Error {
    ValidationError::new("store", KlingCode::InvalidParameter, message).into()
}

/// SQLite's error as the SDK's: a file that is not a database is the caller's mistake (a
/// validation error); the rest are I/O errors naming the file, with SQLite's error as their
/// source and the closest kind (`ResourceBusy` for a write that waited too long, ...).
pub(crate) fn db_error(doing: &str, path: &Path, e: rusqlite::Error) -> Error {
    use std::io::ErrorKind as Kind;
    let kind = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            return invalid(&format!(
                "{} is not a SQLite database (nor a batch store): name another file",
                path.display()
            ));
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Kind::ResourceBusy,
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => Kind::PermissionDenied,
        Some(ErrorCode::DiskFull) => Kind::StorageFull,
        Some(ErrorCode::DatabaseCorrupt) => Kind::InvalidData,
        Some(ErrorCode::CannotOpen) if path.is_dir() => Kind::IsADirectory,
        Some(ErrorCode::CannotOpen) if path.parent().is_some_and(|p| !p.is_dir()) => Kind::NotFound,
        _ if matches!(
            e,
            rusqlite::Error::NulError(_) | rusqlite::Error::InvalidPath(_)
        ) =>
        {
            return invalid(&format!("{} cannot name a file", path.display()));
        }
        _ => Kind::Other,
    };
    IoError::new(doing, path, std::io::Error::new(kind, e)).into()
}

/// Milliseconds since the Unix epoch on this machine's clock (the processes sharing a file
/// share it).
pub(crate) fn now_ms() -> i64 {
    kling_core::time::unix_ms(SystemTime::now())
}

/// A duration in milliseconds, for the tables.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
