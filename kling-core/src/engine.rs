//! Building requests and parsing responses: the two pure halves of every exchange.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kling_auth::AuthHeader;
use kling_auth::Authenticator;
use kling_errors::KlingCode;
use kling_errors::{
    DecodeContext, DecodeError, DecodeFailure, Dialect, Error, Operation, TransportError,
    check_response, decode_error,
};
use kling_types::{AuthScheme, Endpoint, Envelope, Method, ResponseFormat};
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::http::{Headers, HttpRequest, HttpResponse, with_query};
use crate::poll::PollHub;
use crate::retry::RetryPolicy;
use crate::time::Rng;

/// What the engine keeps of an endpoint: everything needed to send it again and to read its
/// answer. The body is serialized once and shared by every attempt.
#[derive(Debug, Clone)]
pub struct Prepared {
    method: Method,
    url: String,
    body: Option<Arc<[u8]>>,
    idempotent: bool,
    dialect: Dialect,
    format: ResponseFormat,
    auth: AuthScheme,
}

/// A successful answer and what the server said about it besides the value: the
/// `request_id` to quote to support (from the envelope, else an `X-Request-Id` header).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reply<T> {
    /// The decoded value.
    pub value: T,
    /// The server's id for the request, when it sent one.
    pub request_id: Option<String>,
}

impl<T> Reply<T> {
    /// A reply.
    pub fn new(value: T, request_id: Option<String>) -> Self {
        Self { value, request_id }
    }

    /// The one reply of a request sent in parts ([`Endpoint::split`](kling_types::Endpoint::split)):
    /// the answers merged in order, the request id of the last call.
    pub fn merged<P>(parts: Vec<Reply<P>>, merge: fn(Vec<P>) -> T) -> Self {
        let request_id = parts.iter().rev().find_map(|p| p.request_id.clone());
        let value = merge(parts.into_iter().map(|p| p.value).collect());
        Self { value, request_id }
    }

    /// The value alone.
    pub fn into_value(self) -> T {
        self.value
    }
}

/// A reply reads as its value: `client.send(&query)?.task_status`.
impl<T> std::ops::Deref for Reply<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl Prepared {
    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The URL's path, without host and query (for logs and errors).
    pub fn path(&self) -> &str {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        let after = &rest[crate::http::host_of(rest).len()..];
        after.split(['?', '#']).next().unwrap_or_default()
    }

    /// The host the request goes to.
    pub fn host(&self) -> &str {
        crate::http::host_of(&self.url)
    }

    /// Whether the request may be sent twice.
    pub fn idempotent(&self) -> bool {
        self.idempotent
    }

    /// The operation kind the retry classes use.
    pub fn operation(&self) -> Operation {
        Operation::from_idempotent(self.idempotent)
    }

    /// The request with `auth` and a total `timeout`.
    pub fn request(
        &self,
        engine: &Engine,
        auth: Option<(&str, &str)>,
        timeout: Duration,
    ) -> HttpRequest {
        const ACCEPT: (&str, &str) = ("Accept", "application/json");
        const CONTENT_TYPE: (&str, &str) = ("Content-Type", "application/json");
        let user_agent = engine.config().user_agent.as_str();
        // One buffer, sized once, for every header of the request.
        let bytes = ACCEPT.0.len()
            + ACCEPT.1.len()
            + "User-Agent".len()
            + user_agent.len()
            + CONTENT_TYPE.0.len()
            + CONTENT_TYPE.1.len()
            + auth.map_or(0, |(name, value)| name.len() + value.len());
        let mut request = HttpRequest::new(self.method, self.url.clone());
        request.headers = Headers::with_capacity(4, bytes);
        request.headers.push(ACCEPT.0, ACCEPT.1);
        request.headers.push("User-Agent", user_agent);
        if let Some(body) = &self.body {
            request.headers.push(CONTENT_TYPE.0, CONTENT_TYPE.1);
            request.body = Some(body.clone());
        }
        if let Some((name, value)) = auth {
            request.headers.push(name, value);
        }
        request.timeout = Some(timeout);
        request
    }
}

/// The shared engine of a client: configuration, credentials, retry policy and randomness.
/// Cheap to clone; clones share the token cache and the retry budget.
#[derive(Clone)]
pub struct Engine {
    /// One allocation: a call clones the engine once, one atomic count instead of four.
    shared: Arc<Shared>,
}

