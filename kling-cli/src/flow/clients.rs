//! The SDK clients a command runs with, built from the settings: the API's (legacy and new
//! standard), RunBlob's, and one for downloads alone.

use std::sync::Arc;
use std::time::Duration;

use kling_client_async::fleet::AsyncTaskSlots;
use kling_client_async::{AsyncRequestPacer, RateConfig};
use kling_client_async::{Client, Config};

use super::Ctx;
use crate::args::show_duration;
use crate::output::CommandError;

/// The shortest polling cadence against Kling or RunBlob: the SDK's own floor (`min_delay`),
/// so `--poll-interval` cannot hammer a real API. A local server (the mock) may be polled faster.
const POLL_FLOOR: Duration = Duration::from_secs(1);

/// Whether `url` points at this machine (the mock, a local proxy).
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Ctx {
    /// A client of the Kling API (legacy and new standard).
    pub(crate) fn kling(&self) -> Result<Client, CommandError> {
        self.client(
            &self.settings.base_url.value,
            self.settings.kling_credentials()?,
            None,
        )
    }

    /// A client of the Kling API whose jobs hold `slots` and whose requests draw on `pacer`
    /// (a fleet's, shared through Redis).
    pub(crate) fn kling_for_fleet(
        &self,
        slots: Arc<dyn AsyncTaskSlots>,
        pacer: Arc<dyn AsyncRequestPacer>,
    ) -> Result<Client, CommandError> {
        self.client(
            &self.settings.base_url.value,
            self.settings.kling_credentials()?,
            Some((slots, pacer)),
        )
    }

    /// The request budget `--rate` asks for (the SDK's default otherwise).
    pub(crate) fn rate(&self) -> RateConfig {
        let mut rate = RateConfig::default();
        if let Some(r) = &self.settings.rate {
            rate.per_second = r.value;
            // A burst of a second's worth: a quiet client may send that many at once.
            rate.burst = u32::try_from(r.value.ceil() as u64)
                .unwrap_or(u32::MAX)
                .max(1);
        }
        rate
    }

    /// A client of the new standard, which takes only an API key: a missing one is said in
    /// the command's terms before anything is built or sent.
    pub(crate) fn standard(&self) -> Result<Client, CommandError> {
        if self.settings.api_key.is_none() {
            return Err(kling_errors::AuthError::new(
                kling_errors::AuthFailure::Missing,
                "the new standard (`kling v2`) takes only an API key: set --api-key, \
                 KLING_API_KEY or api_key in a profile (an access key pair is not enough)",
            )
            .into());
        }
        self.kling()
    }

    /// A client for downloads alone, with the settings' TLS roots and timeouts and no
    /// credentials: a download never carries any, and any API call is refused.
    pub(crate) fn downloader(&self) -> Result<Client, CommandError> {
        self.client(
            &self.settings.base_url.value,
            kling_auth::Credentials::None,
            None,
        )
    }

    /// A client of RunBlob.
    pub(crate) fn runblob(&self) -> Result<Client, CommandError> {
        self.client(
            &self.settings.runblob_url.value,
            self.settings.runblob_credentials()?,
            None,
        )
    }

    fn client(
        &self,
        base_url: &str,
        credentials: kling_auth::Credentials,
        fleet: Option<(Arc<dyn AsyncTaskSlots>, Arc<dyn AsyncRequestPacer>)>,
    ) -> Result<Client, CommandError> {
        let mut config = Config::with_base_url(base_url);
        config.rate = Some(self.rate());
        if let Some(every) = &self.settings.poll_interval {
            let mut every = every.value;
            if every < POLL_FLOOR && !is_loopback(base_url) {
                eprintln!(
                    "note: --poll-interval {} is below the 1s floor for {base_url}; polling every 1s",
                    show_duration(every)
                );
                every = POLL_FLOOR;
            }
            // A steady cadence: the first delay, the floor and the cap of the SDK's schedule.
            config.poll.first_delay = every;
            config.poll.min_delay = every;
            config.poll.cap = every;
            // A local server shows a new task at once: ten looks are grace enough.
            if is_loopback(base_url) {
                config.poll.unseen_grace = config.poll.unseen_grace.min(every.saturating_mul(10));
            }
        }
        if let Some(max) = &self.settings.max_wait {
            config.poll.max_wait = max.value;
        }
        if let Some(ca) = &self.settings.ca_cert {
            let path = &ca.value;
            let pem = std::fs::read_to_string(path)
                .map_err(|e| kling_errors::IoError::new("read the --ca-cert file", path, e))?;
            // Named by its flag here, not by the SDK's field.
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(CommandError::usage(format!(
                    "{} {}: not a PEM certificate file (no \"BEGIN CERTIFICATE\" block)",
                    ca.source,
                    path.display()
                )));
            }
            config.tls_roots_pem = Some(pem);
        }
        config.download.allow = self.settings.download_allow();
        let builder = Client::builder().credentials(credentials).config(config);
        Ok(match fleet {
            Some((slots, pacer)) => builder.task_slots(slots).request_pacer(pacer),
            None => builder,
        }
        .build()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:9/",
            "https://u@127.0.0.2",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://api-singapore.klingai.com",
            "http://127.example.com",
            "http://10.0.0.1",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
