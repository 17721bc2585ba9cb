//! Both clients against kling-mock, in process: the whole job, Kling's auth codes, the pack's
//! concurrency limit, and injected faults.

mod common;

use std::time::{Duration, SystemTime};

use kling_auth::Credentials;
use kling_client_async::prelude::*;
use kling_client_blocking::prelude::*;
use kling_core::time::{ManualClock, ManualSleep};
use kling_errors::{ErrorCode, ErrorKind, KlingCode};
use kling_mock::{
    DEMO_ACCESS_KEY, DEMO_SECRET_KEY, Fault, FaultAction, MockConfig, MockServer, SAMPLE_MP4,
};
use kling_types::videos::{CreateText2Video, GetText2VideoTask};

fn blocking(mock: &MockServer, secret: &str, clock: SystemTime) -> kling_client_blocking::Client {
    let clock = ManualClock::new(clock);
    kling_client_blocking::Client::builder()
        .credentials(Credentials::access_key(DEMO_ACCESS_KEY, secret).unwrap())
        .base_url(mock.api_url.clone())
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .build()
        .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-mock-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn blocking_client_runs_the_whole_job() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = blocking(&mock, DEMO_SECRET_KEY, SystemTime::now());
    let dir = temp_dir("job");
    let (task, files) = client
        .create_and_wait_and_download(
            CreateText2Video::new("a red fox"),
            &dir,
            kling_client_blocking::WaitOptions::new(),
        )
        .unwrap();
    assert_eq!(task.task_status.as_str(), "succeed");
    assert_eq!(std::fs::read(&files[0].path).unwrap(), SAMPLE_MP4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn async_client_runs_the_whole_job() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let client = kling_client_async::Client::builder()
        .credentials(Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap())
        .base_url(mock.api_url.clone())
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .build()
        .unwrap();
    let dir = temp_dir("ajob");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_, files) = runtime
        .block_on(client.create_and_wait_and_download(
            CreateText2Video::new("a red fox"),
            &dir,
            kling_client_async::WaitOptions::new(),
        ))
        .unwrap();
    assert_eq!(std::fs::read(&files[0].path).unwrap(), SAMPLE_MP4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn expired_and_badly_signed_tokens_get_klings_codes() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    // A token minted two hours ago, sent as is: 401 with 1004, as Kling answers.
    let pair = kling_auth::AccessKeyPair::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap();
    let old = kling_auth::mint(&pair, SystemTime::now() - Duration::from_secs(7200)).unwrap();
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let request = kling_core::HttpRequest::new(
        kling_core::http::Method::Get,
        format!("{}/v1/videos/text2video/1", mock.api_url),
    )
    .header("Authorization", format!("Bearer {}", old.expose()));
    let response = kling_core::Transport::send(&transport, &request).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!((response.status, body["code"].as_i64()), (401, Some(1004)));
    // The client recovers: it re-mints once, in the server's time measured from `Date`.
    let late = blocking(
        &mock,
        DEMO_SECRET_KEY,
        SystemTime::now() - Duration::from_secs(7200),
    );
    let e = late.send(&GetText2VideoTask::by_task_id("1")).unwrap_err();
    assert_eq!(
        e.code(),
        Some(&ErrorCode::Kling(KlingCode::ResourceNotFound)),
        "authenticated after the re-mint: {e}"
    );
    assert_eq!(
        kling_core::KlingBackend::parts(&late).engine.auth().mints(),
        2
    );
    let forged = blocking(&mock, "SKwrong-secret", SystemTime::now());
    let e = forged
        .send(&GetText2VideoTask::by_task_id("1"))
        .unwrap_err();
    assert_eq!(
        (e.http_status(), e.code()),
        (
            Some(401),
            Some(&ErrorCode::Kling(KlingCode::AuthorizationInvalid))
        )
    );
}

#[test]
fn a_task_beyond_the_packs_concurrency_gets_1303() {
    let mut config = MockConfig::instant();
    config.max_concurrency = 1;
    config.done_after = Duration::from_secs(600);
    let mock = MockServer::start(config).unwrap();
    let client = blocking(&mock, DEMO_SECRET_KEY, SystemTime::now());
    client.create(CreateText2Video::new("first")).unwrap();
    let e = client.create(CreateText2Video::new("second")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConcurrencyLimit);
    assert_eq!(
        (e.http_status(), e.code()),
        (
            Some(429),
            Some(&ErrorCode::Kling(KlingCode::ConcurrencyLimit))
        )
    );
    assert_eq!(mock.task_count(), 1);
}

#[test]
fn injected_faults_are_survived() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    mock.add_fault(Fault::new(
        Some("POST"),
        "/v1/videos/text2video",
        1,
        FaultAction::Html502,
    ));
    mock.add_fault(Fault::new(
        Some("GET"),
        "/v1/videos/text2video/",
        1,
        FaultAction::Truncate,
    ));
    let client = blocking(&mock, DEMO_SECRET_KEY, SystemTime::now());
    let created = client
        .create(CreateText2Video::new("a fox").external_task_id("job-f"))
        .unwrap();
    // The 502 came before any task existed: the lookup (its first answer truncated, retried)
    // finds nothing twice, so the create is posted again with the same id.
    assert_eq!((created.posts, created.reconciled), (2, false));
    assert_eq!(mock.task_count(), 1);
    let requests = mock.requests();
    assert_eq!(
        requests.iter().filter(|r| r.starts_with("POST")).count(),
        2,
        "{requests:?}"
    );
}

