#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kling_auth::{AccessKeyPair, TokenRejection, WebhookVerifier, verify};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The access key of the demo account.
pub const DEMO_ACCESS_KEY: &str = "AKdemo0000000000";
/// The secret key of the demo account (a demo value, not a secret).
pub const DEMO_SECRET_KEY: &str = "SKdemo-kling-mock";
/// A static API key the mock accepts (new standard and RunBlob routes).
pub const DEMO_API_KEY: &str = "sk-demo-kling-mock";

/// The sample video served for every video result (2 s, 160×90, H.264 + AAC).
pub const SAMPLE_MP4: &[u8] = include_bytes!("../assets/sample.mp4");
/// The sample image served for every image result.
pub const SAMPLE_PNG: &[u8] = include_bytes!("../assets/sample.png");
/// The sample MP3 served for every audio result (1 s, 440 Hz).
pub const SAMPLE_MP3: &[u8] = include_bytes!("../assets/sample.mp3");
/// The sample WAV served for every audio result (0.5 s, 440 Hz).
pub const SAMPLE_WAV: &[u8] = include_bytes!("../assets/sample.wav");

/// The legacy task families the mock serves, and what their results are.
const FAMILIES: &[(&str, Kind)] = &[
    ("videos/text2video", Kind::Video),
    ("videos/image2video", Kind::Video),
    ("videos/multi-image2video", Kind::Video),
    ("videos/video-extend", Kind::Video),
    ("videos/omni-video", Kind::Video),
    ("videos/motion-control", Kind::Video),
    ("videos/lip-sync", Kind::Video),
    ("videos/advanced-lip-sync", Kind::Video),
    ("videos/avatar/image2video", Kind::Video),
    ("videos/effects", Kind::Video),
    ("videos/multi-elements", Kind::Video),
    ("audio/video-to-audio", Kind::Video),
    ("audio/text-to-audio", Kind::Audio),
    ("images/generations", Kind::Image),
    ("images/multi-image2image", Kind::Image),
    ("images/omni-image", Kind::Image),
    ("images/editing/expand", Kind::Image),
    ("images/kolors-virtual-try-on", Kind::Image),
    ("general/custom-voices", Kind::Voice),
    ("general/advanced-custom-elements", Kind::Element),
];

/// The new standard's create paths (the model follows).
const STANDARD_CREATES: &[&str] = &[
    "/text-to-video",
    "/image-to-video",
    "/omni-video",
    "/motion-control",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Video,
    Image,
    Audio,
    Voice,
    Element,
}

/// How the mock behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MockConfig {
    /// A task is `submitted` until this long after its create, then `processing`.
    pub processing_after: Duration,
    /// A task finishes this long after its create.
    pub done_after: Duration,
    /// Tasks running at once before a create gets 1303.
    pub max_concurrency: usize,
    /// Creates before 1102 (resource pack exhausted); `None`: unlimited.
    pub credits: Option<u64>,
    /// A prompt containing this word is refused with 1301 (content security).
    pub forbidden_word: String,
    /// A prompt containing this word makes the task fail.
    pub fail_word: String,
    /// Access key pairs whose JWTs are accepted.
    pub access_keys: Vec<(String, String)>,
    /// Static API keys accepted as `Authorization: Bearer <key>`.
    pub api_keys: Vec<String>,
    /// When set, callbacks are signed (Standard Webhooks) with this `whsec_` secret.
    pub webhook_secret: Option<String>,
    /// Requests per second before 1302 (rate limit); `None`: unlimited.
    pub rate_limit_per_sec: Option<u32>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::instant()
    }
}

impl MockConfig {
    /// Tasks finish at once (tests).
    pub fn instant() -> Self {
        Self {
            processing_after: Duration::ZERO,
            done_after: Duration::ZERO,
            max_concurrency: 5,
            credits: None,
            forbidden_word: "forbidden".to_owned(),
            fail_word: "doomed".to_owned(),
            access_keys: vec![(DEMO_ACCESS_KEY.to_owned(), DEMO_SECRET_KEY.to_owned())],
            api_keys: vec![DEMO_API_KEY.to_owned()],
            webhook_secret: None,
            rate_limit_per_sec: None,
        }
    }

