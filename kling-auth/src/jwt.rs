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

/// Why a token was refused, as a server checking it would say (for mock servers and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenRejection {
    /// Not three base64url parts, or not HS256 JSON (Kling: 1002).
    Malformed,
    /// Signed with another secret, or an unknown issuer (Kling: 1002).
    BadSignature,
    /// `nbf` is in the future (Kling: 1003).
    NotYetValid,
    /// `exp` has passed (Kling: 1004).
    Expired,
}

/// Checks `token` as Kling would: HS256 with the secret of its `iss`, then `nbf` and `exp`
/// against `now`. Returns the access key (`iss`).
///
/// # Errors
///
/// The [`TokenRejection`].
pub fn verify(
    token: &str,
    pairs: &[AccessKeyPair],
    now: SystemTime,
) -> Result<String, TokenRejection> {
    #[derive(serde::Deserialize)]
    struct Header {
        alg: String,
    }
    #[derive(serde::Deserialize)]
    struct Parsed {
        iss: String,
        exp: Option<u64>,
        nbf: Option<u64>,
    }
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenRejection::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenRejection::Malformed)
    };
    let header: Header =
        serde_json::from_slice(&decode(h)?).map_err(|_| TokenRejection::Malformed)?;
    if header.alg != "HS256" {
        return Err(TokenRejection::Malformed);
    }
    let claims: Parsed =
        serde_json::from_slice(&decode(c)?).map_err(|_| TokenRejection::Malformed)?;
    let signature = decode(s)?;
    let pair = pairs
        .iter()
        .find(|p| p.access_key() == claims.iss)
        .ok_or(TokenRejection::BadSignature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(pair.secret()).map_err(|_| TokenRejection::BadSignature)?;
    mac.update(&token.as_bytes()[..h.len() + 1 + c.len()]);
    mac.verify_slice(&signature)
        .map_err(|_| TokenRejection::BadSignature)?;
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if claims.nbf.is_some_and(|nbf| secs < nbf) {
        return Err(TokenRejection::NotYetValid);
    }
    if claims.exp.is_none_or(|exp| secs >= exp) {
        return Err(TokenRejection::Expired);
    }
    Ok(claims.iss)
}
