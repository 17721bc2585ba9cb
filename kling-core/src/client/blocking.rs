//! The blocking client trait, and the backend a blocking client implements to get it.

use std::path::{Path, PathBuf};

use kling_errors::Error;
use kling_types::Endpoint;
use kling_types::callback::CallbackPayload;

use super::{Downloaded, TaskSlot, WaitOptions, not_in_answer};
use crate::builder::{ClientParts, ClientState};
use crate::download::{FileSink, StdFiles};
use crate::engine::Reply;
use crate::fleet::TaskSlots;
use crate::job::{CreateTask, JobRun, JobStep, Pollable, TaskOf, TaskView};
use crate::machine::{Call, Create, Created, Machine, Wait};
use crate::pace::RequestPacer;
use crate::run::{Observer, run_blocking};
use crate::time::Sleep;
use crate::transport::Transport;

/// The blocking Kling client, as a trait: implemented by `kling_client_blocking::Client`, and
/// by any fake you write for your tests. Generic code takes `impl Kling`.
///
/// Implement the four primitives; the composites come with them.
pub trait Kling: Send + Sync {
    /// Sends any request (a query, a list, a delete, a create without the create flow) with
    /// the retry policy: reads are retried; a create only when nothing can have reached the
    /// server (use [`create`](Self::create) for a create you want settled). The [`Reply`]
    /// derefs to the decoded value and keeps the server's `request_id`. A request the API
    /// takes only in parts (`GET /tasks` with more than 20 ids) is sent as several calls and
    /// answered as one.
    ///
    /// # Errors
    ///
    /// The [`Error`] of the last attempt.
    fn send<E: Endpoint>(&self, endpoint: &E) -> Result<Reply<E::Response>, Error>;

    /// Creates a task safely: an `external_task_id` is generated when missing (where the API
    /// takes one), and an ambiguous failure is settled by looking the task up by it before
    /// any re-post.
    ///
    /// # Errors
    ///
    /// The create's error (carrying the `external_task_id`), or
    /// [`AmbiguousCreateError`](kling_errors::AmbiguousCreateError) when the outcome could not
    /// be settled: look the task up before creating again.
    fn create<E: CreateTask>(&self, request: E) -> Result<Created<E>, Error>;

    /// Polls `query` until its task finishes.
    ///
    /// # Errors
    ///
    /// [`TaskFailedError`](kling_errors::TaskFailedError) with the server's message and the
    /// request id of the poll that saw it; [`WaitTimeoutError`](kling_errors::WaitTimeoutError)
    /// at the deadline (the task lives on); [`CancelledError`](kling_errors::CancelledError)
    /// naming the task; a fatal query error.
    fn wait<Q: Pollable>(&self, query: &Q, options: WaitOptions<'_>) -> Result<Q::Task, Error>;

    /// Downloads `url` to `dest`: streamed to `<dest>.part` in bounded memory, capped,
    /// checked, resumed with `Range` where offered, renamed when complete; the folder is
    /// created if missing. The request never carries the Kling credentials.
    ///
    /// # Errors
    ///
    /// A gone file (403/404/410), a non-media content type, the size cap, a broken stream
    /// after the retries, or a disk error.
    fn download(&self, url: &str, dest: impl AsRef<Path>) -> Result<Downloaded, Error>;

    /// Waits for a free task slot ([`Config::max_in_flight_tasks`](crate::Config)), held
    /// until the returned guard drops. Without a limit: at once.
    ///
    /// # Errors
    ///
    /// When no slot can be had any more.
    fn task_slot(&self) -> Result<TaskSlot, Error> {
        Ok(TaskSlot::unlimited())
    }

    /// Reads one task: sends `query` and narrows the answer to the task it asks about (a
    /// legacy query answers with the task itself; `GET /tasks` with a list to pick from).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), or a decode error when the answer does not hold the task.
    fn task<Q: Pollable>(&self, query: &Q) -> Result<Reply<Q::Task>, Error> {
        let reply = self.send(query)?;
        let request_id = reply.request_id;
        let task = query.task(reply.value).ok_or_else(not_in_answer)?;
        Ok(Reply::new(task, request_id))
    }

    /// Downloads every result file of a finished `task` into `dir` (created if missing):
    /// videos, images, audio and watermarked copies, under names made safe from the server's
    /// ids, one after the other. What [`create_and_wait_and_download`](Self::create_and_wait_and_download)
    /// does after its wait, for a task you read yourself.
    ///
    /// # Errors
    ///
    /// As [`download`](Self::download), for the first file that fails (the files before it
    /// stay on disk).
    fn download_files(
        &self,
        task: &impl TaskView,
        dir: impl AsRef<Path>,
    ) -> Result<Vec<Downloaded>, Error> {
        let dir = dir.as_ref();
        let mut saved = Vec::new();
        for file in task.result_files() {
            let mut done = self.download(&file.url, dir.join(&file.file_name))?;
            done.result = Some(file);
            saved.push(done);
        }
        Ok(saved)
    }

    /// Creates a task and waits for it. It first takes a [task slot](Self::task_slot) and
    /// holds it until the task ends.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create) and [`wait`](Self::wait); every error after the create
    /// carries the `external_task_id`.
    fn create_and_wait<E: CreateTask>(
        &self,
        request: E,
        options: WaitOptions<'_>,
    ) -> Result<TaskOf<E>, Error> {
        drive_job(self, JobRun::new(request, None), options).map(|(task, _)| task)
    }

    /// Creates a task, waits for it and downloads every result file into `dir` (videos,
    /// images, audio, watermarked copies when asked for) under safe names.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Self::create_and_wait) and [`download`](Self::download).
    fn create_and_wait_and_download<E: CreateTask>(
        &self,
        request: E,
        dir: impl AsRef<Path>,
        options: WaitOptions<'_>,
    ) -> Result<(TaskOf<E>, Vec<Downloaded>), Error> {
        let run = JobRun::new(request, Some(dir.as_ref().to_path_buf()));
        drive_job(self, run, options)
    }

    /// Re-fetches the task a callback is about, with an authenticated GET, and returns the
    /// server's view: callbacks are hints (legacy ones are unsigned), never acted on directly.
    /// Pair with [`CallbackDedupe`](crate::CallbackDedupe).
    ///
    /// ```no_run
    /// # fn f(client: &impl kling_core::Kling, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    /// use kling_types::callback::CallbackPayload;
    /// use kling_types::videos::GetText2VideoTask;
    /// let payload = CallbackPayload::parse(body)?;
    /// let task = client.reconcile_callback(&payload, GetText2VideoTask::by_task_id)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), or a decode error when the answer does not hold the task.
    fn reconcile_callback<Q: Pollable>(
        &self,
        payload: &CallbackPayload,
        query: impl FnOnce(String) -> Q,
    ) -> Result<Q::Task, Error> {
        self.task(&query(payload.task_id().to_owned()))
            .map(Reply::into_value)
    }
}

/// Runs a job with `client`'s primitives, holding a task slot from the create to the task's
/// end.
fn drive_job<K: Kling + ?Sized, E: CreateTask>(
    client: &K,
    mut run: JobRun<E>,
    options: WaitOptions<'_>,
) -> Result<(TaskOf<E>, Vec<Downloaded>), Error> {
    let span = run.span().clone();
    let _enter = span.enter();
    let mut slot = Some(client.task_slot()?);
    let mut options = Some(options);
    loop {
        match run.step() {
            JobStep::Create(request) => run.created(client.create(request)),
            JobStep::Wait(query) => {
                let waited = client.wait(&query, options.take().unwrap_or_default().after_create());
                // The task has ended (or the wait gave up): the downloads need no slot.
                drop(slot.take());
                run.waited(waited);
            }
            JobStep::Download { url, dest } => run.downloaded(client.download(&url, &dest)),
            JobStep::Done(task, files) => return Ok((task, files)),
            JobStep::Failed(error) => return Err(error),
        }
    }
}

/// What a blocking client crate implements to get [`Kling`]: its parts (engine, transport,
/// clock, sleep), optionally task slots and the files downloads write. Every decision stays
/// in kling-core. Plumbing: hidden from the docs, and never in a client's prelude.
#[doc(hidden)]
pub trait KlingBackend: Send + Sync {
    /// What the client holds: its parts, its task slots and its request budget.
    fn state(&self) -> &ClientState<dyn Transport, dyn Sleep, dyn TaskSlots, dyn RequestPacer>;