    /// Tasks take a few seconds, like a (very fast) real generation (demos).
    pub fn demo() -> Self {
        Self {
            processing_after: Duration::from_secs(1),
            done_after: Duration::from_secs(6),
            ..Self::instant()
        }
    }
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// An error envelope with this HTTP status and Kling code.
    Status {
        /// HTTP status.
        status: u16,
        /// Kling service code.
        code: i64,
    },
    /// The same, with a `Retry-After` of this many seconds.
    RetryAfter {
        /// HTTP status.
        status: u16,
        /// Kling service code.
        code: i64,
        /// Seconds.
        seconds: u64,
    },
    /// A load balancer's HTML 502 page.
    Html502,
    /// The normal answer, its JSON cut in half.
    Truncate,
    /// The normal answer, after this delay.
    Delay(Duration),
    /// No answer for 10 minutes (the client times out after sending).
    Stall,
}

/// A scripted fault: the `skip`-th and following `times` requests matching `method` and the
/// path prefix get `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    /// `GET`, `POST`, or any when `None`.
    pub method: Option<String>,
    /// The path prefix (`/v1/videos/text2video`).
    pub path_prefix: String,
    /// Matching requests let through first.
    pub skip: u32,
    /// Matching requests that get the fault.
    pub times: u32,
    /// What happens.
    pub action: FaultAction,
}

impl Fault {
    /// A fault on every request to `path_prefix`, `times` times.
    pub fn new(
        method: Option<&str>,
        path_prefix: impl Into<String>,
        times: u32,
        action: FaultAction,
    ) -> Self {
        Self {
            method: method.map(str::to_uppercase),
            path_prefix: path_prefix.into(),
            skip: 0,
            times,
            action,
        }
    }

    /// Parses `[METHOD] PATH ACTION [xN]`, where ACTION is `STATUS:CODE`, `STATUS:CODE:retry=SECS`,
    /// `html502`, `truncate`, `stall` or `delay=MS` (for `--fault` on the command line).
    ///
    /// # Errors
    ///
    /// A message naming what did not parse.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let method = match words.first() {
            Some(m) if ["GET", "POST"].contains(&m.to_uppercase().as_str()) => {
                Some(words.remove(0).to_uppercase())
            }
            _ => None,
        };
        let times = match words
            .last()
            .and_then(|w| w.strip_prefix('x'))
            .and_then(|n| n.parse().ok())
        {
            Some(n) => {
                words.pop();
                n
            }
            None => 1,
        };
        let [path, action] = words.as_slice() else {
            return Err(format!(
                "expected `[METHOD] PATH ACTION [xN]`, got {text:?}"
            ));
        };
        let action = match *action {
            "html502" => FaultAction::Html502,
            "truncate" => FaultAction::Truncate,
            "stall" => FaultAction::Stall,
            a if a.starts_with("delay=") => FaultAction::Delay(Duration::from_millis(
                a[6..].parse().map_err(|_| format!("bad delay in {a:?}"))?,
            )),
            a => {
                let parts: Vec<&str> = a.split(':').collect();
                let num = |s: &str| {
                    s.parse::<i64>()
                        .map_err(|_| format!("bad number {s:?} in {a:?}"))
                };
                match parts.as_slice() {
                    [s, c] => FaultAction::Status {
                        status: num(s)? as u16,
                        code: num(c)?,
                    },
                    [s, c, r] if r.starts_with("retry=") => FaultAction::RetryAfter {
                        status: num(s)? as u16,
                        code: num(c)?,
                        seconds: num(&r[6..])? as u64,
                    },
                    _ => {
                        return Err(format!(
                            "unknown fault action {a:?} (STATUS:CODE, STATUS:CODE:retry=SECS, html502, truncate, stall, delay=MS)"
                        ));
                    }
                }
            }
        };
        Ok(Self {
            method,
            path_prefix: (*path).to_owned(),
            skip: 0,
            times,
            action,
        })
    }
}

#[derive(Debug, Clone)]
struct TaskRecord {
    id: String,
    family: String,
    kind: Kind,
    external: Option<String>,
    created: Instant,
    created_ms: i64,
    fail: bool,
    standard: bool,
    runblob: bool,
    prompt: String,
}

