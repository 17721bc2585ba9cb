//! The async client: a thin driver over kling-core's machines, the same methods and docs as
//! the blocking client, `async`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_auth::{Authenticator, Credentials};
use kling_core::download::{Download, End, Head, disk_error, result_files};
use kling_core::time::{AsyncSleep, Clock, FastRng, Rng, SystemClock};
use kling_core::{
    AsyncTransport, Call, Config, Create, Created, Engine, HttpRequest, Machine, Observer,
    Pollable, Progress, Wait, run_async,
};
use kling_errors::{Error, Operation};
use kling_types::callback::CallbackPayload;
use kling_types::{CreateTask, Endpoint};
use serde::de::DeserializeOwned;
use tokio::io::AsyncWriteExt;

use crate::transport::ReqwestTransport;

/// tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

#[async_trait]
impl AsyncSleep for TokioSleep {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// A progress callback.
pub type ProgressFn<'a> = Box<dyn FnMut(&Progress) + Send + 'a>;

/// Options of [`Client::wait`]. To stop waiting, drop the future (a `tokio::time::timeout`, a
/// `select!`): polling stops after the current request and nothing is left running. Kling has
/// no cancel endpoint: the generation goes on and its credits are not refunded.
#[derive(Default)]
#[non_exhaustive]
pub struct WaitOptions<'a> {
    /// Called after every poll with the status and the time waited.
    pub progress: Option<ProgressFn<'a>>,
    /// How long to wait (the configured default when `None`).
    pub max_wait: Option<Duration>,
}

impl<'a> WaitOptions<'a> {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports progress after every poll.
    #[must_use]
    pub fn progress(mut self, f: impl FnMut(&Progress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Waits at most `max_wait`.
    #[must_use]
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Downloaded {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
}

struct Inner {
    engine: Engine,
    transport: Arc<dyn AsyncTransport>,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn AsyncSleep>,
    /// The limit on tasks in flight, shared by clones.
    slots: Option<Arc<tokio::sync::Semaphore>>,
}

/// The async Kling client. `Clone + Send + Sync`; clones share the connection pool, the token
/// cache and the retry budget.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.inner.engine)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[must_use]
pub struct ClientBuilder {
    config: Config,
    credentials: Option<Credentials>,
    transport: Option<Arc<dyn AsyncTransport>>,
    clock: Option<Arc<dyn Clock>>,
    sleep: Option<Arc<dyn AsyncSleep>>,
    rng: Option<Arc<dyn Rng>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The credentials (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The API host (Singapore by default; see [`kling_core::config::BEIJING`]).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.config.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The whole configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Your own transport instead of reqwest.
    pub fn transport(mut self, transport: impl AsyncTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// A clock (tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// A sleep (tests).
    pub fn sleep(mut self, sleep: impl AsyncSleep + 'static) -> Self {
        self.sleep = Some(Arc::new(sleep));
        self
    }

    /// A random source (tests).
    pub fn rng(mut self, rng: impl Rng + 'static) -> Self {
        self.rng = Some(Arc::new(rng));
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`AuthError`](kling_errors::AuthError) when no credentials were given; a
    /// [`TransportError`](kling_errors::TransportError) when the TLS stack cannot be set up.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            kling_errors::AuthError::new(
                kling_errors::AuthFailure::Missing,
                "no credentials given to the client builder",
            )
        })?;
        let transport: Arc<dyn AsyncTransport> = match self.transport {
            Some(t) => t,
            None => Arc::new(ReqwestTransport::new(&self.config)?),
        };
        let max_in_flight = self.config.max_in_flight_tasks;
        let engine = Engine::new(
            self.config,
            Authenticator::new(credentials),
            self.rng.unwrap_or_else(|| Arc::new(FastRng::new())),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                engine,
                transport,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                sleep: self.sleep.unwrap_or_else(|| Arc::new(TokioSleep)),
                slots: max_in_flight.map(|n| Arc::new(tokio::sync::Semaphore::new(n.max(1)))),
            }),
        })
    }
}

/// The progress callback of a wait.
struct WaitObserver<'a> {
    progress: Option<ProgressFn<'a>>,
}

