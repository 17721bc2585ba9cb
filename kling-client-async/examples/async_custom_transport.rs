//! A custom transport: a recorder wrapping the default reqwest one, logging each exchange
//! (method, URL, status, time; never headers, which hold the token). The calling code does not
//! change: only the builder gets `.transport(..)`.

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use async_trait::async_trait;
use kling_auth::Credentials;
use kling_client_async::{
    AsyncTransport, Client, Config, HttpRequest, HttpResponse, ReqwestTransport,
};
use kling_errors::TransportError;
use kling_types::videos::ListText2VideoTasks;

/// Logs every exchange, then hands it to the inner transport.
struct Recording<T>(T);

#[async_trait]
impl<T: AsyncTransport> AsyncTransport for Recording<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let started = Instant::now();
        let result = self.0.send(request).await;
        match &result {
            Ok(r) => eprintln!(
                "{} {} -> {} in {:?}",
                request.method.as_str(),
                request.url,
                r.status,
                started.elapsed()
            ),
            Err(e) => eprintln!("{} {} -> {e}", request.method.as_str(), request.url),
        }
        result
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), kling_errors::Error> {
    let config = Config::default();
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        .transport(Recording(ReqwestTransport::new(&config)?))
        .config(config)
        .build()?;
    let tasks = client.get(&ListText2VideoTasks::new().page_size(5)).await?;
    println!("{} recent text-to-video tasks", tasks.len());
    Ok(())
}
