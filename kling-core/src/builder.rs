//! The client builder, once for both clients: every setting but the transport's and the
//! sleep's kind is the same. Order does not matter: an explicit [`base_url`](ClientBuilder::base_url)
//! wins over the one inside a [`config`](ClientBuilder::config), whichever came first.

use std::fmt;
use std::sync::Arc;

use kling_auth::{Authenticator, Credentials};
use kling_errors::{AuthError, AuthFailure, Error, KlingCode, ValidationError};

use crate::config::Config;
use crate::engine::Engine;
use crate::fleet::{AsyncTaskSlots, TaskSlots};
use crate::pace::{AsyncRequestPacer, RequestPacer};
use crate::time::{AsyncSleep, Clock, FastRng, Rng, Sleep, SystemClock};
use crate::transport::{AsyncTransport, Transport};

/// The environment variable of the API host.
pub const ENV_BASE_URL: &str = "KLING_BASE_URL";

/// What a client is made of, handed to [`ClientKind::assemble`]. Plumbing of the client
/// crates.
#[doc(hidden)]
#[non_exhaustive]
pub struct ClientParts<T: ?Sized, S: ?Sized> {
    /// Configuration, credentials, retry policy, randomness.
    pub engine: Engine,
    /// The transport.
    pub transport: Arc<T>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The sleep.
    pub sleep: Arc<S>,
}

impl<T: ?Sized, S: ?Sized> ClientParts<T, S> {
    /// The exact request `endpoint` would send now (the token is real: redact it before
    /// printing).
    ///
    /// # Errors
    ///
    /// A validation error, or credentials that cannot sign it.
    pub fn prepare<E: kling_types::Endpoint>(
        &self,
        endpoint: &E,
    ) -> Result<crate::http::HttpRequest, Error> {
        self.engine.dry_run(endpoint, self.clock.now())
    }
}

impl<T: ?Sized, S: ?Sized> fmt::Debug for ClientParts<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientParts")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

/// What a client holds behind its `Arc` (clones share it): its parts, its task slots
/// (`None`: unlimited) and its request budget (`None`: unpaced). Plumbing of the client
/// crates.
#[doc(hidden)]
#[non_exhaustive]
pub struct ClientState<T: ?Sized, S: ?Sized, L: ?Sized, P: ?Sized> {
    /// Engine, transport, clock, sleep.
    pub parts: ClientParts<T, S>,
    /// The task slots every job holds from its create to its task's end.
    pub slots: Option<Arc<L>>,
    /// The request budget every request draws on.
    pub pacer: Option<Arc<P>>,
}

impl<T: ?Sized, S: ?Sized, L: ?Sized, P: ?Sized> ClientState<T, S, L, P> {
    /// The state of a client made of `parts`, `slots` and `pacer`.
    pub fn new(parts: ClientParts<T, S>, slots: Option<Arc<L>>, pacer: Option<Arc<P>>) -> Self {
        Self {
            parts,
            slots,
            pacer,
        }
    }
}

impl<T: ?Sized, S: ?Sized, L: ?Sized, P: ?Sized> fmt::Debug for ClientState<T, S, L, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("engine", &self.parts.engine)
            .field("task_slots", &self.slots.is_some())
            .field("request_pacer", &self.pacer.is_some())
            .finish_non_exhaustive()
    }
}

