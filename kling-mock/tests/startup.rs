//! Starting can fail: a certificate that cannot be written, a port another server holds. Each
//! is an error naming what failed and why, never a panic, even inside an async runtime (as
//! `kling mock serve` starts the mock).

use clap::Parser;
use kling_mock::{MockConfig, MockServer, ServeArgs};

/// The flags of `kling mock serve`.
#[derive(Parser)]
struct Serve {
    #[command(flatten)]
    serve: ServeArgs,
}

fn serve_args(args: &[&str]) -> ServeArgs {
    Serve::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
        .unwrap()
        .serve
}

#[tokio::test]
async fn a_certificate_that_cannot_be_written_is_an_error_inside_a_runtime() {
    let missing = std::env::temp_dir()
        .join(format!("kling-mock-no-such-folder-{}", std::process::id()))
        .join("cert.pem");
    let missing = missing.to_str().unwrap();
    for path in [missing, "/proc/x.pem"] {
        let e = serve_args(&["--tls", "--cert-out", path])
            .start()
            .unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains("cannot write the certificate") && message.contains(path),
            "names the path: {message}"
        );
        // The cause, as the system words it.
        assert!(message.len() > format!("cannot write the certificate to {path}: ").len());
    }
    let e = MockServer::start(MockConfig::instant().tls(true).cert_out(missing)).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}");
    // A mock that does start, and stops, in the same runtime.
    let ok = serve_args(&["--instant"]).start().unwrap();
    drop(ok);
}

#[tokio::test]
async fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let e = serve_args(&["--port", &port.to_string()])
        .start()
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
    let message = e.to_string();
    assert!(
        message.contains(&format!("127.0.0.1:{port}")) && message.contains("in use"),
        "{message}"
    );
}
