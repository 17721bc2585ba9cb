//! [`ServeArgs`]: the flags of a mock served from a command line, defined once for the
//! `kling-mock` binary and `kling mock serve`, and [`Started`]: what a client needs to know
//! about the running mock (URLs, demo keys, the certificate), as text or one JSON line.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use kling_core::time::parse_duration;
use serde_json::{Value, json};

use crate::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, Fault, MockConfig, MockServer};

/// How to serve a mock: port, task timing, the pack's limits, HTTPS, faults.
#[derive(Args, Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServeArgs {
    /// API port (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Tasks finish at once (the create still answers `submitted`; the first poll finds the
    /// task finished)
    #[arg(long, conflicts_with = "task_seconds")]
    pub instant: bool,
    /// How long a task runs: 100ms, 5s, 2m (a bare number is seconds) [default: 6s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub task_seconds: Option<Duration>,
    /// Tasks running at once before a create gets 1303 [default: 5]
    #[arg(long, value_name = "N")]
    pub max_concurrency: Option<usize>,
    /// Units in the pack before creates get 1102 [default: unlimited]
    #[arg(long, value_name = "N")]
    pub credits: Option<u64>,
    /// Requests per second before 1302 [default: unlimited]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Serve HTTPS (API and file host) with a self-signed certificate made at start
    #[arg(long)]
    pub tls: bool,
    /// Where to write that certificate (PEM) [default: a file in the temp folder]
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub cert_out: Option<PathBuf>,
    /// The host name result URLs carry instead of 127.0.0.1 (the certificate covers it; make it
    /// resolve to 127.0.0.1)
    #[arg(long, value_name = "NAME")]
    pub file_host: Option<String>,
    /// Sign Kling callbacks with this Standard Webhooks secret (whsec_...)
    #[arg(long, value_name = "SECRET")]
    pub webhook_secret: Option<String>,
    /// Sign RunBlob webhooks (X-RunBlob-Signature) with this secret
    #[arg(long, value_name = "SECRET")]
    pub runblob_webhook_secret: Option<String>,
    /// Faults to inject, in the syntax of [`Fault::parse`].
    #[arg(
        long,
        value_name = "SPEC",
        value_parser = Fault::parse,
        help = "Inject a fault: \"[METHOD] PATH ACTION [xN]\", ACTION = STATUS:CODE, \
                STATUS:CODE:retry=SECS, html502, truncate, stall or delay=MS"
    )]
    pub fault: Vec<Fault>,
}

impl ServeArgs {
    /// The configuration these flags describe (the demo timing unless `--instant` or
    /// `--task-seconds`; with `--tls` and no `--cert-out`, the certificate goes to the temp
    /// folder, named for this process).
    pub fn config(&self) -> MockConfig {
        let mut config = MockConfig::demo();
        if self.instant {
            config = config.task_duration(Duration::ZERO);
        }
        if let Some(d) = self.task_seconds {
            config = config.task_duration(d);
        }
        if let Some(n) = self.max_concurrency {
            config = config.max_concurrency(n);
        }
        if let Some(n) = self.credits {
            config = config.credits(n);
        }
        if let Some(n) = self.rate_limit {
            config = config.rate_limit_per_sec(n);
        }
        if let Some(host) = &self.file_host {
            config = config.file_host(host.clone());
        }
        if let Some(secret) = &self.webhook_secret {
            config = config.webhook_secret(secret.clone());
        }
        if let Some(secret) = &self.runblob_webhook_secret {
            config = config.runblob_webhook_secret(secret.clone());
        }
        if self.tls {
            // A client needs the certificate in a file.
            let path = self.cert_out.clone().unwrap_or_else(|| {
                std::env::temp_dir().join(format!("kling-mock-{}.pem", std::process::id()))
            });
            config = config.tls(true).cert_out(path);
        }
        config
    }

    /// Starts the mock these flags describe, faults included.
    ///
    /// # Errors
    ///
    /// As [`MockServer::start_on`].
    pub fn start(&self) -> std::io::Result<Started> {
        let config = self.config();
        let cert_path = config.cert_out.clone();
        let server = MockServer::start_on(config, self.port)?;
        for fault in &self.fault {
            server.add_fault(fault.clone());
        }
        Ok(Started { server, cert_path })
    }
}

/// A mock started from [`ServeArgs`], with what to tell its users.
#[derive(Debug)]
pub struct Started {
    /// The running mock (stops when dropped).
    pub server: MockServer,
    /// Where its certificate was written (with TLS).
    pub cert_path: Option<PathBuf>,
}

