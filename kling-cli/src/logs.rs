//! What the SDK is doing, shown: its retries, re-mints and reconciliations as short notes
//! (above the spinner on a terminal, a line each on a pipe), and with `-v`/`-vv` or
//! `RUST_LOG` its log events on stderr. The SDK's events carry ids, codes and delays, never a
//! key or a token.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::output::CommandError;

/// Where notes go: printed above the progress bar while one shows, else a line on stderr.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// Whether notes are shown at all (text output, no `--quiet`, no `-v`: the logs say it).
    shown: bool,
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Notes {
    /// Notes shown (`shown`) or dropped.
    pub(crate) fn new(shown: bool) -> Arc<Self> {
        Arc::new(Self {
            shown,
            bar: Mutex::new(None),
        })
    }

    /// Prints notes above `bar` while it shows (`None`: on their own lines again).
    pub(crate) fn follow(&self, bar: Option<&indicatif::ProgressBar>) {
        if let Ok(mut slot) = self.bar.lock() {
            *slot = bar.cloned();
        }
    }

    fn note(&self, line: &str) {
        if !self.shown {
            return;
        }
        match self.bar.lock().ok().as_deref().and_then(Option::as_ref) {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }
}

/// The fields of one SDK event the notes use.
#[derive(Default)]
struct Fields {
    message: String,
    reason: String,
    code: String,
    attempt: u64,
    delay_ms: u64,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "code" => value.clone_into(&mut self.code),
            "reason" => value.clone_into(&mut self.reason),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" | "posts" => self.attempt = value,
            "delay_ms" => self.delay_ms = value,
            _ => {}
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_u64(field, u64::try_from(value).unwrap_or_default());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "reason" => self.reason = format!("{value:?}"),
            _ => {}
        }
    }
}

/// Why the SDK waits, in a user's words.
fn cause(reason: &str, code: &str) -> String {
    let what = match reason {
        "concurrency_limit" => "waiting for a slot",
        "rate_limited" => "rate limited",
        "server" => "server error",
        "maintenance" => "the service is under maintenance",
        "transport" => "network error",
        "timeout" => "timed out",
        "invalid_response" => "unreadable answer",
        other => other,
    };
    if code.is_empty() || code == "-" {
        what.to_owned()
    } else {
        format!("{what} ({code})")
    }
}

/// The note an SDK event gives, if it is one a user should see.
fn note_of(fields: &Fields) -> Option<String> {
    match fields.message.as_str() {
        "retrying" => Some(format!(
            "{}: retry {} in {}",
            cause(&fields.reason, &fields.code),
            fields.attempt,
            show_delay(fields.delay_ms)
        )),
        "token rejected: re-minting once" => {
            Some("the token was refused: signing a new one and trying again".to_owned())
        }
        "create: the server says the task exists; looking it up" => Some(
            "the server says the task exists: looking it up instead of posting again".to_owned(),
        ),
        _ => None,
    }
}

/// A retry's delay as a person reads it: whole seconds (`4s`, `1m5s`), tenths below one.
fn show_delay(ms: u64) -> String {
    if ms < 1000 {
        return format!("{}ms", ms.saturating_add(50) / 100 * 100);
    }
    crate::args::show_duration(Duration::from_secs(ms.saturating_add(500) / 1000))
}

/// The layer that turns the SDK's events into notes.
struct Activity(Arc<Notes>);

impl<S: Subscriber> Layer<S> for Activity {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !event.metadata().target().starts_with("kling") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let Some(line) = note_of(&fields) {
            self.0.note(&line);
        }
    }
}

/// Installs the notes and, with `verbose` (`-v`: info, `-vv`: debug) or `RUST_LOG`
/// (`kling_core=debug,info`), the SDK's logs on stderr.
///
/// # Errors
///
/// A `RUST_LOG` that does not parse.
pub(crate) fn install(
    verbose: u8,
    rust_log: Option<&str>,
    notes: Arc<Notes>,
) -> Result<(), CommandError> {
    let targets = match rust_log.filter(|s| !s.trim().is_empty()) {
        Some(spec) => spec.parse::<Targets>().map_err(|e| {
            CommandError::usage(format!(
                "RUST_LOG={spec:?}: {e} (write it as `info` or `kling_core=debug,warn`)"
            ))
        })?,
        None => {
            let level = match verbose {
                0 => LevelFilter::OFF,
                1 => LevelFilter::INFO,
                _ => LevelFilter::DEBUG,
            };
            [
                "kling_core",
                "kling_client_async",
                "kling_redis",
                "kling_store",
                "kling_auth",
            ]
            .into_iter()
            .fold(Targets::new(), |t, target| t.with_target(target, level))
        }
    };
    let logs = (targets.default_level() != Some(LevelFilter::OFF)
        || targets.iter().any(|(_, level)| level != LevelFilter::OFF))
    .then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_target(true)
            .with_filter(targets)
    });
    // Notes need the SDK's info events whatever the logs show.
    let activity = Activity(notes).with_filter(
        Targets::new()
            .with_target("kling_core", Level::INFO)
            .with_target("kling_client_async", Level::INFO),
    );
    // A second install (never in the binary) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(activity)
        .with(logs)
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_read_as_what_is_happening() {
        let fields = Fields {
            message: "retrying".into(),
            reason: "concurrency_limit".into(),
            code: "1303".into(),
            attempt: 3,
            delay_ms: 4_049,
        };
        assert_eq!(
            note_of(&fields).as_deref(),
            Some("waiting for a slot (1303): retry 3 in 4s")
        );
        let fields = Fields {
            message: "retrying".into(),
            reason: "transport".into(),
            code: "-".into(),
            attempt: 1,
            delay_ms: 550,
        };
        assert_eq!(
            note_of(&fields).as_deref(),
            Some("network error: retry 1 in 600ms")
        );
        let other = Fields {
            message: "poll".into(),
            ..Fields::default()
        };
        assert_eq!(note_of(&other), None);
    }
}
