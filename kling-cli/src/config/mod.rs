//! The configuration: flags, then the environment, then a profile of the config file, then
//! defaults. `kling config show` prints the result with secrets redacted and says where each
//! value came from.
//!
//! ```toml
//! # ~/.config/kling/config.toml
//! default_profile = "work"        # used when neither --profile nor KLING_PROFILE is given
//!
//! [profiles.work]
//! access_key = "..."
//! secret_key = "..."
//! region = "singapore"            # or base_url = "https://..."
//! output = "text"
//! poll_interval = "10s"
//! max_wait = "1h"
//! ca_cert = "/etc/ssl/private-ca.pem"  # trust only these roots
//! allow_download_hosts = ["files.internal"]  # downloads may reach it ("any": every address)
//!
//! [profiles.mock]
//! base_url = "http://127.0.0.1:8080"
//! api_key = "sk-demo-kling-mock"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use kling_auth::Credentials;
use serde::Deserialize;

use crate::args::{parse_duration, show_duration};
use crate::cli::Global;
use crate::output::{CommandError, Format};

mod show;

pub(crate) use show::run;

/// A Kling region: it picks the API host when no base URL is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Region {
    /// https://api-singapore.klingai.com (the default)
    Singapore,
    /// https://api-beijing.klingai.com (servers in mainland China)
    Beijing,
}

impl Region {
    fn url(self) -> &'static str {
        match self {
            Self::Singapore => kling_client_async::config::SINGAPORE,
            Self::Beijing => kling_client_async::config::BEIJING,
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "singapore" => Ok(Self::Singapore),
            "beijing" => Ok(Self::Beijing),
            other => Err(format!("unknown region {other:?} (singapore or beijing)")),
        }
    }
}

/// `kling config ...`.
#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// The effective configuration (secrets redacted) and where each value comes from
    Show,
    /// Where the config file is read from
    Path,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A profile of the config file.
    Profile(String),
    /// A top-level key of the config file (`default_profile`).
    FileKey(&'static str),
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "flag {flag}"),
            Self::Env(var) => write!(f, "env {var}"),
            Self::Profile(name) => write!(f, "profile {name}"),
            Self::FileKey(key) => write!(f, "config file {key}"),
            Self::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Setting<T> {
    /// The value.
    pub(crate) value: T,
    /// Its origin.
    pub(crate) source: Source,
}

/// The config file: profiles by name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One profile. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    access_key: Option<String>,
    secret_key: Option<String>,
    api_key: Option<String>,
    base_url: Option<String>,
    region: Option<Region>,
    runblob_url: Option<String>,
    runblob_api_key: Option<String>,
    webhook_secret: Option<String>,
    output: Option<Format>,
    poll_interval: Option<toml::Value>,
    max_wait: Option<toml::Value>,
    rate: Option<f64>,
    ca_cert: Option<PathBuf>,
    allow_download_hosts: Option<Vec<String>>,
}

/// The effective configuration.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The config file (it may not exist).
    pub(crate) file: Option<PathBuf>,
    /// Whether it exists.
    pub(crate) file_found: bool,
    /// The profile names the file has.
    pub(crate) profiles: Vec<String>,
    /// The profile in use.
    pub(crate) profile: Option<Setting<String>>,
    /// The Kling API host.
    pub(crate) base_url: Setting<String>,
    /// The access key.
    pub(crate) access_key: Option<Setting<String>>,
    /// The secret key.
    pub(crate) secret_key: Option<Setting<String>>,
    /// The API key.
    pub(crate) api_key: Option<Setting<String>>,
    /// The RunBlob host.
    pub(crate) runblob_url: Setting<String>,
    /// The RunBlob API key.
    pub(crate) runblob_api_key: Option<Setting<String>>,
    /// The webhook secret (`whsec_...`).
    pub(crate) webhook_secret: Option<Setting<String>>,
    /// The output format.
    pub(crate) output: Setting<Format>,
    /// A steady polling cadence; `None`: the SDK's schedule (5 s growing to 30 s).
    pub(crate) poll_interval: Option<Setting<Duration>>,
    /// The longest wait; `None`: the SDK's default (30 minutes).
    pub(crate) max_wait: Option<Setting<Duration>>,
    /// Requests a second (the default budget when `None`).
    pub(crate) rate: Option<Setting<f64>>,
    /// Certificates (PEM) to trust instead of the system's; `None`: the system's.
    pub(crate) ca_cert: Option<Setting<PathBuf>>,
    /// Hosts downloads may reach whatever they resolve to (`any`: every address); `None`:
    /// public addresses only (and the API's host).
    pub(crate) allow_download_hosts: Option<Setting<Vec<String>>>,
}

