//! The cases: each client's operation and its raw-library baseline, measured in this process.

use std::hint::black_box;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use kling_auth::{Authenticator, Credentials};
use kling_client_async::types::videos::{CreateText2Video, GetText2VideoTask};
use kling_client_async::types::{Envelope, Task};
use kling_client_async::{AsyncKling, WaitOptions};
use kling_client_blocking::Kling;
use kling_core::Config;

use crate::measure::Metrics;

/// The task every GET benchmark reads.
const TASK_ID: &str = "831922345719271433";

/// How much work a case does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub(crate) gets: usize,
    pub(crate) creates: usize,
    pub(crate) download_bytes: u64,
    pub(crate) jobs: usize,
    pub(crate) auth_ops: usize,
    /// Task-slot round trips (fleet).
    pub(crate) slot_ops: usize,
}

impl Scale {
    pub(crate) fn named(name: &str) -> Self {
        match name {
            "smoke" => Self {
                gets: 200,
                creates: 100,
                download_bytes: 4 << 20,
                jobs: 20,
                auth_ops: 100_000,
                slot_ops: 200,
            },
            // The full suite with 1 GiB downloads: RSS must stay flat as files grow.
            "gib" => Self {
                download_bytes: 1 << 30,
                ..Self::named("full")
            },
            _ => Self {
                gets: 20_000,
                creates: 10_000,
                download_bytes: 200 << 20,
                jobs: 1000,
                auth_ops: 10_000_000,
                slot_ops: 5_000,
            },
        }
    }
}

pub(crate) fn credentials() -> Credentials {
    Credentials::access_key("AKbench0000000001", "SKbench-secret").unwrap()
}

pub(crate) fn config(url: &str) -> Config {
    let mut config = Config::with_base_url(url);
    // The jobs case: a poll every 0.5 s, exactly.
    config.poll.first_delay = Duration::from_millis(500);
    config.poll.min_delay = Duration::from_millis(500);
    config.poll.cap = Duration::from_millis(500);
    config.poll.factor = 1.0;
    config.poll.jitter = 0.0;
    // The SDK against the raw library's own per-task polls, on a server that answers single
    // task queries only: the shared polls are measured by `kling-bench polls`.
    config.poll.shared = false;
    // The overhead of the SDK against the raw library: the request budget (a policy that
    // waits on purpose) would measure only itself.
    config.rate = None;
    config
}

fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(crate) fn runtime(workers: usize) -> tokio::runtime::Runtime {
    if workers == 0 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .unwrap()
    }
}

fn async_client(url: &str) -> kling_client_async::Client {
    kling_client_async::Client::builder()
        .credentials(credentials())
        .config(config(url))
        .build()
        .unwrap()
}

fn blocking_client(url: &str) -> kling_client_blocking::Client {
    kling_client_blocking::Client::builder()
        .credentials(credentials())
        .config(config(url))
        .build()
        .unwrap()
}

/// A token for the raw baselines (they send the same header).
fn bearer() -> String {
    let auth = Authenticator::new(credentials());
    auth.header(SystemTime::now())
        .unwrap()
        .expose_value()
        .to_owned()
}

/// The headers every baseline sends: the client's, byte for byte.
struct Headers {
    authorization: String,
    user_agent: String,
}

fn headers() -> Headers {
    Headers {
        authorization: bearer(),
        user_agent: Config::default().user_agent,
    }
}

/// A ureq agent as a careful hand-written client sets one up: the client's connect and read
/// timeouts, error statuses as responses. No total timeout: with one, ureq spawns a thread to
/// resolve the host on every request, and the baseline is the fastest ureq can be.
fn raw_agent() -> ureq::Agent {
    let c = Config::default();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(c.connect_timeout))
        .timeout_per_read(Some(c.read_timeout))
        .max_redirects(0)
        .user_agent("")
        .build()
        .new_agent()
}

