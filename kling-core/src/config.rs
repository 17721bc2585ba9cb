//! Client configuration: every policy number of `reliability.md` as a documented default the
//! user can change.

use std::time::Duration;

/// The Singapore host (servers outside mainland China; the default).
pub const SINGAPORE: &str = "https://api-singapore.klingai.com";
/// The Beijing host (servers in mainland China).
pub const BEIJING: &str = "https://api-beijing.klingai.com";
/// RunBlob's platform host.
pub const RUNBLOB: &str = "https://platform.runblob.io";

/// An exponential backoff: `base × factor^(n-1)`, capped, then multiplied by a jitter drawn
/// from `[jitter_min, 1]` ("equal jitter": a guaranteed minimum wait).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// The first delay.
    pub base: Duration,
    /// Growth per attempt.
    pub factor: f64,
    /// The largest delay.
    pub cap: Duration,
    /// The smallest jitter factor.
    pub jitter_min: f64,
}

impl Backoff {
    /// A backoff.
    pub const fn new(base: Duration, factor: f64, cap: Duration) -> Self {
        Self {
            base,
            factor,
            cap,
            jitter_min: 0.5,
        }
    }

    /// The delay before retry number `n` (1 for the first retry), for a random draw `u` in `[0, 1)`.
    pub fn delay(&self, n: u32, u: f64) -> Duration {
        let grown = self.base.as_secs_f64() * self.factor.powi(n.saturating_sub(1).min(64) as i32);
        let capped = grown.min(self.cap.as_secs_f64());
        let jitter = self.jitter_min + (1.0 - self.jitter_min) * u.clamp(0.0, 1.0);
        crate::time::saturating_secs(capped * jitter)
    }
}

/// Retry settings (`reliability.md` 1.3.3).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts of an idempotent request, the first included (4).
    pub max_read_attempts: u32,
    /// POSTs of a create, the first included (3).
    pub max_create_posts: u32,
    /// Retries of a read whose answer arrived but did not decode (truncated, empty or not
    /// JSON), within `max_read_attempts` (2).
    pub max_decode_retries: u32,
    /// Transient failures: 0.5 s, ×2, cap 8 s.
    pub transient: Backoff,
    /// Throttling (1302, bare 429, maintenance): 1 s, ×2, cap 20 s.
    pub throttle: Backoff,
    /// Concurrency full (1303 on a create): 5 s, ×2, cap 60 s, bounded by the deadline.
    pub concurrency: Backoff,
    /// A `Retry-After` longer than this is not waited for: the error is returned with it (60 s).
    pub max_retry_after: Duration,
    /// The budget of a whole call, retries included (120 s).
    pub operation_deadline: Duration,
    /// The grace before the second reconcile lookup of an ambiguous create (3 s).
    pub reconcile_grace: Duration,
    /// Retry budget tokens shared by clones (500); a retry after an HTTP failure costs 5, after
    /// a timeout or connection failure 10; a first-try success refunds 1.
    pub budget: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_read_attempts: 4,
            max_create_posts: 3,
            max_decode_retries: 2,
            transient: Backoff::new(Duration::from_millis(500), 2.0, Duration::from_secs(8)),
            throttle: Backoff::new(Duration::from_secs(1), 2.0, Duration::from_secs(20)),
            concurrency: Backoff::new(Duration::from_secs(5), 2.0, Duration::from_secs(60)),
            max_retry_after: Duration::from_secs(60),
            operation_deadline: Duration::from_secs(120),
            reconcile_grace: Duration::from_secs(3),
            budget: 500,
        }
    }
}

