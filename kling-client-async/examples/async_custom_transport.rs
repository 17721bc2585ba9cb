//! A custom transport: a recorder wrapping the default reqwest one, logging each exchange
//! (method, URL, status, time; never headers, which hold the token). The calling code does not
//! change: only the builder gets `.transport(..)`. Both methods forward: `open` streams
//! result files, so a wrapper that forgot it would not compile.
//!
//! ```sh
//! KLING_ACCESS_KEY=... KLING_SECRET_KEY=... cargo run -p kling-client-async --example async_custom_transport
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use kling_client_async::errors::TransportError;
use kling_client_async::types::videos::ListText2VideoTasks;
use kling_client_async::{
    AsyncKling, AsyncStreamingResponse, AsyncTransport, Client, Config, Credentials, Error,
    HttpRequest, HttpResponse, ReqwestTransport,
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

#[kling_client_async::async_trait]
impl<T: AsyncTransport> AsyncTransport for Recording<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let started = Instant::now();
        let result = self.0.send(request).await;
        log(request, result.as_ref().map(|r| r.status), started);
        result
    }

    async fn open(&self, request: &HttpRequest) -> Result<AsyncStreamingResponse, TransportError> {
        let started = Instant::now();
        let result = self.0.open(request).await;
        log(request, result.as_ref().map(|r| r.status), started);
        result
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = Config::default();
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        .transport(Recording(ReqwestTransport::new(&config)?))
        .config(config)
        .build()?;
    let tasks = client
        .send(&ListText2VideoTasks::new().page_size(5))
        .await?;
    println!("{} recent text-to-video tasks", tasks.len());
    Ok(())
}