#[test]
fn runblob_routes_speak_runblob() {
    use kling_types::runblob::{GenerateO3Video, GetGeneration, Product};
    // Two units: $0.30 on RunBlob, one O3 video.
    let mut config = MockConfig::instant();
    config.credits = Some(2);
    let mock = MockServer::start(config).unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let client = kling_client_blocking::Client::builder()
        .credentials(Credentials::api_key(kling_mock::DEMO_API_KEY).unwrap())
        .base_url(format!("{}/runblob", mock.api_url))
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .build()
        .unwrap();
    let created = client.send(&GenerateO3Video::new("a fox")).unwrap();
    assert_eq!(created.status.as_str(), "pending");
    let done = client
        .send(&GetGeneration::new(
            Product::O3Video,
            created.generation_id.clone(),
        ))
        .unwrap();
    assert_eq!(done.status.as_str(), "completed");
    assert!(done.video_url.as_deref().unwrap().ends_with(".mp4"));
    let e = client.send(&GenerateO3Video::new("a fox")).unwrap_err();
    assert_eq!(
        (e.kind(), e.http_status()),
        (ErrorKind::Billing, Some(402)),
        "credits ran out: {e}"
    );
    let e = client
        .send(&GetGeneration::new(Product::O3Video, "missing"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

/// One HTTP request received on `receiver` within the deadline: its request line, headers
/// and body (the connection is then dropped, as a receiver that answers nothing).
pub fn receive(
    receiver: &std::net::TcpListener,
    deadline: std::time::Instant,
) -> (String, Vec<(String, String)>, Vec<u8>) {
    receiver.set_nonblocking(true).unwrap();
    let stream = loop {
        match receiver.accept() {
            Ok((stream, _)) => break stream,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("no delivery in time: {e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    common::read_request(stream)
}

#[test]
fn callbacks_are_posted_and_signed() {
    let receiver = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/cb", receiver.local_addr().unwrap());
    let secret = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=";
    let mock = MockServer::start(MockConfig::instant().webhook_secret(secret)).unwrap();
    let client = blocking(&mock, DEMO_SECRET_KEY, SystemTime::now());
    client
        .create(CreateText2Video::new("a fox").callback_url(url))
        .unwrap();
    // Bounded: each callback must arrive within 10 s, or the test fails instead of hanging.
    // One per status change: `submitted` (the create's own), then the end (an instant task
    // skips `processing`).
    let verifier = kling_auth::WebhookVerifier::new(secret).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let (line, headers, body) = receive(&receiver, deadline);
        assert!(line.starts_with("POST /cb "), "{line}");
        let payload = kling_types::callback::CallbackPayload::parse(&body).unwrap();
        statuses.push(payload.status().to_owned());
        verifier
            .verify(&headers, &body, SystemTime::now())
            .expect("signed callback");
    }
    assert_eq!(statuses, ["submitted", "succeed"]);
}

#[test]
fn the_rate_limit_answers_1302() {
    let mut config = MockConfig::instant();
    config.rate_limit_per_sec = Some(1);
    let mock = MockServer::start(config).unwrap();
    let pair = kling_auth::AccessKeyPair::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap();
    let token = kling_auth::mint(&pair, SystemTime::now()).unwrap();
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let request = kling_core::HttpRequest::new(
        kling_core::http::Method::Get,
        format!("{}/v1/videos/text2video?pageNum=1&pageSize=1", mock.api_url),
    )
    .header("Authorization", format!("Bearer {}", token.expose()));
    // One request per second: of three sent back to back, the first passes and one is refused.
    let answers: Vec<_> = (0..3)
        .map(|_| kling_core::Transport::send(&transport, &request).unwrap())
        .collect();
    assert_eq!(answers[0].status, 200);
    let refused = answers
        .iter()
        .find(|a| a.status == 429)
        .expect("one request over the limit");
    let body: serde_json::Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(body["code"].as_i64(), Some(1302));
}
