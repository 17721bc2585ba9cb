//! The download state machine's decisions, response by response.

use super::*;

fn config(max: u64) -> DownloadConfig {
    DownloadConfig {
        max_bytes: max,
        max_attempts: 3,
        timeout: Duration::from_secs(60),
        allow: DownloadAllow::default(),
    }
}

#[test]
fn a_url_to_a_forbidden_address_is_refused_before_anything_is_sent() {
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://0xa9fea9fe/x.mp4",
        "https://[::ffff:10.0.0.5]/v.mp4",
        "http://2130706433:8080/v.mp4",
    ] {
        let e = Download::new(url, config(10)).unwrap_err();
        assert_eq!(e.kind(), kling_errors::ErrorKind::Transport, "{url}: {e}");
        assert!(e.to_string().contains("download refused"), "{url}: {e}");
        assert!(!e.is_retryable(), "{url}");
    }
    let mut allowed = config(10);
    allowed.allow = DownloadAllow::any_address();
    assert!(Download::new("http://10.0.0.5/v.mp4", allowed).is_ok());
    assert!(Download::new("https://cdn.example/v.mp4", config(10)).is_ok());
}

fn cut() -> TransportError {
    TransportError::new(
        TransportFailure::Reset,
        TransportPhase::AfterSend,
        Operation::Read,
        "reset",
    )
}

#[test]
fn resumes_with_range_when_offered() {
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    let r = d.request();
    assert!(r.header_value("authorization").is_none() && r.header_value("range").is_none());
    let head = [
        ("Content-Type", "video/mp4"),
        ("Content-Length", "100"),
        ("Accept-Ranges", "bytes"),
    ];
    assert_eq!(d.on_head(200, &head).unwrap(), Head::Fresh);
    d.on_chunk(40).unwrap();
    assert_eq!(d.on_end(Err(cut())).unwrap(), End::Retry);
    assert_eq!(d.request().header_value("range"), Some("bytes=40-"));
    let head = [
        ("Content-Type", "video/mp4"),
        ("Content-Range", "bytes 40-99/100"),
        ("Content-Length", "60"),
    ];
    assert_eq!(d.on_head(206, &head).unwrap(), Head::Append);
    d.on_chunk(60).unwrap();
    assert_eq!(d.on_end(Ok(())).unwrap(), End::Complete { bytes: 100 });
}

#[test]
fn refuses_html_gone_files_and_oversize() {
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    assert!(d.on_head(200, &[("Content-Type", "text/html")]).is_err());
    let e = d
        .on_head(404, &[("Content-Type", "text/html")])
        .unwrap_err();
    assert!(e.to_string().contains("30 days"), "{e}");
    assert!(d.on_head(200, &[("Content-Length", "1001")]).is_err());
    let mut d = Download::new("https://cdn/v.mp4", config(10)).unwrap();
    d.on_head(200, &[("Content-Type", "video/mp4")]).unwrap();
    assert!(d.on_chunk(11).is_err());
    assert!(Download::new("file:///etc/passwd", config(10)).is_err());
}

#[test]
fn short_body_without_ranges_restarts() {
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    d.request();
    d.on_head(
        200,
        &[("Content-Type", "video/mp4"), ("Content-Length", "100")],
    )
    .unwrap();
    d.on_chunk(50).unwrap();
    assert_eq!(d.on_end(Ok(())).unwrap(), End::Retry);
    assert_eq!(d.written(), 0);
    assert!(d.request().header_value("range").is_none());
}

/// A download that wrote 40 of 100 bytes and asks for the rest.
fn resuming() -> Download {
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    d.request();
    let head = [("Content-Length", "100"), ("Accept-Ranges", "bytes")];
    d.on_head(200, &head).unwrap();
    d.on_chunk(40).unwrap();
    assert_eq!(d.on_end(Err(cut())).unwrap(), End::Retry);
    assert_eq!(d.request().header_value("range"), Some("bytes=40-"));
    d
}

