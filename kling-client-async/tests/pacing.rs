//! The request budget against kling-mock's rate limit (30 requests a second): a burst of 60
//! reads through a client paced at 15 a second (a burst of 5) gets no 1302; the same burst
//! unpaced does (and is retried through).

use kling_client_async::prelude::*;
use kling_client_async::{Client, RateConfig};
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer};
use kling_types::videos::{CreateText2Video, GetText2VideoTask};

fn client(mock: &MockServer, rate: Option<RateConfig>) -> Client {
    let mut config = mock.client_config();
    config.rate = rate;
    Client::builder()
        .credentials(
            kling_client_async::Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap(),
        )
        .config(config)
        .build()
        .unwrap()
}

/// Sends `n` reads of `task` at once; every one must succeed.
async fn burst(client: &Client, task: &str, n: usize) {
    let reads = (0..n).map(|_| {
        let client = client.clone();
        let query = GetText2VideoTask::by_task_id(task);
        tokio::spawn(async move { client.send(&query).await.map(|_| ()) })
    });
    for read in reads.collect::<Vec<_>>() {
        read.await.unwrap().unwrap();
    }
}

fn throttled(mock: &MockServer) -> u64 {
    mock.stats().codes.get("1302").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_client_stays_under_the_rate_limit() {
    let mock = MockServer::start(MockConfig::instant().rate_limit_per_sec(30)).unwrap();
    let mut rate = RateConfig::default();
    // At most 5 + 15 in any second: a margin under the limit for requests that reach the
    // mock a little after their turn.
    rate.per_second = 15.0;
    rate.burst = 5;
    let paced = client(&mock, Some(rate));
    let created = paced.create(CreateText2Video::new("a fox")).await.unwrap();
    let task = created.task.task_id.clone();
    burst(&paced, &task, 60).await;
    assert_eq!(throttled(&mock), 0, "{:?}", mock.stats());

    // Unpaced, the same burst meets the limit (the SDK retries each 1302 until it passes).
    let unpaced = client(&mock, None);
    burst(&unpaced, &task, 60).await;
    assert!(throttled(&mock) > 0, "{:?}", mock.stats());
}
