//! The token cache: one minted JWT shared by every clone of a client and every thread, reused
//! until less than the refresh margin remains, re-minted by exactly one caller (single flight).

use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use kling_errors::{AuthError, AuthFailure, parse_http_date};

use crate::credentials::{Credentials, preview};
use crate::jwt::mint;

/// A token is re-minted when less than this remains (5 minutes): a request signed now may
/// spend a while in retries, and a server clock a little ahead must not see it expire.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The header a request carries: `Authorization: Bearer <token or key>` or `X-Api-Key: <key>`.
/// Cheap to clone; its value is a credential and is never printed.
#[derive(Clone)]
pub struct AuthHeader {
    name: &'static str,
    value: Arc<str>,
}

impl AuthHeader {
    /// The header name (`Authorization` or `X-Api-Key`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The header value. A credential: mark it sensitive in your HTTP library, never log it.
    pub fn expose_value(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthHeader({}: [redacted])", self.name)
    }
}

struct Cached {
    header: AuthHeader,
    /// In server time.
    expires_at: SystemTime,
}

struct Inner {
    credentials: Credentials,
    /// Static keys: the header, built once.
    fixed: Option<AuthHeader>,
    cached: RwLock<Option<Arc<Cached>>>,
    mint_lock: Mutex<()>,
    /// Server clock minus local clock, in milliseconds.
    skew_ms: AtomicI64,
    mints: AtomicU64,
    refresh_margin: Duration,
}

/// Produces the auth header of each request from [`Credentials`], minting and caching JWTs
/// for access key pairs. Clones share the cache.
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner.credentials {
            Credentials::AccessKey(pair) => format!("access key {}", preview(pair.access_key())),
            Credentials::Bearer(_) => "bearer API key".to_owned(),
            Credentials::XApiKey(_) => "X-Api-Key".to_owned(),
            Credentials::Both(pair, _) => format!(
                "access key {} and bearer API key",
                preview(pair.access_key())
            ),
            Credentials::None => "none (downloads only)".to_owned(),
        };
        f.debug_struct("Authenticator")
            .field("credentials", &kind)
            .field("clock_skew_ms", &self.clock_skew_ms())
            .field("mints", &self.mints())
            .finish_non_exhaustive()
    }
}

/// The refusal of every API request of a client built with [`Credentials::None`].
fn no_credentials() -> AuthError {
    AuthError::new(
        AuthFailure::Missing,
        "this client has no credentials (Credentials::None): it downloads result files, \
         it cannot call the API",
    )
}

fn shift(time: SystemTime, ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        time + d
    } else {
        time.checked_sub(d).unwrap_or(time)
    }
}

impl Authenticator {
    /// An authenticator for `credentials`, with the default refresh margin.
    pub fn new(credentials: Credentials) -> Self {
        Self::with_refresh_margin(credentials, DEFAULT_REFRESH_MARGIN)
    }

