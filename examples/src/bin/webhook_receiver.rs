//! A webhook receiver on axum: Kling POSTs a task's status changes to your `callback_url`.
//! Check the signature on the raw body first (`WebhookVerifier`, Standard Webhooks), drop
//! redeliveries (`CallbackDedupe`), answer at once, and act on the server's view of the task
//! (`reconcile_callback` re-fetches it with an authenticated GET), never on the payload.
//!
//! ```sh
//! cargo run -p kling-examples --bin webhook_receiver
//! # the real API (costs credits): Kling must reach the receiver, e.g. through a tunnel
//! # from https://hooks.example.com/kling/callback to 127.0.0.1:8787
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     KLING_WEBHOOK_SECRET=whsec_... KLING_CALLBACK_URL=https://hooks.example.com/kling/callback \
//!     cargo run -p kling-examples --bin webhook_receiver
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use kling_client_async::prelude::*;
use kling_client_async::types::Task;
use kling_client_async::types::callback::CallbackPayload;
use kling_client_async::types::videos::{CreateText2Video, GetText2VideoTask};
use kling_client_async::{CallbackDedupe, Client, Error, WebhookVerifier};
use kling_examples::{Sandbox, env};
use kling_mock::MockConfig;
use tokio::sync::mpsc;

/// The mock signs with this secret (`whsec_` + base64); Kling's console shows yours.
const DEMO_SECRET: &str = "whsec_a2xpbmctcnMgZXhhbXBsZSBzZWNyZXQ=";

/// What the handler needs: the verifier, the deduper, a client, where finished tasks go.
struct Receiver {
    verifier: WebhookVerifier,
    dedupe: CallbackDedupe,
    client: Client,
    finished: mpsc::Sender<Result<Task, Error>>,
}

async fn callback(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    // Anyone can POST here: the signature is checked on the bytes exactly as received.
    if let Err(e) = r.verifier.verify(&headers, &body, SystemTime::now()) {
        eprintln!("refused a delivery: {e}");
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(payload) = CallbackPayload::parse(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    // Deliveries are retried and may come out of order: handle each (task, status) once.
    let (id, status) = (payload.task_id(), payload.status());
    if r.dedupe.is_new(id, status, payload.is_terminal()) {
        println!("callback: task {id} is {status}");
        if payload.is_terminal() {
            // Answer now (the sender gives up on slow receivers); re-fetch in the background.
            tokio::spawn(async move {
                let query = GetText2VideoTask::by_task_id;
                let task = r.client.reconcile_callback(&payload, query).await;
                let _ = r.finished.send(task).await;
            });
        }
    }
    StatusCode::OK
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    kling_examples::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockConfig::instant().webhook_secret(DEMO_SECRET);
    let sandbox = Sandbox::with_mock("webhook_receiver", mock)?;
    let (secret, listen, public_url) = match sandbox.mock() {
        Some(_) => (DEMO_SECRET.to_owned(), "127.0.0.1:0", None),
        None => (
            env("KLING_WEBHOOK_SECRET")?,
            "127.0.0.1:8787",
            Some(env("KLING_CALLBACK_URL")?),
        ),
    };
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    let listener = tokio::net::TcpListener::bind(listen).await?;
    let url = public_url.unwrap_or(format!("http://{}/kling/callback", listener.local_addr()?));
    let (finished, mut done) = mpsc::channel(4);
    let receiver = Receiver {
        verifier: WebhookVerifier::new(&secret)?,
        dedupe: CallbackDedupe::new(),
        client: client.clone(),
        finished,
    };
    let app = axum::Router::new()
        .route("/kling/callback", axum::routing::post(callback))
        .with_state(Arc::new(receiver));
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Create only: no polling here, the callbacks say when the task is done. (In production,
    // keep a slow poll as a fallback: a callback can be lost.)
    let request = CreateText2Video::new("a kite over a beach").callback_url(&url);
    let created = client.create(request).await?;
    println!("created {}; callbacks to {url}", created.task.task_id);

    let task = tokio::time::timeout(Duration::from_secs(1800), done.recv()).await?;
    let task = task.ok_or("the receiver stopped")??;
    let files = client.download_files(&task, sandbox.out_dir()).await?;
    println!(
        "task {} {}: {} files",
        task.task_id,
        task.task_status,
        files.len()
    );
    Ok(())
}