impl Observer for WaitObserver<'_> {
    fn on_progress(&mut self, progress: &Progress) {
        tracing::debug!(status = %progress.status, elapsed = ?progress.elapsed, polls = progress.polls, "poll");
        if let Some(report) = self.progress.as_mut() {
            report(progress);
        }
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            config: Config::default(),
            credentials: None,
            transport: None,
            clock: None,
            sleep: None,
            rng: None,
        }
    }

    /// A client with the credentials of the environment (`KLING_ACCESS_KEY` and
    /// `KLING_SECRET_KEY`, or `KLING_API_KEY`) and `KLING_BASE_URL` if set.
    ///
    /// # Errors
    ///
    /// An [`AuthError`](kling_errors::AuthError) naming what is missing.
    pub fn from_env() -> Result<Self, Error> {
        let mut builder = Self::builder().credentials(Credentials::from_env()?);
        if let Ok(url) = std::env::var("KLING_BASE_URL")
            && !url.is_empty()
        {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The engine (configuration, token cache, retry policy).
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    async fn run<M: Machine + Send>(&self, machine: &mut M) -> Result<M::Output, Error> {
        run_async(
            machine,
            &*self.inner.transport,
            &*self.inner.clock,
            &*self.inner.sleep,
            &mut (),
        )
        .await
    }

    /// The exact request `endpoint` would send now (a dry run; the token is real: redact it
    /// before printing).
    ///
    /// # Errors
    ///
    /// A validation error, or credentials that cannot mint a token.
    pub fn prepare<E: Endpoint>(&self, endpoint: &E) -> Result<HttpRequest, Error> {
        self.inner.engine.dry_run(endpoint, self.inner.clock.now())
    }

    /// Sends `endpoint` with the retry policy (reads retried; a create only when nothing can
    /// have happened: use [`create`](Self::create) for reconciliation).
    ///
    /// # Errors
    ///
    /// The [`Error`] of the last attempt.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, Error>
    where
        E::Response: DeserializeOwned + Send,
    {
        tracing::debug!(path = %endpoint.path(), "kling.send");
        self.run(&mut Call::of(&self.inner.engine, endpoint)?).await
    }

    /// Queries a task (or anything else): the same as [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn get<E: Endpoint>(&self, query: &E) -> Result<E::Response, Error>
    where
        E::Response: DeserializeOwned + Send,
    {
        self.send(query).await
    }

    /// Creates a task safely: an `external_task_id` is generated when missing, and an
    /// ambiguous failure is settled by looking the task up by it before any re-post.
    ///
    /// # Errors
    ///
    /// The create's error (every error carries the `external_task_id`), or
    /// [`AmbiguousCreateError`](kling_errors::AmbiguousCreateError) when the outcome could not
    /// be settled: look the task up by that id before creating again.
    pub async fn create<E>(&self, request: E) -> Result<Created<E::Response>, Error>
    where
        E: CreateTask + Send,
        E::Response: DeserializeOwned + Send,
        E::Lookup: Send,
        <E::Lookup as Endpoint>::Response: DeserializeOwned + Send,
    {
        let mut machine = Create::new(&self.inner.engine, request)?;
        tracing::info!(external_task_id = %machine.external_task_id(), "kling.create");
        let created = self.run(&mut machine).await?;
        tracing::info!(
            posts = created.posts,
            reconciled = created.reconciled,
            "created"
        );
        Ok(created)
    }

    /// Polls `query` until its task finishes.
    ///
    /// # Errors
    ///
    /// [`TaskFailedError`](kling_errors::TaskFailedError) with the server's message;
    /// [`WaitTimeoutError`](kling_errors::WaitTimeoutError) at the deadline (the task lives
    /// on); a fatal query error.
    pub async fn wait<Q: Endpoint + Send>(
        &self,
        query: &Q,
        options: WaitOptions<'_>,
    ) -> Result<Q::Response, Error>
    where
        Q::Response: Pollable + DeserializeOwned + Send,
    {
        let mut machine = Wait::for_query(&self.inner.engine, query)?;
        let task_id = machine.task_id().to_owned();
        if let Some(max) = options.max_wait {
            machine = machine.max_wait(max);
        }
        let mut observer = WaitObserver {
            progress: options.progress,
        };
        tracing::info!(task_id = %task_id, "kling.wait");
        run_async(
            &mut machine,
            &*self.inner.transport,
            &*self.inner.clock,
            &*self.inner.sleep,
            &mut observer,
        )
        .await
    }

    /// Re-fetches the task a callback is about, with an authenticated GET, and returns the
    /// server's view: callbacks are hints (legacy ones are unsigned), never acted on directly.
    /// Pair with [`CallbackDedupe`](kling_core::CallbackDedupe).
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub async fn reconcile_callback<Q: Endpoint + Send>(
        &self,
        payload: &CallbackPayload,
        query: impl FnOnce(String) -> Q,
    ) -> Result<Q::Response, Error>
    where
        Q::Response: DeserializeOwned + Send,
    {
        let query = query(payload.task_id().to_owned());
        self.get(&query).await
    }

    /// Creates a task and waits for it. With
    /// [`max_in_flight_tasks`](kling_core::Config::max_in_flight_tasks), it first waits for a
    /// free slot (shared by clones) and holds it until the task ends.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create) and [`wait`](Self::wait); every error carries the
    /// `external_task_id`.
    pub async fn create_and_wait<E>(
        &self,
        request: E,
        options: WaitOptions<'_>,
    ) -> Result<<E::Lookup as Endpoint>::Response, Error>
    where
        E: CreateTask + Send,
        E::Response: DeserializeOwned + Send,
        E::Lookup: Send,
        <E::Lookup as Endpoint>::Response: Pollable + DeserializeOwned + Send,
    {
        // With `max_in_flight_tasks`, a task holds its slot from create to its end: Kling's
        // real limit is concurrent tasks (1303), so queue here instead of being throttled.
        let _slot = match &self.inner.slots {
            Some(slots) => Some(
                slots
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| kling_errors::CancelledError::new(None))?,
            ),
            None => None,
        };
        let created = self.create(request).await?;
        let query = E::poll_query(&created.task);
        self.wait(&query, options)
            .await
            .map_err(|e| e.with_external_task_id(created.external_task_id.clone()))
    }

    /// Downloads `url` to `dest`: streamed to `<dest>.part` in constant memory, capped,
    /// checked, resumed with `Range` where offered, renamed when complete. The request never
    /// carries the Kling credentials.
    ///
    /// # Errors
    ///
    /// A gone file (403/404/410), a non-media content type, the size cap, a broken stream
    /// after the retries, or a disk error.
    pub async fn download(&self, url: &str, dest: impl AsRef<Path>) -> Result<Downloaded, Error> {
        let dest = dest.as_ref();
        let part = PathBuf::from(format!("{}.part", dest.display()));
        let mut download = Download::new(url, self.inner.engine.config().download.clone())?;
        tracing::info!(dest = %dest.display(), "kling.download");
        loop {
            let request = download.request();
            let mut response = match self.inner.transport.open(&request).await {
                Ok(r) => r,
                Err(e) => {
                    // Nothing came: retry while attempts remain (on_end says when to stop).
                    download.on_end(Err(e.with_operation(Operation::Read)))?;
                    self.inner.sleep.sleep(download.retry_delay()).await;
                    continue;
                }
            };
            let head = download.on_head(response.status, &response.headers)?;
            let file = match head {
                Head::Append => tokio::fs::OpenOptions::new().append(true).open(&part).await,
                _ => tokio::fs::File::create(&part).await,
            }
            .map_err(|e| disk_error("opening", &part, e))?;
            let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
            let result = loop {
                match response.body.chunk().await {
                    Ok(Some(chunk)) => {
                        download.on_chunk(chunk.len())?;
                        out.write_all(&chunk)
                            .await
                            .map_err(|e| disk_error("writing", &part, e))?;
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            out.flush()
                .await
                .map_err(|e| disk_error("writing", &part, e))?;
            out.get_ref()
                .sync_all()
                .await
                .map_err(|e| disk_error("syncing", &part, e))?;
            drop(out);
            match download.on_end(result)? {
                End::Complete { bytes } => {
                    tokio::fs::rename(&part, dest)
                        .await
                        .map_err(|e| disk_error("renaming to", dest, e))?;
                    return Ok(Downloaded {
                        path: dest.to_path_buf(),
                        bytes,
                    });
                }
                _ => self.inner.sleep.sleep(download.retry_delay()).await,
            }
        }
    }

    /// Creates a task, waits for it and downloads every result file into `dir`.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Self::create_and_wait) and [`download`](Self::download).
    pub async fn create_and_wait_and_download<E>(
        &self,
        request: E,
        dir: impl AsRef<Path>,
        options: WaitOptions<'_>,
    ) -> Result<(kling_types::Task, Vec<Downloaded>), Error>
    where
        E: CreateTask<Response = kling_types::Task> + Send,
        E::Lookup: Endpoint<Response = kling_types::Task> + Send,
    {
        let task = self.create_and_wait(request, options).await?;
        let mut files = Vec::new();
        for file in result_files(&task) {
            let dest = dir.as_ref().join(&file.file_name);
            let downloaded = self.download(&file.url, dest).await.map_err(|e| {
                e.with_external_task_id(task.external_task_id().unwrap_or_default().to_owned())
            })?;
            files.push(downloaded);
        }
        Ok((task, files))
    }
}