/// Declares a client type (both client crates, once): the struct over a shared
/// [`ClientState`], its [`ClientKind`] (the builder's defaults: transport, sleep, in-memory
/// slots), its backend (`$backend`, with `$extra` items such as an async client's files) and
/// its inherent constructors. A client crate writes only what differs: the types and defaults.
#[doc(hidden)]
#[macro_export]
macro_rules! client_type {
    (
        $(#[$meta:meta])*
        $vis:vis struct $client:ident {
            backend: $backend:path,
            transport: $transport:ty = $default_transport:expr,
            sleep: $sleep:ty = $default_sleep:expr,
            slots: $slots:ty = $memory_slots:expr,
            pacer: $pacer:ty $(,)?
        }
        $($extra:item)*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        $vis struct $client {
            state: ::std::sync::Arc<$crate::ClientState<$transport, $sleep, $slots, $pacer>>,
        }

        impl $crate::ClientKind for $client {
            type Transport = $transport;
            type Sleep = $sleep;
            type Slots = $slots;
            type Pacer = $pacer;

            fn default_transport(
                config: &$crate::Config,
            ) -> ::std::result::Result<::std::sync::Arc<$transport>, kling_errors::Error> {
                let make: fn(&$crate::Config) -> ::std::result::Result<::std::sync::Arc<$transport>, kling_errors::Error> = $default_transport;
                make(config)
            }

            fn default_sleep() -> ::std::sync::Arc<$sleep> {
                ::std::sync::Arc::new($default_sleep)
            }

            fn memory_slots(limit: usize) -> ::std::sync::Arc<$slots> {
                ::std::sync::Arc::new(($memory_slots)(limit))
            }

            fn memory_pacer(config: &$crate::RateConfig) -> ::std::sync::Arc<$pacer> {
                ::std::sync::Arc::new($crate::MemoryPacer::new(config))
            }

            fn assemble(
                parts: $crate::ClientParts<$transport, $sleep>,
                slots: ::std::option::Option<::std::sync::Arc<$slots>>,
                pacer: ::std::option::Option<::std::sync::Arc<$pacer>>,
            ) -> Self {
                Self {
                    state: ::std::sync::Arc::new($crate::ClientState::new(parts, slots, pacer)),
                }
            }
        }

        impl $backend for $client {
            fn state(&self) -> &$crate::ClientState<$transport, $sleep, $slots, $pacer> {
                &self.state
            }

            $($extra)*
        }

        $crate::client_constructors!($client, $backend);
    };
}

/// The inherent methods every client type has (`Client::builder()`, `Client::from_env()`,
/// `prepare`), written once for both client crates; `$backend` is the client's backend trait.
#[doc(hidden)]
#[macro_export]
macro_rules! client_constructors {
    ($client:ty, $backend:path) => {
        impl $client {
            /// A builder: `Client::builder().credentials(..).build()?`.
            pub fn builder() -> $crate::ClientBuilder<Self> {
                $crate::ClientBuilder::new()
            }

            /// A client with the credentials of the environment (`KLING_ACCESS_KEY` and
            /// `KLING_SECRET_KEY`, and/or `KLING_API_KEY`) and `KLING_BASE_URL` if set.
            ///
            /// # Errors
            ///
            /// An [`AuthError`](kling_errors::AuthError) naming what is missing, or a default
            /// transport that cannot be set up.
            pub fn from_env() -> Result<Self, kling_errors::Error> {
                $crate::ClientBuilder::from_env()?.build()
            }

            /// The exact request `endpoint` would send now, without sending it: a dry run.
            /// Its `Authorization` header holds a real token: redact it before you print or
            /// log the request (`HttpRequest`'s `Debug` does).
            ///
            /// # Errors
            ///
            /// The [`ValidationError`](kling_errors::ValidationError) preflight finds, or
            /// credentials that cannot sign the request (an API-key-only endpoint with an
            /// access key pair).
            pub fn prepare<E: kling_types::Endpoint>(
                &self,
                endpoint: &E,
            ) -> Result<$crate::HttpRequest, kling_errors::Error> {
                <Self as $backend>::parts(self).prepare(endpoint)
            }
        }
    };
}

/// A kind of client the builder can make: the blocking one (`dyn Transport`, `dyn Sleep`)
/// or the async one (`dyn AsyncTransport`, `dyn AsyncSleep`). Plumbing, implemented by the
/// client crates.
#[doc(hidden)]
pub trait ClientKind: Sized {
    /// The transport trait object (`dyn Transport` or `dyn AsyncTransport`).
    type Transport: ?Sized + Send + Sync;
    /// The sleep trait object (`dyn Sleep` or `dyn AsyncSleep`).
    type Sleep: ?Sized + Send + Sync;
    /// The task-slots trait object (`dyn TaskSlots` or `dyn AsyncTaskSlots`).
    type Slots: ?Sized + Send + Sync;
    /// The request-budget trait object (`dyn RequestPacer` or `dyn AsyncRequestPacer`).
    type Pacer: ?Sized + Send + Sync;

    /// The transport used when none was given.
    ///
    /// # Errors
    ///
    /// When it cannot be set up (a TLS stack).
    fn default_transport(config: &Config) -> Result<Arc<Self::Transport>, Error>;

    /// The sleep used when none was given.
    fn default_sleep() -> Arc<Self::Sleep>;

    /// The in-process slots used when none were given and
    /// [`Config::max_in_flight_tasks`] is set: a semaphore of `limit` permits.
    fn memory_slots(limit: usize) -> Arc<Self::Slots>;

    /// The in-process request budget used when none was given and [`Config::rate`] is set.
    fn memory_pacer(config: &crate::RateConfig) -> Arc<Self::Pacer>;

    /// The client, from its parts, its task slots (`None`: unlimited) and its request budget
    /// (`None`: unpaced).
    fn assemble(
        parts: ClientParts<Self::Transport, Self::Sleep>,
        slots: Option<Arc<Self::Slots>>,
        pacer: Option<Arc<Self::Pacer>>,
    ) -> Self;
}

/// Anything the builder keeps as an `Arc<dyn Trait>`: your [`Transport`] becomes an
/// `Arc<dyn Transport>`, your [`Sleep`] an `Arc<dyn Sleep>`, your task slots an
/// `Arc<dyn TaskSlots>` (and their async twins). Implemented for every type of those traits;
/// you never implement it.
pub trait IntoArc<T: ?Sized> {
    /// `self`, shared.
    fn into_arc(self) -> Arc<T>;
}

impl<X: Transport + 'static> IntoArc<dyn Transport> for X {
    fn into_arc(self) -> Arc<dyn Transport> {
        Arc::new(self)
    }
}