    /// As [`new`](Self::new), re-minting when less than `margin` remains.
    pub fn with_refresh_margin(credentials: Credentials, margin: Duration) -> Self {
        let fixed = match &credentials {
            Credentials::AccessKey(_) | Credentials::None => None,
            Credentials::Bearer(key) | Credentials::Both(_, key) => Some(AuthHeader {
                name: "Authorization",
                value: Arc::from(format!("Bearer {}", key.expose())),
            }),
            Credentials::XApiKey(key) => Some(AuthHeader {
                name: "X-Api-Key",
                value: Arc::from(key.expose()),
            }),
        };
        Self {
            inner: Arc::new(Inner {
                credentials,
                fixed,
                cached: RwLock::new(None),
                mint_lock: Mutex::new(()),
                skew_ms: AtomicI64::new(0),
                mints: AtomicU64::new(0),
                refresh_margin: margin,
            }),
        }
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// The header for a request sent at `now` (local clock), for an API that takes a JWT or
    /// an API key (Kling's legacy API): the JWT when there is an access key pair, else the key.
    ///
    /// For an access key pair: the cached token while more than the refresh margin remains,
    /// else a new one, minted by one caller while concurrent callers wait for it.
    ///
    /// # Errors
    ///
    /// A mint failure (a clock before 1970).
    pub fn header(&self, now: SystemTime) -> Result<AuthHeader, AuthError> {
        let pair = match (&self.inner.credentials, &self.inner.fixed) {
            (Credentials::None, _) => return Err(no_credentials()),
            (Credentials::AccessKey(pair) | Credentials::Both(pair, _), _) => pair,
            (_, Some(fixed)) => return Ok(fixed.clone()),
            (_, None) => {
                return Err(AuthError::new(
                    AuthFailure::Invalid,
                    "these credentials make no header",
                ));
            }
        };
        let server_now = shift(now, self.clock_skew_ms());
        if let Some(header) = self.fresh(server_now) {
            return Ok(header);
        }
        // Single flight: one caller mints; the others find its token when they get the lock.
        let _guard = self
            .inner
            .mint_lock
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(header) = self.fresh(server_now) {
            return Ok(header);
        }
        let token = mint(pair, server_now)?;
        self.inner.mints.fetch_add(1, Ordering::Relaxed);
        let header = AuthHeader {
            name: "Authorization",
            value: Arc::from(format!("Bearer {}", token.expose())),
        };
        let cached = Arc::new(Cached {
            header: header.clone(),
            expires_at: token.expires_at(),
        });
        *self.inner.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(cached);
        Ok(header)
    }

    /// The header for an API that takes an API key only (Kling's new standard, RunBlob).
    ///
    /// # Errors
    ///
    /// [`AuthFailure::Missing`] when the credentials hold only an access key pair: say so
    /// before anything is sent, instead of letting the server answer 401.
    pub fn api_key_header(&self) -> Result<AuthHeader, AuthError> {
        if matches!(self.inner.credentials, Credentials::None) {
            return Err(no_credentials());
        }
        self.inner.fixed.clone().ok_or_else(|| {
            AuthError::new(
                AuthFailure::Missing,
                "this API accepts only an API key, and only an access key pair is configured: \
                 set KLING_API_KEY (or use Credentials::api_key / Credentials::both)",
            )
        })
    }

    /// The cached header, if it has more than the refresh margin left at `server_now`.
    fn fresh(&self, server_now: SystemTime) -> Option<AuthHeader> {
        let cached = self.inner.cached.read().unwrap_or_else(|e| e.into_inner());
        let cached = cached.as_ref()?;
        let left = cached.expires_at.duration_since(server_now).ok()?;
        (left > self.inner.refresh_margin).then(|| cached.header.clone())
    }

    /// Drops the cached token, so the next request mints a new one (after a 1003 or 1004).
    /// Static keys are unaffected.
    pub fn invalidate(&self) {
        *self.inner.cached.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Measures the clock skew from a response's `Date` header received at `now`, so tokens
    /// are minted in the server's time (the fix for 1003 "not yet valid"). Returns the skew
    /// (server minus local, ms), or `None` when the header does not parse.
    pub fn observe_server_date(&self, date: &str, now: SystemTime) -> Option<i64> {
        let server = parse_http_date(date)?;
        let skew = match server.duration_since(now) {
            Ok(ahead) => i64::try_from(ahead.as_millis()).ok()?,
            Err(behind) => -i64::try_from(behind.duration().as_millis()).ok()?,
        };
        self.inner.skew_ms.store(skew, Ordering::Relaxed);
        Some(skew)
    }

    /// The measured skew: server clock minus local clock, in milliseconds (0 until measured).
    pub fn clock_skew_ms(&self) -> i64 {
        self.inner.skew_ms.load(Ordering::Relaxed)
    }

    /// How many tokens this authenticator (and its clones) minted.
    pub fn mints(&self) -> u64 {
        self.inner.mints.load(Ordering::Relaxed)
    }
}