/// A reqwest client as a careful hand-written client sets one up: the client's timeouts.
fn raw_reqwest() -> reqwest::Client {
    let c = Config::default();
    reqwest::Client::builder()
        .connect_timeout(c.connect_timeout)
        .read_timeout(c.read_timeout)
        .timeout(c.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The typed decode every client does: the envelope and its task.
fn decode_task(body: &[u8]) -> Task {
    let envelope: Envelope<Task> = serde_json::from_slice(body).unwrap();
    assert_eq!(
        envelope.code,
        kling_client_async::errors::KlingCode::Success
    );
    envelope.data.unwrap()
}

fn get_url(url: &str) -> String {
    format!("{url}/v1/videos/text2video/{TASK_ID}")
}

/// Requests per second of `n` operations taking `took`.
fn rate(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}

/// The server's request count.
pub(crate) fn server_requests(url: &str) -> u64 {
    ureq::get(format!("{url}/stats"))
        .call()
        .ok()
        .and_then(|r| r.into_body().read_to_string().ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Runs case `name` and prints its metrics as one JSON line.
pub(crate) fn run_case(name: &str, url: &str, scale: &str) -> Result<(), String> {
    install_ring();
    let s = Scale::named(scale);
    let metrics = match name {
        "get_seq_async" => get_seq_async(url, s.gets),
        "get_seq_async_raw" => get_seq_async_raw(url, s.gets),
        "get_seq_blocking" => get_seq_blocking(url, s.gets),
        "get_seq_blocking_raw" => get_seq_blocking_raw(url, s.gets),
        "get_64_async" => get_64_async(url, s.gets),
        "get_64_async_raw" => get_64_async_raw(url, s.gets),
        "get_8t_blocking" => get_8t_blocking(url, s.gets),
        "get_8t_blocking_raw" => get_8t_blocking_raw(url, s.gets),
        "create_async" => create_async(url, s.creates),
        "create_async_raw" => create_async_raw(url, s.creates),
        "create_blocking" => create_blocking(url, s.creates),
        "create_blocking_raw" => create_blocking_raw(url, s.creates),
        "download_async" => download_async(url, s.download_bytes),
        "download_async_raw" => download_async_raw(url, s.download_bytes),
        "download_blocking" => download_blocking(url, s.download_bytes),
        "download_blocking_raw" => download_blocking_raw(url, s.download_bytes),
        "jobs_async" => jobs_async(url, s.jobs),
        "jobs_async_raw" => jobs_async_raw(url, s.jobs),
        "auth_header" => auth_header(s.auth_ops),
        "auth_header_raw" => auth_header_raw(s.auth_ops),
        "slot_fleet" => crate::fleet::slot_fleet(s.slot_ops),
        "slot_fleet_raw" => crate::fleet::slot_fleet_raw(s.slot_ops),
        "jobs_fleet" => crate::fleet::jobs_fleet(url, s.jobs),
        "jobs_fleet_raw" => crate::fleet::jobs_fleet_raw(url, s.jobs),
        other => return Err(format!("no case {other}")),
    };
    println!("{}", metrics.to_json());
    Ok(())
}

fn get_seq_async(url: &str, n: usize) -> Metrics {
    let client = async_client(url);
    let query = GetText2VideoTask::by_task_id(TASK_ID);
    let rt = runtime(0);
    rt.block_on(async {
        client.send(&query).await.unwrap();
        let started = Instant::now();
        for _ in 0..n {
            black_box(client.send(&query).await.unwrap());
        }
        Metrics::now(rate(n, started.elapsed()))
    })
}

async fn raw_reqwest_get(http: &reqwest::Client, url: &str, h: &Headers) -> Task {
    decode_task(&raw_reqwest_get_bytes(http, url, h).await)
}

/// The same GET, its body read as bytes and not decoded (the bytes-only baseline).
async fn raw_reqwest_get_bytes(
    http: &reqwest::Client,
    url: &str,
    h: &Headers,
) -> kling_core::Bytes {
    let response = http
        .get(url)
        .header("Accept", "application/json")
        .header("User-Agent", &h.user_agent)
        .header("Authorization", &h.authorization)
        .send()
        .await
        .unwrap();
    response.bytes().await.unwrap()
}

fn get_seq_async_raw(url: &str, n: usize) -> Metrics {
    let http = raw_reqwest();
    let (url, h) = (get_url(url), headers());
    let rt = runtime(0);
    rt.block_on(async {
        raw_reqwest_get(&http, &url, &h).await;
        let started = Instant::now();
        for _ in 0..n {
            black_box(raw_reqwest_get(&http, &url, &h).await);
        }
        Metrics::now(rate(n, started.elapsed()))
    })
}

fn get_seq_blocking(url: &str, n: usize) -> Metrics {
    let client = blocking_client(url);
    let query = GetText2VideoTask::by_task_id(TASK_ID);
    client.send(&query).unwrap();
    let started = Instant::now();
    for _ in 0..n {
        black_box(client.send(&query).unwrap());
    }
    Metrics::now(rate(n, started.elapsed()))
}

fn raw_ureq_get(agent: &ureq::Agent, url: &str, h: &Headers) -> Task {
    decode_task(&raw_ureq_get_bytes(agent, url, h))
}

/// The same GET, its body read as bytes and not decoded (the bytes-only baseline).
fn raw_ureq_get_bytes(agent: &ureq::Agent, url: &str, h: &Headers) -> Vec<u8> {
    let response = agent
        .get(url)
        .header("Accept", "application/json")
        .header("User-Agent", &h.user_agent)
        .header("Authorization", &h.authorization)
        .call()
        .unwrap();
    response.into_body().read_to_vec().unwrap()
}

fn get_seq_blocking_raw(url: &str, n: usize) -> Metrics {
    let agent = raw_agent();
    let (url, h) = (get_url(url), headers());
    raw_ureq_get(&agent, &url, &h);
    let started = Instant::now();
    for _ in 0..n {
        black_box(raw_ureq_get(&agent, &url, &h));
    }
    Metrics::now(rate(n, started.elapsed()))
}

/// 64 tasks sharing `n` requests, on 2 worker threads.
fn in_flight<F, Fut>(n: usize, one: F) -> Metrics
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let rt = runtime(2);
    rt.block_on(async move {
        one().await;
        let started = Instant::now();
        let tasks: Vec<_> = (0..64)
            .map(|t| {
                let one = one.clone();
                let calls = n / 64 + usize::from(t < n % 64);
                tokio::spawn(async move {
                    for _ in 0..calls {
                        one().await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        Metrics::now(rate(n, started.elapsed()))
    })
}

fn get_64_async(url: &str, n: usize) -> Metrics {
    let client = async_client(url);
    in_flight(n, move || {
        let client = client.clone();
        async move {
            black_box(
                client
                    .send(&GetText2VideoTask::by_task_id(TASK_ID))
                    .await
                    .unwrap(),
            );
        }
    })
}

fn get_64_async_raw(url: &str, n: usize) -> Metrics {
    let http = raw_reqwest();
    let (url, h) = (Arc::new(get_url(url)), Arc::new(headers()));
    in_flight(n, move || {
        let (http, url, h) = (http.clone(), url.clone(), h.clone());
        async move {
            black_box(raw_reqwest_get(&http, &url, &h).await);
        }
    })
}

/// 8 threads sharing `n` requests.
fn threads(n: usize, one: impl Fn() + Send + Sync) -> Metrics {
    one();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..8 {
            let calls = n / 8 + usize::from(t < n % 8);
            let one = &one;
            scope.spawn(move || {
                for _ in 0..calls {
                    one();
                }
            });
        }
    });
    Metrics::now(rate(n, started.elapsed()))
}

fn get_8t_blocking(url: &str, n: usize) -> Metrics {
    let client = blocking_client(url);
    let query = GetText2VideoTask::by_task_id(TASK_ID);
    threads(n, || {
        black_box(client.send(&query).unwrap());
    })
}

fn get_8t_blocking_raw(url: &str, n: usize) -> Metrics {
    let agent = raw_agent();
    let (url, h) = (get_url(url), headers());
    threads(n, || {
        black_box(raw_ureq_get(&agent, &url, &h));
    })
}

fn create_async(url: &str, n: usize) -> Metrics {
    let client = async_client(url);
    let rt = runtime(0);
    rt.block_on(async {
        let started = Instant::now();
        for i in 0..n {
            let request = CreateText2Video::new("a fox").external_task_id(format!("b-{i}"));
            black_box(client.create(request).await.unwrap());
        }
        Metrics::now(rate(n, started.elapsed()))
    })
}

/// The create body, serialized as a hand-written client would.
fn create_body(i: usize) -> Vec<u8> {
    serde_json::to_vec(&CreateText2Video::new("a fox").external_task_id(format!("b-{i}"))).unwrap()
}

async fn raw_reqwest_create(http: &reqwest::Client, url: &str, h: &Headers, i: usize) -> Task {
    let response = http
        .post(url)
        .header("Accept", "application/json")
        .header("User-Agent", &h.user_agent)
        .header("Content-Type", "application/json")
        .header("Authorization", &h.authorization)
        .body(create_body(i))
        .send()
        .await
        .unwrap();
    decode_task(&response.bytes().await.unwrap())
}

fn raw_ureq_create(agent: &ureq::Agent, url: &str, h: &Headers, i: usize) -> Task {
    let response = agent
        .post(url)
        .header("Accept", "application/json")
        .header("User-Agent", &h.user_agent)
        .header("Content-Type", "application/json")
        .header("Authorization", &h.authorization)
        .send(&create_body(i)[..])
        .unwrap();
    decode_task(&response.into_body().read_to_vec().unwrap())
}

fn create_url(url: &str) -> String {
    format!("{url}/v1/videos/text2video")
}

fn create_async_raw(url: &str, n: usize) -> Metrics {
    let http = raw_reqwest();
    let (url, h) = (create_url(url), headers());
    let rt = runtime(0);
    rt.block_on(async {
        let started = Instant::now();
        for i in 0..n {
            black_box(raw_reqwest_create(&http, &url, &h, i).await);
        }
        Metrics::now(rate(n, started.elapsed()))
    })
}

fn create_blocking(url: &str, n: usize) -> Metrics {
    let client = blocking_client(url);
    let started = Instant::now();
    for i in 0..n {
        let request = CreateText2Video::new("a fox").external_task_id(format!("b-{i}"));
        black_box(client.create(request).unwrap());
    }
    Metrics::now(rate(n, started.elapsed()))
}

fn create_blocking_raw(url: &str, n: usize) -> Metrics {
    let agent = raw_agent();
    let (url, h) = (create_url(url), headers());
    let started = Instant::now();
    for i in 0..n {
        black_box(raw_ureq_create(&agent, &url, &h, i));
    }
    Metrics::now(rate(n, started.elapsed()))
}

/// A folder for one download, removed after.
fn scratch() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The last run's file is still being written back: wait for the disk, so no run pays for
    // the one before it.
    let _ = std::process::Command::new("sync").status();
    dir
}

fn megabytes_per_s(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64()
}

fn download_async(url: &str, bytes: u64) -> Metrics {
    let client = async_client(url);
    let dir = scratch();
    let rt = runtime(0);
    let m = rt.block_on(async {
        let started = Instant::now();
        let done = client
            .download(&format!("{url}/files/{bytes}.mp4"), dir.join("v.mp4"))
            .await
            .unwrap();
        assert_eq!(done.bytes, bytes);
        assert_eq!(std::fs::metadata(dir.join("v.mp4")).unwrap().len(), bytes);
        Metrics::now(megabytes_per_s(bytes, started.elapsed()))
    });
    let _ = std::fs::remove_dir_all(&dir);
    m
}

fn download_async_raw(url: &str, bytes: u64) -> Metrics {
    use tokio::io::AsyncWriteExt;
    let http = raw_reqwest();
    let dir = scratch();
    let rt = runtime(0);
    let m = rt.block_on(async {
        let started = Instant::now();
        let mut response = http
            .get(format!("{url}/files/{bytes}.mp4"))
            .send()
            .await
            .unwrap();
        let file = tokio::fs::File::create(dir.join("v.mp4")).await.unwrap();
        let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
        let mut total = 0u64;
        while let Some(chunk) = response.chunk().await.unwrap() {
            total += chunk.len() as u64;
            out.write_all(&chunk).await.unwrap();
        }
        out.flush().await.unwrap();
        out.get_ref().sync_all().await.unwrap();
        assert_eq!(total, bytes);
        Metrics::now(megabytes_per_s(bytes, started.elapsed()))
    });
    let _ = std::fs::remove_dir_all(&dir);
    m
}

fn download_blocking(url: &str, bytes: u64) -> Metrics {
    let client = blocking_client(url);
    let dir = scratch();
    let started = Instant::now();
    let done = client
        .download(&format!("{url}/files/{bytes}.mp4"), dir.join("v.mp4"))
        .unwrap();
    assert_eq!(done.bytes, bytes);
    assert_eq!(std::fs::metadata(dir.join("v.mp4")).unwrap().len(), bytes);
    let m = Metrics::now(megabytes_per_s(bytes, started.elapsed()));
    let _ = std::fs::remove_dir_all(&dir);
    m
}

fn download_blocking_raw(url: &str, bytes: u64) -> Metrics {
    let agent = raw_agent();
    let dir = scratch();
    let started = Instant::now();
    let response = agent
        .get(format!("{url}/files/{bytes}.mp4"))
        .call()
        .unwrap();
    let mut reader = response.into_body().into_reader();
    let file = std::fs::File::create(dir.join("v.mp4")).unwrap();
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
        out.write_all(&buf[..n]).unwrap();
    }
    let file = out.into_inner().unwrap();
    file.sync_all().unwrap();
    assert_eq!(total, bytes);
    let m = Metrics::now(megabytes_per_s(bytes, started.elapsed()));
    let _ = std::fs::remove_dir_all(&dir);
    m
}

fn jobs_async(url: &str, n: usize) -> Metrics {
    let client = async_client(url);
    let before = server_requests(url);
    let rt = runtime(2);
    let started = Instant::now();
    rt.block_on(async {
        let jobs: Vec<_> = (0..n)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let request = CreateText2Video::new("a fox").external_task_id(format!("j-{i}"));
                    client
                        .create_and_wait(request, WaitOptions::new())
                        .await
                        .unwrap()
                })
            })
            .collect();
        for job in jobs {
            black_box(job.await.unwrap());
        }
    });
    let mut m = Metrics::now(started.elapsed().as_secs_f64());
    m.requests_per_task = (server_requests(url) - before) as f64 / n as f64;
    m
}