impl<X: AsyncTransport + 'static> IntoArc<dyn AsyncTransport> for X {
    fn into_arc(self) -> Arc<dyn AsyncTransport> {
        Arc::new(self)
    }
}

impl<X: Sleep + 'static> IntoArc<dyn Sleep> for X {
    fn into_arc(self) -> Arc<dyn Sleep> {
        Arc::new(self)
    }
}

impl<X: AsyncSleep + 'static> IntoArc<dyn AsyncSleep> for X {
    fn into_arc(self) -> Arc<dyn AsyncSleep> {
        Arc::new(self)
    }
}

impl<X: TaskSlots + 'static> IntoArc<dyn TaskSlots> for X {
    fn into_arc(self) -> Arc<dyn TaskSlots> {
        Arc::new(self)
    }
}

impl<X: AsyncTaskSlots + 'static> IntoArc<dyn AsyncTaskSlots> for X {
    fn into_arc(self) -> Arc<dyn AsyncTaskSlots> {
        Arc::new(self)
    }
}

impl<X: RequestPacer + 'static> IntoArc<dyn RequestPacer> for X {
    fn into_arc(self) -> Arc<dyn RequestPacer> {
        Arc::new(self)
    }
}

impl<X: AsyncRequestPacer + 'static> IntoArc<dyn AsyncRequestPacer> for X {
    fn into_arc(self) -> Arc<dyn AsyncRequestPacer> {
        Arc::new(self)
    }
}

/// Builds a client (`Client::builder()` of either client crate).
#[must_use]
pub struct ClientBuilder<C: ClientKind> {
    config: Config,
    base_url: Option<String>,
    credentials: Option<Credentials>,
    transport: Option<Arc<C::Transport>>,
    sleep: Option<Arc<C::Sleep>>,
    slots: Option<Arc<C::Slots>>,
    pacer: Option<Arc<C::Pacer>>,
    clock: Option<Arc<dyn Clock>>,
    rng: Option<Arc<dyn Rng>>,
}

impl<C: ClientKind> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("transport", &self.transport.is_some())
            .finish_non_exhaustive()
    }
}

impl<C: ClientKind> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: ClientKind> ClientBuilder<C> {
    /// A builder with the default configuration (Singapore host) and no credentials.
    pub fn new() -> Self {
        Self {
            config: Config::default(),
            base_url: None,
            credentials: None,
            transport: None,
            sleep: None,
            slots: None,
            pacer: None,
            clock: None,
            rng: None,
        }
    }

