//! [`MockServer`]: the API host and the file host on their own thread and runtime, over HTTP
//! or HTTPS, stopped when dropped.

use std::io;
use std::sync::{Arc, Mutex};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::MockConfig;
use crate::faults::Fault;
use crate::state::{App, Inner, MockStats, lock};
use crate::{files, routes, tls};

/// A running mock: an API host and a separate file host, both on 127.0.0.1 with random ports
/// (the API on the port asked for, if any).
pub struct MockServer {
    /// The API base URL (`http://127.0.0.1:PORT`, or `https://` with TLS).
    pub api_url: String,
    /// The file host base URL (rejects requests with an `Authorization` header); its host is
    /// [`MockConfig::file_host`] when set.
    pub files_url: String,
    cert_pem: Option<String>,
    state: App,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("api_url", &self.api_url)
            .field("files_url", &self.files_url)
            .field("tls", &self.cert_pem.is_some())
            .finish()
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// A non-blocking listener on 127.0.0.1:`port`; the error names the address (and says so
/// when another server holds it).
fn listen(port: u16) -> io::Result<std::net::TcpListener> {
    let address = format!("127.0.0.1:{port}");
    let bound = std::net::TcpListener::bind(("127.0.0.1", port)).and_then(|l| {
        l.set_nonblocking(true)?;
        Ok(l)
    });
    bound.map_err(|e| {
        let message = if e.kind() == io::ErrorKind::AddrInUse {
            format!(
                "cannot listen on {address}: the address is in use (another server holds the port)"
            )
        } else {
            format!("cannot listen on {address}: {e}")
        };
        io::Error::new(e.kind(), message)
    })
}

/// Refuses a configuration that cannot work, before anything starts.
fn check(config: &MockConfig) -> io::Result<()> {
    if config.cert_out.is_some() && !config.tls {
        return Err(invalid(
            "cert_out is set but TLS is off (turn tls on)".into(),
        ));
    }
    if let Some(host) = &config.file_host {
        let ok = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !ok {
            return Err(invalid(format!("file_host {host:?} is not a host name")));
        }
    }
    if let Some(secret) = &config.webhook_secret {
        kling_auth::WebhookVerifier::new(secret)
            .map_err(|e| invalid(format!("webhook_secret: {e}")))?;
    }
    Ok(())
}

impl MockServer {
    /// Starts a mock on its own thread and runtime (usable from blocking and async code); it
    /// stops when dropped.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the ports, of making the certificate or writing it to
    /// [`MockConfig::cert_out`]; `InvalidInput` for a configuration that cannot work.
    pub fn start(config: MockConfig) -> io::Result<Self> {
        Self::start_on(config, 0)
    }

    /// As [`start`](Self::start), with the API on `port` (0: any free port).
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn start_on(config: MockConfig, port: u16) -> io::Result<Self> {
        check(&config)?;
        // Bound here with std, so starting works from any context (even inside a runtime);
        // served on the mock's own runtime thread.
        let api = listen(port)?;
        let files = listen(0)?;
        let scheme = if config.tls { "https" } else { "http" };
        let files_host = config
            .file_host
            .clone()
            .unwrap_or_else(|| "127.0.0.1".into());
        let api_url = format!("{scheme}://{}", api.local_addr()?);
        let files_url = format!("{scheme}://{files_host}:{}", files.local_addr()?.port());
        let tls = if config.tls {
            let mut names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
            names.extend(config.file_host.clone());
            let made = tls::make(&names)?;
            if let Some(path) = &config.cert_out {
                std::fs::write(path, &made.pem).map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot write the certificate to {}: {e}", path.display()),
                    )
                })?;
            }
            Some(made)
        } else {
            None
        };
        let cert_pem = tls.as_ref().map(|t| t.pem.clone());
        let state: App = Arc::new(Mutex::new(Inner::new(config, files_url.clone())));
        let (tx, rx) = watch::channel(false);
        let api_router = routes::router(state.clone(), rx.clone());
        let files_router = files::router(state.clone());
        // The runtime is made, run and dropped on its own thread only: dropping a runtime
        // where the caller's (async) code runs panics, and any step above may fail.
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("kling-mock".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("kling-mock")
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let (api, files) =
                        match (TcpListener::from_std(api), TcpListener::from_std(files)) {
                            (Ok(api), Ok(files)) => (api, files),
                            (Err(e), _) | (_, Err(e)) => {
                                let _ = ready_tx.send(Err(e));
                                return;
                            }
                        };
                    let _ = ready_tx.send(Ok(()));
                    let acceptor = tls.map(|t| t.acceptor);
                    let _ = tokio::join!(
                        serve(api, api_router, acceptor.clone(), rx.clone()),
                        serve(files, files_router, acceptor, rx),
                    );
                });
            })
            .map_err(|e| {
                io::Error::new(e.kind(), format!("cannot start the mock's thread: {e}"))
            })?;
        let started = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the mock's thread stopped before serving")));
        if let Err(e) = started {
            let _ = thread.join();
            return Err(io::Error::new(
                e.kind(),
                format!("cannot start the mock's runtime: {e}"),
            ));
        }
        Ok(Self {
            api_url,
            files_url,
            cert_pem,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The certificate (PEM) the mock serves with TLS: trust it, and only it, in a client.
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// Adds a scripted fault.
    pub fn add_fault(&self, fault: Fault) {
        lock(&self.state).faults.push(fault);
    }

    /// `METHOD path` of every API request received, in order (the most recent 100,000).
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state).log.iter().cloned().collect()
    }

    /// Tasks created so far (every API).
    pub fn task_count(&self) -> usize {
        usize::try_from(lock(&self.state).stats.tasks).unwrap_or(usize::MAX)
    }

    /// The statistics `GET /mock/stats` answers.
    pub fn stats(&self) -> MockStats {
        lock(&self.state).stats()
    }

    /// Adds `units` to the account's pack (a top-up after 1102), and as many to RunBlob's
    /// balance at the classic price (after a 402); nothing changes when no credits were
    /// configured (unlimited).
    pub fn top_up(&self, units: u64) {
        let mut state = lock(&self.state);
        state.pack.top_up(units);
        state.wallet.top_up(units);
    }

    /// A client configuration for this mock's Kling API: its URL, and a first poll at once
    /// (the default waits seconds for a real task; the mock's may already be done). Give it
    /// to a client builder with the demo credentials ([`DEMO_ACCESS_KEY`](crate::DEMO_ACCESS_KEY),
    /// ...). With TLS, add the certificate ([`cert_pem`](Self::cert_pem)) to
    /// `tls_roots_pem`.
    pub fn client_config(&self) -> kling_core::Config {
        let mut config = kling_core::Config::with_base_url(&self.api_url);
        config.poll.first_delay = std::time::Duration::ZERO;
        config
    }

    /// As [`client_config`](Self::client_config), for the mock's RunBlob API (under
    /// `/runblob`).
    pub fn runblob_config(&self) -> kling_core::Config {
        let mut config = self.client_config();
        config.base_url = format!("{}/runblob", self.api_url);
        config
    }
}

/// Serves `router` on `listener` (over TLS with `acceptor`) until `stop` turns true.
async fn serve(
    listener: TcpListener,
    router: Router,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let signal = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    match acceptor {
        Some(acceptor) => {
            let listener = tls::TlsListener::new(listener, acceptor)?;
            axum::serve(listener, router)
                .with_graceful_shutdown(signal)
                .await
        }
        None => {
            axum::serve(listener, router)
                .with_graceful_shutdown(signal)
                .await
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
