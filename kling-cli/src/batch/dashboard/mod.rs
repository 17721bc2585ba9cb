//! `kling batch dashboard`: a page of the batch on this machine, over its store (SQLite or
//! Redis): every job, its state, its result in place, its error and the remedy, live. The page
//! is three files embedded here (no framework, no CDN); `/api/...` serves the same data as
//! JSON (see the CLI README).
//!
//! It reads the store and the download folder, nothing else: a file is served only under the
//! checked name its record gives it ([`kling_redis::saved_names`]), never a path from the
//! request or the store.

use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Args;
use kling_client_async::Client;
use kling_core::fleet::{FleetBackend, JobRecord};
use serde_json::{Value, json};
use tokio::sync::mpsc;

mod files;
mod view;

use super::{StoreArgs, open, shown};
use crate::args::parse_duration;
use crate::flow::Ctx;
use crate::output::{CommandError, Format};

const INDEX_HTML: &str = include_str!("assets/index.html");
const DASHBOARD_CSS: &str = include_str!("assets/dashboard.css");
const DASHBOARD_JS: &str = include_str!("assets/dashboard.js");

/// `kling batch dashboard`.
#[derive(Args)]
pub(crate) struct Dashboard {
    #[command(flatten)]
    store: StoreArgs,
    /// The port to serve on (0: any free port; the address is printed)
    #[arg(long, default_value_t = 8470)]
    port: u16,
    /// The address to serve on: 127.0.0.1 unless told otherwise (the page can requeue jobs
    /// and download files: give another address only on a network you trust)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    bind: IpAddr,
    /// The folder `kling batch work --download` saves into: done jobs' files found there
    /// play on the page (else from their URLs), and "download missing" saves there
    #[arg(long, value_name = "DIR")]
    download: Option<PathBuf>,
    /// How often the page's live updates read the store
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1s")]
    refresh: Duration,
}

/// What every request of the dashboard shares.
struct App {
    backend: Arc<dyn FleetBackend>,
    /// The download folder, when given.
    dir: Option<PathBuf>,
    refresh: Duration,
    /// The `Host` values taken (the listener's own names): a page of another site that
    /// renames itself to 127.0.0.1 (DNS rebinding) is refused. `None`: any (served beyond
    /// loopback, as told).
    hosts: Option<Vec<String>>,
    /// Downloads "download missing" makes: no credentials, a download never carries any.
    downloader: Client,
    /// One "download missing" at a time.
    downloading: tokio::sync::Mutex<()>,
    /// Turns true on Ctrl-C: the event streams end, so the server stops at once instead of
    /// waiting for the pages to go.
    closing: tokio::sync::watch::Receiver<bool>,
}

impl App {
    fn now() -> i64 {
        kling_core::time::unix_ms(SystemTime::now())
    }

    /// Every job's record, in the order of their keys.
    async fn records(&self) -> Result<Vec<JobRecord>, kling_errors::Error> {
        let mut records = self.backend.records().await?;
        records.sort_by(|a, b| a.external_task_id.cmp(&b.external_task_id));
        Ok(records)
    }

    fn view(&self, record: &JobRecord, now: i64) -> Value {
        let names = kling_redis::saved_names(record);
        view::job_view(record, &names, self.dir.as_deref(), now)
    }

    async fn summary(&self, records: &[JobRecord], now: i64) -> Result<Value, kling_errors::Error> {
        let held = self.backend.slots_held().await?;
        let mut summary = view::summary(records, held, now);
        summary["store"] =
            json!({"kind": self.backend.kind(), "location": self.backend.location()});
        summary["download_dir"] = json!(self.dir.as_ref().map(|d| d.display().to_string()));
        Ok(summary)
    }
}

/// A JSON answer.
fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, serde_json::to_vec(body).unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error as JSON: `{"error": {"message": ...}}`.
fn problem(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({"error": {"message": message}}))
}

/// The store failed: 503, with the error's kind (`network`, `invalid_response`, ...).
fn store_problem(e: &kling_errors::Error) -> Response {
    json_response(
        StatusCode::SERVICE_UNAVAILABLE,
        &json!({"error": {"message": format!("the batch store: {e}"), "kind": e.kind().as_str()}}),
    )
}