/// Polling settings (`reliability.md` 2.2).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PollConfig {
    /// Delay before the first poll of a task just created (5 s; zero polls at once), and the
    /// first gap of the schedule. A wait on a task of unknown age looks at once.
    pub first_delay: Duration,
    /// The shortest delay between two polls (1 s), whatever the other settings say: a zero
    /// first delay never turns into a GET per round trip.
    pub min_delay: Duration,
    /// Growth per poll (1.5), within [`fraction`](Self::fraction).
    pub factor: f64,
    /// The longest delay (30 s).
    pub cap: Duration,
    /// Each gap is at most this share of the time waited so far (0.1; planned at 90 % of
    /// it, so the poll's own request fits), and never below
    /// [`min_delay`](Self::min_delay): a task that ends is noticed within max(1 s, 10 % of
    /// the time it has run). `f64::INFINITY` leaves the gaps to
    /// [`factor`](Self::factor) and [`cap`](Self::cap) alone.
    pub fraction: f64,
    /// Each delay is multiplied by a draw from `[1 - jitter, 1]` (0.1): jitter only ever
    /// shortens a gap, so it never stretches the notice time past the bound above.
    pub jitter: f64,
    /// Waits of one client whose tasks share a [`PollGroup`](kling_types::PollGroup) are
    /// polled together (true): a batch `GET /tasks` of up to 20 ids, the new standard's
    /// listing of tasks in flight, a legacy family's list pages, each answering many waits at
    /// once. A task a shared poll does not show is polled on its own. `false`: every wait
    /// polls alone.
    pub shared: bool,
    /// The gap between two polls of a wait that a callback will nudge
    /// ([`WaitOptions::nudge`](crate::WaitOptions::nudge)): 60 s. The callback is expected to
    /// ring; the polls are the fallback that finds a lost one.
    pub callback_fallback: Duration,
    /// How long to wait in all (30 min).
    pub max_wait: Duration,
    /// Consecutive failed polls that end the wait (10).
    pub max_consecutive_failures: u32,
    /// How long after its first look a wait keeps looking for a task the API has not found
    /// yet (10 s: what a task just created may need to show up in a lookup); then the wait
    /// ends with [`TaskNotFoundError`](kling_errors::TaskNotFoundError). A task seen once
    /// and then not found ends the wait at once.
    pub unseen_grace: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            first_delay: Duration::from_secs(5),
            min_delay: Duration::from_secs(1),
            factor: 1.5,
            cap: Duration::from_secs(30),
            fraction: 0.1,
            jitter: 0.1,
            shared: true,
            callback_fallback: Duration::from_secs(60),
            max_wait: Duration::from_secs(30 * 60),
            max_consecutive_failures: 10,
            unseen_grace: Duration::from_secs(10),
        }
    }
}

/// Download settings (`reliability.md` 4.10).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DownloadConfig {
    /// The largest file accepted (2 GiB).
    pub max_bytes: u64,
    /// Attempts, the first included, to finish a broken download (3).
    pub max_attempts: u32,
    /// The total time of one download attempt (30 min).
    pub timeout: Duration,
    /// Which addresses a download may reach besides public ones: none by default (a result
    /// URL is the server's word, and may point at a metadata service or an internal host).
    /// The API's own host is always trusted, and when it is on loopback (a mock, a local
    /// gateway), so are loopback addresses.
    pub allow: crate::download::DownloadAllow,
}

impl Default for DownloadConfig {
    fn default() -> Self {
        Self {
            max_bytes: 2 << 30,
            max_attempts: 3,
            timeout: Duration::from_secs(30 * 60),
            allow: crate::download::DownloadAllow::default(),
        }
    }
}

/// Everything a client needs besides credentials and a transport.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The API host, without a trailing slash (Singapore by default).
    pub base_url: String,
    /// Connect timeout (10 s).
    pub connect_timeout: Duration,
    /// Read-idle timeout (30 s).
    pub read_timeout: Duration,
    /// Total time of one JSON call attempt (60 s), shrunk to the remaining deadline.
    pub request_timeout: Duration,
    /// The largest JSON response accepted (1 MiB).
    pub max_response_bytes: usize,
    /// Retries.
    pub retry: RetryConfig,
    /// Polling.
    pub poll: PollConfig,
    /// Downloads.
    pub download: DownloadConfig,
    /// Creates wait this long in all, reconciliation included (120 s).
    pub create_timeout: Duration,
    /// At most this many tasks of this client (and its clones) in flight at once; `None`: no
    /// limit. Size it to your resource pack: 1303 means the pack's limit was reached.
    pub max_in_flight_tasks: Option<usize>,
    /// How fast the client (and its clones) may send: a budget of requests a second, halved
    /// by each 1302 and earned back slowly (20 a second, a burst of 20, the account
    /// endpoints 1 a second). `None`: requests go as fast as they come. A fleet shares one
    /// budget through [`ClientBuilder::request_pacer`](crate::ClientBuilder::request_pacer).
    pub rate: Option<crate::pace::RateConfig>,
    /// The `User-Agent`.
    pub user_agent: String,
    /// Certificates (PEM) to trust instead of the usual roots (the system's for the async
    /// client, the bundled Mozilla roots for the blocking one): a private CA, a proxy that
    /// intercepts TLS, `kling mock serve --tls`. `None`: the usual roots. Checked when the
    /// client is built ([`tls_roots`](Self::tls_roots)).
    pub tls_roots_pem: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: SINGAPORE.to_owned(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            max_response_bytes: 1 << 20,
            retry: RetryConfig::default(),
            poll: PollConfig::default(),
            download: DownloadConfig::default(),
            create_timeout: Duration::from_secs(120),
            max_in_flight_tasks: None,
            rate: Some(crate::pace::RateConfig::default()),
            user_agent: format!("kling-rs/{}", env!("CARGO_PKG_VERSION")),
            tls_roots_pem: None,
        }
    }
}

