//! The blocking client against a raw ureq loop, both querying the same loopback server in
//! the same run: the ratio is the client's overhead (token from the cache, request building,
//! decoding, retry bookkeeping). `cargo xtask bench`.

use kling_test_support::server;

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use kling_auth::Credentials;
use kling_client_blocking::{Client, Kling};
use kling_types::videos::GetText2VideoTask;
use server::{Server, json};

const TASK: &str = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"831922345719271433","task_status":"processing","task_info":{"external_task_id":"job-1"},"created_at":1766374262370,"updated_at":1766374262370}}"#;

static SERVER: LazyLock<Server> =
    LazyLock::new(|| Server::start_with_limit(Box::new(|_, _| json("200 OK", TASK)), usize::MAX));

fn main() {
    divan::main();
}

/// Baseline: ureq directly, reading the body as bytes.
#[divan::bench(sample_count = 60, sample_size = 10)]
fn raw_ureq_get(bencher: Bencher<'_, '_>) {
    let url = format!("{}/v1/videos/text2video/831922345719271433", SERVER.url);
    let agent = ureq::Agent::new_with_defaults();
    bencher.bench(|| {
        let response = agent
            .get(&url)
            .header("Authorization", "Bearer x")
            .call()
            .unwrap();
        black_box(response.into_body().read_to_vec().unwrap())
    });
}

/// The client: the same GET, typed, through the engine.
#[divan::bench(sample_count = 60, sample_size = 10)]
fn client_get(bencher: Bencher<'_, '_>) {
    let client = Client::builder()
        .credentials(Credentials::access_key("AKbench0000000001", "SKbench").unwrap())
        .base_url(SERVER.url.clone())
        .build()
        .unwrap();
    let query = GetText2VideoTask::by_task_id("831922345719271433");
    bencher.bench(|| black_box(client.get(&query).unwrap()));
}
