//! A scripted transport: the test double every driver runs the reliability table through,
//! and the bodies it answers with.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kling_core::{HttpRequest, HttpResponse};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};

/// One scripted answer.
#[derive(Clone, Debug)]
// A test double's script: a few answers, moved once each.
#[allow(clippy::large_enum_variant)]
pub enum Answer {
    /// A response.
    Response(HttpResponse),
    /// The request was written, then the read timed out.
    TimeoutAfterSend,
    /// The connection was refused: nothing was sent.
    Refused,
}

impl Answer {
    /// A JSON body with a status.
    pub fn json(status: u16, body: &str) -> Self {
        Self::Response(HttpResponse::json(status, body.as_bytes().to_vec()))
    }

    /// A JSON body with extra headers.
    pub fn json_with(status: u16, body: &str, headers: &[(&str, &str)]) -> Self {
        let mut response = HttpResponse::json(status, body.as_bytes().to_vec());
        for (k, v) in headers {
            response.headers.push(k, v);
        }
        Self::Response(response)
    }

    /// A raw body with a content type.
    pub fn raw(status: u16, content_type: &str, body: &[u8]) -> Self {
        Self::Response(HttpResponse::new(
            status,
            vec![("Content-Type".to_owned(), content_type.to_owned())],
            body.to_vec(),
        ))
    }
}

/// A transport that answers from a script and records every request.
#[derive(Clone, Default)]
pub struct Script {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    /// What comes after the script, forever (none: running out is a test failure).
    then: Arc<Mutex<Option<Answer>>>,
    log: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Script {
    /// A script of `answers`, in order.
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> Self {
        Self {
            answers: Arc::new(Mutex::new(answers.into_iter().collect())),
            then: Arc::default(),
            log: Arc::default(),
        }
    }

    /// After the scripted answers, `answer` forever.
    #[must_use]
    pub fn then_always(self, answer: Answer) -> Self {
        *self.then.lock().unwrap() = Some(answer);
        self
    }

    /// The requests whose method is `method`.
    pub fn count(&self, method: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method.as_str() == method)
            .count()
    }

    /// The requests sent so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.log.lock().unwrap().clone()
    }

    /// `METHOD path?query` of each request, without the host.
    pub fn lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| {
                let path = r.url.splitn(4, '/').nth(3).unwrap_or("");
                format!("{} /{path}", r.method.as_str())
            })
            .collect()
    }

    /// Answers left unused.
    pub fn remaining(&self) -> usize {
        self.answers.lock().unwrap().len()
    }

    /// Records a request (a loopback server does, for what it received).
    pub fn record(&self, request: HttpRequest) {
        self.log.lock().unwrap().push(request);
    }

    /// The next scripted answer.
    pub fn next(&self) -> Option<Answer> {
        let next = self.answers.lock().unwrap().pop_front();
        next.or_else(|| self.then.lock().unwrap().clone())
    }

    /// The answer to `request`.
    pub fn answer(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log.lock().unwrap().push(request.clone());
        match self.next() {
            Some(Answer::Response(r)) => Ok(r),
            Some(Answer::TimeoutAfterSend) => Err(TransportError::new(
                TransportFailure::Timeout,
                TransportPhase::AfterSend,
                Operation::Read,
                "read timed out",
            )),
            Some(Answer::Refused) => Err(TransportError::new(
                TransportFailure::Connect,
                TransportPhase::BeforeSend,
                Operation::Read,
                "connection refused",
            )),
            None => panic!(
                "the script ran out at request {}: {request:?}",
                self.log.lock().unwrap().len()
            ),
        }
    }
}

impl kling_core::Transport for Script {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.answer(request)
    }
    fn open(&self, request: &HttpRequest) -> Result<kling_core::StreamingResponse, TransportError> {
        self.answer(request).map(Into::into)
    }
}

#[async_trait::async_trait]
impl kling_core::AsyncTransport for Script {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.answer(request)
    }
    async fn open(
        &self,
        request: &HttpRequest,
    ) -> Result<kling_core::AsyncStreamingResponse, TransportError> {
        self.answer(request).map(Into::into)
    }
}

/// The start of every test clock: Wed, 10 Jun 2026 08:40:00 GMT.
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_781_080_800)
}

/// A legacy envelope around a task in `status`.
pub fn task(id: &str, status: &str) -> String {
    format!(
        r#"{{"code":0,"message":"SUCCEED","request_id":"r-{id}","data":{{"task_id":"{id}","task_status":"{status}","task_info":{{"external_task_id":"job-1"}}}}}}"#
    )
}

/// A legacy envelope around a task in `status` created with `external_task_id`.
pub fn task_of(id: &str, status: &str, external_task_id: &str) -> String {
    task(id, status).replace("\"job-1\"", &format!("\"{external_task_id}\""))
}

/// A succeeded legacy task with one video at `url`.
pub fn task_done(id: &str, url: &str) -> String {
    format!(
        r#"{{"code":0,"message":"SUCCEED","request_id":"r-{id}","data":{{"task_id":"{id}","task_status":"succeed","task_result":{{"videos":[{{"id":"v-{id}","url":"{url}","duration":"5"}}]}}}}}}"#
    )
}

/// A Kling error envelope.
pub fn kling_error(code: i64) -> String {
    format!(r#"{{"code":{code},"message":"error {code}","request_id":"req-{code}"}}"#)
}