impl Config {
    /// The longest any duration of a configuration is taken to be (ten years): "forever"
    /// (`Duration::MAX`) means this, so no clock or timer arithmetic can overflow.
    pub const LONGEST: Duration = Duration::from_secs(10 * 365 * 86_400);

    /// The configuration with every duration shortened to at most [`LONGEST`](Self::LONGEST)
    /// (the builder applies it).
    #[must_use]
    pub fn bounded(mut self) -> Self {
        for d in [
            &mut self.connect_timeout,
            &mut self.read_timeout,
            &mut self.request_timeout,
            &mut self.create_timeout,
            &mut self.retry.max_retry_after,
            &mut self.retry.operation_deadline,
            &mut self.retry.reconcile_grace,
            &mut self.retry.transient.base,
            &mut self.retry.transient.cap,
            &mut self.retry.throttle.base,
            &mut self.retry.throttle.cap,
            &mut self.retry.concurrency.base,
            &mut self.retry.concurrency.cap,
            &mut self.poll.first_delay,
            &mut self.poll.min_delay,
            &mut self.poll.cap,
            &mut self.poll.max_wait,
            &mut self.poll.unseen_grace,
            &mut self.download.timeout,
        ] {
            *d = (*d).min(Self::LONGEST);
        }
        self
    }

    /// What downloads may reach: [`download.allow`](DownloadConfig::allow), plus the API's
    /// own host (the host you send your credentials to), plus every loopback address when
    /// that host is on loopback (a mock, a local gateway). The transports check each
    /// download's destination against it when they connect.
    pub fn download_allow(&self) -> crate::download::DownloadAllow {
        let mut allow = self.download.allow.clone();
        let host = crate::http::host_of(&self.base_url);
        let host = host.rsplit('@').next().unwrap_or(host);
        let bare = if host.starts_with('[') {
            host.split_once(']')
                .map_or(host, |(h, _)| &host[1..h.len()])
        } else {
            host.split(':').next().unwrap_or(host)
        };
        let on_loopback = bare.eq_ignore_ascii_case("localhost")
            || crate::download::guard::parse_ip_literal(bare).is_some_and(|ip| match ip {
                std::net::IpAddr::V4(v4) => v4.is_loopback(),
                std::net::IpAddr::V6(v6) => v6.is_loopback(),
            });
        allow.loopback |= on_loopback;
        allow.hosts.push(bare.to_owned());
        allow
    }

    /// The certificates of [`tls_roots_pem`](Self::tls_roots_pem), each in DER (what TLS
    /// stacks take); `None` when it is not set.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`](kling_errors::ValidationError) when the text holds no
    /// certificate or a certificate that does not decode.
    pub fn tls_roots(&self) -> Result<Option<Vec<Vec<u8>>>, kling_errors::ValidationError> {
        self.tls_roots_pem
            .as_deref()
            .map(crate::pem::certificates)
            .transpose()
    }

    /// The defaults, talking to Kling's Singapore host (servers outside mainland China).
    pub fn singapore() -> Self {
        Self::default()
    }

    /// The defaults, talking to Kling's Beijing host (servers in mainland China; the
    /// accounts and keys are separate from the global ones).
    pub fn beijing() -> Self {
        Self::with_base_url(BEIJING)
    }

    /// The defaults, talking to RunBlob's platform (`runblob::` requests; an API key is the
    /// only credential it takes).
    pub fn runblob() -> Self {
        Self::with_base_url(RUNBLOB)
    }

    /// The defaults, talking to `base_url`.
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_keeps_a_minimum() {
        let b = RetryConfig::default().throttle;
        assert_eq!(b.delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(
            b.delay(1, 0.999_999_999),
            Duration::from_secs_f64(0.999_999_999_5)
        );
        assert_eq!(b.delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(30, 1.0), Duration::from_secs(20));
        assert_eq!(b.delay(u32::MAX, 0.0), Duration::from_secs(10));
        // Whatever the settings, a delay, never a panic.
        let wild = Backoff::new(Duration::MAX, f64::MAX, Duration::MAX);
        assert_eq!(wild.delay(64, 1.0), Duration::MAX);
        let nan = Backoff::new(Duration::from_secs(1), f64::NAN, Duration::from_secs(8));
        assert_eq!(
            nan.delay(3, 1.0),
            Duration::from_secs(8),
            "NaN growth: the cap"
        );
    }
}