    /// A builder with the credentials of the environment (`KLING_ACCESS_KEY` and
    /// `KLING_SECRET_KEY`, and/or `KLING_API_KEY`) and `KLING_BASE_URL` if set.
    ///
    /// # Errors
    ///
    /// An [`AuthError`](kling_errors::AuthError) naming what is missing.
    pub fn from_env() -> Result<Self, Error> {
        let mut builder = Self::new().credentials(Credentials::from_env()?);
        if let Ok(url) = std::env::var(ENV_BASE_URL)
            && !url.trim().is_empty()
        {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The credentials (required). See [`Credentials::both`] for an access key pair and an
    /// API key together (the new standard accepts only the key).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The API host: Singapore by default; [`config::BEIJING`](crate::config::BEIJING) for
    /// servers in mainland China; RunBlob's host or a mock. Wins over the one in
    /// [`config`](Self::config), whatever the order.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The whole configuration (its base URL counts unless [`base_url`](Self::base_url) is
    /// given too).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Your own transport instead of the crate's default one.
    pub fn transport(mut self, transport: impl IntoArc<C::Transport>) -> Self {
        self.transport = Some(transport.into_arc());
        self
    }

    /// A clock (tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// A sleep (tests).
    pub fn sleep(mut self, sleep: impl IntoArc<C::Sleep>) -> Self {
        self.sleep = Some(sleep.into_arc());
        self
    }

    /// The task slots every job holds from its create to its task's end, instead of the
    /// in-process semaphore of [`Config::max_in_flight_tasks`]: slots shared by a fleet of
    /// workers (`kling-redis`), or your own.
    pub fn task_slots(mut self, slots: impl IntoArc<C::Slots>) -> Self {
        self.slots = Some(slots.into_arc());
        self
    }

    /// The request budget every request draws on, instead of the in-process one of
    /// [`Config::rate`]: a budget shared by a fleet of workers (`kling-redis`), or your own.
    pub fn request_pacer(mut self, pacer: impl IntoArc<C::Pacer>) -> Self {
        self.pacer = Some(pacer.into_arc());
        self
    }

    /// A random source (tests).
    pub fn rng(mut self, rng: impl Rng + 'static) -> Self {
        self.rng = Some(Arc::new(rng));
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`AuthError`](kling_errors::AuthError) when no credentials were given; a
    /// [`ValidationError`] for a base URL that is not `http(s)://host...`; the default
    /// transport's error when it cannot be set up.
    pub fn build(self) -> Result<C, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            AuthError::new(
                AuthFailure::Missing,
                "no credentials given to the client builder",
            )
        })?;
        let mut config = self.config.bounded();
        if let Some(url) = self.base_url {
            config.base_url = url;
        }
        config.base_url = checked_base_url(&config.base_url)?;
        // A bad certificate is the caller's mistake: said now, not at the first handshake.
        config.tls_roots()?;
        let transport = match self.transport {
            Some(t) => t,
            None => C::default_transport(&config)?,
        };
        let config_limit = config.max_in_flight_tasks;
        let pacer = self
            .pacer
            .or_else(|| config.rate.as_ref().map(C::memory_pacer));
        let engine = Engine::new(
            config,
            Authenticator::new(credentials),
            self.rng.unwrap_or_else(|| Arc::new(FastRng::new())),
        );
        let slots = self
            .slots
            .or_else(|| config_limit.map(|n| C::memory_slots(n.max(1))));
        Ok(C::assemble(
            ClientParts {
                engine,
                transport,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                sleep: self.sleep.unwrap_or_else(C::default_sleep),
            },
            slots,
            pacer,
        ))
    }
}

/// `url` without trailing slashes, if it is an http(s) URL with a host.
fn checked_base_url(url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or_default();
    if host.is_empty() || url.contains(['?', '#']) {
        return Err(ValidationError::new(
            "base_url",
            KlingCode::InvalidParameter,
            &format!(
                "must be an http(s) URL such as https://api-singapore.klingai.com, got {url:?}"
            ),
        )
        .into());
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::checked_base_url;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            checked_base_url("https://h/runblob").unwrap(),
            "https://h/runblob"
        );
        for bad in [
            "127.0.0.1:8080",
            "https://",
            "ftp://h",
            "",
            "https://h/?x=1",
        ] {
            let e = checked_base_url(bad).unwrap_err();
            assert!(e.to_string().contains("base_url"), "{bad}: {e}");
        }
    }
}
