//! The default transport: reqwest with rustls. Error statuses come back as responses, bodies
//! are capped while they are read, every attempt has a total timeout, and API calls never
//! follow a redirect (so a token is never re-sent elsewhere).

use std::time::Duration;

use async_trait::async_trait;
use kling_core::Bytes;
use kling_core::http::{Headers, convert};
use kling_core::{
    AsyncBody, AsyncStreamingResponse, AsyncTransport, Config, HttpRequest, HttpResponse,
};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};

/// The reqwest-based [`AsyncTransport`]. Holds two connection pools, shared by clones of the
/// client: one for the API (no redirects) and one for result files (redirects allowed; no
/// credentials are ever attached to those requests).
#[derive(Clone)]
pub struct ReqwestTransport {
    api: Pool,
    files: Pool,
    max_body: usize,
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

fn pool(
    connect: Duration,
    read: Duration,
    timeout: Duration,
    redirects: reqwest::redirect::Policy,
    tls: &Tls,
) -> Result<Pool, TransportError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .read_timeout(read)
        // The usual total time is the client's, so most requests carry none of their own (a
        // per-request timeout costs two allocations in reqwest).
        .timeout(timeout)
        .redirect(redirects);
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
                &tls,
            )?,
            files: pool(
                config.connect_timeout,
                config.read_timeout,
                config.download.timeout,
                reqwest::redirect::Policy::limited(5),
                &tls,
            )?,
            max_body: config.max_response_bytes,
        })
    }

    async fn start(&self, request: &HttpRequest) -> Result<reqwest::Response, TransportError> {
        let pool = if request.follow_redirects {
            &self.files
        } else {
            &self.api
        };
        let url = reqwest::Url::parse(&request.url).map_err(|e| {
            TransportError::new(
                TransportFailure::Io,
                TransportPhase::BeforeSend,
                Operation::Read,
                "the request URL is not valid",
            )
            .with_source(e)
        })?;
        let mut http_request = reqwest::Request::new(convert::method(request.method)?, url);
        *http_request.headers_mut() = convert::header_map(&request.headers)?;
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
