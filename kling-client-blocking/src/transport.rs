//! The default transport: ureq 3 with rustls. Error statuses come back as responses (never as
//! bodiless errors), bodies are capped, every attempt has a total timeout, and API calls never
//! follow a redirect (so a token is never re-sent elsewhere).

use std::io::Read;
use std::time::Duration;

use kling_core::{Config, HttpRequest, HttpResponse, StreamingResponse, Transport};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};
use ureq::Agent;

/// The ureq-based [`Transport`]. Holds two connection pools, shared by clones of the client:
/// one for the API (no redirects) and one for result files (redirects allowed; no credentials
/// are ever attached to those requests).
#[derive(Clone)]
pub struct UreqTransport {
    api: Agent,
    files: Agent,
    max_body: u64,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

fn agent(connect: Duration, read: Duration, redirects: u32) -> Agent {
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(connect))
        // A stalled peer ends the attempt after `read` of silence, as with reqwest, instead
        // of holding a download for the whole 30-minute attempt.
        .timeout_per_read(Some(read))
        .max_redirects(redirects)
        .max_redirects_will_error(false)
        .user_agent("")
        .build();
    Agent::new_with_config(config)
}

impl UreqTransport {
    /// A transport with the timeouts and body cap of `config`.
    pub fn new(config: &Config) -> Self {
        Self {
            api: agent(config.connect_timeout, config.read_timeout, 0),
            files: agent(config.connect_timeout, config.read_timeout, 5),
            max_body: config.max_response_bytes as u64,
        }
    }

    fn run(
        &self,
        request: &HttpRequest,
    ) -> Result<ureq::http::Response<ureq::Body>, TransportError> {
        let agent = if request.follow_redirects {
            &self.files
        } else {
            &self.api
        };
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), header_value(name, value)?);
        }
        let body: Vec<u8> = request
            .body
            .as_deref()
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        let http_request = builder.body(body).map_err(|e| {
            TransportError::new(
                TransportFailure::Io,
                TransportPhase::BeforeSend,
                Operation::Read,
                "the request is not valid HTTP",
            )
            .with_source(e)
        })?;
        let http_request = agent
            .configure_request(http_request)
            .timeout_global(request.timeout)
            .build();
        agent.run(http_request).map_err(map_error)
    }
}

/// A header value, marked sensitive when it is a credential, so no log level of ureq can
/// print it.
fn header_value(name: &str, value: &str) -> Result<ureq::http::HeaderValue, TransportError> {
    let mut header = ureq::http::HeaderValue::from_str(value).map_err(|e| {
        // Never echo the value: it may be a credential.
        TransportError::new(
            TransportFailure::Io,
            TransportPhase::BeforeSend,
            Operation::Read,
            &format!("the value of header {name} is not valid HTTP"),
        )
        .with_source(e)
    })?;
    header.set_sensitive(kling_core::http::is_sensitive_header(name));
    Ok(header)
}

fn headers_of(response: &ureq::http::Response<ureq::Body>) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// ureq's error, classified by when it happened: before anything was sent (safe to post
/// again) or possibly after.
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
        let headers = headers_of(&response);
        // A length over the cap is refused before a byte of the body is read.
        let announced = response
            .headers()
            .get("content-length")
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
        let headers = headers_of(&response);
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

#[cfg(test)]
mod tests {
    use super::header_value;

    #[test]
    fn credentials_are_marked_sensitive() {
        assert!(
            header_value("Authorization", "Bearer t")
                .unwrap()
                .is_sensitive()
        );
        assert!(header_value("x-api-key", "k").unwrap().is_sensitive());
        assert!(
            !header_value("Accept", "application/json")
                .unwrap()
                .is_sensitive()
        );
        let e = header_value("Authorization", "Bearer sec\nret").unwrap_err();
        assert!(!e.to_string().contains("sec"), "{e}");
    }
}
