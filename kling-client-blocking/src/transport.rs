//! The default transport: ureq 3 with rustls. Error statuses come back as responses (never as
//! bodiless errors), bodies are capped, every attempt has a total timeout, and API calls never
//! follow a redirect (so a token is never re-sent elsewhere).

use std::io::Read;
use std::time::Duration;

use kling_core::download::guard::Refusal;
use kling_core::http::{Headers, convert};
use kling_core::{Config, HttpRequest, HttpResponse, StreamingResponse, Transport};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};
use ureq::Agent;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::resolve::CachingResolver;

/// The ureq-based [`Transport`]. Holds two connection pools, shared by clones of the client:
/// one for the API (no redirects) and one for result files (redirects allowed; no credentials
/// are ever attached to those requests).
#[derive(Clone)]
pub struct UreqTransport {
    api: Pool,
    files: Pool,
    max_body: u64,
}

/// An agent and the total attempt time it applies by itself.
#[derive(Clone)]
struct Pool {
    agent: Agent,
    timeout: Duration,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Pool {
    fn new(
        connect: Duration,
        read: Duration,
        timeout: Duration,
        redirects: u32,
        tls: &TlsConfig,
        resolver: CachingResolver,
    ) -> Self {
        let config = Agent::config_builder()
            .tls_config(tls.clone())
            .http_status_as_error(false)
            .timeout_connect(Some(connect))
            // A stalled peer ends the attempt after `read` of silence, as with reqwest, instead
            // of holding a download for the whole 30-minute attempt.
            .timeout_per_read(Some(read))
            // The usual total time is the agent's, so most requests carry no config of their
            // own (a per-request config costs a copy of the agent's).
            .timeout_global(Some(timeout))
            .max_redirects(redirects)
            .max_redirects_will_error(false)
            .user_agent("")
            .build();
        let agent = Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            resolver,
        );
        Self { agent, timeout }
    }
}

impl UreqTransport {
    /// A transport with the timeouts, body cap and trusted roots of `config`. A
    /// [`Config::tls_roots_pem`] that does not decode trusts nothing (the client builder
    /// refuses it before a transport is made): a restriction never falls back to the usual
    /// roots.
    pub fn new(config: &Config) -> Self {
        let tls = TlsConfig::builder();
        let tls = match config.tls_roots() {
            Ok(None) => tls,
            Ok(Some(roots)) => {
                let certs: Vec<Certificate<'static>> = roots
                    .iter()
                    .map(|der| Certificate::from_der(der).to_owned())
                    .collect();
                tls.root_certs(RootCerts::new_with_certs(&certs))
            }
            Err(_) => tls.root_certs(RootCerts::new_with_certs(&[])),
        }
        .build();
        Self {
            api: Pool::new(
                config.connect_timeout,
                config.read_timeout,
                config.request_timeout,
                0,
                &tls,
                CachingResolver::default(),
            ),
            files: Pool::new(
                config.connect_timeout,
                config.read_timeout,
                config.download.timeout,
                5,
                &tls,
                // Downloads connect only to addresses the config allows.
                CachingResolver::guarded(config.download_allow()),
            ),
            max_body: config.max_response_bytes as u64,
        }
    }

    fn run(
        &self,
        request: &HttpRequest,
    ) -> Result<ureq::http::Response<ureq::Body>, TransportError> {
        let pool = if request.follow_redirects {
            &self.files
        } else {
            &self.api
        };
        let head = convert::request_head(request)?;
        let timeout = request.timeout.filter(|t| *t != pool.timeout);
        match request.body.as_deref() {
            Some(body) => send(&pool.agent, head.map(|()| body), timeout),
            None => send(&pool.agent, head, timeout),
        }
        .map_err(map_error)
    }
}

/// Runs `request` on `agent`, with its own total time when it differs from the agent's.
fn send(
    agent: &Agent,
    request: ureq::http::Request<impl ureq::AsSendBody>,
    timeout: Option<Duration>,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    match timeout {
        None => agent.run(request),
        Some(t) => agent.run(
            agent
                .configure_request(request)
                .timeout_global(Some(t))
                .build(),
        ),
    }
}

