//! A custom transport: a recorder around the default (ureq) one, keeping every exchange
//! (method, URL, status, whether it carried credentials) to log or assert on. The calling
//! code does not change; only the builder gets `.transport(..)`. Both methods forward: `send`
//! for JSON calls, `open` for streamed downloads (a wrapper that forgot `open` would not
//! compile, rather than buffer a video in memory).
//!
//! ```sh
//! cargo run -p kling-examples --bin custom_transport
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use kling_client_blocking::errors::TransportError;
use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::{
    Client, HttpRequest, HttpResponse, Kling, StreamingResponse, Transport, UreqTransport,
    WaitOptions,
};
use kling_examples::Sandbox;

/// One exchange: `send` (a JSON call) or `open` (a download), and never a header's value.
struct Exchange {
    via: &'static str,
    method: &'static str,
    url: String,
    status: Option<u16>,
    authorized: bool,
}

/// Hands every request to the inner transport, and records the exchange.
struct Recording<T> {
    inner: T,
    log: Mutex<Vec<Exchange>>,
}

impl<T> Recording<T> {
    fn record(&self, via: &'static str, request: &HttpRequest, status: Option<u16>) {
        let (method, url) = (request.method.as_str(), request.url.clone());
        let authorized = request.header_value("authorization").is_some();
        let exchange = Exchange {
            via,
            method,
            url,
            status,
            authorized,
        };
        self.log
            .lock()
            .expect("no panic while logging")
            .push(exchange);
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let result = self.inner.send(request);
        self.record("send", request, result.as_ref().ok().map(|r| r.status));
        result
    }

    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        let result = self.inner.open(request);
        self.record("open", request, result.as_ref().ok().map(|r| r.status));
        result
    }
}

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("custom_transport")?;
    let config = sandbox.config();
    // The default transport takes its timeouts and TLS roots from the config.
    let log = Mutex::new(Vec::new());
    let recording = Arc::new(Recording {
        inner: UreqTransport::new(&config),
        log,
    });
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(config)
        .transport(recording.clone())
        .build()?;

    let request = CreateText2Video::new("a paper lantern drifting up at night");
    client.create_and_wait_and_download(request, sandbox.out_dir(), WaitOptions::new())?;

    let log = recording.log.lock().expect("no panic while logging");
    for e in log.iter() {
        let token = if e.authorized { "token" } else { "no token" };
        println!(
            "{} {} {} -> {:?}, {token}",
            e.via, e.method, e.url, e.status
        );
    }
    // What the log shows: downloads (`open`) never carry the API token to the file host.
    if log.iter().any(|e| e.via == "open" && e.authorized) {
        return Err("a download carried the API token".into());
    }
    Ok(())
}
