//! The async client trait, and the backend an async client implements to get it. The same
//! methods and docs as [`Kling`](super::Kling), returning `Send` futures (so a call can be
//! spawned); dropping a future stops it after the current request.

use std::future::Future;
use std::path::{Path, PathBuf};

use kling_errors::Error;
use kling_types::callback::CallbackPayload;
use kling_types::{Endpoint, Split};
use tracing::Instrument;

use super::{Downloaded, TaskSlot, WaitOptions, not_in_answer};
use crate::builder::{ClientParts, ClientState};
use crate::download::AsyncFileSink;
use crate::engine::{Engine, Reply};
use crate::fleet::AsyncTaskSlots;
use crate::job::{CreateTask, JobRun, JobStep, Pollable, TaskOf, TaskView};
use crate::machine::{Call, Create, Created, Machine, Wait};
use crate::pace::AsyncRequestPacer;
use crate::run::{Observer, run_async};
use crate::time::AsyncSleep;
use crate::transport::AsyncTransport;

/// The async Kling client, as a trait: implemented by `kling_client_async::Client`, and by
/// any fake you write for your tests. Generic code takes `impl AsyncKling`. Every future is
/// `Send`.
///
/// Implement the four primitives; the composites come with them.
pub trait AsyncKling: Send + Sync {
    /// As [`Kling::send`](super::Kling::send).
    ///
    /// # Errors
    ///
    /// The [`Error`] of the last attempt.
    fn send<E: Endpoint<Response: Send> + Sync>(
        &self,
        endpoint: &E,
    ) -> impl Future<Output = Result<Reply<E::Response>, Error>> + Send;

    /// As [`Kling::create`](super::Kling::create).
    ///
    /// # Errors
    ///
    /// As [`Kling::create`](super::Kling::create).
    fn create<E: CreateTask>(
        &self,
        request: E,
    ) -> impl Future<Output = Result<Created<E>, Error>> + Send;

    /// As [`Kling::wait`](super::Kling::wait).
    ///
    /// # Errors
    ///
    /// As [`Kling::wait`](super::Kling::wait).
    fn wait<Q: Pollable>(
        &self,
        query: &Q,
        options: WaitOptions<'_>,
    ) -> impl Future<Output = Result<Q::Task, Error>> + Send;

    /// As [`Kling::download`](super::Kling::download).
    ///
    /// # Errors
    ///
    /// As [`Kling::download`](super::Kling::download).
    fn download(
        &self,
        url: &str,
        dest: impl AsRef<Path> + Send,
    ) -> impl Future<Output = Result<Downloaded, Error>> + Send;

    /// As [`Kling::task_slot`](super::Kling::task_slot); give it back with
    /// [`TaskSlot::give_back`] when its task has ended (a lease in a shared store dropped
    /// instead is left to expire).
    ///
    /// # Errors
    ///
    /// When no slot can be had any more.
    fn task_slot(&self) -> impl Future<Output = Result<TaskSlot, Error>> + Send {
        async { Ok(TaskSlot::unlimited()) }
    }

    /// Now, by the client's clock (its injected [`Clock`](crate::time::Clock); a fake
    /// without one: the system's). What stored jobs stamp their times with.
    fn now(&self) -> std::time::SystemTime {
        std::time::SystemTime::now()
    }

    /// As [`Kling::task`](super::Kling::task).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), or a decode error when the answer does not hold the task.
    fn task<Q: Pollable>(
        &self,
        query: &Q,
    ) -> impl Future<Output = Result<Reply<Q::Task>, Error>> + Send {
        async move {
            let reply = self.send(query).await?;
            let request_id = reply.request_id;
            let task = query.task(reply.value).ok_or_else(not_in_answer)?;
            Ok(Reply::new(task, request_id))
        }
    }

    /// As [`Kling::download_files`](super::Kling::download_files).
    ///
    /// # Errors
    ///
    /// As [`download`](Self::download), for the first file that fails.
    fn download_files(
        &self,
        task: &impl TaskView,
        dir: impl AsRef<Path> + Send,
    ) -> impl Future<Output = Result<Vec<Downloaded>, Error>> + Send {
        let files = task.result_files();
        let dir = dir.as_ref().to_path_buf();
        async move {
            let mut saved = Vec::new();
            for file in files {
                let mut done = self.download(&file.url, dir.join(&file.file_name)).await?;
                done.result = Some(file);
                saved.push(done);
            }
            Ok(saved)
        }
    }

