//! The seams a user can plug their own HTTP stack into: [`Transport`] (blocking) and
//! [`AsyncTransport`]. Both methods of each are required: a wrapper that forgot `open` would
//! otherwise buffer every video in memory (and hit the JSON body cap). Closures and test
//! doubles that only know how to answer a whole response use the explicit buffering adapters
//! [`TransportFn`] / [`AsyncTransportFn`], or `StreamingResponse::from(response)`.

use std::future::Future;
use std::io::Read;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use kling_errors::TransportError;

use crate::http::{Headers, HttpRequest, HttpResponse};

/// A response whose body is read as a stream (downloads), so it never has to fit in memory.
#[non_exhaustive]
pub struct StreamingResponse {
    /// The status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Headers,
    /// The body.
    pub body: Box<dyn Read + Send>,
}

impl StreamingResponse {
    /// A streaming response.
    pub fn new(status: u16, headers: impl Into<Headers>, body: Box<dyn Read + Send>) -> Self {
        Self {
            status,
            headers: headers.into(),
            body,
        }
    }
}

/// A whole response, given out as a stream: the buffering adapter for test doubles.
impl From<HttpResponse> for StreamingResponse {
    fn from(response: HttpResponse) -> Self {
        Self::new(
            response.status,
            response.headers,
            Box::new(std::io::Cursor::new(response.body)),
        )
    }
}

/// Sends requests, blocking. Implemented with ureq by `kling-client-blocking`; implement it for
/// your own stack (a proxy, a recorder, a test double) and hand it to the client.
pub trait Transport: Send + Sync {
    /// Sends `request` and reads the whole response (API calls: small JSON bodies). Error
    /// statuses are responses, not errors: only a failure to get a complete answer is an
    /// error.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] saying what failed and whether the request may have been sent.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Sends `request` and returns the body as a stream (result files, up to gigabytes). A
    /// wrapper forwards this to the transport it wraps; a test double may answer
    /// `self.send(request).map(Into::into)`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        (**self).open(request)
    }
}

/// A [`Transport`] from a closure answering whole responses. Its `open` buffers the whole
/// body in memory: for test doubles and small files, not for real downloads.
pub struct TransportFn<F>(pub F);

impl<F> Transport for TransportFn<F>
where
    F: Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
{
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        (self.0)(request)
    }
    fn open(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        (self.0)(request).map(Into::into)
    }
}

/// A streamed body, read chunk by chunk. Chunks are [`Bytes`]: what the HTTP library
/// received is handed on without a copy.
#[async_trait]
pub trait AsyncBody: Send {
    /// The next chunk; `None` at the end.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when the stream breaks.
    async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError>;
}

/// A body already in memory, given out in one chunk.
struct InMemory(Option<Bytes>);

#[async_trait]
impl AsyncBody for InMemory {
    async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        Ok(self.0.take().filter(|b| !b.is_empty()))
    }
}

/// An async response whose body is read as a stream.
#[non_exhaustive]
pub struct AsyncStreamingResponse {
    /// The status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Headers,
    /// The body.
    pub body: Box<dyn AsyncBody>,
}

impl AsyncStreamingResponse {
    /// A streaming response.
    pub fn new(status: u16, headers: impl Into<Headers>, body: Box<dyn AsyncBody>) -> Self {
        Self {
            status,
            headers: headers.into(),
            body,
        }
    }
}

/// A whole response, given out as a stream: the buffering adapter for test doubles.
impl From<HttpResponse> for AsyncStreamingResponse {
    fn from(response: HttpResponse) -> Self {
        Self::new(
            response.status,
            response.headers,
            Box::new(InMemory(Some(Bytes::from(response.body)))),
        )
    }
}

/// Sends requests, asynchronously. Implemented with reqwest by `kling-client-async`.
#[async_trait]
pub trait AsyncTransport: Send + Sync {
    /// As [`Transport::send`].
    ///
    /// # Errors
    ///
    /// As [`Transport::send`].
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;

    /// As [`Transport::open`]: a wrapper forwards it; a test double may answer
    /// `self.send(request).await.map(Into::into)`.
    ///
    /// # Errors
    ///
    /// As [`Transport::send`].
    async fn open(&self, request: &HttpRequest) -> Result<AsyncStreamingResponse, TransportError>;
}

#[async_trait]
impl<T: AsyncTransport + ?Sized> AsyncTransport for Arc<T> {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
    async fn open(&self, request: &HttpRequest) -> Result<AsyncStreamingResponse, TransportError> {
        (**self).open(request).await
    }
}

/// An [`AsyncTransport`] from a closure returning a future of a whole response. Its `open`
/// buffers the whole body in memory: for test doubles and small files, not for real
/// downloads.
pub struct AsyncTransportFn<F>(pub F);

#[async_trait]
impl<F, Fut> AsyncTransport for AsyncTransportFn<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send,
{
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        (self.0)(request.clone()).await
    }
    async fn open(&self, request: &HttpRequest) -> Result<AsyncStreamingResponse, TransportError> {
        (self.0)(request.clone()).await.map(Into::into)
    }
}
