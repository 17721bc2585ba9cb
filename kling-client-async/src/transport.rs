//! The default transport: reqwest with rustls. Error statuses come back as responses, bodies
//! are capped while they are read, every attempt has a total timeout, and API calls never
//! follow a redirect (so a token is never re-sent elsewhere).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kling_core::Bytes;
use kling_core::download::DownloadAllow;
use kling_core::download::guard::Refusal;
use kling_core::http::{Headers, convert};
use kling_core::{
    AsyncBody, AsyncStreamingResponse, AsyncTransport, Config, HttpRequest, HttpResponse,
};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

/// The reqwest-based [`AsyncTransport`]. Holds two connection pools, shared by clones of the
/// client: one for the API (no redirects) and one for result files (redirects allowed; no
/// credentials are ever attached to those requests).
#[derive(Clone)]
pub struct ReqwestTransport {
    api: Pool,
    files: Pool,
    max_body: usize,
    /// What every API request repeats, converted once.
    fixed: Arc<Fixed>,
}

/// What every API request repeats, converted once: the origin of the configured base URL
/// (the host is most of `Url::parse`'s 7.6k instructions; parsing only the path and query
/// saves about 3.6k of a GET's 90k) and the header values that never change (the `http` crate
/// validates and copies each value it is given: about 1.4k a GET). `BENCHMARKS.md` has the
/// numbers.
struct Fixed {
    /// `scheme://host[:port]` of the base URL as written, and that origin parsed.
    origin: Option<(String, reqwest::Url)>,
    /// `User-Agent`'s value and its converted form.
    user_agent: Option<(String, HeaderValue)>,
}

/// `application/json`, the value of `Accept` and `Content-Type`.
const JSON: HeaderValue = HeaderValue::from_static("application/json");

impl Fixed {
    fn new(config: &Config) -> Self {
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .ok()
            .map(|value| (config.user_agent.clone(), value));
        Self {
            origin: origin_of(&config.base_url),
            user_agent,
        }
    }

    /// `url`, parsed: from the parsed origin when `url` starts with it and its path and query
    /// are plain (they are then parsed alone, with the same rules), else in full.
    fn url(&self, url: &str) -> Result<reqwest::Url, url_error::ParseError> {
        if let Some((text, origin)) = &self.origin
            && let Some(rest) = url.strip_prefix(text.as_str())
            && rest.starts_with('/')
            && rest.bytes().all(plain_url_byte)
        {
            let (path, query) = match rest.split_once('?') {
                Some((path, query)) => (path, Some(query)),
                None => (rest, None),
            };
            let mut parsed = origin.clone();
            parsed.set_path(path);
            parsed.set_query(query);
            return Ok(parsed);
        }
        reqwest::Url::parse(url)
    }

    /// Header `name: value` as `http` types: the fixed values cloned (no validation, no copy),
    /// the others converted.
    fn header(&self, name: &str, value: &str) -> Result<(HeaderName, HeaderValue), TransportError> {
        match name {
            "Accept" if value == "application/json" => return Ok((ACCEPT, JSON)),
            "Content-Type" if value == "application/json" => return Ok((CONTENT_TYPE, JSON)),
            "User-Agent" => {
                if let Some((text, converted)) = &self.user_agent
                    && text == value
                {
                    return Ok((USER_AGENT, converted.clone()));
                }
            }
            _ => {}
        }
        convert::header(name, value)
    }

    /// The request's headers as an `http` header map.
    fn header_map(&self, headers: &Headers) -> Result<HeaderMap, TransportError> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let (name, value) = self.header(name, value)?;
            map.append(name, value);
        }
        Ok(map)
    }
}

/// The URL parser's error type (reqwest re-exports `Url`, not its module).
mod url_error {
    pub(super) type ParseError = <reqwest::Url as std::str::FromStr>::Err;
}