struct Inner {
    config: MockConfig,
    pairs: Vec<AccessKeyPair>,
    files_url: String,
    tasks: Vec<TaskRecord>,
    next_id: u64,
    requests: u64,
    credits: Option<u64>,
    faults: Vec<Fault>,
    log: Vec<String>,
    /// The current rate-limit window: its start and the requests in it.
    window: (Instant, u32),
}

type Shared = Arc<Mutex<Inner>>;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl TaskRecord {
    fn status(&self, config: &MockConfig) -> &'static str {
        let age = self.created.elapsed();
        if age < config.processing_after {
            "submitted"
        } else if age < config.done_after {
            "processing"
        } else if self.fail {
            "failed"
        } else if self.standard {
            "succeeded"
        } else {
            "succeed"
        }
    }

    fn running(&self, config: &MockConfig) -> bool {
        matches!(self.status(config), "submitted" | "processing")
    }

    fn file_url(&self, files_url: &str) -> String {
        let ext = match self.kind {
            Kind::Image => "png",
            Kind::Audio => "mp3",
            _ => "mp4",
        };
        format!("{files_url}/files/{}.{ext}", self.id)
    }

    fn legacy(&self, config: &MockConfig, files_url: &str) -> Value {
        let status = self.status(config);
        let mut task = json!({
            "task_id": self.id,
            "task_status": status,
            "task_status_msg": if status == "failed" { "Failure to pass the risk control system (mock)" } else { "" },
            "task_info": self.external.as_ref().map_or(json!({}), |e| json!({"external_task_id": e})),
            "created_at": self.created_ms,
            "updated_at": self.created_ms + config.done_after.as_millis() as i64,
        });
        if status == "succeed" {
            let url = self.file_url(files_url);
            task["task_result"] = match self.kind {
                Kind::Video => {
                    json!({"videos": [{"id": format!("{}-v", self.id), "url": url, "duration": "2"}]})
                }
                Kind::Image => json!({"images": [{"index": 0, "url": url}]}),
                Kind::Audio => {
                    let wav = format!("{files_url}/files/{}.wav", self.id);
                    json!({"audios": [{"id": format!("{}-a", self.id), "url_mp3": url, "duration_mp3": "1",
                        "url_wav": wav, "duration_wav": "0.5"}]})
                }
                Kind::Voice => {
                    json!({"voices": [{"voice_id": format!("{}-voice", self.id), "voice_name": "mock", "trial_url": url, "owned_by": "0"}]})
                }
                Kind::Element => {
                    json!({"elements": [{"element_id": self.id, "element_name": "mock", "status": "succeed"}]})
                }
            };
            task["final_unit_deduction"] = json!("1");
        }
        task
    }

    fn standard(&self, config: &MockConfig, files_url: &str) -> Value {
        let status = self.status(config);
        let mut task = json!({
            "id": self.id, "status": status, "message": if status == "failed" { "failed (mock)" } else { "" },
            "create_time": self.created_ms, "update_time": self.created_ms + config.done_after.as_millis() as i64,
        });
        if let Some(e) = &self.external {
            task["external_id"] = json!(e);
        }
        if status == "succeeded" {
            task["outputs"] = json!([{"type": "video", "id": format!("{}-v", self.id), "url": self.file_url(files_url), "duration": "2"}]);
            task["billing"] =
                json!([{"charge_type": "unit", "amount": "1", "package_type": "video"}]);
        }
        task
    }
}

impl TaskRecord {
    fn generation(&self, config: &MockConfig, files_url: &str) -> Value {
        let status = match self.status(config) {
            "submitted" => "pending",
            "processing" => "processing",
            "failed" => "failed",
            _ => "completed",
        };
        let url = (status == "completed").then(|| self.file_url(files_url));
        let (video, image) = if self.kind == Kind::Image {
            (None, url)
        } else {
            (url, None)
        };
        json!({
            "generation_id": self.id, "status": status, "prompt": self.prompt,
            "video_url": video, "image_url": image, "model": self.family,
            "message": if status == "failed" { Some("CONTENT_POLICY_VIOLATION") } else { None },
        })
    }
}

fn detail(status: u16, detail: &str) -> Response {
    json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        &json!({"detail": detail}),
    )
}

