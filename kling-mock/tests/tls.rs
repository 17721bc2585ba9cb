//! HTTPS: a client that trusts only the certificate the mock wrote runs a create, a poll and a
//! download over TLS, the download from a host name of the test's choice (mapped to 127.0.0.1
//! in the client, as a test maps a real host); a client that does not trust it gets nowhere.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kling_mock::{DEMO_API_KEY, MockConfig, MockServer, SAMPLE_MP4};
use serde_json::Value;

const FILE_HOST: &str = "files.kling-mock.test";

/// A reqwest client over rustls (ring) whose only trust anchors are `pem`'s certificates, with
/// the file host resolving to 127.0.0.1:`port`.
fn client(pem: Option<&str>, files_port: u16) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = pem {
        for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .resolve(FILE_HOST, ([127, 0, 0, 1], files_port).into())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

#[test]
fn a_client_trusting_only_the_written_certificate_runs_a_job_over_https() {
    let cert = std::env::temp_dir().join(format!("kling-mock-tls-{}.pem", std::process::id()));
    let mock = MockServer::start(
        MockConfig::instant()
            .tls(true)
            .cert_out(&cert)
            .file_host(FILE_HOST),
    )
    .unwrap();
    assert!(
        mock.api_url.starts_with("https://127.0.0.1:"),
        "{}",
        mock.api_url
    );
    assert!(
        mock.files_url.starts_with(&format!("https://{FILE_HOST}:")),
        "{}",
        mock.files_url
    );
    let pem = std::fs::read_to_string(&cert).unwrap();
    assert_eq!(Some(pem.as_str()), mock.cert_pem());
    std::fs::remove_file(&cert).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = client(Some(&pem), port_of(&mock.files_url));
    runtime.block_on(async {
        let created: Value = http
            .post(format!("{}/v1/videos/text2video", mock.api_url))
            .bearer_auth(DEMO_API_KEY)
            .header("content-type", "application/json")
            .body(r#"{"prompt":"a red fox in fresh snow","external_task_id":"tls-1"}"#)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        assert_eq!(created["data"]["task_status"], "submitted", "{created}");
        let id = created["data"]["task_id"].as_str().unwrap().to_owned();
        // Poll, bounded in time (the task is instant: the first poll finds it done).
        let deadline = Instant::now() + Duration::from_secs(10);
        let task = loop {
            let polled: Value = http
                .get(format!("{}/v1/videos/text2video/{id}", mock.api_url))
                .bearer_auth(DEMO_API_KEY)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .map(|b| serde_json::from_slice(&b).unwrap())
                .unwrap();
            if polled["data"]["task_status"] == "succeed" {
                break polled;
            }
            assert!(Instant::now() < deadline, "not done in time: {polled}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let url = task["data"]["task_result"]["videos"][0]["url"]
            .as_str()
            .unwrap();
        assert!(url.starts_with(&format!("https://{FILE_HOST}:")), "{url}");
        let video = http.get(url).send().await.unwrap();
        assert_eq!(video.status(), 200);
        assert_eq!(video.bytes().await.unwrap(), SAMPLE_MP4);

        // Without the certificate among its roots, a client cannot even connect.
        let stranger = client(None, port_of(&mock.files_url));
        let refused = stranger
            .get(format!("{}/v1/videos/text2video/{id}", mock.api_url))
            .bearer_auth(DEMO_API_KEY)
            .send()
            .await;
        assert!(refused.is_err(), "an untrusted certificate is refused");
    });
}

#[test]
fn a_certificate_path_without_tls_is_refused() {
    let e = MockServer::start(MockConfig::instant().cert_out("/nonexistent/cert.pem")).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    let e = MockServer::start(MockConfig::instant().file_host("bad host/")).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
}

/// Both SDK clients, configured to trust only the mock's certificate
/// (`Config::tls_roots_pem`), run a whole job over HTTPS, the file host named `localhost`;
/// without it, both refuse the mock.
#[test]
fn both_clients_trust_only_the_given_roots() {
    use kling_client_async::AsyncKling as _;
    use kling_client_blocking::Kling as _;
    use kling_types::videos::CreateText2Video;

    let mock = MockServer::start(MockConfig::instant().tls(true).file_host("localhost")).unwrap();
    let pem = mock.cert_pem().unwrap().to_owned();
    let config = |roots: Option<&str>| {
        let mut c = kling_core::Config::with_base_url(&mock.api_url);
        c.tls_roots_pem = roots.map(str::to_owned);
        c.poll.first_delay = Duration::from_millis(10);
        c.poll.min_delay = Duration::from_millis(10);
        // A refused handshake is not tried again (no real backoff in a test).
        c.retry.max_read_attempts = 1;
        c.retry.max_create_posts = 1;
        c
    };
    let dir = std::env::temp_dir().join(format!("kling-mock-roots-{}", std::process::id()));
    let key = || kling_auth::Credentials::api_key(DEMO_API_KEY).unwrap();

    let blocking = |roots| {
        kling_client_blocking::Client::builder()
            .credentials(key())
            .config(config(roots))
            .build()
            .unwrap()
    };
    let (_, files) = blocking(Some(&pem))
        .create_and_wait_and_download(
            CreateText2Video::new("a fox").external_task_id("roots-b"),
            dir.join("b"),
            kling_client_blocking::WaitOptions::new(),
        )
        .unwrap();
    assert_eq!(std::fs::read(&files[0].path).unwrap(), SAMPLE_MP4);
    let e = blocking(None)
        .create(CreateText2Video::new("a fox").external_task_id("roots-b2"))
        .unwrap_err();
    assert_eq!(e.kind(), kling_errors::ErrorKind::Transport, "{e}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let nonblocking = |roots| {
        kling_client_async::Client::builder()
            .credentials(key())
            .config(config(roots))
            .build()
            .unwrap()
    };
    runtime.block_on(async {
        let (_, files) = nonblocking(Some(&pem))
            .create_and_wait_and_download(
                CreateText2Video::new("a fox").external_task_id("roots-a"),
                dir.join("a"),
                kling_client_async::WaitOptions::new(),
            )
            .await
            .unwrap();
        assert_eq!(std::fs::read(&files[0].path).unwrap(), SAMPLE_MP4);
        // Without the mock's certificate (the system's roots), the handshake is refused.
        let e = nonblocking(None)
            .create(CreateText2Video::new("a fox").external_task_id("roots-a2"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), kling_errors::ErrorKind::Transport, "{e}");
    });
    std::fs::remove_dir_all(&dir).unwrap();

    // A PEM without a certificate is refused when the client is built.
    let e = kling_client_blocking::Client::builder()
        .credentials(key())
        .config(config(Some("not a certificate")))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("tls_roots_pem"), "{e}");
}
