//! 7.7 Downloads (G1-G6), and file names a server cannot choose.

use kling_errors::{Error, ErrorKind, TransportFailure};

use super::{MatrixClient, scratch};
use crate::server::{Reply, Server, head, response};
use crate::{Answer, Script, serve, task};

/// A file of `n` bytes whose content tells where each byte belongs.
fn file(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn media(body: &[u8]) -> Reply {
    response(
        "200 OK",
        &[
            ("Content-Type", "video/mp4".into()),
            ("Content-Length", body.len().to_string()),
            ("Accept-Ranges", "bytes".into()),
        ],
        body,
    )
}

/// A client for downloads only (its API host is never asked).
fn client<C: MatrixClient>(tweak: &dyn Fn(&mut kling_core::Config)) -> C {
    // A loopback API host: the loopback file servers of these rows are allowed (the guard has
    // rows of its own).
    C::real("http://127.0.0.1:1", tweak)
}

/// A file host that sends the head and three bytes, then nothing: the read timeout ends the
/// attempt (not the download's long total timeout).
pub fn g2_a_stalled_file_host_is_given_up_after_the_read_timeout<C: MatrixClient>() {
    let server = Server::start(Box::new(|_, _| {
        Reply::RawThenStall(
            b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 1000\r\n\r\nabc"
                .to_vec(),
            std::time::Duration::from_secs(1),
        )
    }));
    let dir = scratch("g2-stall");
    let dest = dir.join("stalled.mp4");
    let e = client::<C>(&|c| {
        c.read_timeout = std::time::Duration::from_millis(200);
        c.download.max_attempts = 1;
    })
    .download(&format!("{}/stalled.mp4", server.url), &dest)
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(!dest.exists() && !dir.join("stalled.mp4.part").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn g1_normal_file<C: MatrixClient>() {
    let body = file(300_000);
    let served = body.clone();
    let server = Server::start(Box::new(move |_, _| media(&served)));
    let dir = scratch("g1");
    let dest = dir.join("v.mp4");
    let done = client::<C>(&|_| {})
        .download(&format!("{}/v.mp4", server.url), &dest)
        .unwrap();
    assert_eq!(done.bytes, 300_000);
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    assert!(
        !dir.join("v.mp4.part").exists(),
        "renamed from the part file"
    );
    assert!(server.seen()[0].header("authorization").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file host that cuts the first answer at 40 % and answers ranges from what `reply_range`
/// says.
fn cut_then(
    body: &[u8],
    reply_range: impl Fn(usize, &[u8]) -> Reply + Send + Sync + 'static,
) -> Server {
    let body = body.to_vec();
    Server::start(Box::new(move |n, seen| {
        let total = body.len();
        match (n, seen.header("range")) {
            (0, _) => {
                let mut r = head(
                    "200 OK",
                    &[
                        ("Content-Type", "video/mp4".into()),
                        ("Accept-Ranges", "bytes".into()),
                        ("Content-Length", total.to_string()),
                    ],
                );
                r.extend_from_slice(&body[..total * 2 / 5]);
                Reply::Raw(r)
            }
            (_, Some(range)) => {
                let start = range
                    .trim_start_matches("bytes=")
                    .trim_end_matches('-')
                    .parse()
                    .unwrap_or(0);
                reply_range(start, &body)
            }
            _ => media(&body),
        }
    }))
}

pub fn g2_cut_stream_resumes<C: MatrixClient>() {
    let body = file(100_000);
    let server = cut_then(&body, |start, body| {
        let total = body.len();
        response(
            "206 Partial Content",
            &[
                ("Content-Type", "video/mp4".into()),
                (
                    "Content-Range",
                    format!("bytes {start}-{}/{total}", total - 1),
                ),
                ("Content-Length", (total - start).to_string()),
            ],
            &body[start..],
        )
    });
    let dir = scratch("g2");
    let dest = dir.join("v.mp4");
    client::<C>(&|_| {})
        .download(&format!("{}/v.mp4", server.url), &dest)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), body, "byte-exact");
    let seen = server.seen();
    assert_eq!(seen[1].header("range"), Some("bytes=40000-"));
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn g2_ranges_that_do_not_fit_start_over<C: MatrixClient>() {
    // The resume is answered with a range starting elsewhere: never appended; the download
    // starts over without ranges and the file is right.
    let body = file(100_000);
    let server = cut_then(&body, |_, body| {
        let total = body.len();
        response(
            "206 Partial Content",
            &[
                ("Content-Type", "video/mp4".into()),
                ("Content-Range", format!("bytes 10-{}/{total}", total - 1)),
                ("Content-Length", (total - 10).to_string()),
            ],
            &body[10..],
        )
    });
    let dir = scratch("g2b");
    let dest = dir.join("v.mp4");
    client::<C>(&|_| {})
        .download(&format!("{}/v.mp4", server.url), &dest)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), body, "byte-exact");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen[2].header("range").is_none(), "started over");
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn g3_over_the_cap_removes_the_part_file<C: MatrixClient>() {
    let server = Server::start(Box::new(|_, _| Reply::Endless {
        head: head("200 OK", &[("Content-Type", "video/mp4".into())]),
        max_bytes: 20 << 20,
    }));
    let dir = scratch("g3");
    let dest = dir.join("big.mp4");
    let e = client::<C>(&|c| c.download.max_bytes = 1 << 20)
        .download(&format!("{}/big.mp4", server.url), &dest)
        .unwrap_err();
    assert!(
        matches!(&e, Error::Transport(t) if t.failure() == TransportFailure::BodyTooLarge),
        "{e}"
    );
    assert!(!dest.exists());
    assert!(
        !dir.join("big.mp4.part").exists(),
        "no part file left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

pub fn g4_html_instead_of_media<C: MatrixClient>() {
    for (ct, body) in [
        ("text/html", &b"<html>sign in</html>"[..]),
        (
            "application/xml",
            b"<Error><Code>AccessDenied</Code></Error>",
        ),
    ] {
        let server = Server::start(Box::new(move |_, _| {
            response(
                "200 OK",
                &[
                    ("Content-Type", ct.into()),
                    ("Content-Length", body.len().to_string()),
                ],
                body,
            )
        }));
        let dir = scratch("g4");
        let dest = dir.join("v.mp4");
        let e = client::<C>(&|_| {})
            .download(&format!("{}/v.mp4", server.url), &dest)
            .unwrap_err();
        assert!(e.to_string().contains("media"), "{e}");
        assert!(!dest.exists() && !dir.join("v.mp4.part").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

pub fn g5_gone_files<C: MatrixClient>() {
    for status in ["403 Forbidden", "404 Not Found"] {
        let server = Server::start(Box::new(move |_, _| {
            response(status, &[("Content-Length", "0".into())], b"")
        }));
        let dir = scratch("g5");
        let e = client::<C>(&|_| {})
            .download(&format!("{}/v.mp4", server.url), &dir.join("v.mp4"))
            .unwrap_err();
        assert!(e.to_string().contains("30 days"), "{e}");
        assert!(!e.is_retryable());
        assert_eq!(server.seen().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

pub fn g6_redirect_to_another_host<C: MatrixClient>() {
    let body = file(5000);
    let served = body.clone();
    let cdn = Server::start(Box::new(move |_, _| media(&served)));
    let location = format!("{}/real.mp4", cdn.url);
    let origin = Server::start(Box::new(move |_, _| {
        response(
            "302 Found",
            &[
                ("Location", location.clone()),
                ("Content-Length", "0".into()),
            ],
            b"",
        )
    }));
    let dir = scratch("g6");
    let dest = dir.join("v.mp4");
    client::<C>(&|_| {})
        .download(&format!("{}/v.mp4", origin.url), &dest)
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    assert!(origin.seen()[0].header("authorization").is_none());
    assert!(
        cdn.seen()[0].header("authorization").is_none(),
        "no credentials on the second host"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Result URLs pointing where downloads may not go: refused before connecting, nothing
/// written, whatever the spelling; a name resolving to loopback and a redirect to one too;
/// the same URLs allowed when the config says so.
pub fn g6_hostile_urls_are_refused_unless_allowed<C: MatrixClient>() {
    let body = file(1000);
    let served = body.clone();
    let server = Server::start(Box::new(move |_, _| media(&served)));
    let port = server.url.rsplit(':').next().unwrap_or_default().to_owned();
    let dir = scratch("g6-guard");
    let dest = dir.join("v.mp4");
    // The API host is public: nothing local is trusted.
    let strict = C::real("http://api.invalid", &|_| {});
    let hostile = [
        format!("http://127.0.0.1:{port}/v.mp4"),
        format!("http://2130706433:{port}/v.mp4"),
        format!("http://0x7f.1:{port}/v.mp4"),
        format!("http://0177.0.0.1:{port}/v.mp4"),
        format!("http://[::ffff:127.0.0.1]:{port}/v.mp4"),
        format!("http://[::1]:{port}/v.mp4"),
        format!("http://localhost:{port}/v.mp4"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://0xa9fea9fe/latest/meta-data/".to_owned(),
        "http://10.0.0.5/v.mp4".to_owned(),
        "http://012.0.0.5/v.mp4".to_owned(),
        "http://172.16.0.1/v.mp4".to_owned(),
        "http://192.168.1.1/v.mp4".to_owned(),
        "http://100.64.0.1/v.mp4".to_owned(),
        "http://[fd00:ec2::254]/v.mp4".to_owned(),
        "http://[fe80::1]/v.mp4".to_owned(),
        "http://0.0.0.0/v.mp4".to_owned(),
    ];
    for url in &hostile {
        let e = strict.download(url, &dest).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport, "{url}: {e}");
        assert!(e.to_string().contains("download refused"), "{url}: {e}");
        assert!(!dest.exists() && !dir.join("v.mp4.part").exists(), "{url}");
    }
    for url in ["file:///etc/passwd", "ftp://example.com/v.mp4"] {
        assert!(strict.download(url, &dest).is_err(), "{url}");
    }
    assert!(server.seen().is_empty(), "nothing reached the server");

    // A trusted host redirecting to a name that resolves to loopback: refused at the hop.
    let to_localhost = format!("http://localhost:{port}/v.mp4");
    let origin = Server::start(Box::new(move |_, _| {
        response(
            "302 Found",
            &[
                ("Location", to_localhost.clone()),
                ("Content-Length", "0".into()),
            ],
            b"",
        )
    }));
    let trusting_origin = C::real("http://api.invalid", &|c| {
        c.download.allow = kling_core::download::DownloadAllow::public_only().host("127.0.0.1");
    });
    let e = trusting_origin
        .download(&format!("{}/v.mp4", origin.url), &dest)
        .unwrap_err();
    assert!(e.to_string().contains("download refused"), "{e}");
    assert!(!dest.exists());
    assert!(
        server.seen().is_empty(),
        "the redirect target was never asked"
    );

    // Allowed by the config: the same loopback host and name download as usual.
    let open = C::real("http://api.invalid", &|c| {
        c.download.allow = kling_core::download::DownloadAllow::any_address();
    });
    for url in [
        format!("http://127.0.0.1:{port}/v.mp4"),
        format!("http://localhost:{port}/v.mp4"),
    ] {
        let done = open.download(&url, &dest).unwrap();
        assert_eq!(done.bytes, 1000, "{url}");
        assert_eq!(std::fs::read(&dest).unwrap(), body);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn g7_server_ids_never_choose_a_path<C: MatrixClient>() {
    // A task whose video id climbs out of the folder: the file lands inside it all the same.
    let body = file(1000);
    let served = body.clone();
    let cdn = Server::start(Box::new(move |_, _| media(&served)));
    let done = format!(
        r#"{{"code":0,"message":"SUCCEED","data":{{"task_id":"1","task_status":"succeed",
            "task_result":{{"videos":[{{"id":"../kling-escape","url":"{}/v.mp4"}},{{"id":"/abs/x","url":"{}/v.mp4"}}]}}}}}}"#,
        cdn.url, cdn.url
    );
    let script = Script::new([
        Answer::json(200, &task("1", "submitted")),
        Answer::json(200, &done),
    ]);
    let api = serve(&script);
    let root = scratch("g7");
    let dir = root.join("inside");
    let (_, files) = C::real(&api.url, &|_| {})
        .job(super::create_request(), &dir)
        .unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.path
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["_kling-escape.mp4", "_abs_x.mp4"]);
    assert!(
        !root.join("kling-escape.mp4").exists(),
        "nothing next to the folder"
    );
    let listed: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
    assert_eq!(listed.len(), 1, "only the folder itself in its parent");
    std::fs::remove_dir_all(&root).unwrap();
}

pub fn g8_disk_errors_are_local_and_final<C: MatrixClient>() {
    // The destination's folder cannot be made (a file stands where it should be): a local
    // error, not a transport one, and not retryable.
    let body = file(100);
    let served = body.clone();
    let server = Server::start(Box::new(move |_, _| media(&served)));
    let root = scratch("g8");
    std::fs::create_dir_all(&root).unwrap();
    let blocker = root.join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let e = client::<C>(&|_| {})
        .download(&format!("{}/v.mp4", server.url), &blocker.join("v.mp4"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(
        !e.is_retryable(),
        "a disk problem is not fixed by sending again"
    );
    assert_eq!((e.code(), e.http_status()), (None, None));
    assert!(e.to_string().contains("not-a-folder"), "{e}");
    std::fs::remove_dir_all(&root).unwrap();
}