    /// As [`Kling::create_and_wait`](super::Kling::create_and_wait).
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create) and [`wait`](Self::wait).
    fn create_and_wait<E: CreateTask>(
        &self,
        request: E,
        options: WaitOptions<'_>,
    ) -> impl Future<Output = Result<TaskOf<E>, Error>> + Send {
        // Built before the async block, so the request is held once (inside the job).
        let job = drive_job(self, JobRun::new(request, None), options);
        async move { job.await.map(|(task, _)| task) }
    }

    /// As [`Kling::create_and_wait_and_download`](super::Kling::create_and_wait_and_download).
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Self::create_and_wait) and [`download`](Self::download).
    fn create_and_wait_and_download<E: CreateTask>(
        &self,
        request: E,
        dir: impl AsRef<Path> + Send,
        options: WaitOptions<'_>,
    ) -> impl Future<Output = Result<(TaskOf<E>, Vec<Downloaded>), Error>> + Send {
        let run = JobRun::new(request, Some(dir.as_ref().to_path_buf()));
        drive_job(self, run, options)
    }

    /// As [`Kling::reconcile_callback`](super::Kling::reconcile_callback).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), or a decode error when the answer does not hold the task.
    fn reconcile_callback<Q: Pollable>(
        &self,
        payload: &CallbackPayload,
        query: impl FnOnce(String) -> Q + Send,
    ) -> impl Future<Output = Result<Q::Task, Error>> + Send {
        let query = query(payload.task_id().to_owned());
        async move { self.task(&query).await.map(Reply::into_value) }
    }
}

/// Runs a job with `client`'s primitives, holding a task slot from the create to the task's
/// end.
///
/// Not an `async fn`: its arguments would be kept in the future beside the block that takes
/// them, the whole job twice.
fn drive_job<K: AsyncKling + ?Sized, E: CreateTask>(
    client: &K,
    mut run: JobRun<E>,
    options: WaitOptions<'_>,
) -> impl Future<Output = Result<(TaskOf<E>, Vec<Downloaded>), Error>> + Send {
    let span = run.span().clone();
    async move {
        let mut slot = Some(client.task_slot().await?);
        let mut options = Some(options);
        // Each step's future is boxed: held inline, the create, the wait and the download
        // would each take their room in every job's future at once (8 KiB per job; a
        // thousand jobs in flight are a thousand such futures).
        let out = loop {
            match run.step() {
                JobStep::Create(request) => run.created(Box::pin(client.create(request)).await),
                JobStep::Wait(query) => {
                    let waited = Box::pin(
                        client.wait(&query, options.take().unwrap_or_default().after_create()),
                    )
                    .await;
                    // The task has ended (or the wait gave up): the downloads need no slot.
                    if let Some(slot) = slot.take() {
                        slot.give_back().await;
                    }
                    run.waited(waited);
                }
                JobStep::Download { url, dest } => {
                    run.downloaded(Box::pin(client.download(&url, &dest)).await);
                }
                JobStep::Done(task, files) => break Ok((task, files)),
                JobStep::Failed(error) => break Err(error),
            }
        };
        // Still held when the create was refused (nothing runs on it).
        if let Some(slot) = slot {
            slot.give_back().await;
        }
        out
    }
    .instrument(span)
}

/// What an async client crate implements to get [`AsyncKling`]: its parts (engine,
/// transport, clock, sleep), the files downloads write and, optionally, task slots. Every
/// decision stays in kling-core. Plumbing: hidden from the docs, and never in a client's
/// prelude.
#[doc(hidden)]
pub trait AsyncKlingBackend: Send + Sync {
    /// What the client holds: its parts, its task slots and its request budget.
    fn state(
        &self,
    ) -> &ClientState<dyn AsyncTransport, dyn AsyncSleep, dyn AsyncTaskSlots, dyn AsyncRequestPacer>;

