//! A small HTTP/1.1 server on 127.0.0.1 (port 0) for loopback tests: one connection at a
//! time, a handler per request, bounded to 50 connections, stopped when dropped.



use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Writes these bytes (a whole response) and closes.
    Raw(Vec<u8>),
    /// Reads the request, then says nothing for this long.
    Stall(Duration),
    /// Writes these bytes (a head, part of a body), then says nothing for this long.
    RawThenStall(Vec<u8>, Duration),
}

pub fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Reply {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Reply::Raw(bytes)
}

pub fn json(status: &str, body: &str) -> Reply {
    response(
        status,
        &[
            ("Content-Type", "application/json".into()),
            ("Content-Length", body.len().to_string()),
        ],
        body.as_bytes(),
    )
}

pub type Handler = Box<dyn Fn(usize, &Seen) -> Reply + Send + Sync>;

pub struct Server {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// A server answering at most 50 connections (tests).
    pub fn start(handler: Handler) -> Self {
        Self::start_with_limit(handler, 50)
    }

    /// A server answering at most `limit` connections (benchmarks).
    pub fn start_with_limit(handler: Handler, limit: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let handler = Arc::new(handler);
            let mut workers: Vec<JoinHandle<()>> = Vec::new();
            for (n, stream) in listener.incoming().enumerate() {
                if stop2.load(Ordering::SeqCst) || n > limit {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let Some(request) = read_request(&stream) else {
                    continue;
                };
                seen2.lock().unwrap().push(request.clone());
                // Each connection on its own thread: a stalled answer does not hold up the next.
                let handler = handler.clone();
                workers.push(std::thread::spawn(move || match handler(n, &request) {
                    Reply::Raw(bytes) => {
                        let mut s = stream;
                        let _ = s.write_all(&bytes);
                        let _ = s.flush();
                        let _ = s.shutdown(Shutdown::Both);
                    }
                    Reply::Stall(d) => std::thread::sleep(d),
                    Reply::RawThenStall(bytes, d) => {
                        let mut s = stream;
                        let _ = s.write_all(&bytes);
                        let _ = s.flush();
                        std::thread::sleep(d);
                    }
                }));
                workers.retain(|w| !w.is_finished());
            }
            for w in workers {
                let _ = w.join();
            }
        });
        Self {
            url: format!("http://{addr}"),
            seen,
            stop,
            thread: Some(thread),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        line: line.trim_end().to_owned(),
        headers,
        body,
    })
}