/// RunBlob's Kling API under `/runblob`: its bodies, its `detail` errors, its statuses.
fn runblob(
    inner: &mut Inner,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !key.is_some_and(|k| inner.config.api_keys.iter().any(|a| a == k)) {
        return detail(401, "Missing credentials");
    }
    let products = [
        "/v1/kling/o1-video",
        "/v1/kling/o3-video",
        "/v1/kling/o1-photo",
        "/v1/kling/o3-photo",
        "/v1/kling",
    ];
    if path == "/v1/data/balance" && method == Method::GET {
        return json_response(
            StatusCode::OK,
            &json!({"balance": inner.credits.map_or("100.00".to_owned(), |c| format!("{:.2}", c as f64 * 0.15))}),
        );
    }
    let Some(product) = products.iter().find(|p| path.starts_with(*p)) else {
        return detail(404, "Not Found");
    };
    let rest = &path[product.len()..];
    let kind = if product.ends_with("photo") {
        Kind::Image
    } else {
        Kind::Video
    };
    match (method.clone(), rest) {
        (Method::POST, "/generate") => {
            let Ok(body) = serde_json::from_slice::<Value>(body) else {
                return detail(422, "Validation error: body is not JSON");
            };
            let prompt = body
                .get("prompt")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if prompt.trim().is_empty() {
                return detail(422, "Validation error: prompt is required");
            }
            let count = |k: &str| body.get(k).and_then(Value::as_array).map_or(0, Vec::len);
            let urls = count("images_url") + count("images_urls");
            let b64 = count("images_base64");
            if urls > 0 && b64 > 0 {
                return detail(400, "Cannot provide both images_base64 and images_url");
            }
            if urls + b64 > 5 && !product.ends_with("o3-photo") {
                return detail(
                    400,
                    &format!("Maximum 5 images allowed, got {}", urls + b64),
                );
            }
            if let Some(d) = body.get("duration").and_then(|d| {
                d.as_str()
                    .map(str::to_owned)
                    .or_else(|| d.as_u64().map(|n| n.to_string()))
            }) && *product == "/v1/kling/o3-video"
                && !["5", "10", "15"].contains(&d.as_str())
            {
                return detail(400, "Duration must be 5, 10, or 15 seconds");
            }
            if inner.credits == Some(0) {
                return detail(402, "INSUFFICIENT_CREDITS");
            }
            if let Some(c) = inner.credits.as_mut() {
                *c -= 1;
            }
            inner.next_id += 1;
            let n = inner.next_id;
            let task = TaskRecord {
                id: format!(
                    "{:08x}-0000-4000-8000-{:012x}",
                    n >> 32,
                    n & 0xFFFF_FFFF_FFFF
                ),
                family: product
                    .trim_start_matches("/v1/kling")
                    .trim_start_matches('/')
                    .to_owned(),
                kind,
                external: None,
                created: Instant::now(),
                created_ms: now_ms(),
                fail: !inner.config.fail_word.is_empty()
                    && prompt.to_lowercase().contains(&inner.config.fail_word),
                standard: false,
                runblob: true,
                prompt,
            };
            let created = json!({"generation_id": task.id, "status": "pending", "price": "0.1500"});
            inner.tasks.push(task);
            json_response(StatusCode::CREATED, &created)
        }
        (Method::GET, rest) if rest.starts_with("/generations/") => {
            let id = &rest["/generations/".len()..];
            let config = inner.config.clone();
            let files = inner.files_url.clone();
            match inner.tasks.iter().find(|t| t.runblob && t.id == id) {
                Some(t) => json_response(StatusCode::OK, &t.generation(&config, &files)),
                None => detail(404, "Generation not found"),
            }
        }
        _ => detail(404, "Not Found"),
    }
}

fn envelope(data: Value, request_id: &str) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"code": 0, "message": "SUCCEED", "request_id": request_id, "data": data}),
    )
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn kling_error(status: u16, code: i64, message: &str, request_id: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(
        status,
        &json!({"code": code, "message": message, "request_id": request_id}),
    )
}

/// A running mock: an API host and a separate file host, both on 127.0.0.1 with random ports.
pub struct MockServer {
    /// The API base URL (`http://127.0.0.1:PORT`).
    pub api_url: String,
    /// The file host base URL (rejects requests with an `Authorization` header).
    pub files_url: String,
    state: Shared,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("api_url", &self.api_url)
            .field("files_url", &self.files_url)
            .finish()
    }
}

