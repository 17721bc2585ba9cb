//! A wrapping transport keeps real downloads streaming (its `open` is required, so it cannot
//! forget), and a closure goes through the explicit buffering adapter.

use kling_test_support::server;

use std::sync::{Arc, Mutex};

use kling_client_async::errors::TransportError;
use kling_client_async::types::videos::GetText2VideoTask;
use kling_client_async::{
    AsyncKling, AsyncStreamingResponse, AsyncTransport, AsyncTransportFn, Client, Config,
    Credentials, HttpRequest, HttpResponse, ReqwestTransport,
};
use server::{Server, response};

/// A recorder around any transport: both methods forward.
struct Recording<T> {
    inner: T,
    log: Arc<Mutex<Vec<String>>>,
}

#[kling_client_async::async_trait]
impl<T: AsyncTransport> AsyncTransport for Recording<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("send {}", request.url));
        self.inner.send(request).await
    }
    async fn open(&self, request: &HttpRequest) -> Result<AsyncStreamingResponse, TransportError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("open {}", request.url));
        self.inner.open(request).await
    }
}

fn credentials() -> Credentials {
    Credentials::access_key("AKtest0123456789", "SKtest").unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_wrapping_transport_streams_a_5_mib_download() {
    let size = 5 << 20;
    let file: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
    let served = file.clone();
    let server = Server::start(Box::new(move |_, _| {
        response(
            "200 OK",
            &[
                ("Content-Type", "video/mp4".into()),
                ("Content-Length", served.len().to_string()),
            ],
            &served,
        )
    }));
    let config = Config::with_base_url("http://127.0.0.1:1");
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder()
        .credentials(credentials())
        .config(config.clone())
        .transport(Recording {
            inner: ReqwestTransport::new(&config).unwrap(),
            log: log.clone(),
        })
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("kling-awrap-{}", std::process::id()));
    let dest = dir.join("five.mp4");
    let url = format!("{}/five.mp4", server.url);
    let done = runtime().block_on(client.download(&url, &dest)).unwrap();
    assert_eq!(done.bytes, size as u64, "more than the 1 MiB JSON cap");
    assert_eq!(std::fs::read(&dest).unwrap(), file, "byte-exact");
    assert_eq!(
        *log.lock().unwrap(),
        [format!("open {url}")],
        "streamed, through the wrapper"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_closure_is_a_transport_through_the_buffering_adapter_and_the_base_url_wins() {
    let urls = Arc::new(Mutex::new(Vec::new()));
    let seen = urls.clone();
    let transport = AsyncTransportFn(move |request: HttpRequest| {
        seen.lock().unwrap().push(request.url.clone());
        async {
            Ok(HttpResponse::json(
                200,
                r#"{"code":0,"message":"SUCCEED","data":{"task_id":"42","task_status":"processing"}}"#,
            ))
        }
    });
    // The base URL comes first, the whole config after: the explicit URL still wins.
    let client = Client::builder()
        .credentials(credentials())
        .base_url("http://127.0.0.1:9/")
        .config(Config::default())
        .transport(transport)
        .build()
        .unwrap();
    let task = runtime()
        .block_on(client.send(&GetText2VideoTask::by_task_id("42")))
        .unwrap();
    assert_eq!(task.task_id, "42");
    assert_eq!(
        *urls.lock().unwrap(),
        ["http://127.0.0.1:9/v1/videos/text2video/42"]
    );
}
