//! The `Endpoint` trait: every API operation described as data.

use serde::Serialize;
use serde::de::DeserializeOwned;

use kling_errors::{Dialect, ValidationError};

use crate::query::TaskRef;

/// The HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: a query; idempotent.
    Get,
    /// `POST`: a create, or a synchronous call.
    Post,
}

impl Method {
    /// The method as the request line writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// How a response body wraps the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// Kling's `{code, message, request_id, data}`: the value is `data`.
    KlingEnvelope,
    /// A gateway's bare JSON: the value is the whole body.
    Bare,
}

/// Which credentials an operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// A JWT minted from an access key pair, or an API key (the legacy API).
    TokenOrApiKey,
    /// An API key only (the new standard, RunBlob).
    ApiKey,
}

/// One API operation, described as data: what to send and what comes back.
///
/// Clients build the HTTP request from these methods and decode the response into
/// [`Response`](Self::Response); nothing here does I/O.
pub trait Endpoint {
    /// The decoded value of a successful response (the envelope's `data` for
    /// [`ResponseFormat::KlingEnvelope`]).
    type Response: DeserializeOwned;
    /// The JSON body type (`()` for operations without a body).
    type Body: Serialize + ?Sized;

    /// The HTTP method: `GET` for queries and lists, `POST` for creates and synchronous calls.
    fn method(&self) -> Method;

    /// The path, starting with `/`, with path parameters filled in and percent-encoded.
    fn path(&self) -> String;

    /// Appends [`path`](Self::path) to `out`. The engine builds URLs with it, so an endpoint
    /// sent often (a task query) can write its path without a string of its own.
    fn write_path(&self, out: &mut String) {
        out.push_str(&self.path());
    }

    /// Query parameters, in order (not yet encoded).
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<&Self::Body>;

    /// Whether sending the request twice has the effect of sending it once. Creates are not.
    fn idempotent(&self) -> bool {
        self.method() == Method::Get
    }

    /// Whose API this is: decides the error dialect of its responses.
    fn dialect(&self) -> Dialect {
        Dialect::Kling
    }

    /// How the response wraps the value.
    fn response_format(&self) -> ResponseFormat {
        ResponseFormat::KlingEnvelope
    }

    /// Which credentials the operation accepts.
    fn auth_scheme(&self) -> AuthScheme {
        AuthScheme::TokenOrApiKey
    }

    /// Checks the request against the rules the server is known to enforce, before anything is
    /// sent (and before credits are spent).
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] naming the field and carrying the code the server would return.
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    /// What the models data needs to know of this request (model, endpoint, duration,
    /// resolution, sound, inputs): the ground of preflight's model rules and of
    /// [`models::estimate`](crate::models::estimate). `None` for operations that make nothing.
    fn facts(&self) -> Option<crate::models::Facts<'_>> {
        None
    }

    /// The calls this request is sent as when the server would refuse it whole (`GET /tasks`
    /// takes at most 20 ids), with how their answers become one; `None`: sent as it is.
    /// Clients send the parts in order and hand the caller the merged answer.
    fn split(&self) -> Option<Split<Self>>
    where
        Self: Sized,
    {
        None
    }
}

/// A request sent as several calls: the parts, in order, and the function that merges their
/// answers (in the same order) into the one answer the caller sees.
#[non_exhaustive]
pub struct Split<E: Endpoint> {
    /// The calls to send, in order (e.g. `GET /tasks` chunks of at most 20 ids).
    pub parts: Vec<E>,
    /// Joins the parts' answers, given in the parts' order, into the one answer the caller sees.
    pub merge: fn(Vec<E::Response>) -> E::Response,
}

impl<E: Endpoint> Split<E> {
    /// `parts`, whose answers `merge` joins.
    pub fn new(parts: Vec<E>, merge: fn(Vec<E::Response>) -> E::Response) -> Self {
        Self { parts, merge }
    }
}

/// A query that reads one task: what a wait polls, and what settles an ambiguous create.
pub trait TaskQuery: Endpoint {
    /// The task it reads (one task, even where the API answers with a list).
    type Task;

    /// Which task it asks for (for progress reports and errors).
    fn task_ref(&self) -> TaskRef;

    /// The task this query asked for, out of a response to it; `None` when the response does
    /// not hold it (a new-standard task not visible yet, or an answer about another task).
    fn task(&self, response: Self::Response) -> Option<Self::Task>;

    /// Which shared polls can answer this query besides the query itself: a client waiting for
    /// many tasks of one group reads them with one request (a batch `GET /tasks`, a listing, a
    /// legacy family's list page) instead of one each. `None` (the default): polled alone, as
    /// a query by `external_task_id` or a RunBlob generation is.
    fn poll_group(&self) -> Option<PollGroup> {
        None
    }
}

