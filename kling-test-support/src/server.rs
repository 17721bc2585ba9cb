//! A small HTTP/1.1 server on 127.0.0.1 (port 0) for loopback tests, and the raw-socket
//! faults of `reliability.md` section 5: a handler per request (each on its own thread), one
//! request per connection, bounded to 50 connections, stopped when dropped. Every fault is
//! bounded in time by the server itself.

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
#[derive(Clone, Debug)]
pub enum Reply {
    /// Writes these bytes (a whole response) and closes.
    Raw(Vec<u8>),
    /// Reads the request, then says nothing for this long (accept and hang).
    Stall(Duration),
    /// Writes these bytes (a head, part of a body), then says nothing for this long.
    RawThenStall(Vec<u8>, Duration),
    /// Reads the request and closes the connection (FIN) before any header.
    Close,
    /// Reads the request and resets the connection (RST: zero linger) before any header.
    Reset,
    /// Writes these bytes (a head, part of a body), then resets the connection.
    ResetAfter(Vec<u8>),
    /// Slow loris: writes `head`, then one byte every `every`, for at most `for_at_most`.
    Dribble {
        head: Vec<u8>,
        every: Duration,
        for_at_most: Duration,
    },
    /// Writes `head`, then bytes as fast as the client reads them, until it hangs up or
    /// `max_bytes` were written.
    Endless { head: Vec<u8>, max_bytes: u64 },
}

/// A head of `status` with these headers (no body yet).
pub fn head(status: &str, headers: &[(&str, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// Resets `stream`: a zero linger turns the close into an RST.
fn reset(stream: TcpStream) {
    let socket = socket2::Socket::from(stream);
    let _ = socket.set_linger(Some(Duration::ZERO));
    drop(socket);
}

/// Carries out `reply` on `stream`.
fn answer(mut stream: TcpStream, reply: Reply) {
    match reply {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            let _ = stream.shutdown(Shutdown::Both);
        }
        Reply::Stall(d) => std::thread::sleep(d),
        Reply::RawThenStall(bytes, d) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            std::thread::sleep(d);
        }
        Reply::Close => {
            let _ = stream.shutdown(Shutdown::Both);
        }
        Reply::Reset => reset(stream),
        Reply::ResetAfter(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            // Let the bytes leave before the RST discards the send queue.
            std::thread::sleep(Duration::from_millis(50));
            reset(stream);
        }
        Reply::Dribble {
            head,
            every,
            for_at_most,
        } => {
            let started = std::time::Instant::now();
            if stream.write_all(&head).is_err() {
                return;
            }
            while started.elapsed() < for_at_most {
                if stream
                    .write_all(b"x")
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
                std::thread::sleep(every);
            }
        }
        Reply::Endless { head, max_bytes } => {
            if stream.write_all(&head).is_err() {
                return;
            }
            let chunk = vec![0x42u8; 64 * 1024];
            let mut written = 0u64;
            while written < max_bytes {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
                written += chunk.len() as u64;
            }
        }
    }
}

/// A loopback port nothing listens on: connecting is refused.
pub fn refused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9)
}

/// A loopback address whose connects never complete: a listener with a backlog of 0 that
/// never accepts, its queue filled with idle sockets (Linux drops further SYNs). Dropping it
/// closes everything.
#[cfg(target_os = "linux")]
pub struct Unconnectable {
    pub url: String,
    _listener: socket2::Socket,
    _fillers: Vec<socket2::Socket>,
}

#[cfg(target_os = "linux")]
impl Unconnectable {
    pub fn new() -> std::io::Result<Self> {
        use socket2::{Domain, Socket, Type};
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        listener.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
        listener.listen(0)?;
        let addr = listener
            .local_addr()?
            .as_socket()
            .ok_or_else(|| std::io::Error::other("no address"))?;
        let mut fillers = Vec::new();
        // Fill the accept queue: non-blocking connects, so none of them waits.
        for _ in 0..8 {
            let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
            s.set_nonblocking(true)?;
            let _ = s.connect(&addr.into());
            fillers.push(s);
        }
        std::thread::sleep(Duration::from_millis(50));
        Ok(Self {
            url: format!("http://{addr}"),
            _listener: listener,
            _fillers: fillers,
        })
    }
}

pub fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Reply {
    let mut bytes = head(status, headers);
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
                workers.push(std::thread::spawn(move || {
                    answer(stream, handler(n, &request))
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