struct Shared {
    config: Config,
    auth: Authenticator,
    policy: RetryPolicy,
    rng: Arc<dyn Rng>,
    /// The shared polls of this engine's waits.
    polls: Arc<PollHub>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.shared.config)
            .field("auth", &self.shared.auth)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine.
    pub fn new(config: Config, auth: Authenticator, rng: Arc<dyn Rng>) -> Self {
        let policy = RetryPolicy::new(config.retry.clone());
        Self {
            shared: Arc::new(Shared {
                config,
                auth,
                policy,
                rng,
                polls: Arc::default(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The authenticator (token cache).
    pub fn auth(&self) -> &Authenticator {
        &self.shared.auth
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.shared.policy
    }

    /// The random source.
    pub fn rng(&self) -> &dyn Rng {
        &*self.shared.rng
    }

    /// The shared polls of this engine's waits (every clone shares them).
    pub(crate) fn polls(&self) -> &Arc<PollHub> {
        &self.shared.polls
    }

    /// Validates `endpoint` and serializes it once.
    ///
    /// # Errors
    ///
    /// The endpoint's [`ValidationError`](kling_errors::ValidationError), or a body that does
    /// not serialize.
    pub fn prepare<E: Endpoint>(&self, endpoint: &E) -> Result<Prepared, Error> {
        endpoint.validate()?;
        let body = match endpoint.body() {
            Some(body) => Some(Arc::from(serde_json::to_vec(body).map_err(|e| {
                Error::from(kling_errors::ValidationError::new(
                    "body",
                    KlingCode::InvalidParameter,
                    &format!("the request does not serialize: {e}"),
                ))
            })?)),
            None => None,
        };
        let auth = endpoint.auth_scheme();
        if auth == AuthScheme::ApiKey {
            // Say it before anything is sent, not after a 401.
            self.shared.auth.api_key_header()?;
        }
        let base = &self.shared.config.base_url;
        // One allocation for the whole URL in the usual case (a short path, no query).
        let mut url = String::with_capacity(base.len() + 64);
        url.push_str(base);
        endpoint.write_path(&mut url);
        let query = endpoint.query();
        if !query.is_empty() {
            url = with_query(&url, &query);
        }
        Ok(Prepared {
            method: endpoint.method(),
            url,
            body,
            idempotent: endpoint.idempotent(),
            dialect: endpoint.dialect(),
            format: endpoint.response_format(),
            auth,
        })
    }

    /// The auth header `prepared` carries at `now`: the JWT (minted or cached) or the API key
    /// for the legacy API, the API key for the APIs that take nothing else.
    ///
    /// # Errors
    ///
    /// An [`AuthError`](kling_errors::AuthError): a key-only API with only an access key
    /// pair, or a token that cannot be minted.
    pub fn auth_header(&self, prepared: &Prepared, now: SystemTime) -> Result<AuthHeader, Error> {
        Ok(match prepared.auth {
            AuthScheme::ApiKey => self.shared.auth.api_key_header()?,
            _ => self.shared.auth.header(now)?,
        })
    }

    /// The exact request that would be sent for `endpoint` at `now` (a dry run).
    ///
    /// # Errors
    ///
    /// As [`prepare`](Self::prepare), or a token that cannot be minted.
    pub fn dry_run<E: Endpoint>(
        &self,
        endpoint: &E,
        now: SystemTime,
    ) -> Result<HttpRequest, Error> {
        let prepared = self.prepare(endpoint)?;
        let header = self.auth_header(&prepared, now)?;
        Ok(prepared.request(
            self,
            Some((header.name(), header.expose_value())),
            self.shared.config.request_timeout,
        ))
    }

    /// Reads a response to `prepared` received at `now`: status first, then the body, typed,
    /// with the request id. The envelope's `code` is checked even on HTTP 200.
    ///
    /// # Errors
    ///
    /// The error the response describes, or a [`DecodeError`] for a body of the wrong shape.
    pub fn parse<T: DeserializeOwned>(
        &self,
        prepared: &Prepared,
        response: &HttpResponse,
        now: SystemTime,
    ) -> Result<Reply<T>, Error> {
        let header_id = || response.header_value("x-request-id").map(str::to_owned);
        let ctx = DecodeContext::new(prepared.dialect, prepared.operation(), now);
        let headers = &response.headers;
        if response.body.len() > self.shared.config.max_response_bytes {
            return Err(DecodeError::new(
                DecodeFailure::TooLarge,
                prepared.operation(),
                response.status,
                &response.body,
            )
            .into());
        }
        if !(200..300).contains(&response.status) {
            return Err(decode_error(&ctx, response.status, headers, &response.body));
        }
        // The fast path: the typed value straight away; errors are rare and parsed again.
        let typed: Result<(), Option<serde_json::Error>> = match prepared.format {
            ResponseFormat::KlingEnvelope => {
                match serde_json::from_slice::<Envelope<T>>(&response.body) {
                    Ok(env) if env.code == KlingCode::Success => match env.data {
                        Some(data) => {
                            return Ok(Reply::new(data, env.request_id.or_else(header_id)));
                        }
                        None => Err(None),
                    },
                    Ok(_) => Err(None),
                    Err(e) => Err(Some(e)),
                }
            }
            ResponseFormat::Bare => match serde_json::from_slice::<T>(&response.body) {
                Ok(value) => return Ok(Reply::new(value, header_id())),
                Err(e) => Err(Some(e)),
            },
            _ => Err(None),
        };
        check_response(&ctx, response.status, headers, &response.body)?;
        // A well-formed success envelope without usable data, or a schema mismatch.
        let (failure, source) = match typed {
            Err(Some(e)) => (DecodeFailure::Schema, Some(e)),
            _ => (DecodeFailure::MissingData, None),
        };
        let mut error = DecodeError::new(
            failure,
            prepared.operation(),
            response.status,
            &response.body,
        );
        if let Some(e) = source {
            error = error.with_source(e);
        }
        if let Some(id) = response.header_value("x-request-id") {
            error = error.with_request_id(id);
        }
        Err(error.into())
    }

    /// A transport failure, with what the transport could not know: the operation (read or
    /// create) and the host it talked to.
    pub fn transport_error(&self, prepared: &Prepared, error: TransportError) -> Error {
        error
            .with_operation(prepared.operation())
            .with_host(prepared.host())
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::FastRng;
    use kling_auth::Credentials;
    use kling_types::standard::{CreateTextToVideo, StandardModel};
    use kling_types::videos::GetText2VideoTask;

    fn engine(credentials: Credentials) -> Engine {
        Engine::new(
            Config::with_base_url("https://api.test"),
            Authenticator::new(credentials),
            Arc::new(FastRng::seeded(1)),
        )
    }

    fn pair() -> Credentials {
        Credentials::access_key("AKtest0123456789", "SKtest").unwrap()
    }

    #[test]
    fn replies_keep_the_request_id_from_the_envelope_or_the_header() {
        let e = engine(pair());
        let prepared = e.prepare(&GetText2VideoTask::by_task_id("1")).unwrap();
        let now = SystemTime::UNIX_EPOCH;
        let body = r#"{"code":0,"message":"SUCCEED","request_id":"r-body","data":{"task_id":"1","task_status":"submitted"}}"#;
        let reply: Reply<kling_types::Task> = e
            .parse(&prepared, &HttpResponse::json(200, body), now)
            .unwrap();
        assert_eq!(reply.request_id.as_deref(), Some("r-body"));
        let body =
            r#"{"code":0,"message":"SUCCEED","data":{"task_id":"1","task_status":"submitted"}}"#;
        let mut response = HttpResponse::json(200, body);
        response.headers.push("X-Request-Id", "r-header");
        let reply: Reply<kling_types::Task> = e.parse(&prepared, &response, now).unwrap();
        assert_eq!(reply.request_id.as_deref(), Some("r-header"));
        assert_eq!(reply.into_value().task_id, "1");
    }

    #[test]
    fn key_only_endpoints_are_refused_before_sending_without_a_key() {
        let request = CreateTextToVideo::new(StandardModel::Kling3_0, "a fox");
        let e = engine(pair()).prepare(&request).unwrap_err();
        assert_eq!(e.kind(), kling_errors::ErrorKind::Auth);
        assert!(e.to_string().contains("only an API key"), "{e}");
        let both = Credentials::both("AKtest0123456789", "SKtest", "sk-key").unwrap();
        let e = engine(both);
        let request = e.dry_run(&request, SystemTime::now()).unwrap();
        assert_eq!(request.header_value("authorization"), Some("Bearer sk-key"));
        let legacy = e
            .dry_run(&GetText2VideoTask::by_task_id("1"), SystemTime::now())
            .unwrap();
        assert!(
            legacy
                .header_value("authorization")
                .is_some_and(|h| h.starts_with("Bearer ey")),
            "the JWT where a token is taken"
        );
    }

    #[test]
    fn prepared_requests_know_their_path_and_host() {
        let e = engine(pair());
        let prepared = e
            .prepare(&kling_types::videos::ListText2VideoTasks::new())
            .unwrap();
        assert_eq!(prepared.path(), "/v1/videos/text2video");
        assert_eq!(prepared.host(), "api.test");
    }
}
