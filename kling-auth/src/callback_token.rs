//! A capability token for callback URLs: legacy callbacks are unsigned, so the only proof
//! that a delivery came from whoever was given the URL is a secret inside it.

use std::fmt;

use kling_errors::{AuthError, AuthFailure};
use secrecy::{ExposeSecret, SecretString};

/// The shortest token accepted (128 bits of hex).
const MIN_LEN: usize = 32;

/// A secret path segment for a callback URL (`https://you.example/kling/callback/<token>`),
/// checked in constant time when a delivery arrives; a receiver answers 404 on a mismatch.
/// Never printed by `Debug`.
#[derive(Clone)]
pub struct CallbackToken(SecretString);

impl fmt::Debug for CallbackToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackToken([redacted])")
    }
}

impl CallbackToken {
    /// A token from 32 random bytes (take them from your CSPRNG), hex-encoded.
    pub fn from_random_bytes(bytes: [u8; 32]) -> Self {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self(SecretString::from(hex))
    }

    /// A token you stored: at least 32 characters of `[A-Za-z0-9_-]` (safe in a URL path).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] for a token too short or with other characters (never
    /// echoed).
    pub fn new(token: impl Into<String>) -> Result<Self, AuthError> {
        let token = SecretString::from(token.into());
        let text = token.expose_secret();
        let safe = text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if text.len() < MIN_LEN || !safe {
            return Err(AuthError::new(
                AuthFailure::Invalid,
                "a callback token needs at least 32 characters of [A-Za-z0-9_-]",
            ));
        }
        Ok(Self(token))
    }

    /// The token itself, to build the URL you give Kling (a secret: never log it).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// `base` with the token as its last path segment.
    pub fn url(&self, base: &str) -> String {
        format!("{}/{}", base.trim_end_matches('/'), self.expose())
    }

    /// Whether `candidate` (the path segment a delivery came to) is this token. The
    /// comparison takes the same time whatever the content, so a wrong guess tells nothing.
    pub fn matches(&self, candidate: &str) -> bool {
        let ours = self.expose().as_bytes();
        let theirs = candidate.as_bytes();
        if ours.len() != theirs.len() {
            return false;
        }
        ours.iter()
            .zip(theirs)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}
