//! `kling webhook verify|listen`: Standard Webhooks signatures (Kling's new standard) and
//! RunBlob's HMAC, checked by kling-auth; a local receiver for trying callbacks.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use clap::{Args, Subcommand};
use kling_auth::{WebhookVerifier, verify_runblob_signature};
use kling_types::callback::CallbackPayload;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::args::parse_duration;
use crate::config::Settings;
use crate::output::{CommandError, Format, emit};

/// `kling webhook ...`.
#[derive(Subcommand)]
pub(crate) enum WebhookCommand {
    /// Check a delivery's signature; exit 0 when it is valid, 3 when it is not
    Verify(Verify),
    /// Receive webhooks on 127.0.0.1, verify them and print each event (Ctrl-C stops)
    Listen(Listen),
}

/// The secret and scheme of a check.
#[derive(Args)]
pub(crate) struct Secret {
    /// The webhook secret (`whsec_...`; with --runblob, RunBlob's secret) [env: KLING_WEBHOOK_SECRET]
    #[arg(long)]
    secret: Option<String>,
    /// Check RunBlob's `X-RunBlob-Signature` (hex HMAC-SHA256 of the body) instead
    #[arg(long)]
    runblob: bool,
    /// How far the `webhook-timestamp` may be from now
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    tolerance: Duration,
}

/// `kling webhook verify`.
#[derive(Args)]
pub(crate) struct Verify {
    #[command(flatten)]
    secret: Secret,
    /// A header of the delivery: 'webhook-id: msg_1' (repeat)
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// A file of headers, one 'Name: value' a line (as curl -D writes them)
    #[arg(long, value_name = "FILE")]
    headers_file: Option<PathBuf>,
    /// The raw body: a file, or `-` for stdin
    #[arg(long, default_value = "-", value_name = "FILE")]
    body: String,
}

/// `kling webhook listen`.
#[derive(Args)]
pub(crate) struct Listen {
    #[command(flatten)]
    secret: Secret,
    /// The port on 127.0.0.1 (0: any free port; the address is printed on stderr)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Stop after this many accepted events
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
}

/// Checks deliveries with one secret and scheme.
enum Checker {
    /// Standard Webhooks.
    Standard(WebhookVerifier),
    /// RunBlob's hex HMAC.
    RunBlob(String),
    /// No secret: nothing is checked.
    Unverified,
}

impl Checker {
    fn new(secret: &Secret, settings: &Settings, required: bool) -> Result<Self, CommandError> {
        let value = secret
            .secret
            .clone()
            .or_else(|| settings.webhook_secret.as_ref().map(|s| s.value.clone()));
        match value {
            None if required => Err(CommandError::usage(
                "no webhook secret: give --secret, KLING_WEBHOOK_SECRET or webhook_secret in a profile",
            )),
            None => Ok(Self::Unverified),
            Some(s) if secret.runblob => Ok(Self::RunBlob(s)),
            Some(s) => Ok(Self::Standard(
                WebhookVerifier::new(&s)?.tolerance(secret.tolerance),
            )),
        }
    }

    fn check(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<bool, kling_errors::AuthError> {
        match self {
            Self::Standard(v) => v.verify(headers, body, SystemTime::now()).map(|()| true),
            Self::RunBlob(secret) => verify_runblob_signature(secret, headers, body).map(|()| true),
            Self::Unverified => Ok(false),
        }
    }
}

/// `Name: value` into a pair.
fn header(line: &str) -> Result<(String, String), CommandError> {
    let (name, value) = line
        .split_once(':')
        .filter(|(n, _)| !n.trim().is_empty() && !n.contains(' '))
        .ok_or_else(|| {
            CommandError::usage(format!("{line:?} is not a header (write 'Name: value')"))
        })?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

fn read_headers(v: &Verify) -> Result<Vec<(String, String)>, CommandError> {
    let mut headers = Vec::new();
    if let Some(path) = &v.headers_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| kling_errors::IoError::new("read the headers file", path, e))?;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            // A status or request line (`HTTP/1.1 200 OK`, `POST /hook HTTP/1.1`) is not a header.
            if line.starts_with("HTTP/") || line.ends_with("HTTP/1.1") || line.ends_with("HTTP/2") {
                continue;
            }
            headers.push(header(line)?);
        }
    }
    for h in &v.headers {
        headers.push(header(h)?);
    }
    Ok(headers)
}