fn jobs_async_raw(url: &str, n: usize) -> Metrics {
    let http = raw_reqwest();
    let h = Arc::new(headers());
    let base = Arc::new(url.to_owned());
    let before = server_requests(url);
    let rt = runtime(2);
    let started = Instant::now();
    rt.block_on(async {
        let jobs: Vec<_> = (0..n)
            .map(|i| {
                let (http, h, base) = (http.clone(), h.clone(), base.clone());
                tokio::spawn(async move {
                    let created = raw_reqwest_create(&http, &create_url(&base), &h, i).await;
                    let url = format!("{base}/v1/videos/text2video/{}", created.task_id);
                    loop {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        let task = raw_reqwest_get(&http, &url, &h).await;
                        if task.task_status.as_str() == "succeed" {
                            break;
                        }
                    }
                })
            })
            .collect();
        for job in jobs {
            job.await.unwrap();
        }
    });
    let mut m = Metrics::now(started.elapsed().as_secs_f64());
    m.requests_per_task = (server_requests(url) - before) as f64 / n as f64;
    m
}

fn auth_header(n: usize) -> Metrics {
    let auth = Authenticator::new(credentials());
    let now = SystemTime::now();
    auth.header(now).unwrap();
    let started = Instant::now();
    for _ in 0..n {
        black_box(auth.header(black_box(now)).unwrap());
    }
    Metrics::now(started.elapsed().as_nanos() as f64 / n as f64)
}