impl Settings {
    /// What downloads may reach besides public addresses, from `--allow-download-host`.
    pub(crate) fn download_allow(&self) -> kling_core::download::DownloadAllow {
        let mut allow = kling_core::download::DownloadAllow::public_only();
        for host in self.allow_download_hosts.iter().flat_map(|s| &s.value) {
            if host.eq_ignore_ascii_case("any") {
                allow.private_addresses = true;
            } else {
                allow = allow.host(host.clone());
            }
        }
        allow
    }
}

/// Reads environment variables (injected, so tests never touch the process environment).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The config file's path: `--config`, `KLING_CONFIG`, `$XDG_CONFIG_HOME/kling/config.toml`,
/// then `~/.config/kling/config.toml`.
fn file_path(global: &Global, env: Env<'_>) -> (Option<PathBuf>, bool) {
    if let Some(path) = &global.config {
        return (Some(path.clone()), true);
    }
    if let Some(path) = env("KLING_CONFIG") {
        return (Some(PathBuf::from(path)), true);
    }
    // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    let base = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config")));
    (base.map(|b| b.join("kling").join("config.toml")), false)
}

fn read_file(path: &Path, explicit: bool) -> Result<Option<File>, CommandError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(e) => return Err(kling_errors::IoError::new("read the config file", path, e).into()),
    };
    let file: File = toml::from_str(&text).map_err(|e| {
        CommandError::usage(format!(
            "config file {}: {}",
            path.display(),
            e.to_string().trim()
        ))
    })?;
    warn_if_readable(path, &file);
    Ok(Some(file))
}

