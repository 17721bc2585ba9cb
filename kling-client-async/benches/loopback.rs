//! The async client against a raw reqwest loop, both querying the same loopback server in the
//! same run: the ratio is the client's overhead. `cargo xtask bench`.

use kling_test_support::server;

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use kling_auth::Credentials;
use kling_client_async::{AsyncKling, Client};
use kling_types::videos::GetText2VideoTask;
use server::{Server, json};

const TASK: &str = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":{"task_id":"831922345719271433","task_status":"processing","task_info":{"external_task_id":"job-1"},"created_at":1766374262370,"updated_at":1766374262370}}"#;

static SERVER: LazyLock<Server> =
    LazyLock::new(|| Server::start_with_limit(Box::new(|_, _| json("200 OK", TASK)), usize::MAX));

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Baseline: reqwest directly, reading the body as bytes.
#[divan::bench(sample_count = 60, sample_size = 10)]
fn raw_reqwest_get(bencher: Bencher<'_, '_>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!("{}/v1/videos/text2video/831922345719271433", SERVER.url);
    let http = reqwest::Client::new();
    let rt = runtime();
    bencher.bench(|| {
        rt.block_on(async {
            let response = http
                .get(&url)
                .header("Authorization", "Bearer x")
                .send()
                .await
                .unwrap();
            black_box(response.bytes().await.unwrap())
        })
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
    let rt = runtime();
    bencher.bench(|| rt.block_on(async { black_box(client.get(&query).await.unwrap()) }));
}
