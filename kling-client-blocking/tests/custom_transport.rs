//! A user swaps in their own transport with no change to their calling code.

use std::sync::{Arc, Mutex};

use kling_auth::Credentials;
use kling_client_blocking::{Client, HttpRequest, HttpResponse, Transport};
use kling_errors::{Error, TransportError};
use kling_types::videos::GetText2VideoTask;

/// The user's code: it knows nothing of transports.
fn calling_code(client: &Client) -> Result<String, Error> {
    Ok(client
        .get(&GetText2VideoTask::by_task_id("42"))?
        .task_status
        .to_string())
}

const BODY: &str =
    r#"{"code":0,"message":"SUCCEED","data":{"task_id":"42","task_status":"processing"}}"#;

struct Recording<T> {
    inner: T,
    log: Arc<Mutex<Vec<String>>>,
}

impl<T: Transport> Transport for Recording<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} {}", request.method.as_str(), request.url));
        self.inner.send(request)
    }
}

#[test]
fn the_same_calling_code_runs_on_any_transport() {
    let credentials = || Credentials::access_key("AKtest0123456789", "SKtest").unwrap();
    // A closure.
    let closure = |_: &HttpRequest| -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse::json(200, BODY))
    };
    let a = Client::builder()
        .credentials(credentials())
        .base_url("https://api.test")
        .transport(closure)
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
