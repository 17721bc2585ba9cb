//! The job store: a durable record per job, keyed by its `external_task_id`.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Mutex;

use async_trait::async_trait;
use kling_errors::{DecodeError, DecodeFailure, Dialect, Error, ErrorCode, Operation};
use serde::{Deserialize, Serialize};

use crate::job::ResultFile;

/// Where a stored job is. A job moves forward: queued → creating → created → done or failed;
/// a create refused for a reason of the account (no credits, no access) parks the job as
/// blocked, from where a resume queues it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JobState {
    /// Recorded, no POST yet.
    Queued,
    /// A POST may have been sent: look the task up by `external_task_id` before any other.
    Creating,
    /// Kling has the task (its id is in the record); it is being waited for.
    Created,
    /// The task succeeded; its result files are in the record.
    Done,
    /// The create was refused for good or the task failed; the reason is in the record.
    Failed,
    /// The create was refused for a reason of the account a retry cannot fix now (credits
    /// exhausted, arrears, no access to the model or API: Kling's 1101, 1102, 1103, 1304 and
    /// the gateways' equivalents). No task exists; the reason is in the record. It waits for a
    /// person (a top-up) and a resume, which queues it again.
    Blocked,
    /// A create whose outcome cannot be settled: its API cannot look a task up by the
    /// caller's id (RunBlob), and the POST may have reached the server (an answer lost, a
    /// worker that stopped while posting). A task may exist and may be charged; the job is
    /// never posted again. The record keeps what is known (the error names the endpoint and
    /// the request id): check the account's generations before running it again by hand.
    Unsettled,
    /// A state written by a newer version (treated as [`Creating`](Self::Creating): look
    /// before posting).
    #[serde(other)]
    Unknown,
}

impl JobState {
    /// Every known state, in the order a job goes through them.
    pub const ALL: [JobState; 7] = [
        Self::Queued,
        Self::Creating,
        Self::Created,
        Self::Done,
        Self::Failed,
        Self::Blocked,
        Self::Unsettled,
    ];

    /// The state's name as stored (`queued`, `creating`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Creating => "creating",
            Self::Created => "created",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Blocked => "blocked",
            Self::Unsettled => "unsettled",
            Self::Unknown => "unknown",
        }
    }

    /// Whether the job has ended: done, failed, or unsettled (never run again by itself).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Failed | Self::Unsettled)
    }

    /// Whether the job waits for a person: parked, not to be run until resumed.
    pub fn is_parked(self) -> bool {
        self == Self::Blocked
    }
}

/// A result file of a done job: its safe name, where to fetch it, and where a worker saved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredFile {
    /// A safe file name (see [`ResultFile::file_name`]).
    pub file_name: String,
    /// The download URL.
    pub url: String,
    /// Where a worker saved it (on that worker's machine), once downloaded: recorded so any
    /// process reading the store (`kling batch results`) can show it. For display only: read
    /// back from a store, it is never used as a path to write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl From<ResultFile> for StoredFile {
    fn from(file: ResultFile) -> Self {
        Self {
            file_name: file.file_name,
            url: file.url,
            path: None,
        }
    }
}

/// What the store knows of one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobRecord {
    /// The job's key, sent with its create.
    pub external_task_id: String,
    /// The family of its create (`text2video`, ...).
    pub family: String,
    /// The [`fingerprint`] of its request: the same id with another request is refused.
    pub fingerprint: String,
    /// Where it is.
    pub state: JobState,
    /// Kling's task id, once known.
    #[serde(default)]
    pub task_id: Option<String>,
    /// The result files, once done.
    #[serde(default)]
    pub files: Vec<StoredFile>,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<String>,
    /// How many times a create was sent (at most one may have reached Kling unanswered: the
    /// next attempt looks first).
    #[serde(default)]
    pub posts: u32,
    /// When the result files stop working (ms since the Unix epoch), once done
    /// ([`TaskView::expires_at`](crate::TaskView::expires_at)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The server said a task with this id exists (a create refused as a duplicate): an
    /// earlier post created it, so the job is only looked up from now on, never posted again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exists: bool,
    /// What the job asks for, for people (`kling batch dashboard`): set when it is queued;
    /// records of older versions have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brief: Option<JobBrief>,
    /// The code of [`error`](Self::error), when it had one: what it means and its remedy are
    /// the taxonomy's ([`StoredCode::code`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<StoredCode>,
    /// When the job's create was first posted (ms since the Unix epoch, by the worker's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// When the job ended: done, failed, blocked or unsettled (ms since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
}

/// What a job asks for, in brief: enough to tell jobs apart on a page, never the request
/// itself (a request with inline images can be megabytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct JobBrief {
    /// The model (`kling-v2-6`, `kling-3.0`, ...), when the request names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The prompt, at most [`JobBrief::MAX_PROMPT`] characters (longer ones end in `…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What the models data's price tables say it costs, when they price it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<f64>,
    /// What `estimate` is in (`video_units`, `image_units`, `usd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

