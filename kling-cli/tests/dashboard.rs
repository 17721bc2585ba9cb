//! `kling batch dashboard` in a real browser: Debian's headless Chromium driven through its
//! chromedriver (WebDriver, with fantoccini), over a batch run against kling-mock. The page
//! shows every job in the state its record says, a done job's video plays its downloaded
//! file, a failed job shows its code and the taxonomy's remedy, a job finishing while the page
//! is open turns done without a reload, and the filters and search narrow the grid.
//!
//! Needs `chromium` and `chromium-driver` (Debian's packages; `.ci/run` installs them). With
//! `KLING_DASHBOARD_SCREENSHOT=PATH` the test also saves its screenshot there (how the CLI
//! README's picture is made); otherwise under the test's folder.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::temp;
use fantoccini::{Client, ClientBuilder, Locator};
use kling_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A child process killed when the test ends, passed or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env(mock: &MockServer) -> Vec<(&'static str, String)> {
    let mut env = common::mock_env(mock);
    env.push(("KLING_RATE", "500".to_owned()));
    env
}

/// `kling batch submit FILE` of these lines.
fn submit(dir: &Path, env: &[(&'static str, String)], name: &str, lines: &[Value]) {
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(dir.join(name), text.join("\n") + "\n").unwrap();
    common::run_json(&["batch", "submit", name], dir, env);
}

/// A worker that runs the queue empty and saves results in `out`.
fn worker(dir: &Path, env: &[(&'static str, String)]) -> Child {
    worker_with(dir, env, &["--download", "out"])
}

fn worker_with(dir: &Path, env: &[(&'static str, String)], extra: &[&str]) -> Child {
    let mut args = vec!["batch", "work", "--slots", "3", "--until-empty"];
    args.extend(extra);
    common::command(&args, dir, &common::pairs(env))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kling runs")
}

fn wait_child(mut child: Child, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "the worker failed: {status}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the worker did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts the dashboard on a free port; its URL (read from its first line on stderr).
fn dashboard(dir: &Path, env: &[(&'static str, String)]) -> (Killed, String) {
    let mut child = common::command(
        &[
            "batch",
            "dashboard",
            "--port",
            "0",
            "--download",
            "out",
            "--refresh",
            "200ms",
        ],
        dir,
        &common::pairs(env),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("kling runs");
    let url = common::loopback_url(&common::first_stderr_line(&mut child));
    (Killed(child), url)
}

/// Starts chromedriver on a free loopback port; its URL once it answers.
fn chromedriver() -> (Killed, String) {
    assert!(
        Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
        "the browser tests need Chromium and its WebDriver: apt-get install chromium chromium-driver"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Killed(child), format!("http://127.0.0.1:{port}"))
}

/// The version of axe-core (Deque's accessibility checker, from npm) the page is checked with
/// (pinned: a new release is taken by hand).
const AXE_VERSION: &str = "4.14.1";

/// axe-core's script: installed under the target folder with npm when missing (`.ci/run`
/// does it first).
fn axe() -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axe");
    let package = dir.join("node_modules/axe-core");
    let installed = || {
        std::fs::read_to_string(package.join("package.json"))
            .ok()
            .and_then(|p| serde_json::from_str::<Value>(&p).ok())
            .is_some_and(|p| p["version"] == json!(AXE_VERSION))
    };
    if !installed() {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(format!("axe-core@{AXE_VERSION}"))
            .status()
            .expect("npm runs (Node.js is on every machine of ours)");
        assert!(
            status.success() && installed(),
            "npm install axe-core@{AXE_VERSION} failed"
        );
    }
    std::fs::read_to_string(package.join("axe.min.js")).unwrap()
}

async fn browser(driver: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1400", "--autoplay-policy=no-user-gesture-required",
                "--no-first-run", "--disable-extensions",
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a Chromium session")
}

async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Polls `script` until it returns `true` (up to `limit`).
async fn until(client: &Client, script: &str, limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    loop {
        if js(client, script).await == json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "{what} (within {limit:?})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The ids of the cards the grid shows, in order.
async fn shown(client: &Client) -> Vec<String> {
    let v = js(
        client,
        "return [...document.querySelectorAll('li.job')].filter(li => !li.hidden).map(li => li.dataset.id)",
    )
    .await;
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_dashboard_shows_a_batch_live_in_a_real_browser() {
    let mock =
    // Units for the first four jobs (the refused and the failed one are not charged): the next
    // one is blocked.
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(1)).credits(2)).unwrap();
    let dir = temp("dashboard");
    let env = env(&mock);
    submit(
        &dir,
        &env,
        "jobs.jsonl",
        &[
            // In this order, one at a time: the task that will fail needs a unit free to be
            // taken (it is not charged), the next two take the pack's two.
            json!({"family": "text2video", "external_task_id": "ship",
                   "request": {"prompt": "a doomed ship in a storm", "duration": "5"}}),
            json!({"family": "text2video", "external_task_id": "dance",
                   "request": {"prompt": "a forbidden dance", "duration": "5"}}),
            json!({"family": "text2video", "external_task_id": "fox",
                   "request": {"prompt": "a red fox running through fresh snow", "duration": "5", "model_name": "kling-v2-6"}}),
            json!({"family": "image", "external_task_id": "lighthouse",
                   "request": {"prompt": "a lighthouse at dusk, oil painting"}}),
        ],
    );
    wait_child(
        worker_with(&dir, &env, &["--download", "out", "--concurrency", "1"]),
        Duration::from_secs(60),
    );
    // The pack is empty: this one is parked as blocked.
    submit(
        &dir,
        &env,
        "owl.jsonl",
        &[json!({"family": "text2video", "external_task_id": "owl",
                 "request": {"prompt": "an owl at night", "duration": "5"}})],
    );
    wait_child(worker(&dir, &env), Duration::from_secs(60));
    // Queued after the first run: it finishes while the page is open.
    submit(
        &dir,
        &env,
        "late.jsonl",
        &[json!({"family": "text2video", "external_task_id": "late",
                 "request": {"prompt": "a paper boat on a river", "duration": "5", "model_name": "kling-v2-6"}})],
    );
    let (_dashboard, url) = dashboard(&dir, &env);
    let (_driver, driver_url) = chromedriver();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = browser(&driver_url).await;
        client.goto(&url).await.unwrap();
        until(&client, "return document.body.dataset.ready === 'true'", Duration::from_secs(20), "the page got its snapshot").await;

        // Every job, in the state its record says.
        let states = js(&client, "return Object.fromEntries([...document.querySelectorAll('li.job')].map(li => [li.dataset.id, li.querySelector('.state').textContent]))").await;
        assert_eq!(
            states,
            json!({"dance": "failed", "fox": "done", "late": "queued", "lighthouse": "done", "owl": "blocked", "ship": "failed"})
        );
        let counts = js(&client, "return ['queued','running','done','failed','blocked'].map(s => document.getElementById('count-' + s).textContent)").await;
        assert_eq!(counts, json!(["1", "0", "2", "2", "1"]));

        // Accessible markup: axe-core finds no WCAG 2 A/AA violation (labels, contrast, names,
        // landmarks, keyboard). The page's policy admits no injected script: axe is evaluated
        // through WebDriver, which the policy does not govern.
        js(&client, &format!("{}; return true", axe())).await;
        let report = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))),
                          e => done([{error: String(e)}]));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(report, json!([]), "accessibility violations");

        // The done video plays its downloaded file, served by the dashboard.
        until(&client, "return !!document.querySelector('li.job[data-id=\"fox\"] video[src]')", Duration::from_secs(10), "the player in view gets its file").await;
        let src = js(&client, "return document.querySelector('li.job[data-id=\"fox\"] video').getAttribute('src')").await;
        assert_eq!(src, json!("/files/fox/0#t=0.1"), "the local file, not the remote URL");
        let played = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const v = document.querySelector('li.job[data-id=\"fox\"] video');
                 v.muted = true;
                 v.play().then(() => setTimeout(() => done({t: v.currentTime, paused: v.paused, error: v.error && v.error.code, w: v.videoWidth}), 800),
                               (e) => done({refused: String(e), error: v.error && v.error.code}));",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            played["t"].as_f64().is_some_and(|t| t > 0.1) && played["error"].is_null(),
            "the video plays: {played}"
        );
        assert_eq!(played["w"], json!(160), "its frames are the file's: {played}");
        let image = js(&client, "const i = document.querySelector('li.job[data-id=\"lighthouse\"] img'); return [i.complete, i.naturalWidth, i.alt]").await;
        assert_eq!(image[1], json!(160), "the image is shown: {image}");
        assert!(image[2].as_str().unwrap().contains("lighthouse"), "with a text alternative: {image}");

        // The failed job: its code, what it means and the remedy, from the taxonomy.
        let code = kling_errors::ErrorCode::Kling(kling_errors::KlingCode::from_code(1301));
        let failed = js(&client, "const c = document.querySelector('li.job[data-id=\"dance\"]'); return [c.querySelector('.code').textContent, c.querySelector('.meaning').textContent, c.querySelector('.remedy').textContent]").await;
        assert_eq!(failed[0], json!("1301"));
        assert_eq!(failed[1], json!(code.description()));
        assert!(failed[2].as_str().unwrap().contains(code.remedy()), "{failed}");
        // The blocked job: the pack's code, and what to do.
        let blocked = js(&client, "const c = document.querySelector('li.job[data-id=\"owl\"]'); return [c.querySelector('.code').textContent, c.querySelector('.remedy').textContent]").await;
        let code = kling_errors::ErrorCode::Kling(kling_errors::KlingCode::from_code(1102));
        assert_eq!(blocked[0], json!("1102"));
        assert!(blocked[1].as_str().unwrap().contains(code.remedy()), "{blocked}");
        // A task that failed without a code shows its message.
        let message = js(&client, "return document.querySelector('li.job[data-id=\"ship\"] .message').textContent").await;
        assert!(message.as_str().unwrap().contains("risk control"), "{message}");

        // Filters: by state, by family, and a search by id or prompt, with the keyboard.
        client.find(Locator::Css("#f-state")).await.unwrap().select_by_value("failed").await.unwrap();
        assert_eq!(shown(&client).await, ["dance", "ship"]);
        client.find(Locator::Css("#f-state")).await.unwrap().select_by_value("").await.unwrap();
        client.find(Locator::Css("#f-family")).await.unwrap().select_by_value("image").await.unwrap();
        assert_eq!(shown(&client).await, ["lighthouse"]);
        client.find(Locator::Css("#f-family")).await.unwrap().select_by_value("").await.unwrap();
        let search = client.find(Locator::Css("#f-q")).await.unwrap();
        search.send_keys("SNOW").await.unwrap();
        assert_eq!(shown(&client).await, ["fox"], "by prompt, any case");
        search.clear().await.unwrap();
        search.send_keys("ligh").await.unwrap();
        assert_eq!(shown(&client).await, ["lighthouse"], "by id");
        search.clear().await.unwrap();
        search.send_keys("\u{e007}").await.unwrap(); // Enter: the search form is not sent
        assert_eq!(shown(&client).await.len(), 6);
        client.find(Locator::Css("#counts button[data-state='done']")).await.unwrap().click().await.unwrap();
        assert_eq!(shown(&client).await, ["fox", "lighthouse"], "a count filters by its state");
        client.find(Locator::Css("#counts button[data-state='done']")).await.unwrap().click().await.unwrap();
        assert_eq!(shown(&client).await.len(), 6, "pressed again, it lets go");

        // Live: after a top-up, the button queues the blocked job again; a worker finishes it
        // and the queued one; the page shows each move without a reload.
        js(&client, "window.__same_page = 42; return true").await;
        mock.top_up(2);
        client.find(Locator::Css("#resume")).await.unwrap().click().await.unwrap();
        until(&client, "return document.getElementById('action-status').textContent === '1 blocked job(s) queued again.'", Duration::from_secs(10), "the requeue reported").await;
        until(&client, "return document.querySelector('li.job[data-id=\"owl\"]').dataset.state === 'queued'", Duration::from_secs(10), "the owl shown queued").await;
        let late = worker(&dir, &env);
        until(
            &client,
            "return ['late', 'owl'].every(id => { const c = document.querySelector(`li.job[data-id=\"${id}\"]`); return c.dataset.state === 'done' && !!c.querySelector('video'); })",
            Duration::from_secs(40),
            "the late and the requeued jobs shown done",
        )
        .await;
        assert_eq!(js(&client, "return window.__same_page").await, json!(42), "no reload");
        assert_eq!(js(&client, "return document.getElementById('count-done').textContent").await, json!("4"));
        assert_eq!(js(&client, "return document.querySelector('li.job[data-id=\"owl\"] .error')").await, Value::Null, "its old error is gone");
        wait_child(late, Duration::from_secs(30));

        let png = client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(dir.join("dashboard.png"), &png).unwrap();
        if let Ok(path) = std::env::var("KLING_DASHBOARD_SCREENSHOT") {
            std::fs::write(path, &png).unwrap();
        }
        client.close().await.unwrap();
    });
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One request over a fresh connection: the status, the headers (lowercased names) and the
/// body.
fn http(url: &str, request: &str) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = request.replace("{addr}", addr);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, answer[end + 4..].to_vec())
}

fn get(url: &str, path: &str, extra: &str) -> (u16, String, Vec<u8>) {
    http(
        url,
        &format!("GET {path} HTTP/1.1\r\nHost: {{addr}}\r\n{extra}Connection: close\r\n\r\n"),
    )
}

#[test]
fn the_dashboard_answers_only_its_own_page_and_serves_only_checked_files() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("dashboard-guard");
    let env = env(&mock);
    submit(
        &dir,
        &env,
        "jobs.jsonl",
        &[json!({"family": "text2video", "external_task_id": "fox",
                 "request": {"prompt": "a fox", "duration": "5"}})],
    );
    // Run without a download folder: the dashboard's "download missing" fetches the file.
    wait_child(worker_with(&dir, &env, &[]), Duration::from_secs(60));
    let (_dashboard, url) = dashboard(&dir, &env);
    let job =
        |url: &str| -> Value { serde_json::from_slice(&get(url, "/api/jobs/fox", "").2).unwrap() };
    let before = job(&url);
    assert_eq!(
        (&before["missing_files"], &before["files"][0]["local"]),
        (&json!(true), &Value::Null)
    );
    assert!(
        before["files"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{before}"
    );

    let (status, head, page) = get(&url, "/", "");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-security-policy: default-src 'self'"),
        "{head}"
    );
    // Nothing loaded from elsewhere (it works offline): the page, its style and its script.
    for (path, body) in [
        ("/", page),
        ("/dashboard.css", get(&url, "/dashboard.css", "").2),
        ("/dashboard.js", get(&url, "/dashboard.js", "").2),
    ] {
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.len() > 500
                && !text.contains("http://")
                && !text.contains("https://")
                && !text.contains("//cdn"),
            "{path}"
        );
    }

    // Another host name (DNS rebinding) is refused, every path.
    let (status, _, _) = http(
        &url,
        "GET /api/summary HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403);
    // Actions need the dashboard's header, and no foreign origin.
    let post = |extra: &str| {
        http(
            &url,
            &format!(
                "POST /api/resume HTTP/1.1\r\nHost: {{addr}}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    assert_eq!(post("").0, 403, "a form of another site cannot requeue");
    assert_eq!(
        post("X-Kling-Dashboard: 1\r\nOrigin: http://evil.example\r\n").0,
        403
    );
    let (status, _, body) = post("X-Kling-Dashboard: 1\r\n");
    assert_eq!(
        (status, serde_json::from_slice::<Value>(&body).unwrap()),
        (200, json!({"requeued": 0}))
    );
    let (status, _, body) = http(
        &url,
        "POST /api/download HTTP/1.1\r\nHost: {addr}\r\nX-Kling-Dashboard: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(
        (status, serde_json::from_slice::<Value>(&body).unwrap()),
        (200, json!({"saved": 1, "failed": []}))
    );
    assert!(
        dir.join("out/fox.mp4").is_file(),
        "saved under the job's key"
    );
    assert_eq!(job(&url)["missing_files"], json!(false));

    // Files: only a recorded job's, by position, under its checked name.
    let (status, head, body) = get(&url, "/files/fox/0", "Range: bytes=0-9\r\n");
    assert_eq!((status, body.len()), (206, 10), "{head}");
    assert!(
        head.contains("content-range: bytes 0-9/") && head.contains("content-type: video/mp4"),
        "{head}"
    );
    assert_eq!(
        get(&url, "/files/fox/0", "").2,
        std::fs::read(dir.join("out/fox.mp4")).unwrap()
    );
    assert_eq!(get(&url, "/files/fox/1", "").0, 404);
    assert_eq!(get(&url, "/files/..%2Fjobs.jsonl/0", "").0, 404);
    assert_eq!(get(&url, "/files/%2E%2E/0", "").0, 404);

    // The JSON: filters checked, one job by its key.
    let (status, _, body) = get(&url, "/api/jobs?state=sleeping", "");
    assert_eq!(status, 400);
    let e: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("one of queued, running, done"),
        "{e}"
    );
    let (status, _, body) = get(&url, "/api/jobs/fox", "");
    let job: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, &job["state"], &job["files"][0]["local"]),
        (200, &json!("done"), &json!("/files/fox/0"))
    );
    assert_eq!(get(&url, "/api/jobs/nobody", "").0, 404);
    let (_, _, body) = get(&url, "/api/jobs?state=done&q=FOX", "");
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["jobs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (_, _, body) = get(&url, "/api/jobs?family=image", "");
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["jobs"],
        json!([])
    );

    // The same from the command line, into another folder; again, nothing left to save.
    let saved = common::run_json(&["batch", "download", "again"], &dir, &env);
    assert_eq!(saved["result"], json!({"saved": 1, "failed": []}));
    assert!(dir.join("again/fox.mp4").is_file());
    let saved = common::run_json(&["batch", "download", "again"], &dir, &env);
    assert_eq!(saved["result"]["saved"], json!(0));
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fleet_on_redis_has_the_same_dashboard() {
    let redis = kling_test_support::redis::RedisServer::start();
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let dir = temp("dashboard-redis");
    let mut env = env(&mock);
    env.push(("KLING_REDIS_URL", redis.url()));
    submit(
        &dir,
        &env,
        "jobs.jsonl",
        &[
            json!({"family": "image", "external_task_id": "a", "request": {"prompt": "a lighthouse"}}),
            json!({"family": "text2video", "external_task_id": "b", "request": {"prompt": "a forbidden dance", "duration": "5"}}),
        ],
    );
    wait_child(worker(&dir, &env), Duration::from_secs(60));
    let (_dashboard, url) = dashboard(&dir, &env);
    let (status, _, body) = get(&url, "/api/summary", "");
    let summary: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["store"]["kind"], json!("redis"));
    assert_eq!(
        (&summary["jobs"]["done"], &summary["jobs"]["failed"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(summary["cost"]["so_far"], json!({"image_units": 8.0}));
    let (_, _, body) = get(&url, "/api/jobs?state=failed", "");
    let failed: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(failed["jobs"][0]["code"]["code"], json!("1301"), "{failed}");
    assert!(!dir.join("kling-batch.db").exists(), "Redis, not the file");
    // Server-sent events: the snapshot first, whole.
    let (status, head, body) = {
        use std::io::{Read, Write};
        let addr = url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(stream, "GET /api/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Until the snapshot event is whole (its blank line).
        let whole = |seen: &[u8]| {
            let text = String::from_utf8_lossy(seen);
            text.find("event: snapshot")
                .is_some_and(|i| text[i..].contains("\n\n"))
        };
        while !whole(&seen) {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the stream ended");
            seen.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&seen).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        (head[9..12].to_owned(), head.to_lowercase(), body.to_owned())
    };
    assert_eq!(status, "200");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(
        body.contains("event: snapshot") && body.contains("\"external_task_id\":\"a\""),
        "{body}"
    );
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}
