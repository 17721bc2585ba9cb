#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Test support: its items are documented by their use.
#![allow(missing_docs, clippy::print_stdout, clippy::print_stderr)]

pub mod fuzz;
pub mod keepalive;
pub mod matrix;
pub mod partition;
pub mod redis;
mod script;
pub mod server;
pub mod table;
pub mod trace;

use std::sync::Arc;
use std::time::Duration;

use kling_core::HttpRequest;

pub use script::*;

/// A loopback server that answers from `script` and records what it receives into it, so the
/// reliability table can run through a client's real transport.
pub fn serve(script: &Script) -> server::Server {
    serve_with_limit(script, 50)
}

/// As [`serve`], for up to `limit` connections.
pub fn serve_with_limit(script: &Script, limit: usize) -> server::Server {
    serve_after_faults(script, Vec::new(), limit)
}

/// As [`serve`], the first connections answered with `faults` (one each, in order; the
/// requests are recorded into `script` all the same), the rest from `script`.
pub fn serve_after_faults(
    script: &Script,
    faults: Vec<server::Reply>,
    limit: usize,
) -> server::Server {
    let script = script.clone();
    server::Server::start_with_limit(
        Box::new(move |n, seen| {
            script.record(as_request(seen));
            match faults.get(n) {
                Some(fault) => fault.clone(),
                None => scripted(script.next()),
            }
        }),
        limit,
    )
}

/// What the server saw, as the request the client built.
fn as_request(seen: &server::Seen) -> HttpRequest {
    let (method, rest) = seen.line.split_once(' ').unwrap_or(("GET", "/ HTTP/1.1"));
    let path = rest.rsplit_once(' ').map_or(rest, |(p, _)| p);
    let method = if method == "POST" {
        kling_core::http::Method::Post
    } else {
        kling_core::http::Method::Get
    };
    let mut request = HttpRequest::new(method, format!("http://loopback{path}"));
    request.headers = seen.headers.iter().map(|(k, v)| (k, v)).collect();
    request.body = (!seen.body.is_empty()).then(|| Arc::from(seen.body.clone()));
    request
}

/// A scripted answer as bytes on the wire.
fn scripted(answer: Option<Answer>) -> server::Reply {
    match answer {
        Some(Answer::Response(r)) => {
            let mut out = format!(
                "HTTP/1.1 {} X\r\nConnection: close\r\nContent-Length: {}\r\n",
                r.status,
                r.body.len()
            );
            for (k, v) in &r.headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&r.body);
            server::Reply::Raw(bytes)
        }
        Some(Answer::TimeoutAfterSend) => server::Reply::Stall(Duration::from_millis(1500)),
        Some(Answer::Refused) | None => server::Reply::Close,
    }
}