    /// What the client is made of.
    fn parts(&self) -> &ClientParts<dyn Transport, dyn Sleep> {
        &self.state().parts
    }

    /// As [`Kling::task_slot`]: a slot of the client's task slots, at once when it has none.
    ///
    /// # Errors
    ///
    /// As [`Kling::task_slot`].
    fn acquire_slot(&self) -> Result<TaskSlot, Error> {
        match &self.state().slots {
            Some(slots) => slots.acquire(),
            None => Ok(TaskSlot::unlimited()),
        }
    }

    /// Where downloads write: the file system.
    fn files(&self) -> &dyn FileSink {
        &StdFiles
    }
}

/// Runs `machine` with `backend`'s I/O.
fn drive<B: KlingBackend + ?Sized, M: Machine>(
    backend: &B,
    machine: &mut M,
    observer: &mut dyn Observer,
) -> Result<M::Output, Error> {
    let state = backend.state();
    let parts = &state.parts;
    run_blocking(
        machine,
        &*parts.transport,
        &*parts.clock,
        &*parts.sleep,
        state.pacer.as_deref(),
        observer,
    )
}

impl<B: KlingBackend> Kling for B {
    fn send<E: Endpoint>(&self, endpoint: &E) -> Result<Reply<E::Response>, Error> {
        let engine = &self.parts().engine;
        let Some(split) = endpoint.split() else {
            return drive(self, &mut Call::of(engine, endpoint)?, &mut ());
        };
        // A request the server takes only in parts: each sent as a call of its own.
        let mut answers = Vec::with_capacity(split.parts.len());
        for part in &split.parts {
            answers.push(drive(self, &mut Call::of(engine, part)?, &mut ())?);
        }
        Ok(Reply::merged(answers, split.merge))
    }

    fn create<E: CreateTask>(&self, request: E) -> Result<Created<E>, Error> {
        drive(
            self,
            &mut Create::new(&self.parts().engine, request)?,
            &mut (),
        )
    }

    fn wait<Q: Pollable>(&self, query: &Q, mut options: WaitOptions<'_>) -> Result<Q::Task, Error> {
        let mut machine = Wait::with_options(&self.parts().engine, query.clone(), &options)?;
        drive(self, &mut machine, &mut options)
    }

    fn download(&self, url: &str, dest: impl AsRef<Path>) -> Result<Downloaded, Error> {
        let dest: PathBuf = dest.as_ref().to_path_buf();
        let parts = self.parts();
        let mut config = parts.engine.config().download.clone();
        config.allow = parts.engine.config().download_allow();
        crate::download::span(url, &dest).in_scope(|| {
            crate::download::fetch(
                &*parts.transport,
                &*parts.sleep,
                self.files(),
                config,
                url,
                &dest,
            )
        })
    }

    fn task_slot(&self) -> Result<TaskSlot, Error> {
        self.acquire_slot()
    }
}