impl MockServer {
    /// Starts a mock on its own thread and runtime (usable from blocking and async code); it
    /// stops when dropped.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the ports.
    pub fn start(config: MockConfig) -> io::Result<Self> {
        Self::start_on(config, 0)
    }

    /// As [`start`](Self::start), with the API on `port` (0: any free port).
    ///
    /// # Errors
    ///
    /// The I/O error of binding the ports.
    pub fn start_on(config: MockConfig, port: u16) -> io::Result<Self> {
        // Bound here with std, so starting works from any context (even inside a runtime);
        // served on the mock's own runtime thread.
        let api = std::net::TcpListener::bind(("127.0.0.1", port))?;
        let files = std::net::TcpListener::bind("127.0.0.1:0")?;
        api.set_nonblocking(true)?;
        files.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let api_url = format!("http://{}", api.local_addr()?);
        let files_url = format!("http://{}", files.local_addr()?);
        let pairs = config
            .access_keys
            .iter()
            .filter_map(|(ak, sk)| AccessKeyPair::new(ak.clone(), sk.clone()).ok())
            .collect();
        let state: Shared = Arc::new(Mutex::new(Inner {
            credits: config.credits,
            config,
            pairs,
            files_url: files_url.clone(),
            tasks: Vec::new(),
            next_id: 831_922_345_719_271_433,
            requests: 0,
            faults: Vec::new(),
            log: Vec::new(),
            window: (Instant::now(), 0),
        }));
        let (tx, rx) = tokio::sync::watch::channel(false);
        let api_router = Router::new()
            .fallback(api_handler)
            .with_state(state.clone());
        let files_router = Router::new()
            .fallback(files_handler)
            .with_state(state.clone());
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let (Ok(api), Ok(files)) =
                    (TcpListener::from_std(api), TcpListener::from_std(files))
                else {
                    return;
                };
                let stop = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
                    let _ = rx.wait_for(|s| *s).await;
                };
                let a = axum::serve(api, api_router).with_graceful_shutdown(stop(rx.clone()));
                let f = axum::serve(files, files_router).with_graceful_shutdown(stop(rx));
                let _ = tokio::join!(a, f);
            });
        });
        Ok(Self {
            api_url,
            files_url,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Adds a scripted fault.
    pub fn add_fault(&self, fault: Fault) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults
            .push(fault);
    }

    /// `METHOD path` of every API request received, in order.
    pub fn requests(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .log
            .clone()
    }

    /// Tasks created so far.
    pub fn task_count(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tasks
            .len()
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

/// The first matching fault, consumed.
fn take_fault(inner: &mut Inner, method: &Method, path: &str) -> Option<FaultAction> {
    for fault in &mut inner.faults {
        let method_ok = fault.method.as_deref().is_none_or(|m| m == method.as_str());
        if method_ok && path.starts_with(&fault.path_prefix) && fault.times > 0 {
            if fault.skip > 0 {
                fault.skip -= 1;
                return None;
            }
            fault.times -= 1;
            return Some(fault.action.clone());
        }
    }
    None
}

/// How a request authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Authenticated {
    /// With a static API key.
    ApiKey,
    /// With a JWT of an access key pair.
    Token,
}

/// Checks the `Authorization` header as Kling does (1000-1004).
fn authenticate(
    inner: &Inner,
    headers: &HeaderMap,
) -> Result<Authenticated, (u16, i64, &'static str)> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Err((401, 1001, "Authorization is empty"));
    };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err((401, 1002, "Authorization is invalid"));
    };
    if inner.config.api_keys.iter().any(|k| k == token) {
        return Ok(Authenticated::ApiKey);
    }
    match verify(token, &inner.pairs, SystemTime::now()) {
        Ok(_) => Ok(Authenticated::Token),
        Err(TokenRejection::NotYetValid) => Err((401, 1003, "Authorization is not yet valid")),
        Err(TokenRejection::Expired) => Err((401, 1004, "Authorization has expired")),
        Err(_) => Err((401, 1002, "Authorization is invalid")),
    }
}

