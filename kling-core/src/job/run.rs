//! The whole job of a create as a sans-IO sequence: create, wait, then download every result
//! file when asked. The client traits' composites drive it with their primitives, so the
//! order, the ids every error carries and the file names are decided here once.

use std::path::PathBuf;

use kling_errors::Error;
use kling_types::TaskQuery as _;

use super::{CreateTask, ResultFile, TaskOf, TaskView};
use crate::client::Downloaded;
use crate::machine::{Created, about};

/// What the job wants next.
pub(crate) enum JobStep<E: CreateTask> {
    /// Create the task.
    Create(E),
    /// Wait for the task this query reads.
    Wait(E::Query),
    /// Download `url` to `dest`.
    Download { url: String, dest: PathBuf },
    /// Finished: the task and its downloaded files.
    Done(TaskOf<E>, Vec<Downloaded>),
    /// Failed.
    Failed(Error),
}

enum Next<E: CreateTask> {
    Create(E),
    Wait(E::Query),
    Download,
    Failed(Error),
    /// A step was handed out; its result has not come back yet.
    Busy,
}

/// One job's progress.
pub(crate) struct JobRun<E: CreateTask> {
    next: Next<E>,
    dir: Option<PathBuf>,
    external_task_id: Option<String>,
    task: Option<TaskOf<E>>,
    files: std::vec::IntoIter<ResultFile>,
    /// The file of the download handed out last.
    downloading: Option<ResultFile>,
    downloaded: Vec<Downloaded>,
    span: tracing::Span,
}

impl<E: CreateTask> JobRun<E> {
    /// A job of `request`; with `dir`, its result files are downloaded there.
    pub(crate) fn new(request: E, dir: Option<PathBuf>) -> Self {
        let span = tracing::info_span!(
            "kling.job",
            external_task_id = tracing::field::Empty,
            task_id = tracing::field::Empty
        );
        Self {
            next: Next::Create(request),
            dir,
            external_task_id: None,
            task: None,
            files: Vec::new().into_iter(),
            downloading: None,
            downloaded: Vec::new(),
            span,
        }
    }

    /// The span the whole job runs in.
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// What to do next.
    pub(crate) fn step(&mut self) -> JobStep<E> {
        match std::mem::replace(&mut self.next, Next::Busy) {
            Next::Create(request) => JobStep::Create(request),
            Next::Wait(query) => JobStep::Wait(query),
            Next::Failed(error) => JobStep::Failed(error),
            Next::Download => match (self.files.next(), &self.dir) {
                (Some(file), Some(dir)) => {
                    let step = JobStep::Download {
                        dest: dir.join(&file.file_name),
                        url: file.url.clone(),
                    };
                    self.downloading = Some(file);
                    step
                }
                _ => match self.task.take() {
                    Some(task) => JobStep::Done(task, std::mem::take(&mut self.downloaded)),
                    None => JobStep::Failed(crate::machine::misuse("the job has already finished")),
                },
            },
            Next::Busy => JobStep::Failed(crate::machine::misuse(
                "step() called again before the last step's result",
            )),
        }
    }

    /// How the create went.
    pub(crate) fn created(&mut self, result: Result<Created<E>, Error>) {
        self.next = match result {
            Ok(created) => {
                if let Some(id) = &created.external_task_id {
                    self.span.record("external_task_id", id.as_str());
                }
                self.span
                    .record("task_id", created.query.task_ref().as_str());
                self.external_task_id = created.external_task_id;
                Next::Wait(created.query)
            }
            Err(error) => Next::Failed(error),
        };
    }

    /// How the wait went.
    pub(crate) fn waited(&mut self, result: Result<TaskOf<E>, Error>) {
        self.next = match result {
            Ok(task) => {
                if self.dir.is_some() {
                    self.files = task.result_files().into_iter();
                }
                self.task = Some(task);
                Next::Download
            }
            Err(error) => Next::Failed(about(error, self.external_task_id.as_deref())),
        };
    }

    /// How a download went.
    pub(crate) fn downloaded(&mut self, result: Result<Downloaded, Error>) {
        self.next = match result {
            Ok(mut file) => {
                file.result = self.downloading.take();
                self.downloaded.push(file);
                Next::Download
            }
            Err(error) => Next::Failed(about(error, self.external_task_id.as_deref())),
        };
    }
}
