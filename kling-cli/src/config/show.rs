//! `kling config show|path`: the effective configuration, secrets redacted, with the source
//! of each value.

use std::time::Duration;

use serde_json::json;

use super::{ConfigCommand, Setting, Settings};
use crate::args::show_duration;
use crate::output::{Format, emit};

/// `kling config show|path`.
pub(crate) fn run(command: &ConfigCommand, settings: &Settings, format: Format, cmd: &str) {
    let path = settings.file.as_ref().map(|p| p.display().to_string());
    match command {
        ConfigCommand::Path => match format {
            Format::Json => emit(
                cmd,
                json!({"result": {"path": path, "exists": settings.file_found}}),
            ),
            Format::Text => println!("{}", path.as_deref().unwrap_or("(none: HOME is not set)")),
        },
        ConfigCommand::Show => show(settings, path, format, cmd),
    }
}

/// The rows of `config show`: name, value (secrets redacted), source.
fn rows(s: &Settings) -> Vec<(&'static str, String, String)> {
    fn secret(name: &'static str, s: &Option<Setting<String>>) -> (&'static str, String, String) {
        match s {
            Some(s) => (name, "[redacted]".into(), s.source.to_string()),
            None => (name, "-".into(), "not set".into()),
        }
    }
    let duration = |name, s: &Option<Setting<Duration>>, default: &str| match s {
        Some(s) => (name, show_duration(s.value), s.source.to_string()),
        None => (name, default.to_owned(), "default".to_owned()),
    };
    vec![
        (
            "base_url",
            s.base_url.value.clone(),
            s.base_url.source.to_string(),
        ),
        secret("access_key", &s.access_key),
        secret("secret_key", &s.secret_key),
        secret("api_key", &s.api_key),
        (
            "runblob_url",
            s.runblob_url.value.clone(),
            s.runblob_url.source.to_string(),
        ),
        secret("runblob_api_key", &s.runblob_api_key),
        secret("webhook_secret", &s.webhook_secret),
        (
            "output",
            s.output.value.as_str().into(),
            s.output.source.to_string(),
        ),
        duration("poll_interval", &s.poll_interval, "5s, growing to 30s"),
        duration("max_wait", &s.max_wait, "30m"),
        match &s.rate {
            Some(r) => ("rate", format!("{}/s", r.value), r.source.to_string()),
            None => ("rate", "20/s".into(), "default".into()),
        },
        match &s.ca_cert {
            Some(c) => (
                "ca_cert",
                c.value.display().to_string(),
                c.source.to_string(),
            ),
            None => ("ca_cert", "-".into(), "the system's roots".into()),
        },
        match &s.allow_download_hosts {
            Some(h) => (
                "allow_download_hosts",
                h.value.join(","),
                h.source.to_string(),
            ),
            None => (
                "allow_download_hosts",
                "-".into(),
                "public addresses and the API's host".into(),
            ),
        },
    ]
}

fn show(settings: &Settings, path: Option<String>, format: Format, cmd: &str) {
    let rows = rows(settings);
    let profile = settings.profile.as_ref();
    match format {
        Format::Json => {
            let values: serde_json::Map<String, serde_json::Value> = rows
                .iter()
                .map(|(k, v, s)| ((*k).to_owned(), json!({"value": v, "source": s})))
                .collect();
            emit(
                cmd,
                json!({"result": {
                    "config_file": {"path": path, "exists": settings.file_found},
                    "profiles": settings.profiles,
                    "profile": profile.map(|p| json!({"name": p.value, "source": p.source.to_string()})),
                    "settings": values,
                }}),
            );
        }
        Format::Text => {
            let found = if settings.file_found {
                ""
            } else {
                " (not found)"
            };
            println!("config file      {}{found}", path.as_deref().unwrap_or("-"));
            if !settings.profiles.is_empty() {
                println!("profiles         {}", settings.profiles.join(", "));
            }
            match profile {
                Some(p) => println!("profile          {}  ({})", p.value, p.source),
                None => println!("profile          -  (none)"),
            }
            for (name, value, source) in rows {
                println!("{name:<16} {value}  ({source})");
            }
        }
    }
}
