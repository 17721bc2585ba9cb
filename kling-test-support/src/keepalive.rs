//! A keep-alive HTTP/1.1 server on 127.0.0.1 (axum, its own runtime thread) for benchmarks:
//! a Kling-shaped task API whose tasks finish a set time after their create, and a file host
//! streaming files of any size from one buffer. Requests are counted, so a benchmark can say
//! how many requests a job took. Stopped when dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// A finished task's answer, as the benchmarks' GETs read it.
pub const TASK: &str = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"831922345719271433","task_status":"processing","task_info":{"external_task_id":"job-1"},"created_at":1766374262370,"updated_at":1766374262370}}"#;

struct Shared {
    /// Tasks finish this long after their create.
    done_after: Duration,
    created: Mutex<HashMap<String, Instant>>,
    next: AtomicU64,
    requests: AtomicU64,
    file: Bytes,
}

/// The running server.
pub struct KeepAlive {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn task(id: &str, status: &str, with_result: bool) -> String {
    let result = if with_result {
        r#","task_result":{"videos":[{"id":"v","url":"https://cdn.invalid/v.mp4","duration":"5"}]}"#
    } else {
        ""
    };
    format!(
        r#"{{"code":0,"message":"SUCCEED","request_id":"r","data":{{"task_id":"{id}","task_status":"{status}","task_info":{{"external_task_id":"job-{id}"}}{result}}}}}"#
    )
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A create (its body read whole, so the connection stays open for the next one).
async fn create(State(s): State<Arc<Shared>>, _body: Bytes) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let id = s.next.fetch_add(1, Ordering::Relaxed).to_string();
    s.created
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), Instant::now());
    json(task(&id, "submitted", false))
}

async fn query(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let created = s
        .created
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .copied();
    match created {
        // An id the server did not create: the fixed task of the GET benchmarks.
        None => json(TASK.to_owned()),
        Some(at) if at.elapsed() >= s.done_after => json(task(&id, "succeed", true)),
        Some(_) => json(task(&id, "processing", false)),
    }
}

/// The requests answered so far (not counted itself).
async fn stats(State(s): State<Arc<Shared>>) -> String {
    s.requests.load(Ordering::Relaxed).to_string()
}

async fn file(State(s): State<Arc<Shared>>, Path(bytes): Path<String>) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let total: u64 = bytes.trim_end_matches(".mp4").parse().unwrap_or(0);
    let chunk = s.file.clone();
    let stream = futures_stream(chunk, total);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "video/mp4")
        .header(header::CONTENT_LENGTH, total)
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

/// `total` bytes as a stream of slices of `chunk` (no allocation per chunk).
fn futures_stream(chunk: Bytes, total: u64) -> Repeat {
    Repeat { chunk, left: total }
}

impl KeepAlive {
    /// A server whose created tasks finish `done_after` after their create.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound (a broken test machine).
    pub fn start(done_after: Duration) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let shared = Arc::new(Shared {
            done_after,
            created: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            requests: AtomicU64::new(0),
            file: Bytes::from(vec![0x42u8; 256 * 1024]),
        });
        let app = Router::new()
            .route("/v1/videos/text2video", axum::routing::post(create))
            .route("/v1/videos/text2video/{id}", get(query))
            .route("/files/{bytes}", get(file))
            .route("/stats", get(stats))
            .with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        Self {
            url,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `total` bytes, slices of one buffer: a `futures` stream for `Body::from_stream` without
/// a dependency on the futures crates.
struct Repeat {
    chunk: Bytes,
    left: u64,
}

impl futures_core::Stream for Repeat {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if self.left == 0 {
            return std::task::Poll::Ready(None);
        }
        let n = self
            .chunk
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        self.left -= n as u64;
        std::task::Poll::Ready(Some(Ok(self.chunk.slice(..n))))
    }
}