/// What an event shows: the task it is about, when the body is a known callback.
fn describe(body: &[u8]) -> Value {
    let about = CallbackPayload::parse(body)
        .ok()
        .map(|p| json!({"task_id": p.task_id(), "status": p.status()}));
    let parsed: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    json!({"about": about, "body": parsed})
}

/// `kling webhook verify`.
pub(crate) fn verify(
    v: &Verify,
    settings: &Settings,
    format: Format,
    cmd: &str,
) -> Result<(), CommandError> {
    let checker = Checker::new(&v.secret, settings, true)?;
    let headers = read_headers(v)?;
    // This command reads one input: a context of its own is enough.
    let body = crate::input::Input::default().read_file(&v.body, "--body")?;
    checker.check(&headers, &body)?;
    let id = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("webhook-id"))
        .map(|(_, v)| v.clone());
    match format {
        Format::Json => {
            let mut doc = json!({"valid": true, "webhook_id": id});
            if let (Some(obj), Value::Object(more)) = (doc.as_object_mut(), describe(&body)) {
                obj.extend(more);
            }
            emit(cmd, json!({"result": doc}));
        }
        Format::Text => println!("valid{}", id.map(|i| format!(" ({i})")).unwrap_or_default()),
    }
    Ok(())
}

/// The receiver's shared state.
struct Receiver {
    checker: Checker,
    /// Bounded: a sender faster than the terminal waits rather than filling memory.
    events: mpsc::Sender<Value>,
}

async fn receive(
    State(state): State<Arc<Receiver>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST a webhook here\n");
    }
    let pairs = crate::local::header_pairs(&headers);
    match state.checker.check(&pairs, &body) {
        Ok(verified) => {
            let get = |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            let mut event = json!({
                "verified": verified,
                "webhook_id": get("webhook-id"),
                "timestamp": get("webhook-timestamp"),
            });
            if let (Some(obj), Value::Object(more)) = (event.as_object_mut(), describe(&body)) {
                obj.extend(more);
            }
            let _ = state.events.send(event).await;
            (StatusCode::OK, "ok\n")
        }
        Err(e) => {
            eprintln!("rejected a delivery: {e}");
            (StatusCode::UNAUTHORIZED, "invalid signature\n")
        }
    }
}

fn print_event(event: &Value, format: Format, cmd: &str) {
    match format {
        // JSON lines: one event per line, for `jq` and friends.
        Format::Json => emit(cmd, json!({"result": event})),
        Format::Text => {
            let id = event["webhook_id"].as_str().unwrap_or("-");
            let mark = if event["verified"] == json!(true) {
                "verified"
            } else {
                "UNVERIFIED"
            };
            match &event["about"] {
                Value::Object(a) => println!(
                    "event {id} ({mark}): task {} {}",
                    a.get("task_id").and_then(Value::as_str).unwrap_or("-"),
                    a.get("status").and_then(Value::as_str).unwrap_or("-")
                ),
                _ => println!("event {id} ({mark})"),
            }
            println!("  {}", event["body"]);
        }
    }
}

/// `kling webhook listen`: serves until Ctrl-C or `--max-events`.
pub(crate) async fn listen(
    l: &Listen,
    settings: &Settings,
    format: Format,
    cmd: &str,
) -> Result<(), CommandError> {
    let checker = Checker::new(&l.secret, settings, false)?;
    if matches!(checker, Checker::Unverified) {
        eprintln!("warning: no secret given: events are printed unverified");
    }
    let (listener, addr) = crate::local::bind([127, 0, 0, 1].into(), l.port).await?;
    eprintln!("listening on http://{addr}/ (Ctrl-C stops)");
    let (tx, rx) = mpsc::channel(256);
    let router = axum::Router::new()
        .fallback(receive)
        .with_state(Arc::new(Receiver {
            checker,
            events: tx,
        }));
    let mut seen = 0u64;
    crate::local::serve_events(listener, router, rx, |event| {
        print_event(&event, format, cmd);
        seen += 1;
        l.max_events.is_none_or(|max| seen < max)
    })
    .await;
    if format == Format::Text {
        eprintln!("stopped after {seen} event(s)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse() {
        assert_eq!(
            header("webhook-id: msg_1").unwrap(),
            ("webhook-id".to_owned(), "msg_1".to_owned())
        );
        assert!(header("no colon").is_err());
        assert!(header(": x").is_err());
    }
}
