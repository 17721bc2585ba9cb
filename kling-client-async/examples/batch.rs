//! A batch of tasks under the concurrency limit: `max_in_flight_tasks` is sized to the resource
//! pack, so tasks queue in the client instead of meeting 1303 ("parallel task over resource
//! pack limit"). Each task holds its slot from create to its end.
//!
//! ```sh
//! KLING_ACCESS_KEY=... KLING_SECRET_KEY=... cargo run -p kling-client-async --example batch
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use kling_client_async::types::videos::CreateText2Video;
use kling_client_async::{AsyncKling, Client, Config, Credentials, Error, WaitOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut config = Config::default();
    config.max_in_flight_tasks = Some(2);
    let client = Client::builder()
        .credentials(Credentials::from_env()?)
        .config(config)
        .build()?;
    let prompts = [
        "a fox in the snow",
        "a paper boat on a river",
        "a lighthouse at night",
        "rain on a tin roof",
    ];
    let jobs = prompts.iter().enumerate().map(|(i, prompt)| {
        let client = client.clone();
        let request = CreateText2Video::new(*prompt).external_task_id(format!("batch-{i}"));
        tokio::spawn(async move { client.create_and_wait(request, WaitOptions::new()).await })
    });
    let handles: Vec<_> = jobs.collect();
    for (prompt, handle) in prompts.iter().zip(handles) {
        match handle.await {
            Ok(Ok(task)) => println!(
                "{prompt}: {}",
                task.task_result
                    .videos
                    .first()
                    .map_or("no video", |v| v.url.as_str())
            ),
            Ok(Err(e)) => eprintln!("{prompt}: {e}"),
            Err(e) => eprintln!("{prompt}: the task panicked: {e}"),
        }
    }
    Ok(())
}
