//! How a mock behaves: [`MockConfig`] and its builder-style setters.

use std::path::PathBuf;
use std::time::Duration;

use crate::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY};

/// How the mock behaves. Build one from [`MockConfig::instant`] (tests) or [`MockConfig::demo`]
/// (demos) and adjust it with the setters, e.g.
/// `MockConfig::instant().max_concurrency(2).credits(10)`.
///
/// The fields are public too (older code sets them directly); the setters are the way to go.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MockConfig {
    /// A task is `submitted` until this long after its create, then `processing`.
    pub processing_after: Duration,
    /// A task finishes this long after its create (zero: the first poll finds it finished; the
    /// create itself still answers `submitted`, as Kling always does).
    pub done_after: Duration,
    /// Concurrency slots of the pack: tasks running at once before a create gets 1303 (an image
    /// task takes `n` slots, as on Kling).
    pub max_concurrency: usize,
    /// Units in the pack (a task costs 1, an image task `n`; a failed task is refunded); once
    /// spent, creates get 1102. RunBlob's balance holds as many units at the classic price
    /// ($0.15 each) and each generation takes its own price; once short, 402
    /// `INSUFFICIENT_CREDITS`. `None`: unlimited (a pack of 100,000 units and $100.00 that
    /// go down as tasks are charged, and are bought again when spent).
    pub credits: Option<u64>,
    /// A prompt containing this word is refused with 1301 (content security); a RunBlob
    /// generation with it fails with `CONTENT_POLICY_VIOLATION`. Empty: none.
    pub forbidden_word: String,
    /// A prompt containing this word makes the task fail. Empty: none.
    pub fail_word: String,
    /// Access key pairs whose JWTs are accepted.
    pub access_keys: Vec<(String, String)>,
    /// Static API keys accepted as `Authorization: Bearer <key>` (the only credential of the new
    /// standard and RunBlob routes).
    pub api_keys: Vec<String>,
    /// When set, Kling callbacks are signed (Standard Webhooks) with this `whsec_` secret.
    pub webhook_secret: Option<String>,
    /// When set, RunBlob webhooks carry `X-RunBlob-Signature` (HMAC-SHA256 of the body, hex)
    /// made with this secret.
    pub runblob_webhook_secret: Option<String>,
    /// Requests per second before 1302 (rate limit); `None`: unlimited.
    pub rate_limit_per_sec: Option<u32>,
    /// Serve the API and the file host over HTTPS with a self-signed certificate made at start.
    pub tls: bool,
    /// Where to write the certificate (PEM) when [`tls`](Self::tls) is on.
    pub cert_out: Option<PathBuf>,
    /// The host name result URLs carry (`https://NAME:PORT/files/...`) instead of `127.0.0.1`;
    /// the certificate covers it. The caller makes it resolve to 127.0.0.1.
    pub file_host: Option<String>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::instant()
    }
}

impl MockConfig {
    /// Tasks finish at once (tests): creates answer `submitted`, the first poll finds the task
    /// finished.
    pub fn instant() -> Self {
        Self {
            processing_after: Duration::ZERO,
            done_after: Duration::ZERO,
            max_concurrency: 5,
            credits: None,
            forbidden_word: "forbidden".to_owned(),
            fail_word: "doomed".to_owned(),
            access_keys: vec![(DEMO_ACCESS_KEY.to_owned(), DEMO_SECRET_KEY.to_owned())],
            api_keys: vec![DEMO_API_KEY.to_owned()],
            webhook_secret: None,
            runblob_webhook_secret: None,
            rate_limit_per_sec: None,
            tls: false,
            cert_out: None,
            file_host: None,
        }
    }

    /// Tasks take a few seconds, like a (very fast) real generation (demos).
    pub fn demo() -> Self {
        Self::instant().task_duration(Duration::from_secs(6))
    }

    /// Tasks finish `duration` after their create, `processing` from a sixth of it on.
    #[must_use]
    pub fn task_duration(mut self, duration: Duration) -> Self {
        self.processing_after = duration / 6;
        self.done_after = duration;
        self
    }

    /// Tasks are `submitted` until `processing_after`, then `processing` until `done_after`.
    #[must_use]
    pub fn task_timing(mut self, processing_after: Duration, done_after: Duration) -> Self {
        self.processing_after = processing_after.min(done_after);
        self.done_after = done_after;
        self
    }

    /// The pack's concurrency slots.
    #[must_use]
    pub fn max_concurrency(mut self, slots: usize) -> Self {
        self.max_concurrency = slots;
        self
    }

    /// Units in the pack (see [`credits`](Self::credits)).
    #[must_use]
    pub fn credits(mut self, units: u64) -> Self {
        self.credits = Some(units);
        self
    }

    /// Requests per second before 1302.
    #[must_use]
    pub fn rate_limit_per_sec(mut self, requests: u32) -> Self {
        self.rate_limit_per_sec = Some(requests);
        self
    }

    /// The word that trips content security (1301).
    #[must_use]
    pub fn forbidden_word(mut self, word: impl Into<String>) -> Self {
        self.forbidden_word = word.into().to_lowercase();
        self
    }

    /// The word that makes a task fail.
    #[must_use]
    pub fn fail_word(mut self, word: impl Into<String>) -> Self {
        self.fail_word = word.into().to_lowercase();
        self
    }

    /// Also accepts JWTs of this access key pair.
    #[must_use]
    pub fn access_key(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.access_keys
            .push((access_key.into(), secret_key.into()));
        self
    }

    /// Also accepts this API key.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Signs Kling callbacks with this Standard Webhooks secret (`whsec_...`).
    #[must_use]
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhook_secret = Some(secret.into());
        self
    }

    /// Signs RunBlob webhooks (`X-RunBlob-Signature`) with this secret.
    #[must_use]
    pub fn runblob_webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.runblob_webhook_secret = Some(secret.into());
        self
    }

    /// Serves HTTPS (a self-signed certificate made at start; see
    /// [`MockServer::cert_pem`](crate::MockServer::cert_pem)).
    #[must_use]
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Writes the certificate (PEM) to `path` at start (with [`tls`](Self::tls) on).
    #[must_use]
    pub fn cert_out(mut self, path: impl Into<PathBuf>) -> Self {
        self.cert_out = Some(path.into());
        self
    }

    /// Puts `name` in result URLs instead of 127.0.0.1 (the certificate covers it).
    #[must_use]
    pub fn file_host(mut self, name: impl Into<String>) -> Self {
        self.file_host = Some(name.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_build_what_the_fields_say() {
        let c = MockConfig::instant()
            .max_concurrency(2)
            .credits(7)
            .rate_limit_per_sec(3)
            .task_duration(Duration::from_secs(6))
            .file_host("files.mock.test")
            .tls(true);
        assert_eq!(c.max_concurrency, 2);
        assert_eq!(c.credits, Some(7));
        assert_eq!(c.rate_limit_per_sec, Some(3));
        assert_eq!(
            (c.processing_after, c.done_after),
            (Duration::from_secs(1), Duration::from_secs(6))
        );
        assert!(c.tls);
        assert_eq!(c.file_host.as_deref(), Some("files.mock.test"));
        assert_eq!(MockConfig::demo().done_after, Duration::from_secs(6));
    }
}
