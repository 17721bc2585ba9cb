//! A custom transport: a recorder wrapping the default ureq one, logging each exchange
//! (method, URL, status, time; never headers, which hold the token). The calling code does not
//! change: only the builder gets `.transport(..)`. Both methods forward: `open` streams
//! result files, so a wrapper that forgot it would not compile.
//!
//! ```sh
//! KLING_ACCESS_KEY=... KLING_SECRET_KEY=... cargo run -p kling-client-blocking --example custom_transport
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use kling_client_blocking::errors::TransportError;
use kling_client_blocking::types::videos::ListText2VideoTasks;
use kling_client_blocking::{
    Client, Config, Credentials, Error, HttpRequest, HttpResponse, Kling, StreamingResponse,
    Transport, UreqTransport,
};

/// Logs every exchange, then hands it to the inner transport.
struct Recording<T>(T);

fn log(request: &HttpRequest, status: Result<u16, &TransportError>, started: Instant) {
    match status {
        Ok(status) => eprintln!(
            "{} {} -> {status} in {:?}",
            request.method.as_str(),
            request.url,
            started.elapsed()
        ),
        Err(e) => eprintln!("{} {} -> {e}", request.method.as_str(), request.url),
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let started = Instant::now();
        let result = self.0.send(request);
        log(request, result.as_ref().map(|r| r.status), started);
        result
    }

    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        let started = Instant::now();
        let result = self.0.open(request);
        log(request, result.as_ref().map(|r| r.status), started);
        result
    }
}

fn main() -> Result<(), Error> {
    let config = Config::default();
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        .transport(Recording(UreqTransport::new(&config)))
        .config(config)
        .build()?;
    let tasks = client.send(&ListText2VideoTasks::new().page_size(5))?;
    println!("{} recent text-to-video tasks", tasks.len());
    Ok(())
}