async fn api_handler(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let (fault, request_id) = {
        let mut inner = state.lock().unwrap_or_else(|e| e.into_inner());
        inner.requests += 1;
        let id = format!("mock-{}", inner.requests);
        inner.log.push(format!("{method} {path}"));
        (take_fault(&mut inner, &method, &path), id)
    };
    match fault {
        Some(FaultAction::Status { status, code }) => {
            return kling_error(status, code, &format!("injected fault {code}"), &request_id);
        }
        Some(FaultAction::RetryAfter {
            status,
            code,
            seconds,
        }) => {
            let mut r = kling_error(status, code, &format!("injected fault {code}"), &request_id);
            r.headers_mut().insert(header::RETRY_AFTER, seconds.into());
            return r;
        }
        Some(FaultAction::Html502) => {
            return (StatusCode::BAD_GATEWAY, [(header::CONTENT_TYPE, "text/html")], "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>").into_response();
        }
        Some(FaultAction::Stall) => tokio::time::sleep(Duration::from_secs(600)).await,
        Some(FaultAction::Delay(d)) => tokio::time::sleep(d).await,
        _ => {}
    }
    let response = route(&state, &method, &uri, &headers, &body, &request_id);
    if fault == Some(FaultAction::Truncate) {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let cut = bytes.slice(..bytes.len() / 2);
        let mut response = Response::from_parts(parts, Body::from(cut.clone()));
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, cut.len().into());
        return response;
    }
    response
}

fn query_param<'a>(uri: &'a Uri, name: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

fn route(
    state: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    request_id: &str,
) -> Response {
    let path = uri.path();
    let mut inner = state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(rest) = path.strip_prefix("/runblob") {
        return runblob(&mut inner, method, rest, headers, body);
    }
    if let Some(limit) = inner.config.rate_limit_per_sec {
        if inner.window.0.elapsed() >= Duration::from_secs(1) {
            inner.window = (Instant::now(), 0);
        }
        inner.window.1 += 1;
        if inner.window.1 > limit {
            return kling_error(
                429,
                1302,
                "The API request is too fast, exceeding the platform's rate limit",
                request_id,
            );
        }
    }
    let authenticated = match authenticate(&inner, headers) {
        Ok(a) => a,
        Err((status, code, message)) => return kling_error(status, code, message, request_id),
    };
    let standard = path == "/tasks"
        || STANDARD_CREATES
            .iter()
            .any(|p| path.strip_prefix(p).is_some_and(|m| m.starts_with('/')));
    if standard && authenticated != Authenticated::ApiKey {
        // The new standard takes an API key only (kling-api.md 1b).
        return kling_error(
            401,
            1002,
            "Authorization is invalid: this API accepts only an API key",
            request_id,
        );
    }
    if path == "/account/costs" && method == Method::GET {
        let data = json!({"code": 0, "msg": "success", "resource_pack_subscribe_infos": [{
            "resource_pack_name": "Mock video pack", "resource_pack_id": "mock-pack", "resource_pack_type": "decreasing_total",
            "total_quantity": 100.0, "remaining_quantity": inner.credits.map_or(100.0, |c| c as f64),
            "purchase_time": 1_726_124_664_368i64, "effective_time": 1_726_124_664_368i64, "invalid_time": 4_102_444_800_000i64, "status": "online"}]});
        return envelope(data, request_id);
    }
    if path == "/tasks" && method == Method::GET {
        let (key, external) = match (
            query_param(uri, "task_ids"),
            query_param(uri, "external_task_ids"),
        ) {
            (Some(ids), None) => (ids, false),
            (None, Some(ids)) => (ids, true),
            _ => {
                return kling_error(
                    400,
                    1201,
                    "exactly one of task_ids and external_task_ids is required",
                    request_id,
                );
            }
        };
        let ids: Vec<&str> = key.split(',').collect();
        let config = inner.config.clone();
        let files = inner.files_url.clone();
        let found: Vec<Value> = inner
            .tasks
            .iter()
            .filter(|t| {
                t.standard
                    && ids.iter().any(|id| {
                        if external {
                            t.external.as_deref() == Some(id)
                        } else {
                            t.id == *id
                        }
                    })
            })
            .map(|t| t.standard(&config, &files))
            .collect();
        return envelope(Value::Array(found), request_id);
    }
    for prefix in STANDARD_CREATES {
        if let Some(_model) = path
            .strip_prefix(prefix)
            .and_then(|m| m.strip_prefix('/'))
            .filter(|_| method == Method::POST)
        {
            return create(
                &mut inner,
                prefix.trim_matches('/'),
                Kind::Video,
                body,
                request_id,
                true,
            );
        }
    }
    let Some(rest) = path.strip_prefix("/v1/") else {
        return kling_error(404, 1202, "the requested method is invalid", request_id);
    };
    let family = FAMILIES.iter().find(|(f, _)| {
        rest == *f
            || rest
                .strip_prefix(f)
                .is_some_and(|r| r.starts_with('/') && !r[1..].contains('/'))
    });
    let Some((family, kind)) = family else {
        return kling_error(404, 1202, "the requested method is invalid", request_id);
    };
    let id = rest[family.len()..].trim_start_matches('/');
    match (method.clone(), id.is_empty()) {
        (Method::POST, true) => create(&mut inner, family, *kind, body, request_id, false),
        (Method::GET, false) => {
            let config = inner.config.clone();
            let files = inner.files_url.clone();
            match inner.tasks.iter().find(|t| {
                !t.standard
                    && t.family == *family
                    && (t.id == id || t.external.as_deref() == Some(id))
            }) {
                Some(task) => envelope(task.legacy(&config, &files), request_id),
                None => kling_error(404, 1203, "task not found", request_id),
            }
        }
        (Method::GET, true) => {
            let page: usize = query_param(uri, "pageNum")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1)
                .max(1);
            let size: usize = query_param(uri, "pageSize")
                .and_then(|p| p.parse().ok())
                .unwrap_or(30)
                .clamp(1, 500);
            let config = inner.config.clone();
            let files = inner.files_url.clone();
            let list: Vec<Value> = inner
                .tasks
                .iter()
                .rev()
                .filter(|t| !t.standard && t.family == *family)
                .skip((page - 1) * size)
                .take(size)
                .map(|t| t.legacy(&config, &files))
                .collect();
            envelope(Value::Array(list), request_id)
        }
        _ => kling_error(404, 1202, "the requested method is invalid", request_id),
    }
}

