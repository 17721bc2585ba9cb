//! Deliveries to the caller's URL: Kling callbacks on every status change (the bare task
//! object, signed with Standard Webhooks when a secret is set) and RunBlob webhooks on the
//! terminal state (the generation, signed with `X-RunBlob-Signature` when a secret is set).
//!
//! Plain `http://` receivers only (a test's listener on this machine); a delivery that cannot
//! connect or gets a non-2xx status is tried again, 3 attempts in all.

use std::io;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use kling_auth::WebhookVerifier;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::task::{Api, Stage, TaskRecord};

/// Attempts per delivery, and the pause before each retry.
const RETRY_PAUSES: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(2)];
/// Connecting, and the whole exchange (RunBlob documents 10 s and 30 s).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// How deliveries are signed.
#[derive(Clone, Default)]
pub(crate) struct Signers {
    /// Standard Webhooks (Kling).
    pub(crate) kling: Option<WebhookVerifier>,
    /// HMAC-SHA256 hex (RunBlob).
    pub(crate) runblob: Option<String>,
}

/// Sends the task's status changes to `url`, in order, in the background.
pub(crate) fn spawn(task: TaskRecord, files_url: String, url: String, signers: Signers) {
    tokio::spawn(async move {
        let schedule = [Duration::ZERO, task.processing_after, task.done_after];
        let mut last = None;
        for (i, at) in schedule.into_iter().enumerate() {
            tokio::time::sleep_until(tokio::time::Instant::from_std(task.created + at)).await;
            // The first delivery is the create's own state, whatever the clock says.
            let stage = if i == 0 {
                Stage::Submitted
            } else {
                task.stage(Instant::now())
            };
            if last == Some(stage) {
                continue;
            }
            last = Some(stage);
            let (body, headers) = match &task.api {
                Api::RunBlob(_) if !stage.is_terminal() => continue,
                Api::RunBlob(_) => {
                    let body = task.generation(stage, &files_url).to_string();
                    let headers = signers
                        .runblob
                        .as_deref()
                        .map(|secret| {
                            vec![(
                                "X-RunBlob-Signature".to_owned(),
                                runblob_signature(secret, body.as_bytes()),
                            )]
                        })
                        .unwrap_or_default();
                    (body, headers)
                }
                Api::Legacy(_) => (task.legacy(stage, &files_url).to_string(), Vec::new()),
                Api::Standard { .. } => (task.standard(stage, &files_url).to_string(), Vec::new()),
            };
            let delivery = format!("msg_{}_{i}", task.id);
            deliver(&url, &body, &headers, &delivery, signers.kling.as_ref()).await;
        }
    });
}

/// `X-RunBlob-Signature`: HMAC-SHA256 of the body keyed with the secret, hex.
pub(crate) fn runblob_signature(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One delivery, tried up to 3 times.
async fn deliver(
    url: &str,
    body: &str,
    headers: &[(String, String)],
    delivery: &str,
    kling: Option<&WebhookVerifier>,
) {
    for pause in std::iter::once(Duration::ZERO).chain(RETRY_PAUSES) {
        tokio::time::sleep(pause).await;
        let mut all = headers.to_vec();
        if let Some(signer) = kling {
            // Standard Webhooks: the same id on every attempt (receivers dedupe on it), a fresh
            // timestamp and signature.
            let ts = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            all.push(("webhook-id".into(), delivery.to_owned()));
            all.push(("webhook-timestamp".into(), ts.to_string()));
            all.push((
                "webhook-signature".into(),
                signer.sign(delivery, ts, body.as_bytes()),
            ));
        }
        match tokio::time::timeout(EXCHANGE_TIMEOUT, post(url, body, &all)).await {
            // Delivered, or an answer that is not an error status: done.
            Ok(Ok(status)) if status.is_none_or(|s| (200..300).contains(&s)) => return,
            // Refused with a status, or could not connect: try again.
            Ok(Ok(_)) | Ok(Err(_)) => {}
            // No answer in time: the receiver has the body; trying again would only pile up.
            Err(_) => return,
        }
    }
}

/// POSTs `body` to a plain `http://` URL; the status of the answer, if one came.
async fn post(url: &str, body: &str, headers: &[(String, String)]) -> io::Result<Option<u16>> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| io::Error::other("only http:// receivers"))?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    if host.is_empty() || host.contains(['\r', '\n', ' ']) || path.contains(['\r', '\n', ' ']) {
        return Err(io::Error::other("a malformed callback URL"));
    }
    let target = if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host.to_owned()
    } else {
        format!("{host}:80")
    };
    let mut stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(target))
        .await
        .map_err(|_| io::Error::other("connect timed out"))??;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: kling-mock\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    // Only the status line matters: read until it is in, the peer closes, or 4 KiB came.
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    while answer.len() < 4096 && !answer.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
    }
    let status = std::str::from_utf8(&answer)
        .ok()
        .and_then(|t| t.strip_prefix("HTTP/1."))
        .and_then(|t| t.get(2..5))
        .and_then(|s| s.parse().ok());
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runblob_signatures_verify() {
        let body = br#"{"generation_id":"g","status":"completed"}"#;
        let signature = runblob_signature("s3cret", body);
        let headers = vec![("X-RunBlob-Signature".to_owned(), signature)];
        kling_auth::verify_runblob_signature("s3cret", &headers, body).unwrap();
        assert!(kling_auth::verify_runblob_signature("other", &headers, body).is_err());
    }
}
