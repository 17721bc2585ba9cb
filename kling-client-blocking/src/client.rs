//! The blocking client: a thin driver over kling-core's machines.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use kling_auth::{Authenticator, Credentials};
use kling_core::download::{Download, End, Head, disk_error, result_files};
use kling_core::time::{Clock, FastRng, Rng, Sleep, SystemClock, ThreadSleep};
use kling_core::{
    Call, Config, Create, Created, Engine, HttpRequest, Machine, Observer, Pollable, Progress,
    Transport, Wait, run_blocking,
};
use kling_errors::{
    CancelledError, Error, Operation, TransportError, TransportFailure, TransportPhase,
};
use kling_types::callback::CallbackPayload;
use kling_types::{CreateTask, Endpoint};
use serde::de::DeserializeOwned;

use crate::transport::UreqTransport;

/// Stops a blocking [`Client::wait`] from another thread; a sleeping wait wakes at once.
///
/// Kling has no cancel endpoint: cancelling the wait does not stop the generation or refund
/// its credits.
#[derive(Clone, Default)]
pub struct CancelHandle(Arc<(Mutex<bool>, Condvar)>);

impl fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CancelHandle")
            .field(&self.is_cancelled())
            .finish()
    }
}

impl CancelHandle {
    /// A handle, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every wait holding this handle.
    pub fn cancel(&self) {
        let (flag, condvar) = &*self.0;
        *flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
        condvar.notify_all();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.0.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps up to `duration`, waking early on cancel.
    fn sleep(&self, duration: Duration) {
        let (flag, condvar) = &*self.0;
        let guard = flag.lock().unwrap_or_else(|e| e.into_inner());
        let _ = condvar.wait_timeout_while(guard, duration, |cancelled| !*cancelled);
    }
}

/// A progress callback.
pub type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;

/// Options of [`Client::wait`].
#[derive(Default)]
#[non_exhaustive]
pub struct WaitOptions<'a> {
    /// Called after every poll with the status and the time waited.
    pub progress: Option<ProgressFn<'a>>,
    /// How long to wait (the configured default when `None`).
    pub max_wait: Option<Duration>,
    /// Cancels the wait from another thread.
    pub cancel: Option<CancelHandle>,
}

impl<'a> WaitOptions<'a> {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports progress after every poll.
    #[must_use]
    pub fn progress(mut self, f: impl FnMut(&Progress) + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Waits at most `max_wait`.
    #[must_use]
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }

    /// Lets `cancel` stop the wait.
    #[must_use]
    pub fn cancel(mut self, cancel: CancelHandle) -> Self {
        self.cancel = Some(cancel);
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
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    sleep: Arc<dyn Sleep>,
    real_sleep: bool,
    slots: Option<Slots>,
}

/// The limit on tasks in flight, shared by clones: a counting semaphore.
struct Slots {
    free: Mutex<usize>,
    available: Condvar,
}

/// A task slot, given back when dropped.
struct Slot<'a>(Option<&'a Slots>);

impl Slots {
    fn acquire(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.available.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Slot(Some(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(slots) = self.0 {
            *slots.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            slots.available.notify_one();
        }
    }
}

/// The blocking Kling client. `Clone + Send + Sync`; clones share the connection pool, the
/// token cache and the retry budget.
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
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
    sleep: Option<Arc<dyn Sleep>>,
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

    /// Your own transport instead of ureq.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// A clock (tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// A sleep (tests).
    pub fn sleep(mut self, sleep: impl Sleep + 'static) -> Self {
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
    /// [`AuthError`](kling_errors::AuthError) when no credentials were given.
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            kling_errors::AuthError::new(
                kling_errors::AuthFailure::Missing,
                "no credentials given to the client builder",
            )
        })?;
        let transport: Arc<dyn Transport> = match self.transport {
            Some(t) => t,
            None => Arc::new(UreqTransport::new(&self.config)),
        };
        let real_sleep = self.sleep.is_none();
        let slots = self.config.max_in_flight_tasks.map(|n| Slots {
            free: Mutex::new(n.max(1)),
            available: Condvar::new(),
        });
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
                sleep: self.sleep.unwrap_or_else(|| Arc::new(ThreadSleep)),
                real_sleep,
                slots,
            }),
        })
    }
}

/// Progress callback and cancel handle of a wait.
struct WaitObserver<'a> {
    progress: Option<ProgressFn<'a>>,
    cancel: Option<CancelHandle>,
}