/// An embedded asset, with a policy that lets the page load only itself and the result
/// files (here, or at their http(s) URLs).
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: http: https:; media-src 'self' http: https:; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Refuses a request for another host name (DNS rebinding), and a POST that a page of another
/// origin could send (it must carry `X-Kling-Dashboard`, which no cross-origin page can add
/// without a preflight this server never allows).
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Some(hosts) = &app.hosts
        && !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host))
    {
        return problem(
            StatusCode::FORBIDDEN,
            "this dashboard answers only to its own address",
        );
    }
    if request.method() == Method::POST {
        let headers = request.headers();
        let marked = headers.contains_key("x-kling-dashboard");
        let origin_ok = headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .is_none_or(|o| o.eq_ignore_ascii_case(&format!("http://{host}")));
        if !marked || !origin_ok {
            return problem(
                StatusCode::FORBIDDEN,
                "actions are taken from the dashboard's own page (or with the header X-Kling-Dashboard: 1)",
            );
        }
    }
    next.run(request).await
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", DASHBOARD_CSS)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", DASHBOARD_JS)
}

async fn api_summary(State(app): State<Arc<App>>) -> Response {
    let now = App::now();
    let summary = match app.records().await {
        Ok(records) => app.summary(&records, now).await,
        Err(e) => Err(e),
    };
    match summary {
        Ok(summary) => json_response(StatusCode::OK, &summary),
        Err(e) => store_problem(&e),
    }
}

async fn api_jobs(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let filter = match view::Filter::parse(query.as_deref().unwrap_or_default()) {
        Ok(f) => f,
        Err(e) => return problem(StatusCode::BAD_REQUEST, &e),
    };
    let now = App::now();
    match app.records().await {
        Ok(records) => {
            let jobs: Vec<Value> = records
                .iter()
                .filter(|r| filter.passes(r))
                .map(|r| app.view(r, now))
                .collect();
            json_response(StatusCode::OK, &json!({"jobs": jobs}))
        }
        Err(e) => store_problem(&e),
    }
}

async fn api_job(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.backend.job_store().get(&id).await {
        Ok(Some(record)) => json_response(StatusCode::OK, &app.view(&record, App::now())),
        Ok(None) => problem(StatusCode::NOT_FOUND, "no job with this external_task_id"),
        Err(e) => store_problem(&e),
    }
}

/// `POST /api/resume`: queues the blocked jobs again (`kling batch resume`).
async fn api_resume(State(app): State<Arc<App>>) -> Response {
    let queue = app.backend.job_queue("dashboard");
    let resumed = match queue.prepare().await {
        Ok(()) => queue.resume().await,
        Err(e) => Err(e),
    };
    match resumed {
        Ok(n) => json_response(StatusCode::OK, &json!({"requeued": n})),
        Err(e) => store_problem(&e),
    }
}

/// `POST /api/download`: saves the done jobs' files missing from the download folder, under
/// the names a worker gives them, and notes where in their records.
async fn api_download(State(app): State<Arc<App>>) -> Response {
    let Some(dir) = app.dir.clone() else {
        return problem(
            StatusCode::CONFLICT,
            "no download folder: start the dashboard with --download DIR (the folder of `kling batch work --download`)",
        );
    };
    let Ok(_one) = app.downloading.try_lock() else {
        return problem(StatusCode::CONFLICT, "a download is under way");
    };
    match super::download::save_missing(&*app.backend, &app.downloader, &dir).await {
        Ok(saved) => json_response(StatusCode::OK, &saved.as_json()),
        Err(e) => problem(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    }
}

/// `GET /files/<id>/<n>`: the `n`th file of job `id`, from the download folder, under its
/// checked name.
async fn file(
    State(app): State<Arc<App>>,
    Path((id, index)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    let Some(dir) = &app.dir else {
        return problem(StatusCode::NOT_FOUND, "no download folder (--download DIR)");
    };
    let record = match app.backend.job_store().get(&id).await {
        Ok(Some(r)) => r,
        Ok(None) => return problem(StatusCode::NOT_FOUND, "no job with this external_task_id"),
        Err(e) => return store_problem(&e),
    };
    let names = kling_redis::saved_names(&record);
    let Some(Some(name)) = names.get(index) else {
        return problem(StatusCode::NOT_FOUND, "no such file of this job");
    };
    files::serve(&dir.join(name), view::content_type(name), &headers).await
}

/// A stream of the receiver's events (what `Sse` sends).
struct Events(mpsc::Receiver<Event>);

impl futures_core::Stream for Events {
    type Item = Result<Event, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|e| e.map(Ok))
    }
}

fn event(name: &str, data: &Value) -> Event {
    Event::default().event(name).data(data.to_string())
}