impl Started {
    /// Everything a script needs to point a client at the mock, as one JSON object: URLs, the
    /// demo keys (demo values, not secrets), the environment for `kling`, the certificate path.
    pub fn describe(&self) -> Value {
        let api = &self.server.api_url;
        let runblob = format!("{api}/runblob");
        let cert = self.cert_path.as_ref().map(|p| p.display().to_string());
        json!({
            "api_url": api,
            "files_url": self.server.files_url,
            "stats_url": format!("{api}/mock/stats"),
            "runblob_url": runblob,
            "access_key": DEMO_ACCESS_KEY,
            "secret_key": DEMO_SECRET_KEY,
            "api_key": DEMO_API_KEY,
            "cert_path": cert,
            "env": {
                "KLING_BASE_URL": api, "KLING_ACCESS_KEY": DEMO_ACCESS_KEY,
                "KLING_SECRET_KEY": DEMO_SECRET_KEY, "KLING_API_KEY": DEMO_API_KEY,
                "KLING_RUNBLOB_URL": runblob, "KLING_RUNBLOB_API_KEY": DEMO_API_KEY,
            },
        })
    }

    /// The same for people: where the mock listens and the `export` lines for a shell.
    pub fn describe_text(&self) -> String {
        let api = &self.server.api_url;
        let mut out = format!(
            "kling-mock listening on {api}\nfiles served from       {}\nstatistics at           {api}/mock/stats\n",
            self.server.files_url
        );
        if let Some(cert) = &self.cert_path {
            out.push_str(&format!("certificate (PEM)       {}\n", cert.display()));
        }
        out.push_str(&format!(
            "\nexport KLING_BASE_URL={api}\nexport KLING_ACCESS_KEY={DEMO_ACCESS_KEY}\nexport KLING_SECRET_KEY={DEMO_SECRET_KEY}\n# or: export KLING_API_KEY={DEMO_API_KEY}\n# RunBlob: export KLING_RUNBLOB_URL={api}/runblob KLING_RUNBLOB_API_KEY={DEMO_API_KEY}\n"
        ));
        if let Some(cert) = &self.cert_path {
            out.push_str(&format!(
                "# trust the certificate: kling --ca-cert {0} (or KLING_CA_CERT); most other TLS\n# stacks read SSL_CERT_FILE={0}\nexport KLING_CA_CERT={0}\n",
                cert.display()
            ));
        }
        out.push_str("\nCtrl-C to stop.");
        out
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(line: &str) -> Result<ServeArgs, clap::Error> {
        parse_args(&line.split_whitespace().collect::<Vec<_>>())
    }

    fn parse_args(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("kling-mock").chain(args.iter().copied()))
            .map(|c| c.serve)
    }

    #[test]
    fn flags_set_the_knobs() {
        let c = parse(
            "--tls --cert-out /tmp/x.pem --file-host files.mock.test --max-concurrency 2 \
             --task-seconds 100ms --credits 9 --rate-limit 4",
        )
        .unwrap()
        .config();
        assert!(c.tls);
        assert_eq!(c.cert_out, Some(PathBuf::from("/tmp/x.pem")));
        assert_eq!(c.file_host.as_deref(), Some("files.mock.test"));
        assert_eq!(c.max_concurrency, 2);
        assert_eq!(c.done_after, Duration::from_millis(100));
        assert_eq!((c.credits, c.rate_limit_per_sec), (Some(9), Some(4)));
        assert!(parse("--tls").unwrap().config().cert_out.is_some());
        assert_eq!(
            parse("--instant").unwrap().config().done_after,
            Duration::ZERO
        );
        assert_eq!(
            parse("").unwrap().config().done_after,
            Duration::from_secs(6)
        );
        let f = parse_args(&[
            "--fault",
            "POST /v1/videos/text2video 429:1303 x2",
            "--fault",
            "/v1/videos/text2video html502",
        ])
        .unwrap();
        assert_eq!(f.fault.len(), 2);
    }

    #[test]
    fn bad_flags_are_refused() {
        for bad in [
            "--cert-out x.pem",
            "--task-seconds 5x",
            "--credits many",
            "--instant --task-seconds 1s",
            "--fault nonsense",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_description_names_every_url() {
        let started = parse("--instant").unwrap().start().unwrap();
        let d = started.describe();
        assert_eq!(d["api_url"], started.server.api_url.as_str());
        assert_eq!(d["env"]["KLING_BASE_URL"], started.server.api_url.as_str());
        assert!(d["cert_path"].is_null());
        assert!(started.describe_text().contains(&started.server.files_url));
    }
}