    /// Where downloads write (the async client: tokio's files).
    fn files(&self) -> &dyn AsyncFileSink;

    /// What the client is made of.
    fn parts(&self) -> &ClientParts<dyn AsyncTransport, dyn AsyncSleep> {
        &self.state().parts
    }

    /// As [`AsyncKling::task_slot`]: a slot of the client's task slots, at once when it has
    /// none.
    ///
    /// # Errors
    ///
    /// As [`AsyncKling::task_slot`].
    fn acquire_slot(&self) -> impl Future<Output = Result<TaskSlot, Error>> + Send {
        async move {
            match &self.state().slots {
                Some(slots) => slots.acquire().await,
                None => Ok(TaskSlot::unlimited()),
            }
        }
    }
}

/// Runs `machine` with `backend`'s I/O.
async fn drive<B: AsyncKlingBackend + ?Sized, M: Machine + Send>(
    backend: &B,
    machine: &mut M,
    observer: &mut (dyn Observer + Send),
) -> Result<M::Output, Error> {
    let state = backend.state();
    let parts = &state.parts;
    run_async(
        machine,
        &*parts.transport,
        &*parts.clock,
        &*parts.sleep,
        state.pacer.as_deref(),
        observer,
    )
    .await
}

/// The prepared calls of a request sent in parts, and how their answers merge.
type SplitCalls<E> = (
    Vec<Call<<E as Endpoint>::Response>>,
    fn(Vec<<E as Endpoint>::Response>) -> <E as Endpoint>::Response,
);

fn prepare_parts<E: Endpoint>(engine: &Engine, split: Split<E>) -> Result<SplitCalls<E>, Error> {
    let calls = split
        .parts
        .iter()
        .map(|part| Call::of(engine, part))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((calls, split.merge))
}

impl<B: AsyncKlingBackend> AsyncKling for B {
    fn now(&self) -> std::time::SystemTime {
        self.parts().clock.now()
    }

    async fn send<E: Endpoint<Response: Send> + Sync>(
        &self,
        endpoint: &E,
    ) -> Result<Reply<E::Response>, Error> {
        // A request the server takes only in parts: each sent as a call of its own. The
        // calls are prepared first and the parts dropped, so no part (which need not be
        // `Send`) is held across an await.
        let parts = endpoint
            .split()
            .map(|split| prepare_parts(&self.parts().engine, split))
            .transpose()?;
        let Some((calls, merge)) = parts else {
            return drive(
                self,
                &mut Call::of(&self.parts().engine, endpoint)?,
                &mut (),
            )
            .await;
        };
        let mut answers = Vec::with_capacity(calls.len());
        for mut call in calls {
            answers.push(drive(self, &mut call, &mut ()).await?);
        }
        Ok(Reply::merged(answers, merge))
    }

    async fn create<E: CreateTask>(&self, request: E) -> Result<Created<E>, Error> {
        drive(
            self,
            &mut Create::new(&self.parts().engine, request)?,
            &mut (),
        )
        .await
    }

    fn wait<Q: Pollable>(
        &self,
        query: &Q,
        mut options: WaitOptions<'_>,
    ) -> impl Future<Output = Result<Q::Task, Error>> + Send {
        let machine = Wait::with_options(&self.parts().engine, query.clone(), &options);
        async move { drive(self, &mut machine?, &mut options).await }
    }

    fn download(
        &self,
        url: &str,
        dest: impl AsRef<Path> + Send,
    ) -> impl Future<Output = Result<Downloaded, Error>> + Send {
        let dest: PathBuf = dest.as_ref().to_path_buf();
        let span = crate::download::span(url, &dest);
        async move {
            let parts = self.parts();
            let mut config = parts.engine.config().download.clone();
            config.allow = parts.engine.config().download_allow();
            crate::download::fetch_async(
                &*parts.transport,
                &*parts.sleep,
                self.files(),
                config,
                url,
                &dest,
            )
            .await
        }
        .instrument(span)
    }

    fn task_slot(&self) -> impl Future<Output = Result<TaskSlot, Error>> + Send {
        self.acquire_slot()
    }
}