#[test]
fn a_206_that_does_not_fit_is_never_appended() {
    for bad in [
        None,
        Some("bytes 41-99/100"),
        Some("bytes 39-99/100"),
        Some("bytes 40-100/100"),
        Some("bytes 50-40/100"),
        Some("bytes -40-99/100"),
        Some("bytes 40-99/abc"),
        Some("items 40-99/100"),
        Some("bytes 4O-99/100"),
        Some(""),
    ] {
        let mut d = resuming();
        let mut head = vec![("Content-Type", "video/mp4")];
        if let Some(v) = bad {
            head.push(("Content-Range", v));
        }
        assert_eq!(d.on_head(206, &head).unwrap(), Head::Retry, "{bad:?}");
        assert_eq!(d.written(), 0, "starts over: {bad:?}");
        assert!(
            d.request().header_value("range").is_none(),
            "without ranges: {bad:?}"
        );
    }
    // A length that disagrees with the range.
    let mut d = resuming();
    let head = [
        ("Content-Range", "bytes 40-99/100"),
        ("Content-Length", "10"),
    ];
    assert_eq!(d.on_head(206, &head).unwrap(), Head::Retry);
    // Out of attempts: an error, not a file.
    let mut d = resuming();
    d.request();
    assert!(
        d.on_head(206, &[("Content-Range", "bytes 7-9/100")])
            .is_err()
    );
}

#[test]
fn an_unasked_206_from_zero_starts_the_file_over() {
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    d.request();
    let head = [
        ("Content-Range", "bytes 0-99/100"),
        ("Content-Length", "100"),
    ];
    assert_eq!(
        d.on_head(206, &head).unwrap(),
        Head::Fresh,
        "never appended to a stale part file"
    );
    assert_eq!(d.total(), Some(100));
    d.on_chunk(100).unwrap();
    assert_eq!(d.on_end(Ok(())).unwrap(), End::Complete { bytes: 100 });
}

#[test]
fn hostile_sizes_saturate_and_overlong_bodies_are_not_complete() {
    let mut d = resuming();
    let head = [
        ("Content-Range", "bytes 40-99/100"),
        ("Content-Length", "18446744073709551615"),
    ];
    assert_eq!(d.on_head(206, &head).unwrap(), Head::Retry, "disagrees");
    let mut d = Download::new("https://cdn/v.mp4", config(u64::MAX)).unwrap();
    d.request();
    d.written = 10;
    let head = [("Content-Length", "18446744073709551615")];
    assert_eq!(d.on_head(200, &head).unwrap(), Head::Fresh, "no overflow");
    assert!(d.on_chunk(usize::MAX).is_ok());
    assert_eq!(d.written(), u64::MAX, "saturated");
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    d.request();
    d.on_head(200, &[("Content-Length", "10")]).unwrap();
    d.on_chunk(20).unwrap();
    assert_eq!(
        d.on_end(Ok(())).unwrap(),
        End::Retry,
        "past the announced size"
    );
    assert_eq!(
        Download::new(
            "https://cdn/v.mp4",
            DownloadConfig {
                timeout: Duration::MAX,
                ..config(10)
            }
        )
        .unwrap()
        .request()
        .timeout,
        Some(MAX_ATTEMPT_TIME)
    );
}

#[test]
fn transient_statuses_are_retried_then_reported() {
    let none: [(&str, &str); 0] = [];
    let mut d = Download::new("https://cdn/v.mp4", config(1000)).unwrap();
    d.request();
    assert_eq!(d.on_head(503, &none).unwrap(), Head::Retry);
    d.request();
    assert_eq!(d.on_head(429, &none).unwrap(), Head::Retry);
    d.request();
    assert_eq!(d.on_head(503, &none).unwrap_err().http_status(), Some(503));
}

#[test]
fn content_ranges_parse_strictly() {
    assert_eq!(
        parse_content_range("bytes 0-9/10"),
        Some(ContentRange {
            start: 0,
            end: 9,
            total: Some(10)
        })
    );
    assert_eq!(
        parse_content_range("bytes 5-9/*").map(|r| r.total),
        Some(None)
    );
    for bad in [
        "bytes 9-0/10",
        "bytes 0-10/10",
        "bytes +1-9/10",
        "bytes 0-9/10/11",
        "bytes=0-9/10",
        "bytes 0-99999999999999999999/*",
    ] {
        assert_eq!(parse_content_range(bad), None, "{bad}");
    }
}