/// `scheme://host[:port]` of `base_url` and that origin parsed, when the origin is plain (no
/// user info, no odd characters); `None` otherwise (every URL is then parsed in full).
fn origin_of(base_url: &str) -> Option<(String, reqwest::Url)> {
    let (scheme, rest) = base_url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':');
    if !matches!(scheme, "http" | "https") || host.is_empty() || !host.bytes().all(plain) {
        return None;
    }
    let text = format!("{scheme}://{host}");
    let parsed = reqwest::Url::parse(&text).ok()?;
    Some((text, parsed))
}

/// A byte a path or query may hold for the origin shortcut: what the engine writes (segments
/// and query values percent-encoded). No fragment, backslash, space, control or non-ASCII byte:
/// a URL with one is parsed in full.
fn plain_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'/' | b'?'
                | b'&'
                | b'='
                | b'%'
                | b'-'
                | b'.'
                | b'_'
                | b'~'
                | b','
                | b'+'
                | b':'
                | b'@'
                | b'!'
                | b'$'
                | b'*'
                | b';'
        )
}

/// A reqwest client and the total attempt time it applies by itself.
#[derive(Clone)]
struct Pool {
    client: reqwest::Client,
    timeout: Duration,
}

impl std::fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

/// One TLS configuration for both pools: the platform verifier reads the system's
/// certificates when it is built, and built by reqwest for each pool that cost two readings
/// (38 M instructions, most of a client's construction). With
/// [`Config::tls_roots_pem`], those certificates alone are trusted.
#[cfg(feature = "rustls-ring")]
fn tls_config(config: &Config) -> Result<rustls::ClientConfig, TransportError> {
    use std::sync::Arc;
    let failed = |what: &str, e: rustls::Error| {
        TransportError::new(
            TransportFailure::Tls,
            TransportPhase::BeforeSend,
            Operation::Read,
            what,
        )
        .with_source(e)
    };
    // reqwest is built without a crypto provider: install ring once (an error only means one
    // is installed already, which is then used).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| failed("no TLS version is available", e))?;
    let roots = config.tls_roots().map_err(|e| {
        TransportError::new(
            TransportFailure::Tls,
            TransportPhase::BeforeSend,
            Operation::Read,
            &e.to_string(),
        )
    })?;
    let mut tls = match roots {
        Some(roots) => {
            let mut store = rustls::RootCertStore::empty();
            for der in roots {
                store
                    .add(rustls::pki_types::CertificateDer::from(der))
                    .map_err(|e| failed("a certificate of tls_roots_pem is not valid", e))?;
            }
            builder.with_root_certificates(store).with_no_client_auth()
        }
        None => {
            let verifier = rustls_platform_verifier::Verifier::new(provider)
                .map_err(|e| failed("the system's certificates could not be read", e))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth()
        }
    };
    // HTTP/1.1 only, as reqwest is built.
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// The TLS settings both pools share (none without a TLS feature).
#[cfg(feature = "rustls-ring")]
type Tls = rustls::ClientConfig;
#[cfg(not(feature = "rustls-ring"))]
type Tls = ();

/// The download pool's resolver: it refuses addresses downloads may not reach, so reqwest
/// only ever connects to addresses that passed (redirects to names resolve here too; a
/// redirect to an IP literal is checked by the redirect policy).
struct GuardResolver {
    allow: DownloadAllow,
}

impl reqwest::dns::Resolve for GuardResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(refusal) = allow.refusal(&host, addrs.iter().map(|a| a.ip())) {
                return Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Up to 5 redirects, each to an http(s) URL whose IP literal (if any) the guard allows.
fn guarded_redirects(allow: DownloadAllow) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            return attempt.error("more than 5 redirects");
        }
        let url = attempt.url().as_str().to_owned();
        if let Some(refusal) = allow.literal_refusal(&url) {
            return attempt.error(refusal);
        }
        match allow.check_url(&url) {
            Ok(()) => attempt.follow(),
            Err(e) => attempt.error(e.to_string()),
        }
    })
}