/// The shared polls that can answer a one-task query ([`TaskQuery::poll_group`]), with the
/// task's system id. A shared answer is delivered as the query's own
/// [`Response`](Endpoint::Response) would be (a one-task list for the new standard, the task
/// for a legacy family).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PollGroup {
    /// A new-standard task: `GET /tasks?task_ids=` (at most
    /// [`GetTasks::MAX_IDS`](crate::standard::GetTasks::MAX_IDS) ids) and the `POST /tasks`
    /// listing of tasks in flight.
    Standard {
        /// The task's system id.
        task_id: String,
    },
    /// A task of a legacy family: its list pages (`GET {path}?pageNum=&pageSize=`).
    Legacy {
        /// The family whose list holds the task.
        family: &'static crate::Family,
        /// The task's system id.
        task_id: String,
    },
}

impl PollGroup {
    /// The task's system id.
    pub fn task_id(&self) -> &str {
        match self {
            Self::Standard { task_id } | Self::Legacy { task_id, .. } => task_id,
        }
    }
}

/// A create: an operation that starts a paid task, and how that task is found again. The
/// create flow reconciles an ambiguous failure with [`lookup`](Self::lookup) instead of
/// posting blindly again; a wait polls [`poll_query`](Self::poll_query).
pub trait CreateEndpoint: Endpoint {
    /// The query that reads the task: by its id after the create, by the caller's
    /// `external_task_id` when a create must be settled.
    type Query: TaskQuery;

    /// The request's `external_task_id`, if set: what [`lookup`](Self::lookup) finds the task by
    /// (always `None` on RunBlob).
    fn external_task_id(&self) -> Option<&str>;

    /// Sets the caller's id (the create flow generates one when the caller gave none). Has no
    /// effect where the API takes none (RunBlob).
    fn set_external_task_id(&mut self, id: String);

    /// Sets the URL the API posts the task to when its status changes (a batch worker's
    /// callback receiver); whether this create takes one (`false`, the default: it does not,
    /// and nothing was set).
    fn set_callback_url(&mut self, url: String) -> bool {
        let _ = url;
        false
    }

    /// The query for the task created with `external_task_id`; `None` where the API cannot
    /// look a task up by the caller's id (RunBlob): an ambiguous create can then only be
    /// reported, never settled.
    fn lookup(&self, external_task_id: &str) -> Option<Self::Query>;

    /// The query that polls the task a create answered with.
    fn poll_query(&self, created: &Self::Response) -> Self::Query;

    /// The create's answer, made of the task a lookup found (`None` where they differ).
    fn found(task: <Self::Query as TaskQuery>::Task) -> Option<Self::Response>;

    /// The query that reads the task this create made, from the task's id: how a stored job
    /// whose API has no lookup by the caller's id (RunBlob) resumes its wait. `None` (the
    /// default) where the lookup by `external_task_id` serves.
    fn query_for_task(&self, _task_id: &str) -> Option<Self::Query> {
        None
    }
}

/// Percent-encodes a path segment (ids are usually plain, but never trust them in a URL). A
/// segment of dots alone (`.`, `..`) is encoded too, so no URL normalization can turn it into
/// a step up the path.
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_segment(&mut out, text);
    out
}

/// Appends `text` to `out` as one path segment (see [`segment`]).
pub(crate) fn push_segment(out: &mut String, text: &str) {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~');
    let only_dots = text.bytes().all(|b| b == b'.');
    // The common case, an id of letters and digits, is copied as is.
    if !only_dots && text.bytes().all(|b| plain(b) || b == b'.') {
        out.push_str(text);
        return;
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(text.len() * 3);
    for byte in text.bytes() {
        if plain(byte) || (byte == b'.' && !only_dots) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xF)] as char);
        }
    }
}

/// Whether a request's preflight validation runs. Some users know better than our rules (a
/// model or combination we have not seen yet); they can switch it off per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Preflight {
    pub(crate) skip: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::segment("job-42_a.b~"), "job-42_a.b~");
        assert_eq!(super::segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
        assert_eq!(super::segment(".."), "%2E%2E");
        assert_eq!(super::segment("."), "%2E");
        assert_eq!(super::segment("a..b"), "a..b");
    }

    #[test]
    fn write_path_appends_what_path_returns() {
        use super::Endpoint;
        for id in ["831922345719271433", "a/b c", "..", "x.y"] {
            let query = crate::videos::GetText2VideoTask::by_task_id(id);
            let mut out = String::from("https://h");
            query.write_path(&mut out);
            assert_eq!(out, format!("https://h{}", query.path()), "{id}");
        }
    }
}