/// A file holding secrets that others can read deserves a word (as ssh says of its keys).
#[cfg(unix)]
fn warn_if_readable(path: &Path, file: &File) {
    use std::os::unix::fs::PermissionsExt;
    let secrets = file.profiles.values().any(|p| {
        p.secret_key.is_some()
            || p.api_key.is_some()
            || p.runblob_api_key.is_some()
            || p.webhook_secret.is_some()
    });
    if let Ok(meta) = std::fs::metadata(path)
        && secrets
        && meta.permissions().mode() & 0o077 != 0
    {
        eprintln!(
            "warning: {} holds secrets and others can read it (chmod 600 it)",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable(_path: &Path, _file: &File) {}

/// Picks the first value present: flag, then environment, then profile.
fn pick<T>(
    flag: Option<(T, &'static str)>,
    env: Option<(T, &'static str)>,
    profile: Option<(T, &str)>,
) -> Option<Setting<T>> {
    if let Some((value, name)) = flag {
        return Some(Setting {
            value,
            source: Source::Flag(name),
        });
    }
    if let Some((value, name)) = env {
        return Some(Setting {
            value,
            source: Source::Env(name),
        });
    }
    profile.map(|(value, name)| Setting {
        value,
        source: Source::Profile(name.to_owned()),
    })
}

/// A duration of the config file: `"5s"` or a number of seconds.
fn toml_duration(value: &toml::Value, key: &str, profile: &str) -> Result<Duration, CommandError> {
    let parsed = match value {
        toml::Value::String(s) => parse_duration(s).map_err(|e| e.to_string()),
        toml::Value::Integer(n) if *n >= 0 => Ok(Duration::from_secs(*n as u64)),
        toml::Value::Float(f) => parse_duration(&f.to_string()).map_err(|e| e.to_string()),
        _ => Err("a duration such as \"5s\" or a number of seconds".to_owned()),
    };
    parsed.map_err(|e| CommandError::usage(format!("profile {profile}, key {key}: {e}")))
}

fn env_parsed<T, E: std::fmt::Display>(
    env: Env<'_>,
    var: &'static str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<(T, &'static str)>, CommandError> {
    match env(var).filter(|v| !v.trim().is_empty()) {
        Some(text) => parse(&text)
            .map(|v| Some((v, var)))
            .map_err(|e| CommandError::usage(format!("{var}: {e}"))),
        None => Ok(None),
    }
}

/// The longest poll interval taken (past it, a task's end would go unnoticed for long).
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(10 * 60);
/// The longest wait taken: a week (a task still running then will not finish).
const MAX_WAIT: Duration = Duration::from_secs(7 * 24 * 3600);
/// The highest request rate taken, a second: past it the budget guards nothing.
const MAX_RATE: f64 = 1000.0;

/// Refuses a host that is not an http(s) URL, naming where it came from.
fn check_url(url: &Setting<String>, example: &str) -> Result<(), CommandError> {
    let value = url.value.trim();
    let host = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(()),
        _ => Err(CommandError::usage(format!(
            "{}: {:?} is not an http(s) URL (like {example})",
            url.source, url.value
        ))),
    }
}

/// Refuses a duration of zero or past `max`, naming where it came from.
fn check_duration(
    setting: Option<&Setting<Duration>>,
    what: &str,
    max: Duration,
) -> Result<(), CommandError> {
    match setting {
        Some(s) if s.value.is_zero() || s.value > max => Err(CommandError::usage(format!(
            "{}: {} is not {what} (more than 0, at most {})",
            s.source,
            show_duration(s.value),
            show_duration(max)
        ))),
        _ => Ok(()),
    }
}

/// Resolves the configuration: flags > environment > profile > defaults.
pub(crate) fn resolve(global: &Global, env: Env<'_>) -> Result<Settings, CommandError> {
    let (path, explicit) = file_path(global, env);
    let file = match &path {
        Some(p) => read_file(p, explicit)?,
        None => None,
    };
    let file_found = file.is_some();
    let file = file.unwrap_or_default();
    let flag_env = |flag: &Option<String>, name: &'static str, var: &'static str| {
        let env_value = env(var).filter(|v| !v.is_empty()).map(|v| (v, var));
        (
            flag.clone().filter(|v| !v.is_empty()).map(|v| (v, name)),
            env_value,
        )
    };
    let (flag, from_env) = flag_env(&global.profile, "--profile", "KLING_PROFILE");
    let profile = pick(flag, from_env, None).or_else(|| {
        match (&file.default_profile, file.profiles.contains_key("default")) {
            (Some(name), _) => Some(Setting {
                value: name.clone(),
                source: Source::FileKey("default_profile"),
            }),
            (None, true) => Some(Setting {
                value: "default".into(),
                source: Source::Default,
            }),
            (None, false) => None,
        }
    });
    let empty = Profile::default();
    let (p, pname) = match &profile {
        Some(s) => match file.profiles.get(&s.value) {
            Some(p) => (p, s.value.as_str()),
            None => {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                let place = match (&path, file_found) {
                    (Some(p), true) => format!("in {}", p.display()),
                    (Some(p), false) => format!("(no config file at {})", p.display()),
                    (None, _) => "(no config file: HOME is not set)".to_owned(),
                };
                let known = if known.is_empty() {
                    String::new()
                } else {
                    format!("; profiles: {}", known.join(", "))
                };
                return Err(CommandError::usage(format!(
                    "no profile {:?} {place}{known}",
                    s.value
                )));
            }
        },
        None => (&empty, ""),
    };
    let secret = |flag: &Option<String>, name, var, value: &Option<String>| {
        let (f, e) = flag_env(flag, name, var);
        pick(
            f,
            e,
            value.clone().filter(|v| !v.is_empty()).map(|v| (v, pname)),
        )
    };

    // The host: at each level a base URL beats a region.
    let host_at = |url: Option<(String, &'static str)>, region: Option<(Region, &'static str)>| {
        url.or_else(|| region.map(|(r, name)| (r.url().to_owned(), name)))
    };
    let flag_host = host_at(
        global
            .base_url
            .clone()
            .filter(|u| !u.is_empty())
            .map(|u| (u, "--base-url")),
        global.region.map(|r| (r, "--region")),
    );
    let env_host = host_at(
        env("KLING_BASE_URL")
            .filter(|u| !u.trim().is_empty())
            .map(|u| (u, "KLING_BASE_URL")),
        env_parsed(env, "KLING_REGION", Region::parse)?,
    );
    let profile_host = p
        .base_url
        .clone()
        .or_else(|| p.region.map(|r| r.url().to_owned()))
        .map(|u| (u, pname));
    let base_url = pick(flag_host, env_host, profile_host).unwrap_or(Setting {
        value: kling_client_async::config::SINGAPORE.to_owned(),
        source: Source::Default,
    });

    let (f, e) = flag_env(&global.runblob_url, "--runblob-url", "KLING_RUNBLOB_URL");
    let runblob_url = pick(f, e, p.runblob_url.clone().map(|u| (u, pname))).unwrap_or(Setting {
        value: kling_client_async::config::RUNBLOB.to_owned(),
        source: Source::Default,
    });
    check_url(&base_url, kling_client_async::config::SINGAPORE)?;
    check_url(&runblob_url, kling_client_async::config::RUNBLOB)?;
    let output = pick(
        global.output.map(|o| (o, "--output")),
        env_parsed(env, "KLING_OUTPUT", |t| Format::from_str(t.trim(), true))?,
        p.output.map(|o| (o, pname)),
    )
    .unwrap_or(Setting {
        value: Format::Text,
        source: Source::Default,
    });
    let poll_interval = pick(
        global.poll_interval.map(|d| (d, "--poll-interval")),
        env_parsed(env, "KLING_POLL_INTERVAL", parse_duration)?,
        p.poll_interval
            .as_ref()
            .map(|v| toml_duration(v, "poll_interval", pname))
            .transpose()?
            .map(|d| (d, pname)),
    );
    let max_wait = pick(
        global.max_wait.map(|d| (d, "--max-wait")),
        env_parsed(env, "KLING_MAX_WAIT", parse_duration)?,
        p.max_wait
            .as_ref()
            .map(|v| toml_duration(v, "max_wait", pname))
            .transpose()?
            .map(|d| (d, pname)),
    );
    check_duration(poll_interval.as_ref(), "a poll interval", MAX_POLL_INTERVAL)?;
    check_duration(max_wait.as_ref(), "a maximum wait", MAX_WAIT)?;
    let rate = pick(
        global.rate.map(|r| (r, "--rate")),
        env_parsed(env, "KLING_RATE", |t| t.trim().parse::<f64>())?,
        p.rate.map(|r| (r, pname)),
    );
    if let Some(r) = &rate
        && !(r.value > 0.0 && r.value <= MAX_RATE)
    {
        return Err(CommandError::usage(format!(
            "{}: {} is not a request rate (more than 0, at most {MAX_RATE} a second)",
            r.source, r.value
        )));
    }
    let ca_cert = pick(
        global.ca_cert.clone().map(|c| (c, "--ca-cert")),
        env("KLING_CA_CERT")
            .filter(|v| !v.trim().is_empty())
            .map(|v| (PathBuf::from(v), "KLING_CA_CERT")),
        p.ca_cert.clone().map(|c| (c, pname)),
    );
    let list = |text: &str| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let allow_download_hosts = pick(
        (!global.allow_download_hosts.is_empty())
            .then(|| (global.allow_download_hosts.clone(), "--allow-download-host")),
        env("KLING_ALLOW_DOWNLOAD_HOSTS")
            .map(|v| list(&v))
            .filter(|v| !v.is_empty())
            .map(|v| (v, "KLING_ALLOW_DOWNLOAD_HOSTS")),
        p.allow_download_hosts.clone().map(|v| (v, pname)),
    );
    Ok(Settings {
        file: path,
        file_found,
        profiles: file.profiles.keys().cloned().collect(),
        base_url,
        access_key: secret(
            &global.access_key,
            "--access-key",
            "KLING_ACCESS_KEY",
            &p.access_key,
        ),
        secret_key: secret(
            &global.secret_key,
            "--secret-key",
            "KLING_SECRET_KEY",
            &p.secret_key,
        ),
        api_key: secret(&global.api_key, "--api-key", "KLING_API_KEY", &p.api_key),
        runblob_api_key: secret(
            &global.runblob_api_key,
            "--runblob-api-key",
            "KLING_RUNBLOB_API_KEY",
            &p.runblob_api_key,
        ),
        webhook_secret: secret(&None, "--secret", "KLING_WEBHOOK_SECRET", &p.webhook_secret),
        runblob_url,
        output,
        poll_interval,
        max_wait,
        rate,
        ca_cert,
        allow_download_hosts,
        profile,
    })
}

impl Settings {
    /// The credentials for the Kling API (an access key pair and/or an API key).
    pub(crate) fn kling_credentials(&self) -> Result<Credentials, CommandError> {
        let get = |s: &Option<Setting<String>>| s.as_ref().map(|s| s.value.clone());
        let (ak, sk, key) = (
            get(&self.access_key),
            get(&self.secret_key),
            get(&self.api_key),
        );
        Ok(Credentials::from_lookup(|name| match name {
            kling_auth::ENV_ACCESS_KEY => ak.clone(),
            kling_auth::ENV_SECRET_KEY => sk.clone(),
            kling_auth::ENV_API_KEY => key.clone(),
            _ => None,
        })?)
    }

    /// The credentials for RunBlob: its own API key, never a Kling key (that would hand a
    /// Kling secret to a third party).
    pub(crate) fn runblob_credentials(&self) -> Result<Credentials, CommandError> {
        let key = self.runblob_api_key.as_ref().ok_or_else(|| {
            kling_errors::AuthError::new(
                kling_errors::AuthFailure::Missing,
                "no RunBlob API key: set KLING_RUNBLOB_API_KEY, --runblob-api-key or runblob_api_key in a profile",
            )
        })?;
        Ok(Credentials::api_key(key.value.clone())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn file(text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kling-config-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.toml", text.len()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn flags_beat_env_beat_profile_beat_defaults() {
        let path = file(
            "[profiles.p]\nbase_url = \"http://profile\"\napi_key = \"k\"\noutput = \"json\"\npoll_interval = 7\n",
        );
        let global = Global {
            config: Some(path),
            profile: Some("p".into()),
            ..Global::default()
        };
        let env = env_of(&[("KLING_OUTPUT", "text"), ("KLING_API_KEY", "e")]);
        let s = resolve(&global, &env).unwrap();
        assert_eq!(s.base_url.value, "http://profile");
        assert_eq!(s.base_url.source, Source::Profile("p".into()));
        assert_eq!(s.output.value, Format::Text);
        assert_eq!(s.output.source, Source::Env("KLING_OUTPUT"));
        assert_eq!(s.api_key.unwrap().source, Source::Env("KLING_API_KEY"));
        assert_eq!(s.poll_interval.unwrap().value, Duration::from_secs(7));
        assert_eq!(s.max_wait.map(|m| m.value), None);
        let global = Global {
            region: Some(Region::Beijing),
            ..global
        };
        let s = resolve(&global, &env).unwrap();
        assert_eq!(s.base_url.value, kling_client_async::config::BEIJING);
        assert_eq!(s.base_url.source, Source::Flag("--region"));
    }

    #[test]
    fn bad_files_and_profiles_are_named() {
        let path = file("[profiles.p]\nbase_urll = 1\n");
        let global = Global {
            config: Some(path),
            ..Global::default()
        };
        let e = resolve(&global, &env_of(&[])).unwrap_err();
        assert!(
            matches!(&e, CommandError::Usage(m) if m.contains("base_urll")),
            "{e:?}"
        );
        let path = file("[profiles.a]\n[profiles.b]\n");
        let global = Global {
            config: Some(path),
            ..Global::default()
        };
        let e = resolve(&global, &env_of(&[("KLING_PROFILE", "c")])).unwrap_err();
        assert!(
            matches!(&e, CommandError::Usage(m) if m.contains("\"c\"") && m.contains("a, b")),
            "{e:?}"
        );
        let e = resolve(&Global::default(), &env_of(&[("KLING_MAX_WAIT", "soon")])).unwrap_err();
        assert!(
            matches!(&e, CommandError::Usage(m) if m.contains("KLING_MAX_WAIT")),
            "{e:?}"
        );
    }
}