fn auth_header_raw(n: usize) -> Metrics {
    // What any cache costs at least: an `Arc<str>` cloned under a read lock.
    let cached: std::sync::RwLock<Option<Arc<str>>> =
        std::sync::RwLock::new(Some(Arc::from(bearer())));
    let started = Instant::now();
    for _ in 0..n {
        black_box(cached.read().unwrap().clone());
    }
    Metrics::now(started.elapsed().as_nanos() as f64 / n as f64)
}

/// The instruction-count cases: a warm connection and token, then `n` operations counted by
/// callgrind (`--toggle-collect=*measured*`). `*_raw` is the raw library with the typed decode
/// (`Envelope<Task>`), `*_raw_bytes` the same request with its body read and not decoded.
pub(crate) fn run_icount(name: &str, url: &str, n: &str) -> Result<(), String> {
    install_ring();
    let n: usize = n.parse().map_err(|_| "n is a number".to_owned())?;
    const WARM: usize = 20;
    match name {
        "get_blocking" | "create_blocking" => {
            let client = blocking_client(url);
            let query = GetText2VideoTask::by_task_id(TASK_ID);
            let create = name == "create_blocking";
            let one = |i: usize| {
                if create {
                    let request = CreateText2Video::new("a fox").external_task_id(format!("b-{i}"));
                    black_box(client.create(request).unwrap());
                } else {
                    black_box(client.send(&query).unwrap());
                }
            };
            (0..WARM).for_each(one);
            measured(n, one);
        }
        "get_blocking_raw_bytes" => {
            let agent = raw_agent();
            let (get, h) = (get_url(url), headers());
            let one = |_: usize| {
                black_box(raw_ureq_get_bytes(&agent, &get, &h));
            };
            (0..WARM).for_each(one);
            measured(n, one);
        }
        "get_async_raw_bytes" => {
            let http = raw_reqwest();
            let (get, h) = (get_url(url), headers());
            let rt = runtime(0);
            let one = |_: usize| {
                rt.block_on(async {
                    black_box(raw_reqwest_get_bytes(&http, &get, &h).await);
                });
            };
            (0..WARM).for_each(one);
            measured(n, one);
        }
        "get_blocking_raw" | "create_blocking_raw" => {
            let agent = raw_agent();
            let h = headers();
            let create = name == "create_blocking_raw";
            let (get, post) = (get_url(url), create_url(url));
            let one = |i: usize| {
                if create {
                    black_box(raw_ureq_create(&agent, &post, &h, i));
                } else {
                    black_box(raw_ureq_get(&agent, &get, &h));
                }
            };
            (0..WARM).for_each(one);
            measured(n, one);
        }
        "get_async" | "create_async" => {
            let client = async_client(url);
            let query = GetText2VideoTask::by_task_id(TASK_ID);
            let create = name == "create_async";
            let rt = runtime(0);
            let one = |i: usize| {
                rt.block_on(async {
                    if create {
                        let request =
                            CreateText2Video::new("a fox").external_task_id(format!("b-{i}"));
                        black_box(client.create(request).await.unwrap());
                    } else {
                        black_box(client.send(&query).await.unwrap());
                    }
                });
            };
            (0..WARM).for_each(one);
            measured(n, one);
        }
        "get_async_raw" | "create_async_raw" => {
            let http = raw_reqwest();
            let h = headers();
            let create = name == "create_async_raw";
            let (get, post) = (get_url(url), create_url(url));
            let rt = runtime(0);
            let one = |i: usize| {
                rt.block_on(async {
                    if create {
                        black_box(raw_reqwest_create(&http, &post, &h, i).await);
                    } else {
                        black_box(raw_reqwest_get(&http, &get, &h).await);
                    }
                });
            };
            (0..WARM).for_each(one);
            measured(n, one);
        }
        other => return Err(format!("no icount case {other}")),
    }
    Ok(())
}

/// The counted region: `n` operations after the warm-up.
#[inline(never)]
fn measured(n: usize, one: impl Fn(usize)) {
    for i in 0..n {
        one(WARM_OFFSET + i);
    }
}

/// Ids of counted creates follow the warm-up's, so none repeats.
const WARM_OFFSET: usize = 1_000_000;