impl JobBrief {
    /// The longest prompt kept, in characters.
    pub const MAX_PROMPT: usize = 200;

    /// `prompt` cut to [`MAX_PROMPT`](Self::MAX_PROMPT) characters.
    pub fn shorten(prompt: &str) -> String {
        let prompt = prompt.trim();
        match prompt.char_indices().nth(Self::MAX_PROMPT) {
            Some((end, _)) => format!("{}…", &prompt[..end]),
            None => prompt.to_owned(),
        }
    }
}

/// An error's code as a record keeps it: its dialect (`kling`, `runblob`, `pikzels`) and the
/// code as the wire carries it (`1102`, `INSUFFICIENT_CREDITS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredCode {
    /// [`Dialect::as_str`](kling_errors::Dialect::as_str).
    pub dialect: String,
    /// [`ErrorCode::as_wire`].
    pub code: String,
}

impl StoredCode {
    /// `code` as a record keeps it.
    pub fn new(code: &ErrorCode) -> Self {
        Self {
            dialect: code.dialect().as_str().to_owned(),
            code: code.as_wire().into_owned(),
        }
    }

    /// The code again, to ask the taxonomy what it means; `None` for a dialect this version
    /// does not know, or a Kling code that is not a number (a store is not trusted).
    pub fn code(&self) -> Option<ErrorCode> {
        let dialect = [Dialect::Kling, Dialect::RunBlob, Dialect::Pikzels]
            .into_iter()
            .find(|d| d.as_str() == self.dialect)?;
        ErrorCode::parse(dialect, &self.code)
    }
}

impl JobRecord {
    /// The largest stored record read back (1 MiB): a record is a few hundred bytes, and a
    /// store is not trusted to bound what it hands back.
    pub const MAX_STORED: usize = 1 << 20;

    /// A record read back from a store, checked: at most [`MAX_STORED`](Self::MAX_STORED)
    /// bytes, and a record.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] (too large, or not a record).
    pub fn decode(stored: &str) -> Result<Self, Error> {
        let bytes = stored.as_bytes();
        if bytes.len() > Self::MAX_STORED {
            return Err(DecodeError::new(
                DecodeFailure::TooLarge,
                Operation::Read,
                0,
                &bytes[..200],
            )
            .into());
        }
        serde_json::from_slice(bytes)
            .map_err(|_| DecodeError::new(DecodeFailure::Schema, Operation::Read, 0, bytes).into())
    }

    /// A queued job.
    pub fn queued(
        external_task_id: impl Into<String>,
        family: impl Into<String>,
        fingerprint: impl Into<String>,
    ) -> Self {
        Self {
            external_task_id: external_task_id.into(),
            family: family.into(),
            fingerprint: fingerprint.into(),
            state: JobState::Queued,
            task_id: None,
            files: Vec::new(),
            error: None,
            posts: 0,
            expires_at: None,
            exists: false,
            brief: None,
            error_code: None,
            started_at: None,
            ended_at: None,
        }
    }

    /// Back to the queue (a resumed blocked job): queued, neither started nor ended (its
    /// elapsed time is the next try's). The last error stays for people to read until the
    /// job ends again.
    pub fn queue_again(&mut self) {
        self.state = JobState::Queued;
        self.started_at = None;
        self.ended_at = None;
    }
}

