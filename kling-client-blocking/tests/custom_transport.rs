//! A user swaps in their own transport with no change to their calling code, and a wrapping
//! transport keeps real downloads streaming (its `open` is required, so it cannot forget).

use kling_test_support::server;

use std::sync::{Arc, Mutex};

use kling_client_blocking::errors::TransportError;
use kling_client_blocking::types::videos::GetText2VideoTask;
use kling_client_blocking::{
    Client, Config, Credentials, Error, HttpRequest, HttpResponse, Kling, StreamingResponse,
    Transport, TransportFn, UreqTransport,
};
use server::{Server, response};

/// The user's code: it knows nothing of transports.
fn calling_code(client: &impl Kling) -> Result<String, Error> {
    Ok(client
        .send(&GetText2VideoTask::by_task_id("42"))?
        .task_status
        .to_string())
}

const BODY: &str =
    r#"{"code":0,"message":"SUCCEED","data":{"task_id":"42","task_status":"processing"}}"#;

/// A recorder around any transport: both methods forward.
struct Recording<T> {
    inner: T,
    log: Arc<Mutex<Vec<String>>>,
}

impl<T: Transport> Recording<T> {
    fn note(&self, request: &HttpRequest) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} {}", request.method.as_str(), request.url));
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.note(request);
        self.inner.send(request)
    }
    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        self.note(request);
        self.inner.open(request)
    }
}

fn credentials() -> Credentials {
    Credentials::access_key("AKtest0123456789", "SKtest").unwrap()
}

#[test]
fn the_same_calling_code_runs_on_any_transport() {
    // A closure, through the explicit buffering adapter.
    let closure = TransportFn(|_: &HttpRequest| -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse::json(200, BODY))
    });
    let a = Client::builder()
        .credentials(credentials())
        .base_url("https://api.test")
        .transport(TransportFn(|_: &HttpRequest| {
            Ok(HttpResponse::json(200, BODY))
        }))
        .build()
        .unwrap();
    // A recorder wrapping another transport.
    let log = Arc::new(Mutex::new(Vec::new()));
    let recorder = Recording {
        inner: closure,
        log: log.clone(),
    };
    let b = Client::builder()
        .credentials(credentials())
        .base_url("https://api.test")
        .transport(recorder)
        .build()
        .unwrap();
    assert_eq!(calling_code(&a).unwrap(), "processing");
    assert_eq!(calling_code(&b).unwrap(), "processing");
    assert_eq!(
        *log.lock().unwrap(),
        ["GET https://api.test/v1/videos/text2video/42"]
    );
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
            inner: UreqTransport::new(&config),
            log: log.clone(),
        })
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("kling-wrap-{}", std::process::id()));
    let dest = dir.join("five.mp4");
    let done = client
        .download(format!("{}/five.mp4", server.url).as_str(), &dest)
        .unwrap();
    assert_eq!(done.bytes, size as u64, "more than the 1 MiB JSON cap");
    assert_eq!(std::fs::read(&dest).unwrap(), file, "byte-exact");
    assert_eq!(log.lock().unwrap().len(), 1, "through the wrapper");
    std::fs::remove_dir_all(&dir).unwrap();
}
