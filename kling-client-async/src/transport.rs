//! The default transport: reqwest with rustls. Error statuses come back as responses, bodies
//! are capped while they are read, every attempt has a total timeout, and API calls never
//! follow a redirect (so a token is never re-sent elsewhere).

use std::time::Duration;

use async_trait::async_trait;
use kling_core::{
    AsyncBody, AsyncStreamingResponse, AsyncTransport, Config, HttpRequest, HttpResponse,
};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};

/// The reqwest-based [`AsyncTransport`]. Holds two connection pools, shared by clones of the
/// client: one for the API (no redirects) and one for result files (redirects allowed; no
/// credentials are ever attached to those requests).
#[derive(Clone)]
pub struct ReqwestTransport {
    api: reqwest::Client,
    files: reqwest::Client,
    max_body: usize,
}

impl std::fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

fn client(
    connect: Duration,
    read: Duration,
    redirects: reqwest::redirect::Policy,
) -> Result<reqwest::Client, TransportError> {
    #[cfg(feature = "rustls-ring")]
    {
        // reqwest is built without a crypto provider: install ring once (an error only means
        // one is installed already).
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder()
        .connect_timeout(connect)
        .read_timeout(read)
        .redirect(redirects)
        .build()
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
        Ok(Self {
            api: client(
                config.connect_timeout,
                config.read_timeout,
                reqwest::redirect::Policy::none(),
            )?,
            files: client(
                config.connect_timeout,
                config.read_timeout,
                reqwest::redirect::Policy::limited(5),
            )?,
            max_body: config.max_response_bytes,
        })
    }

    async fn start(&self, request: &HttpRequest) -> Result<reqwest::Response, TransportError> {
        let client = if request.follow_redirects {
            &self.files
        } else {
            &self.api
        };
        let method =
            reqwest::Method::from_bytes(request.method.as_str().as_bytes()).map_err(|e| {
                TransportError::new(
                    TransportFailure::Io,
                    TransportPhase::BeforeSend,
                    Operation::Read,
                    "bad method",
                )
                .with_source(e)
            })?;
        let mut builder = client.request(method, request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), header_value(name, value)?);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.to_vec());
        }
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        builder.send().await.map_err(map_error)
    }
}

/// A header value, marked sensitive when it is a credential, so no log level of reqwest or
/// hyper can print it.
fn header_value(name: &str, value: &str) -> Result<reqwest::header::HeaderValue, TransportError> {
    let mut header = reqwest::header::HeaderValue::from_str(value).map_err(|e| {
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

fn headers_of(response: &reqwest::Response) -> Vec<(String, String)> {
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
        let headers = headers_of(&response);
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body as u64)
        {
            return Err(too_large(self.max_body));
        }
        let mut body = Vec::new();
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
        let headers = headers_of(&response);
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
    async fn chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        Ok(self.0.chunk().await.map_err(map_error)?.map(|b| b.to_vec()))
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
