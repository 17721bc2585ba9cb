//! Credentials: an access key pair (minted into JWTs), a bearer API key, or an `X-Api-Key` key.
//! Secrets are held in [`SecretString`] (zeroed on drop) and never printed.

use std::fmt;

use kling_errors::{AuthError, AuthFailure};
use secrecy::{ExposeSecret, SecretString};

/// Environment variable of the access key.
pub const ENV_ACCESS_KEY: &str = "KLING_ACCESS_KEY";
/// Environment variable of the secret key.
pub const ENV_SECRET_KEY: &str = "KLING_SECRET_KEY";
/// Environment variable of a static API key.
pub const ENV_API_KEY: &str = "KLING_API_KEY";

/// The first 4 characters of an identifier, then an ellipsis: enough to tell keys apart in a
/// log, never the whole key.
pub(crate) fn preview(text: &str) -> String {
    let head: String = text.chars().take(4).collect();
    if head.len() < text.len() {
        format!("{head}…")
    } else {
        "…".to_owned()
    }
}

/// Rejects values that cannot be sent or are surely a copy-paste mistake.
fn check(what: &str, value: &str) -> Result<(), AuthError> {
    if value.trim().is_empty() {
        return Err(AuthError::new(
            AuthFailure::Invalid,
            &format!("the {what} is empty"),
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AuthError::new(
            AuthFailure::Invalid,
            &format!(
                "the {what} contains whitespace or control characters (a copy-paste mistake?)"
            ),
        ));
    }
    Ok(())
}

/// An access key and its secret key: each request carries a JWT minted from them.
#[derive(Clone)]
pub struct AccessKeyPair {
    access_key: String,
    secret_key: SecretString,
}

impl AccessKeyPair {
    /// A pair, checked for empty or whitespace-bearing values.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] naming which key is wrong (never its value).
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, AuthError> {
        let access_key = access_key.into();
        let secret_key = SecretString::from(secret_key.into());
        check("access key", &access_key)?;
        check("secret key", secret_key.expose_secret())?;
        Ok(Self {
            access_key,
            secret_key,
        })
    }

    /// The access key (the JWT's `iss`; not a secret, but printed only as a preview).
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub(crate) fn secret(&self) -> &[u8] {
        self.secret_key.expose_secret().as_bytes()
    }
}

impl fmt::Debug for AccessKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKeyPair")
            .field("access_key", &preview(&self.access_key))
            .field("secret_key", &"[redacted]")
            .finish()
    }
}

/// A static API key.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// A key, checked for empty or whitespace-bearing values.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when the key is empty or contains whitespace.
    pub fn new(key: impl Into<String>) -> Result<Self, AuthError> {
        let key = SecretString::from(key.into());
        check("API key", key.expose_secret())?;
        Ok(Self(key))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// How requests are authenticated.
///
/// Kling's legacy API takes a JWT minted from an access key pair or an API key; the new
/// standard (and RunBlob) takes an API key only. With [`Both`](Self::Both), legacy requests
/// carry the JWT and the new standard's carry the key.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// Kling's access key + secret key: `Authorization: Bearer <JWT>`, minted and cached.
    AccessKey(AccessKeyPair),
    /// A static key sent as `Authorization: Bearer <key>` (Kling's new standard, RunBlob).
    Bearer(ApiKey),
    /// A static key sent as `X-Api-Key: <key>` (Pikzels' style).
    XApiKey(ApiKey),
    /// An access key pair for the APIs that take a JWT, and a bearer API key for those that
    /// take only a key.
    Both(AccessKeyPair, ApiKey),
    /// No credentials: a client that only downloads result files (a download never carries
    /// credentials, so the URL of a finished task is all it needs). Every API request is
    /// refused before it is sent, with [`AuthFailure::Missing`].
    None,
}

impl Credentials {
    /// An access key pair.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when a key is empty or contains whitespace.
    pub fn access_key(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, AuthError> {
        AccessKeyPair::new(access_key, secret_key).map(Self::AccessKey)
    }

    /// A bearer API key.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when the key is empty or contains whitespace.
    pub fn api_key(key: impl Into<String>) -> Result<Self, AuthError> {
        ApiKey::new(key).map(Self::Bearer)
    }

    /// An `X-Api-Key` key.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when the key is empty or contains whitespace.
    pub fn x_api_key(key: impl Into<String>) -> Result<Self, AuthError> {
        ApiKey::new(key).map(Self::XApiKey)
    }

    /// An access key pair and a bearer API key ([`Both`](Self::Both)).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Invalid`] when a key is empty or contains whitespace.
    pub fn both(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Result<Self, AuthError> {
        Ok(Self::Both(
            AccessKeyPair::new(access_key, secret_key)?,
            ApiKey::new(api_key)?,
        ))
    }

    /// Whether an API key is among the credentials (the new standard needs one).
    pub fn has_api_key(&self) -> bool {
        matches!(self, Self::Bearer(_) | Self::XApiKey(_) | Self::Both(..))
    }

    /// Credentials from the environment: `KLING_ACCESS_KEY` + `KLING_SECRET_KEY`, and/or
    /// `KLING_API_KEY` (all three give [`Both`](Self::Both)).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Missing`] naming the variables that are unset, or
    /// [`AuthFailure::Invalid`] for a value that cannot be used.
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading variables through `lookup` (for tests and for
    /// configuration systems other than the process environment).
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AuthError> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        match (get(ENV_ACCESS_KEY), get(ENV_SECRET_KEY), get(ENV_API_KEY)) {
            (Some(ak), Some(sk), Some(key)) => Self::both(ak, sk, key),
            (Some(ak), Some(sk), None) => Self::access_key(ak, sk),
            (Some(_), None, None) => Err(AuthError::new(
                AuthFailure::Missing,
                &format!("{ENV_ACCESS_KEY} is set but {ENV_SECRET_KEY} is not"),
            )),
            (None, Some(_), None) => Err(AuthError::new(
                AuthFailure::Missing,
                &format!("{ENV_SECRET_KEY} is set but {ENV_ACCESS_KEY} is not"),
            )),
            (_, _, Some(key)) => Self::api_key(key),
            (None, None, None) => Err(AuthError::new(
                AuthFailure::Missing,
                &format!(
                    "no credentials: set {ENV_ACCESS_KEY} and {ENV_SECRET_KEY}, or {ENV_API_KEY}"
                ),
            )),
        }
    }
}
