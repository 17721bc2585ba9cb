//! What every example shares, and nothing else: **where it runs**. [`Sandbox::start`] starts
//! kling-mock in-process (127.0.0.1, a free port, tasks that finish at once, the demo keys),
//! unless `KLING_BASE_URL` is set: then the example talks to that host with the keys of the
//! environment (`KLING_ACCESS_KEY` + `KLING_SECRET_KEY`, and/or `KLING_API_KEY`), and spends
//! real credits. Each example builds its own client from [`Sandbox::credentials`] and
//! [`Sandbox::config`], so the builder calls are in the example, as you would write them.

#![forbid(unsafe_code)]
// Example helpers: printing is their job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kling_client_blocking::{Config, Credentials, Error};
use kling_mock::{MockConfig, MockServer};

/// The host the examples talk to when set (the real API); unset: kling-mock.
pub const ENV_BASE_URL: &str = "KLING_BASE_URL";
/// A public image URL for the examples that take one, when they run against the real API.
pub const ENV_IMAGE_URL: &str = "KLING_EXAMPLE_IMAGE_URL";
/// Where downloads go (default: `<temp dir>/kling-examples/<example>`).
pub const ENV_OUT_DIR: &str = "KLING_EXAMPLES_OUT";

/// Where an example runs: an in-process kling-mock, or the API at `KLING_BASE_URL`.
#[derive(Debug)]
pub struct Sandbox {
    mock: Option<MockServer>,
    base_url: String,
    out_dir: PathBuf,
}

impl Sandbox {
    /// kling-mock with tasks that finish at once, or the real API (see the crate docs).
    /// `example` names the folder its downloads go to.
    ///
    /// # Errors
    ///
    /// As [`with_mock`](Self::with_mock).
    pub fn start(example: &str) -> std::io::Result<Self> {
        Self::with_mock(example, MockConfig::instant())
    }

    /// As [`start`](Self::start), the mock configured by `mock` (ignored for the real API).
    ///
    /// # Errors
    ///
    /// The mock could not start, or the download folder could not be made empty.
    pub fn with_mock(example: &str, mock: MockConfig) -> std::io::Result<Self> {
        let out_dir = std::env::var_os(ENV_OUT_DIR)
            .map_or_else(
                || std::env::temp_dir().join("kling-examples"),
                PathBuf::from,
            )
            .join(example);
        // A fresh folder per run: what is in it afterwards is what this run downloaded.
        match std::fs::remove_dir_all(&out_dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let (mock, base_url) = match std::env::var(ENV_BASE_URL) {
            Ok(url) if !url.trim().is_empty() => (None, url),
            _ => {
                let mock = MockServer::start(mock)?;
                let url = mock.api_url.clone();
                (Some(mock), url)
            }
        };
        eprintln!(
            "[sandbox] API at {base_url}; downloads in {}",
            out_dir.display()
        );
        Ok(Self {
            mock,
            base_url,
            out_dir,
        })
    }

    /// The running mock, or `None` against the real API.
    pub fn mock(&self) -> Option<&MockServer> {
        self.mock.as_ref()
    }

    /// The mock's demo account (an access key pair for the legacy API and an API key for the
    /// new standard and RunBlob), or the environment's keys.
    ///
    /// # Errors
    ///
    /// An [`AuthError`](kling_client_blocking::errors::AuthError) naming a missing variable.
    pub fn credentials(&self) -> Result<Credentials, Error> {
        match &self.mock {
            Some(_) => Ok(Credentials::both(
                kling_mock::DEMO_ACCESS_KEY,
                kling_mock::DEMO_SECRET_KEY,
                kling_mock::DEMO_API_KEY,
            )?),
            None => Ok(Credentials::from_env()?),
        }
    }

    /// The configuration to build a client with: the base URL, and on the mock, a first
    /// poll at once (its tasks are done when created; the real API's default waits 5 s).
    pub fn config(&self) -> Config {
        match &self.mock {
            Some(mock) => mock.client_config(),
            None => Config::with_base_url(&self.base_url),
        }
    }

    /// An image URL to feed an image-to-something request: a PNG on the mock's file host, or
    /// `KLING_EXAMPLE_IMAGE_URL` against the real API.
    ///
    /// # Errors
    ///
    /// Against the real API without `KLING_EXAMPLE_IMAGE_URL`.
    pub fn image_url(&self, name: &str) -> Result<String, String> {
        match &self.mock {
            Some(mock) => Ok(format!("{}/files/{name}.png", mock.files_url)),
            None => env(ENV_IMAGE_URL),
        }
    }

    /// The folder this example downloads into (empty at start).
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }
}

/// The environment variable `name`, or an error naming it.
///
/// # Errors
///
/// `name` is not set (or not Unicode).
pub fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} to run this example against the real API"))
}

/// The end of every example's `main`: success, or the error and its causes on stderr and a
/// failing exit status.
pub fn exit(result: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}