/// `GET /api/events`: server-sent events. First `snapshot` (`{summary, jobs}`), then, as the
/// store changes, `jobs` (`{jobs: [changed], removed: [ids]}`) and `summary`; `problem` when the
/// store cannot be read (the stream goes on).
async fn api_events(State(app): State<Arc<App>>) -> impl IntoResponse {
    let (tx, rx) = mpsc::channel(16);
    let mut closing = app.closing.clone();
    tokio::spawn(async move {
        let mut known: std::collections::HashMap<String, String> = Default::default();
        let mut last_summary = String::new();
        let mut first = true;
        loop {
            let now = App::now();
            let read = match app.records().await {
                Ok(records) => app.summary(&records, now).await.map(|s| (records, s)),
                Err(e) => Err(e),
            };
            let sent = match read {
                Ok((records, summary)) => {
                    let mut changed = Vec::new();
                    let mut seen = std::collections::HashSet::new();
                    for record in &records {
                        let view = app.view(record, now);
                        // Elapsed time moves on its own: the page counts it; not a change.
                        let mut key = view.clone();
                        key["elapsed_ms"] = Value::Null;
                        let key = key.to_string();
                        seen.insert(record.external_task_id.clone());
                        if known.get(&record.external_task_id) != Some(&key) {
                            known.insert(record.external_task_id.clone(), key);
                            changed.push(view);
                        }
                    }
                    let removed: Vec<String> = known
                        .keys()
                        .filter(|k| !seen.contains(*k))
                        .cloned()
                        .collect();
                    known.retain(|k, _| seen.contains(k));
                    let mut shape = summary.clone();
                    shape["generated_at"] = Value::Null;
                    let shape = shape.to_string();
                    if first {
                        first = false;
                        last_summary = shape;
                        tx.send(event(
                            "snapshot",
                            &json!({"summary": summary, "jobs": changed}),
                        ))
                        .await
                    } else {
                        let mut sent = Ok(());
                        if !changed.is_empty() || !removed.is_empty() {
                            sent = tx
                                .send(event("jobs", &json!({"jobs": changed, "removed": removed})))
                                .await;
                        }
                        if sent.is_ok() && shape != last_summary {
                            last_summary = shape;
                            sent = tx.send(event("summary", &summary)).await;
                        }
                        sent
                    }
                }
                Err(e) => {
                    tx.send(event(
                        "problem",
                        &json!({"message": format!("cannot read the batch store: {e}")}),
                    ))
                    .await
                }
            };
            // The page went away: stop reading the store for it.
            if sent.is_err() {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(app.refresh) => {}
                () = tx.closed() => break,
                _ = closing.wait_for(|closing| *closing) => break,
            }
        }
    });
    Sse::new(Events(rx)).keep_alive(KeepAlive::default())
}

fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new()
        .route("/", get(index))
        .route("/dashboard.css", get(stylesheet))
        .route("/dashboard.js", get(script))
        .route("/api/summary", get(api_summary))
        .route("/api/jobs", get(api_jobs))
        .route("/api/jobs/{id}", get(api_job))
        .route("/api/events", get(api_events))
        .route("/api/resume", post(api_resume))
        .route("/api/download", post(api_download))
        .route("/files/{id}/{index}", get(file))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// `kling batch dashboard`: serves until Ctrl-C.
pub(super) async fn dashboard(args: &Dashboard, ctx: &Ctx) -> Result<(), CommandError> {
    if args.refresh < Duration::from_millis(100) {
        return Err(CommandError::usage("--refresh must be at least 100ms"));
    }
    let backend = open(&args.store, true).await?;
    let (listener, addr) = crate::local::bind(args.bind, args.port).await?;
    let hosts = args.bind.is_loopback().then(|| {
        let port = addr.port();
        vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            addr.to_string(),
        ]
    });
    let where_ = shown(&*backend);
    let url = format!("http://{addr}/");
    let (close, closing) = tokio::sync::watch::channel(false);
    let app = Arc::new(App {
        backend,
        dir: args.download.clone(),
        refresh: args.refresh,
        hosts,
        downloader: ctx.downloader()?,
        downloading: tokio::sync::Mutex::new(()),
        closing,
    });
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = close.send(true);
        }
    });
    match ctx.format {
        Format::Json => ctx.emit(json!({"result": {"url": url, "store": where_}})),
        Format::Text => eprintln!("dashboard of {where_} at {url} (Ctrl-C stops)"),
    }
    // Nothing is sent on this channel: the server runs until Ctrl-C.
    let (_keep, rx) = mpsc::channel::<()>(1);
    crate::local::serve_events(listener, router(app), rx, |()| true).await;
    Ok(())
}