/// A create: validation, content policy, credits, concurrency, then a new task.
fn create(
    inner: &mut Inner,
    family: &str,
    kind: Kind,
    body: &Bytes,
    request_id: &str,
    standard: bool,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return kling_error(400, 1200, "the request body is not valid JSON", request_id);
    };
    let prompt = body
        .get("prompt")
        .and_then(Value::as_str)
        .or_else(|| body.pointer("/contents/0/text").and_then(Value::as_str))
        .unwrap_or("")
        .to_owned();
    if matches!(
        family,
        "videos/text2video" | "images/generations" | "videos/multi-image2video" | "text-to-video"
    ) && prompt.trim().is_empty()
    {
        return kling_error(400, 1201, "prompt is required", request_id);
    }
    if prompt.chars().count() > 2500 {
        return kling_error(
            400,
            1201,
            "prompt must be at most 2500 characters",
            request_id,
        );
    }
    if family == "videos/image2video"
        && body.get("image").is_none()
        && body.get("image_tail").is_none()
    {
        return kling_error(400, 1201, "image is required", request_id);
    }
    if !inner.config.forbidden_word.is_empty()
        && prompt.to_lowercase().contains(&inner.config.forbidden_word)
    {
        return kling_error(
            400,
            1301,
            "Trigger the content security policy of the platform",
            request_id,
        );
    }
    let external = body
        .get("external_task_id")
        .or_else(|| body.pointer("/options/external_task_id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(ext) = &external
        && inner
            .tasks
            .iter()
            .any(|t| t.family == family && t.external.as_deref() == Some(ext.as_str()))
    {
        return kling_error(400, 1201, "external_task_id already exists", request_id);
    }
    if inner.credits == Some(0) {
        return kling_error(429, 1102, "Resource pack depleted or expired", request_id);
    }
    let config = inner.config.clone();
    let running = inner.tasks.iter().filter(|t| t.running(&config)).count();
    if running >= config.max_concurrency && !config.done_after.is_zero() {
        return kling_error(
            429,
            1303,
            "parallel task over resource pack limit",
            request_id,
        );
    }
    if let Some(c) = inner.credits.as_mut() {
        *c -= 1;
    }
    inner.next_id += 1;
    let task = TaskRecord {
        id: inner.next_id.to_string(),
        family: family.to_owned(),
        kind,
        external,
        created: Instant::now(),
        created_ms: now_ms(),
        fail: !config.fail_word.is_empty() && prompt.to_lowercase().contains(&config.fail_word),
        standard,
        runblob: false,
        prompt,
    };
    let callback = body
        .get("callback_url")
        .or_else(|| body.pointer("/options/callback_url"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let files = inner.files_url.clone();
    let data = if standard {
        task.standard(&config, &files)
    } else {
        task.legacy(&config, &files)
    };
    if let Some(url) = callback {
        tokio::spawn(callbacks(task.clone(), config, files, url));
    }
    inner.tasks.push(task);
    envelope(data, request_id)
}

/// POSTs the task on each status change to `url` (plain `http://` only), signed when a webhook
/// secret is configured.
async fn callbacks(task: TaskRecord, config: MockConfig, files: String, url: String) {
    let signer = config
        .webhook_secret
        .as_deref()
        .and_then(|s| WebhookVerifier::new(s).ok());
    let mut last = "";
    for at in [Duration::ZERO, config.processing_after, config.done_after] {
        tokio::time::sleep_until(tokio::time::Instant::from_std(task.created + at)).await;
        let status = task.status(&config);
        if status == last {
            continue;
        }
        last = status;
        let body = if task.standard {
            task.standard(&config, &files)
        } else {
            task.legacy(&config, &files)
        }
        .to_string();
        let _ = post(&url, &body, signer.as_ref(), &task.id).await;
    }
}

async fn post(url: &str, body: &str, signer: Option<&WebhookVerifier>, id: &str) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| io::Error::other("only http:// callbacks"))?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = tokio::net::TcpStream::connect(host).await?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(signer) = signer {
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let delivery = format!("msg-{id}-{ts}");
        head.push_str(&format!(
            "webhook-id: {delivery}\r\nwebhook-timestamp: {ts}\r\nwebhook-signature: {}\r\n",
            signer.sign(&delivery, ts, body.as_bytes())
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut sink)).await;
    Ok(())
}

/// The file host: result files with `Range` support; refuses any request with credentials.
async fn files_handler(State(_state): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    if headers.contains_key(header::AUTHORIZATION) {
        return (
            StatusCode::BAD_REQUEST,
            "this file host refuses requests with an Authorization header",
        )
            .into_response();
    }
    let path = uri.path();
    let (content, content_type): (Bytes, &str) = if let Some(n) = path
        .strip_prefix("/files/large/")
        .and_then(|p| p.trim_end_matches(".mp4").parse::<usize>().ok())
    {
        (
            Bytes::from(
                (0..n.min(1 << 30))
                    .map(|i| (i % 251) as u8)
                    .collect::<Vec<u8>>(),
            ),
            "video/mp4",
        )
    } else if path.starts_with("/files/") && path.ends_with(".png") {
        (Bytes::from_static(SAMPLE_PNG), "image/png")
    } else if path.starts_with("/files/") && path.ends_with(".mp3") {
        (Bytes::from_static(SAMPLE_MP3), "audio/mpeg")
    } else if path.starts_with("/files/") && path.ends_with(".wav") {
        (Bytes::from_static(SAMPLE_WAV), "audio/wav")
    } else if path.starts_with("/files/") {
        (Bytes::from_static(SAMPLE_MP4), "video/mp4")
    } else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let total = content.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.strip_suffix('-'))
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|start| *start < total);
    match range {
        Some(start) => (
            StatusCode::PARTIAL_CONTENT,
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::ACCEPT_RANGES, "bytes".to_owned()),
                (
                    header::CONTENT_RANGE,
                    format!("bytes {start}-{}/{total}", total - 1),
                ),
            ],
            content.slice(start..),
        )
            .into_response(),
        None => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::ACCEPT_RANGES, "bytes".to_owned()),
            ],
            content,
        )
            .into_response(),
    }
}