impl Observer for WaitObserver<'_> {
    fn on_progress(&mut self, progress: &Progress) {
        tracing::debug!(status = %progress.status, elapsed = ?progress.elapsed, polls = progress.polls, "poll");
        if let Some(report) = self.progress.as_mut() {
            report(progress);
        }
    }
    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelHandle::is_cancelled)
    }
}

/// A sleep that wakes early on cancel (when the client sleeps for real).
struct CancellableSleep<'s> {
    inner: &'s dyn Sleep,
    cancel: Option<CancelHandle>,
    real: bool,
}

impl Sleep for CancellableSleep<'_> {
    fn sleep(&self, duration: Duration) {
        match &self.cancel {
            Some(cancel) if self.real => cancel.sleep(duration),
            _ => self.inner.sleep(duration),
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

    fn run<M: Machine>(&self, machine: &mut M) -> Result<M::Output, Error> {
        run_blocking(
            machine,
            &*self.inner.transport,
            &*self.inner.clock,
            &*self.inner.sleep,
            &mut (),
        )
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
    pub fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Response, Error>
    where
        E::Response: DeserializeOwned,
    {
        let _span = tracing::debug_span!("kling.send", path = %endpoint.path()).entered();
        self.run(&mut Call::of(&self.inner.engine, endpoint)?)
    }

    /// Queries a task (or anything else): the same as [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn get<E: Endpoint>(&self, query: &E) -> Result<E::Response, Error>
    where
        E::Response: DeserializeOwned,
    {
        self.send(query)
    }

    /// Creates a task safely: an `external_task_id` is generated when missing, and an
    /// ambiguous failure is settled by looking the task up by it before any re-post.
    ///
    /// # Errors
    ///
    /// The create's error (every error carries the `external_task_id`), or
    /// [`AmbiguousCreateError`](kling_errors::AmbiguousCreateError) when the outcome could not
    /// be settled: look the task up by that id before creating again.
    pub fn create<E: CreateTask>(&self, request: E) -> Result<Created<E::Response>, Error>
    where
        E::Response: DeserializeOwned,
        <E::Lookup as Endpoint>::Response: DeserializeOwned,
    {
        let mut machine = Create::new(&self.inner.engine, request)?;
        let span =
            tracing::info_span!("kling.create", external_task_id = %machine.external_task_id());
        let _enter = span.enter();
        let created = self.run(&mut machine)?;
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
    /// on); [`CancelledError`] on cancel; a fatal query error.
    pub fn wait<Q: Endpoint>(
        &self,
        query: &Q,
        options: WaitOptions<'_>,
    ) -> Result<Q::Response, Error>
    where
        Q::Response: Pollable + DeserializeOwned,
    {
        let mut machine = Wait::for_query(&self.inner.engine, query)?;
        let task_id = machine.task_id().to_owned();
        if let Some(max) = options.max_wait {
            machine = machine.max_wait(max);
        }
        let WaitOptions {
            progress, cancel, ..
        } = options;
        let sleep = CancellableSleep {
            inner: &*self.inner.sleep,
            cancel: cancel.clone(),
            real: self.inner.real_sleep,
        };
        let mut observer = WaitObserver { progress, cancel };
        let _span = tracing::info_span!("kling.wait", task_id = %task_id).entered();
        run_blocking(
            &mut machine,
            &*self.inner.transport,
            &*self.inner.clock,
            &sleep,
            &mut observer,
        )
        .map_err(|e| match e {
            Error::Cancelled(_) => CancelledError::new(Some(task_id)).into(),
            other => other,
        })
    }

    /// Re-fetches the task a callback is about, with an authenticated GET, and returns the
    /// server's view: callbacks are hints (legacy ones are unsigned), never acted on directly.
    /// Pair with [`CallbackDedupe`](kling_core::CallbackDedupe).
    ///
    /// ```no_run
    /// # fn f(client: kling_client_blocking::Client, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    /// use kling_types::callback::CallbackPayload;
    /// use kling_types::videos::GetText2VideoTask;
    /// let payload = CallbackPayload::parse(body)?;
    /// let task = client.reconcile_callback(&payload, GetText2VideoTask::by_task_id)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get).
    pub fn reconcile_callback<Q: Endpoint>(
        &self,
        payload: &CallbackPayload,
        query: impl FnOnce(String) -> Q,
    ) -> Result<Q::Response, Error>
    where
        Q::Response: DeserializeOwned,
    {
        self.get(&query(payload.task_id().to_owned()))
    }

    /// Creates a task and waits for it. With
    /// [`max_in_flight_tasks`](kling_core::Config::max_in_flight_tasks), it first waits for a
    /// free slot (shared by clones) and holds it until the task ends.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create) and [`wait`](Self::wait); every error carries the
    /// `external_task_id`.
    pub fn create_and_wait<E: CreateTask>(
        &self,
        request: E,
        options: WaitOptions<'_>,
    ) -> Result<<E::Lookup as Endpoint>::Response, Error>
    where
        E::Response: DeserializeOwned,
        <E::Lookup as Endpoint>::Response: Pollable + DeserializeOwned,
    {
        // With `max_in_flight_tasks`, a task holds its slot from create to its end: Kling's
        // real limit is concurrent tasks (1303), so queue here instead of being throttled.
        let _slot = self.inner.slots.as_ref().map_or(Slot(None), Slots::acquire);
        let created = self.create(request)?;
        let query = E::poll_query(&created.task);
        self.wait(&query, options)
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
    pub fn download(&self, url: &str, dest: impl AsRef<Path>) -> Result<Downloaded, Error> {
        let dest = dest.as_ref();
        let part = PathBuf::from(format!("{}.part", dest.display()));
        let mut download = Download::new(url, self.inner.engine.config().download.clone())?;
        let _span = tracing::info_span!("kling.download", dest = %dest.display()).entered();
        loop {
            let request = download.request();
            let response = self
                .inner
                .transport
                .open(&request)
                .map_err(|e| e.with_operation(Operation::Read));
            let response = match response {
                Ok(r) => r,
                Err(e) => {
                    // Nothing came: retry while attempts remain (on_end says when to stop).
                    download.on_end(Err(e))?;
                    self.inner.sleep.sleep(download.retry_delay());
                    continue;
                }
            };
            let head = download.on_head(response.status, &response.headers)?;
            let file = match head {
                Head::Append => OpenOptions::new().append(true).open(&part),
                _ => File::create(&part),
            }
            .map_err(|e| disk_error("opening", &part, e))?;
            let result = copy(response.body, file, &mut download, &part)?;
            match download.on_end(result)? {
                End::Complete { bytes } => {
                    std::fs::rename(&part, dest).map_err(|e| disk_error("renaming to", dest, e))?;
                    return Ok(Downloaded {
                        path: dest.to_path_buf(),
                        bytes,
                    });
                }
                _ => self.inner.sleep.sleep(download.retry_delay()),
            }
        }
    }

    /// Creates a task, waits for it and downloads every result file into `dir`.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Self::create_and_wait) and [`download`](Self::download).
    pub fn create_and_wait_and_download<E>(
        &self,
        request: E,
        dir: impl AsRef<Path>,
        options: WaitOptions<'_>,
    ) -> Result<(kling_types::Task, Vec<Downloaded>), Error>
    where
        E: CreateTask<Response = kling_types::Task>,
        E::Lookup: Endpoint<Response = kling_types::Task>,
    {
        let task = self.create_and_wait(request, options)?;
        let mut files = Vec::new();
        for file in result_files(&task) {
            let dest = dir.as_ref().join(&file.file_name);
            let downloaded = self.download(&file.url, dest).map_err(|e| {
                e.with_external_task_id(task.external_task_id().unwrap_or_default().to_owned())
            })?;
            files.push(downloaded);
        }
        Ok((task, files))
    }
}

/// Streams `body` into `file` through a 256 KiB buffer, counting bytes against the cap.
fn copy(
    mut body: Box<dyn Read + Send>,
    file: File,
    download: &mut Download,
    path: &Path,
) -> Result<Result<(), TransportError>, Error> {
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let mut buf = vec![0u8; 256 * 1024];
    let result = loop {
        match body.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                download.on_chunk(n)?;
                out.write_all(&buf[..n])
                    .map_err(|e| disk_error("writing", path, e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                break Err(TransportError::new(
                    TransportFailure::Reset,
                    TransportPhase::AfterSend,
                    Operation::Read,
                    &e.to_string(),
                )
                .with_source(e));
            }
        }
    };
    let file = out
        .into_inner()
        .map_err(|e| disk_error("writing", path, e.into_error()))?;
    file.sync_all()
        .map_err(|e| disk_error("syncing", path, e))?;
    Ok(result)
}
