//! HS256 JWT minting exactly as the official docs specify (`kling-api.md` 1b): header
//! `{"alg":"HS256","typ":"JWT"}`, claims `iss` (access key), `exp` (now + 1800 s), `nbf`
//! (now - 5 s), HMAC-SHA256 keyed with the secret key's UTF-8 bytes, base64url without padding.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use kling_errors::{AuthError, AuthFailure};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::Sha256;

use crate::credentials::AccessKeyPair;

/// How long a minted token is valid (the official sample's 30 minutes).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(1800);
/// How far `nbf` is back-dated, for small clock differences (the official sample's 5 s).
pub const NOT_BEFORE_LEEWAY: Duration = Duration::from_secs(5);

/// The header, fixed: encoded once.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    exp: u64,
    nbf: u64,
}

/// A minted JWT and its validity window.
#[derive(Clone)]
pub struct Token {
    value: SecretString,
    not_before: SystemTime,
    expires_at: SystemTime,
}

impl Token {
    /// The compact JWT (`header.claims.signature`). A credential: do not log it.
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }

    /// When it expires (`exp`).
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// When it becomes valid (`nbf`).
    pub fn not_before(&self) -> SystemTime {
        self.not_before
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"[redacted]")
            .field("not_before", &self.not_before)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Mints a token for `pair` at `now` (the server's time, if you correct for skew).
///
/// # Errors
///
/// [`AuthFailure::Mint`] when `now` is before 1970 (a broken clock).
pub fn mint(pair: &AccessKeyPair, now: SystemTime) -> Result<Token, AuthError> {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map_err(|_| AuthError::new(AuthFailure::Mint, "the clock is before 1970"))?
        .as_secs();
    let exp = secs + TOKEN_LIFETIME.as_secs();
    let nbf = secs.saturating_sub(NOT_BEFORE_LEEWAY.as_secs());
    let claims = serde_json::to_vec(&Claims {
        iss: pair.access_key(),
        exp,
        nbf,
    })
    .map_err(|_| AuthError::new(AuthFailure::Mint, "the claims do not serialize"))?;
    let mut token = String::with_capacity(256);
    URL_SAFE_NO_PAD.encode_string(HEADER, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&claims, &mut token);
    let mut mac = Hmac::<Sha256>::new_from_slice(pair.secret())
        .map_err(|_| AuthError::new(AuthFailure::Mint, "the secret key cannot key HMAC-SHA256"))?;
    mac.update(token.as_bytes());
    let signature = mac.finalize().into_bytes();
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(Token {
        value: SecretString::from(token),
        not_before: UNIX_EPOCH + Duration::from_secs(nbf),
        expires_at: UNIX_EPOCH + Duration::from_secs(exp),
    })
}