/// A fingerprint of a request body: 16 hex digits of FNV-1a over its JSON. It tells a
/// resubmitted job from another job reusing its id; it is no security.
pub fn fingerprint(body: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in body {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The [`fingerprint`] of a request's body, as [`run_stored_job`](super::run_stored_job)
/// records it.
pub fn request_fingerprint<E: kling_types::Endpoint>(request: &E) -> String {
    fingerprint(&serde_json::to_vec(&request.body()).unwrap_or_default())
}

/// Durable job records, keyed by `external_task_id`, shared by every worker of a fleet.
#[async_trait]
pub trait JobStore: Send + Sync + Debug {
    /// The record of `external_task_id`, if any.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    async fn get(&self, external_task_id: &str) -> Result<Option<JobRecord>, Error>;

    /// Writes `record` (replacing the one of its id).
    ///
    /// # Errors
    ///
    /// When the store cannot be written; the caller must not go on as if it had been.
    async fn put(&self, record: &JobRecord) -> Result<(), Error>;

    /// Writes `record` only if its id has none yet; whether it was written.
    ///
    /// # Errors
    ///
    /// As [`put`](Self::put).
    async fn insert(&self, record: &JobRecord) -> Result<bool, Error>;

    /// Notes that a checked callback said task `task_id` ended (`status` as it wrote it), so
    /// the worker waiting for the task looks at it now
    /// ([`CallbackInbox`](super::CallbackInbox) writes it; workers read it with
    /// [`called_back`](Self::called_back)). The default: this store keeps no callbacks.
    ///
    /// # Errors
    ///
    /// When the store cannot be written, or keeps no callbacks.
    async fn note_callback(&self, task_id: &str, status: &str) -> Result<(), Error> {
        let _ = (task_id, status);
        Err(kling_errors::InternalError::new("this job store keeps no callbacks").into())
    }

    /// Which of `task_ids` a callback was noted for (in no particular order). The default:
    /// none.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    async fn called_back(&self, task_ids: &[String]) -> Result<Vec<String>, Error> {
        let _ = task_ids;
        Ok(Vec::new())
    }
}

/// The longest task id and status a callback note keeps: a store is not filled by a sender
/// that makes them up.
pub(crate) const MAX_NOTE: usize = 256;

/// Checks a callback note before a store keeps it.
///
/// # Errors
///
/// A validation error naming what is too long or empty.
pub fn check_note(task_id: &str, status: &str) -> Result<(), Error> {
    let bad = |field: &str| -> Error {
        kling_errors::ValidationError::new(
            field,
            kling_errors::KlingCode::InvalidParameter,
            &format!("must be 1 to {MAX_NOTE} bytes"),
        )
        .into()
    };
    if task_id.is_empty() || task_id.len() > MAX_NOTE {
        return Err(bad("task_id"));
    }
    if status.len() > MAX_NOTE {
        return Err(bad("status"));
    }
    Ok(())
}

/// The in-memory store: one process, nothing survives it.
#[derive(Debug, Default)]
pub struct MemoryJobStore {
    records: Mutex<HashMap<String, JobRecord>>,
    callbacks: Mutex<HashMap<String, String>>,
}

impl MemoryJobStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<String, JobRecord>> {
        // A panic elsewhere cannot leave a record half-written: each is replaced whole.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl JobStore for MemoryJobStore {
    async fn get(&self, external_task_id: &str) -> Result<Option<JobRecord>, Error> {
        Ok(self.records().get(external_task_id).cloned())
    }

    async fn put(&self, record: &JobRecord) -> Result<(), Error> {
        self.records()
            .insert(record.external_task_id.clone(), record.clone());
        Ok(())
    }

    async fn insert(&self, record: &JobRecord) -> Result<bool, Error> {
        let mut records = self.records();
        if records.contains_key(&record.external_task_id) {
            return Ok(false);
        }
        records.insert(record.external_task_id.clone(), record.clone());
        Ok(true)
    }

    async fn note_callback(&self, task_id: &str, status: &str) -> Result<(), Error> {
        check_note(task_id, status)?;
        let mut notes = self
            .callbacks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: a process that lives long forgets old notes (a lost note is found by the
        // fallback poll).
        if notes.len() >= 100_000 {
            notes.clear();
        }
        notes.insert(task_id.to_owned(), status.to_owned());
        Ok(())
    }

    async fn called_back(&self, task_ids: &[String]) -> Result<Vec<String>, Error> {
        let notes = self
            .callbacks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(task_ids
            .iter()
            .filter(|id| notes.contains_key(*id))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_record_is_read_back_bounded_and_checked() {
        let r = JobRecord::queued("job-1", "text2video", fingerprint(b"{}"));
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(JobRecord::decode(&text).unwrap(), r);
        let huge = format!("\"{}\"", "x".repeat(JobRecord::MAX_STORED));
        let e = JobRecord::decode(&huge).unwrap_err();
        assert_eq!(e.kind(), kling_errors::ErrorKind::InvalidResponse, "{e}");
        assert!(
            e.to_string().contains("too large"),
            "refused by size, not by shape: {e}"
        );
        assert!(JobRecord::decode("{\"not\": \"a record\"}").is_err());
    }

    #[test]
    fn records_round_trip_and_unknown_states_decode() {
        let r = JobRecord::queued("job-1", "text2video", fingerprint(b"{}"));
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<JobRecord>(&text).unwrap(), r);
        let newer = text.replace("\"queued\"", "\"paused\"");
        let decoded: JobRecord = serde_json::from_str(&newer).unwrap();
        assert_eq!(decoded.state, JobState::Unknown);
        assert_ne!(fingerprint(b"{\"a\":1}"), fingerprint(b"{\"a\":2}"));
        assert_eq!(fingerprint(b"").len(), 16);
    }

    #[test]
    fn a_saved_path_is_kept_and_older_records_have_none() {
        let older: StoredFile =
            serde_json::from_str(r#"{"file_name":"v.mp4","url":"https://c/v.mp4"}"#).unwrap();
        assert_eq!(older.path, None);
        let text = serde_json::to_string(&older).unwrap();
        assert!(!text.contains("path"), "not written until saved: {text}");
        let mut saved = older;
        saved.path = Some("/out/job-1.mp4".into());
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<StoredFile>(&text).unwrap(), saved);
    }
}