/// ureq's error, classified by when it happened: before anything was sent (safe to post
/// again) or possibly after.
/// Whether `io` is rustls refusing the peer during the handshake (its certificate, or no
/// common protocol).
fn refused_handshake(io: &std::io::Error) -> bool {
    use rustls::Error as R;
    io.get_ref()
        .and_then(|e| e.downcast_ref::<R>())
        .is_some_and(|e| {
            matches!(
                e,
                R::InvalidCertificate(_)
                    | R::NoCertificatesPresented
                    | R::PeerIncompatible(_)
                    | R::UnsupportedNameType
            )
        })
}

fn map_error(error: ureq::Error) -> TransportError {
    use ureq::Error as E;
    let (failure, phase) = match &error {
        E::Timeout(t) => (
            TransportFailure::Timeout,
            match t {
                ureq::Timeout::Resolve | ureq::Timeout::Connect => TransportPhase::BeforeSend,
                _ => TransportPhase::AfterSend,
            },
        ),
        E::HostNotFound => (TransportFailure::Dns, TransportPhase::BeforeSend),
        E::ConnectionFailed => (TransportFailure::Connect, TransportPhase::BeforeSend),
        E::BodyExceedsLimit(_) => (TransportFailure::BodyTooLarge, TransportPhase::AfterSend),
        E::Tls(_) | E::TlsRequired => (TransportFailure::Tls, TransportPhase::BeforeSend),
        E::TooManyRedirects | E::RedirectFailed => {
            (TransportFailure::Redirect, TransportPhase::AfterSend)
        }
        // The download guard's refusal, from the resolver.
        E::Io(io) if io.get_ref().is_some_and(|e| e.is::<Refusal>()) => {
            let refusal = io.get_ref().and_then(|e| e.downcast_ref::<Refusal>());
            if let Some(refusal) = refusal {
                return refusal.to_transport_error();
            }
            (
                TransportFailure::ForbiddenAddress,
                TransportPhase::BeforeSend,
            )
        }
        // ureq hands rustls's handshake failures on as I/O errors: a certificate refused is
        // a handshake that never got as far as the request.
        E::Io(io) if refused_handshake(io) => (TransportFailure::Tls, TransportPhase::BeforeSend),
        E::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                (TransportFailure::Connect, TransportPhase::BeforeSend)
            }
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                (TransportFailure::Timeout, TransportPhase::Unknown)
            }
            _ => (TransportFailure::Reset, TransportPhase::Unknown),
        },
        _ => (TransportFailure::Io, TransportPhase::Unknown),
    };
    let message = error.to_string();
    TransportError::new(failure, phase, Operation::Read, &message).with_source(error)
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self.run(request)?;
        let status = response.status().as_u16();
        let headers = Headers::from(response.headers());
        // A length over the cap is refused before a byte of the body is read.
        let announced = response
            .headers()
            .get(ureq::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if announced.is_some_and(|n| n > self.max_body) {
            return Err(TransportError::new(
                TransportFailure::BodyTooLarge,
                TransportPhase::AfterSend,
                Operation::Read,
                &format!("the response announces more than {} bytes", self.max_body),
            ));
        }
        let body = response
            .into_body()
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(HttpResponse::new(status, headers, body))
    }

    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        let response = self.run(request)?;
        let status = response.status().as_u16();
        let headers = Headers::from(response.headers());
        let reader: Box<dyn Read + Send> = Box::new(Body(response.into_body().into_reader()));
        Ok(StreamingResponse::new(status, headers, reader))
    }
}

/// A streamed body whose timeouts read as [`std::io::ErrorKind::TimedOut`] (ureq reports them
/// as `Other`), so a stalled file host is a timeout, not a reset.
struct Body<R>(R);

impl<R: Read> Read for Body<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let timeout = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                .is_some_and(|inner| matches!(inner, ureq::Error::Timeout(_)));
            if timeout {
                std::io::Error::new(std::io::ErrorKind::TimedOut, e)
            } else {
                e
            }
        })
    }
}
