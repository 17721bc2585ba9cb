//! A TCP relay on 127.0.0.1 that a test can cut, as a network partition does: while cut, it
//! holds every byte (nothing is lost, nothing arrives), and a heal delivers what was held. It
//! stages a worker cut off from Redis while the rest of the fleet is not.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How often a relay thread looks at the cut and stop flags.
const TICK: Duration = Duration::from_millis(20);
/// More connections than a test makes: the relay stops accepting after it.
const MAX_CONNECTIONS: usize = 64;

/// A relay to one port on 127.0.0.1; it stops (and drops its connections) when dropped.
#[derive(Debug)]
pub struct Partition {
    /// The relay's own port on 127.0.0.1: connect here instead of the target.
    pub port: u16,
    cut: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Partition {
    /// A relay to `127.0.0.1:target`, open.
    pub fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
        let port = listener.local_addr().expect("its address").port();
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let cut = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (cut.clone(), stop.clone());
        std::thread::spawn(move || {
            let accepted = AtomicUsize::new(0);
            while !s.load(Ordering::SeqCst) && accepted.load(Ordering::SeqCst) < MAX_CONNECTIONS {
                match listener.accept() {
                    Ok((client, _)) => {
                        accepted.fetch_add(1, Ordering::SeqCst);
                        let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                            continue;
                        };
                        relay(client, server, c.clone(), s.clone());
                    }
                    Err(_) => std::thread::sleep(TICK),
                }
            }
        });
        Self { port, cut, stop }
    }

    /// Holds everything from now on, both ways.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }

    /// Delivers what was held and relays again.
    pub fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Partition {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Copies both ways between `a` and `b`, each way on its own thread.
fn relay(a: TcpStream, b: TcpStream, cut: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    let pairs = [
        (a.try_clone(), b.try_clone()),
        (b.try_clone(), a.try_clone()),
    ];
    for (from, to) in pairs {
        let (Ok(from), Ok(to)) = (from, to) else {
            return;
        };
        let (cut, stop) = (cut.clone(), stop.clone());
        std::thread::spawn(move || copy(from, to, &cut, &stop));
    }
}

fn copy(mut from: TcpStream, mut to: TcpStream, cut: &AtomicBool, stop: &AtomicBool) {
    let _ = from.set_read_timeout(Some(TICK));
    let mut buf = [0u8; 16 * 1024];
    while !stop.load(Ordering::SeqCst) {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(_) => break,
        };
        // Cut: the bytes wait here, as packets a partition drops are sent again after it.
        while cut.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(TICK);
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
