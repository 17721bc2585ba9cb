//! `kling batch receive`: the batch's callback receiver. Each delivery goes through kling-core's
//! `CallbackInbox` (token, signature, body, one note per task's end in the store); this file
//! serves it over HTTP and prints what came.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use clap::Args;
use kling_auth::{CallbackToken, WebhookVerifier};
use kling_core::fleet::{CallbackInbox, CallbackReceipt, JobStore};
use kling_types::callback::MAX_CALLBACK_BYTES;
use serde_json::json;
use tokio::sync::mpsc;

use super::{StoreArgs, open, shown};
use crate::flow::Ctx;
use crate::output::{CommandError, Format};

/// `kling batch receive`.
#[derive(Args)]
pub(crate) struct Receive {
    #[command(flatten)]
    store: StoreArgs,
    /// The port to listen on (0: any free port; the address is printed on stderr)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on: 127.0.0.1 unless told otherwise (put a tunnel or a proxy in
    /// front, or give 0.0.0.0 to take deliveries from the network)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    bind: IpAddr,
    /// The secret last segment of the callback URL, the same as `kling batch work`'s
    /// (32+ characters of [A-Za-z0-9_-]; e.g. `openssl rand -hex 32`)
    #[arg(
        long,
        env = "KLING_CALLBACK_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    /// Stop after this many deliveries noted
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
}

/// The callback URL workers create tasks with: `base` followed by the token.
pub(super) fn callback_url(base: &str, token: &str) -> Result<String, CommandError> {
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(CommandError::usage(format!(
            "--callback-url {base:?} is not an http(s) URL"
        )));
    }
    Ok(token_of(Some(token), "--callback-token")?.url(base))
}

fn token_of(token: Option<&str>, flag: &str) -> Result<CallbackToken, CommandError> {
    let token = token.ok_or_else(|| {
        CommandError::usage(format!(
            "no callback token: give {flag} or KLING_CALLBACK_TOKEN (32+ characters of \
             [A-Za-z0-9_-]; e.g. `openssl rand -hex 32`), the same to `kling batch work`"
        ))
    })?;
    // The token is never echoed: the error says what is wrong with it, not what it is.
    CallbackToken::new(token).map_err(|e| CommandError::usage(format!("{flag}: {e}")))
}

struct Receiver {
    inbox: CallbackInbox,
    store: Arc<dyn JobStore>,
    /// Bounded: a sender faster than the terminal waits rather than filling memory.
    events: mpsc::Sender<CallbackReceipt>,
}

async fn deliver(
    State(state): State<Arc<Receiver>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST a callback here\n");
    }
    let pairs = crate::local::header_pairs(&headers);
    let receipt = state
        .inbox
        .receive(&*state.store, uri.path(), &pairs, &body, SystemTime::now())
        .await;
    match receipt {
        Ok(receipt) => {
            let status = receipt.http_status();
            let _ = state.events.send(receipt).await;
            match status {
                200 => (StatusCode::OK, "ok\n"),
                // Nothing about the token: a wrong path is simply not found.
                404 => (StatusCode::NOT_FOUND, "not found\n"),
                401 => (StatusCode::UNAUTHORIZED, "invalid signature\n"),
                _ => (StatusCode::BAD_REQUEST, "not a callback\n"),
            }
        }
        Err(e) => {
            eprintln!("could not note a callback (the sender will try again): {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "try again\n")
        }
    }
}

fn print(receipt: &CallbackReceipt, format: Format, ctx: &Ctx) {
    match (format, receipt) {
        (Format::Json, CallbackReceipt::Noted { task_id, status }) => {
            ctx.emit(json!({"result": {"event": "noted", "task_id": task_id, "status": status}}))
        }
        (Format::Json, CallbackReceipt::Ignored { task_id, status }) => {
            ctx.emit(json!({"result": {"event": "ignored", "task_id": task_id, "status": status}}))
        }
        (Format::Json, CallbackReceipt::Refused { status, reason }) => ctx
            .emit(json!({"result": {"event": "refused", "http_status": status, "reason": reason}})),
        (Format::Text, CallbackReceipt::Noted { task_id, status }) => {
            println!("task {task_id} {status}: noted, its worker looks now");
        }
        (Format::Text, CallbackReceipt::Ignored { task_id, status }) => {
            println!("task {task_id} {status}");
        }
        (Format::Text, CallbackReceipt::Refused { status, reason }) => {
            eprintln!("refused a delivery ({status}): {reason}");
        }
        _ => {}
    }
}

/// `kling batch receive`: serves until Ctrl-C or `--max-events`.
pub(super) async fn receive(args: &Receive, ctx: &Ctx) -> Result<(), CommandError> {
    let token = token_of(args.token.as_deref(), "--token")?;
    let backend = open(&args.store, false).await?;
    let mut inbox = CallbackInbox::new(token);
    // New-standard callbacks are signed when the account has a webhook secret: checked then.
    if let Some(secret) = &ctx.settings.webhook_secret {
        inbox = inbox.verifier(WebhookVerifier::new(&secret.value)?);
    }
    let (listener, addr) = crate::local::bind(args.bind, args.port).await?;
    eprintln!(
        "receiving callbacks on http://{addr}/<token> into {} (Ctrl-C stops)",
        shown(&*backend)
    );
    let (tx, rx) = mpsc::channel(256);
    let router = axum::Router::new()
        .fallback(deliver)
        .layer(DefaultBodyLimit::max(MAX_CALLBACK_BYTES))
        .with_state(Arc::new(Receiver {
            inbox,
            store: backend.job_store(),
            events: tx,
        }));
    let mut noted = 0u64;
    crate::local::serve_events(listener, router, rx, |receipt| {
        if !ctx.quiet || ctx.format == Format::Json {
            print(&receipt, ctx.format, ctx);
        }
        if matches!(receipt, CallbackReceipt::Noted { .. }) {
            noted += 1;
        }
        args.max_events.is_none_or(|max| noted < max)
    })
    .await;
    if ctx.format == Format::Text {
        eprintln!("stopped after {noted} task end(s) noted");
    }
    Ok(())
}
