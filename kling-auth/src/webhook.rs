//! Webhook signature checks (`kling-api.md` section 4): the Standard Webhooks scheme Kling
//! signs callbacks with, and RunBlob's HMAC-SHA256 hex signature (UNCONFIRMED server side).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use kling_errors::{AuthError, AuthFailure, HeaderLookup};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

/// How far a webhook's timestamp may be from now (5 minutes), against replays.
pub const TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(300);

/// The largest webhook body checked (1 MiB; a task is a few KiB): anything larger is refused
/// before any work is spent on it.
pub const MAX_WEBHOOK_BODY: usize = 1 << 20;

/// At most this many `v1,` signatures are tried (a rotation sends two).
const MAX_SIGNATURES: usize = 8;

fn fail(message: &str) -> AuthError {
    AuthError::new(AuthFailure::WebhookSignature, message)
}

/// Verifies Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature: v1,<base64> [v1,<base64> ...]`), with one secret or several while you
/// rotate yours.
#[derive(Clone)]
pub struct WebhookVerifier {
    keys: Vec<SecretSlice<u8>>,
    tolerance: Duration,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("secrets", &format!("{} [redacted]", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier for the console's secret (`whsec_<base64>`; the prefix is optional).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when the secret is not base64.
    pub fn new(secret: &str) -> Result<Self, AuthError> {
        Self::with_secrets([secret])
    }

    /// A verifier accepting any of `secrets` (during a rotation of your own secret).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when a secret is not base64, or none is given.
    pub fn with_secrets<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Result<Self, AuthError> {
        let mut keys = Vec::new();
        for secret in secrets {
            let raw = secret.trim();
            let raw = raw.strip_prefix("whsec_").unwrap_or(raw);
            let key = STANDARD.decode(raw).map_err(|_| {
                AuthError::new(
                    AuthFailure::Invalid,
                    "the webhook secret is not whsec_<base64>",
                )
            })?;
            if key.is_empty() {
                return Err(AuthError::new(
                    AuthFailure::Invalid,
                    "the webhook secret is empty",
                ));
            }
            keys.push(SecretSlice::from(key));
        }
        if keys.is_empty() {
            return Err(AuthError::new(
                AuthFailure::Invalid,
                "no webhook secret given",
            ));
        }
        Ok(Self {
            keys,
            tolerance: TIMESTAMP_TOLERANCE,
        })
    }

    /// Changes the timestamp tolerance.
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks a delivery: its headers, its raw body bytes (exactly as received), at `now`.
    /// Everything in it is the sender's and is checked before it is used: a body over
    /// [`MAX_WEBHOOK_BODY`], a timestamp of any size, any number of signatures.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::WebhookSignature`] naming what failed: a body too large, a missing
    /// header, a timestamp outside the tolerance, or no signature that matches.
    pub fn verify<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), AuthError> {
        check_size(body)?;
        let id = headers
            .header("webhook-id")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| fail("missing webhook-id header"))?;
        let timestamp = headers
            .header("webhook-timestamp")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| fail("missing webhook-timestamp header"))?;
        let signatures = headers
            .header("webhook-signature")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| fail("missing webhook-signature header"))?;
        let secs: u64 = timestamp
            .parse()
            .map_err(|_| fail("webhook-timestamp is not Unix seconds"))?;
        // A timestamp beyond what a clock can hold is simply far away (never an overflow).
        let off = UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .map(|sent| match now.duration_since(sent) {
                Ok(d) => d,
                Err(e) => e.duration(),
            });
        match off {
            Some(off) if off <= self.tolerance => {}
            Some(off) => {
                return Err(fail(&format!(
                    "webhook-timestamp is {}s away from now (tolerance {}s)",
                    off.as_secs(),
                    self.tolerance.as_secs()
                )));
            }
            None => return Err(fail("webhook-timestamp is beyond any clock")),
        }
        let candidates: Vec<Vec<u8>> = signatures
            .split_whitespace()
            .filter_map(|s| s.strip_prefix("v1,"))
            .take(MAX_SIGNATURES)
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .collect();
        if candidates.is_empty() {
            return Err(fail("webhook-signature has no v1 signature"));
        }
        for key in &self.keys {
            for candidate in &candidates {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret())
                    .map_err(|_| fail("bad key"))?;
                mac.update(id.as_bytes());
                mac.update(b".");
                mac.update(timestamp.as_bytes());
                mac.update(b".");
                mac.update(body);
                // Constant-time comparison.
                if mac.verify_slice(candidate).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(fail("no webhook signature matches"))
    }

    /// Signs a delivery as Kling would: the `webhook-signature` value for `id`, `timestamp`
    /// and `body`, with the first secret (for tests and mock servers).
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.keys[0].expose_secret())
            .expect("HMAC takes any key length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// Checks RunBlob's optional webhook signature: hex HMAC-SHA256 of the raw body, sent in
/// `X-RunBlob-Signature` according to RunBlob's SDK (UNCONFIRMED that the server sends it).
///
/// # Errors
///
/// [`AuthFailure::WebhookSignature`] when the header is missing, not hex, or does not match.
pub fn verify_runblob_signature<H: HeaderLookup + ?Sized>(
    secret: &str,
    headers: &H,
    body: &[u8],
) -> Result<(), AuthError> {
    check_size(body)?;
    let given = headers
        .header("x-runblob-signature")
        .ok_or_else(|| fail("missing X-RunBlob-Signature header"))?;
    let given = given.strip_prefix("sha256=").unwrap_or(given);
    let bytes = decode_hex(given).ok_or_else(|| fail("X-RunBlob-Signature is not hex"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| fail("bad key"))?;
    mac.update(body);
    mac.verify_slice(&bytes)
        .map_err(|_| fail("the RunBlob signature does not match"))
}

/// Refuses a body over [`MAX_WEBHOOK_BODY`].
fn check_size(body: &[u8]) -> Result<(), AuthError> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(fail(&format!(
            "the webhook body is {} bytes, over the {MAX_WEBHOOK_BODY}-byte limit",
            body.len()
        )));
    }
    Ok(())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}