fn pool(
    connect: Duration,
    read: Duration,
    timeout: Duration,
    redirects: reqwest::redirect::Policy,
    guard: Option<DownloadAllow>,
    tls: &Tls,
) -> Result<Pool, TransportError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .read_timeout(read)
        // The usual total time is the client's, so most requests carry none of their own (a
        // per-request timeout costs two allocations in reqwest).
        .timeout(timeout)
        .redirect(redirects);
    let builder = match guard {
        Some(allow) => builder.dns_resolver(Arc::new(GuardResolver { allow })),
        None => builder,
    };
    #[cfg(feature = "rustls-ring")]
    let builder = builder.use_preconfigured_tls(tls.clone());
    #[cfg(not(feature = "rustls-ring"))]
    let () = *tls;
    builder
        .build()
        .map(|client| Pool { client, timeout })
        .map_err(|e| {
            TransportError::new(
                TransportFailure::Tls,
                TransportPhase::BeforeSend,
                Operation::Read,
                "the HTTP client could not be built",
            )
            .with_source(e)
        })
}

impl ReqwestTransport {
    /// A transport with the timeouts and body cap of `config`.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when the TLS stack cannot be set up.
    pub fn new(config: &Config) -> Result<Self, TransportError> {
        #[cfg(feature = "rustls-ring")]
        let tls = tls_config(config)?;
        #[cfg(not(feature = "rustls-ring"))]
        let tls = ();
        Ok(Self {
            api: pool(
                config.connect_timeout,
                config.read_timeout,
                config.request_timeout,
                reqwest::redirect::Policy::none(),
                None,
                &tls,
            )?,
            files: pool(
                config.connect_timeout,
                config.read_timeout,
                config.download.timeout,
                // Downloads connect only to addresses the config allows.
                guarded_redirects(config.download_allow()),
                Some(config.download_allow()),
                &tls,
            )?,
            max_body: config.max_response_bytes,
            fixed: Arc::new(Fixed::new(config)),
        })
    }

    async fn start(&self, request: &HttpRequest) -> Result<reqwest::Response, TransportError> {
        let pool = if request.follow_redirects {
            &self.files
        } else {
            &self.api
        };
        let url = self.fixed.url(&request.url).map_err(|e| {
            TransportError::new(
                TransportFailure::Io,
                TransportPhase::BeforeSend,
                Operation::Read,
                "the request URL is not valid",
            )
            .with_source(e)
        })?;
        let mut http_request = reqwest::Request::new(convert::method(request.method)?, url);
        *http_request.headers_mut() = self.fixed.header_map(&request.headers)?;
        if let Some(body) = &request.body {
            *http_request.body_mut() = Some(body.to_vec().into());
        }
        if let Some(timeout) = request.timeout.filter(|t| *t != pool.timeout) {
            *http_request.timeout_mut() = Some(timeout);
        }
        pool.client.execute(http_request).await.map_err(map_error)
    }
}

/// reqwest's error, classified by when it happened.
fn map_error(error: reqwest::Error) -> TransportError {
    // The download guard's refusal, from the resolver or the redirect policy.
    if let Some(refusal) = Refusal::find(&error) {
        return refusal.to_transport_error();
    }
    let (failure, phase) = if error.is_connect() {
        if error.is_timeout() {
            (TransportFailure::Timeout, TransportPhase::BeforeSend)
        } else {
            (TransportFailure::Connect, TransportPhase::BeforeSend)
        }
    } else if error.is_timeout() {
        (TransportFailure::Timeout, TransportPhase::AfterSend)
    } else if error.is_redirect() {
        (TransportFailure::Redirect, TransportPhase::AfterSend)
    } else if error.is_body() || error.is_decode() {
        (TransportFailure::Reset, TransportPhase::AfterSend)
    } else if error.is_builder() {
        (TransportFailure::Io, TransportPhase::BeforeSend)
    } else {
        (TransportFailure::Reset, TransportPhase::Unknown)
    };
    // reqwest's Display can include the URL; ours never holds a credential in it.
    let message = error.to_string();
    TransportError::new(failure, phase, Operation::Read, &message).with_source(error)
}

#[async_trait]
impl AsyncTransport for ReqwestTransport {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut response = self.start(request).await?;
        let status = response.status().as_u16();
        let headers = Headers::from(response.headers());
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(too_large(self.max_body));
        }
        // Room for what the server announced (already checked against the cap), up to 1 MiB:
        // a lying length costs at most that.
        let announced = response.content_length().unwrap_or(0).min(1 << 20);
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(map_error)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large(self.max_body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse::new(status, headers, body))
    }

    async fn open(&self, request: &HttpRequest) -> Result<AsyncStreamingResponse, TransportError> {
        let response = self.start(request).await?;
        let status = response.status().as_u16();
        let headers = Headers::from(response.headers());
        Ok(AsyncStreamingResponse::new(
            status,
            headers,
            Box::new(Chunks(response)),
        ))
    }
}

fn too_large(max: usize) -> TransportError {
    TransportError::new(
        TransportFailure::BodyTooLarge,
        TransportPhase::AfterSend,
        Operation::Read,
        &format!("the response is larger than {max} bytes"),
    )
}

struct Chunks(reqwest::Response);

#[async_trait]
impl AsyncBody for Chunks {
    async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        self.0.chunk().await.map_err(map_error)
    }
}

#[cfg(test)]
mod url_tests {
    use super::{Fixed, origin_of};

    /// The origin shortcut gives the URL a full parse gives, and falls back where it may not.
    #[test]
    fn the_origin_shortcut_parses_as_a_full_parse_does() {
        for base in [
            "https://api-singapore.klingai.com",
            "http://127.0.0.1:8080",
            "https://API.Example.com:443",
            "http://[::1]:9000",
            "https://user:pw@h.test",
            "https://gw.test/kling/",
        ] {
            let mut config = kling_core::Config::with_base_url(base);
            config.user_agent = "kling-rs-test".to_owned();
            let fixed = Fixed::new(&config);
            for rest in [
                "/v1/videos/text2video/831922345719271433",
                "/v1/videos/text2video?pageNum=1&pageSize=30",
                "/v1/videos/text2video?",
                "/a/./b/../c",
                "/a/%2e%2e/b",
                "//other.test/x",
                "/x?a=1?b=2&c",
                "/a%20b/c%2Fd",
                "/x?name=a%20b%26c&ids=1,2",
                "/x?q=a b",
                "/x#frag",
                "/x\\y",
                "/caf\u{e9}",
                "",
                "?q=1",
            ] {
                let url = format!("{}{rest}", config.base_url);
                let full = reqwest::Url::parse(&url).map(|u| u.to_string());
                let fast = fixed.url(&url).map(|u| u.to_string());
                assert_eq!(fast, full, "{url}");
            }
        }
        assert!(origin_of("https://user:pw@h.test").is_none());
        assert!(origin_of("ftp://h.test").is_none());
        assert_eq!(
            origin_of("http://127.0.0.1:8080/base").map(|o| o.0),
            Some("http://127.0.0.1:8080".to_owned())
        );
    }

    #[test]
    fn fixed_headers_convert_as_the_shared_conversion_does() {
        let fixed = Fixed::new(&kling_core::Config::default());
        let ua = kling_core::Config::default().user_agent;
        for (name, value) in [
            ("Accept", "application/json"),
            ("Accept", "text/plain"),
            ("Content-Type", "application/json"),
            ("User-Agent", ua.as_str()),
            ("User-Agent", "other"),
            ("Authorization", "Bearer t"),
        ] {
            let (n1, v1) = fixed.header(name, value).unwrap();
            let (n2, v2) = kling_core::http::convert::header(name, value).unwrap();
            assert_eq!((n1, &v1), (n2, &v2), "{name}");
            assert_eq!(v1.is_sensitive(), v2.is_sensitive(), "{name}");
        }
    }
}

#[cfg(all(test, feature = "rustls-ring"))]
mod tests {
    #[test]
    fn both_pools_share_one_tls_configuration_speaking_http1() {
        let config = super::tls_config(&kling_core::Config::default()).unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
        // The transport builds with it (reqwest accepts the preconfigured rustls config).
        super::ReqwestTransport::new(&kling_core::Config::default()).unwrap();
    }
}
