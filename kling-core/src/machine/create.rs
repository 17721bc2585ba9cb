//! The create flow of `reliability.md` 1.3.2: every create carries an `external_task_id`
//! where the API takes one; an ambiguous failure leads to a lookup by that id before any
//! re-post; never a blind re-post. A re-post the server refuses because the id exists is the
//! server's proof that an earlier post created the task: it is looked up (a miss is a lag,
//! looked again with backoff), never posted again. Where the API has no such id (RunBlob), an
//! ambiguous failure is reported with everything known.

use std::fmt;
use std::time::{Duration, SystemTime};

use kling_errors::{
    AmbiguousCreateError, Error, ErrorCode, ErrorKind, KlingCode, RetryClass, TransportError,
};
use kling_types::{CreateEndpoint, Endpoint, TaskQuery};

use super::{Call, Machine, Step, about, misuse};
use crate::engine::{Engine, Prepared, Reply};
use crate::http::HttpResponse;
use crate::job::CreateTask;
use crate::retry::{Attempt, Decision};
use crate::time::generate_external_task_id;

/// What a create produced: the task, the query that polls it, and how it was obtained.
#[non_exhaustive]
pub struct Created<E: CreateEndpoint> {
    /// The create's answer (the task as submitted; RunBlob: the generation's id and status).
    pub task: E::Response,
    /// The query that reads the task: wait with it.
    pub query: E::Query,
    /// The `external_task_id` it was created with (generated when the caller gave none);
    /// `None` where the API takes none (RunBlob).
    pub external_task_id: Option<String>,
    /// How many times the create was posted.
    pub posts: u32,
    /// Whether the task was found by a lookup after an ambiguous failure rather than returned
    /// by a create response.
    pub reconciled: bool,
    /// The server's id of the request that produced `task` (to quote to support).
    pub request_id: Option<String>,
}

impl<E: CreateEndpoint> Created<E> {
    /// A create's result (for test doubles of the client traits).
    pub fn new(task: E::Response, query: E::Query) -> Self {
        Self {
            task,
            query,
            external_task_id: None,
            posts: 1,
            reconciled: false,
            request_id: None,
        }
    }

    /// Records the `external_task_id`.
    #[must_use]
    pub fn with_external_task_id(mut self, id: impl Into<String>) -> Self {
        self.external_task_id = Some(id.into());
        self
    }
}

impl<E: CreateEndpoint> Clone for Created<E>
where
    E::Response: Clone,
    E::Query: Clone,
{
    fn clone(&self) -> Self {
        Self {
            task: self.task.clone(),
            query: self.query.clone(),
            external_task_id: self.external_task_id.clone(),
            posts: self.posts,
            reconciled: self.reconciled,
            request_id: self.request_id.clone(),
        }
    }
}

impl<E: CreateEndpoint> fmt::Debug for Created<E>
where
    E::Response: fmt::Debug,
    E::Query: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Created")
            .field("task", &self.task)
            .field("query", &self.query)
            .field("external_task_id", &self.external_task_id)
            .field("posts", &self.posts)
            .field("reconciled", &self.reconciled)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// What a reconciling lookup said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    /// The task does not exist (the dialect's own "not found", or an answer without it).
    Missing,
    /// A 404 that says nothing about the task (no code, or a body that did not decode).
    Unclear,
}

/// How many lookups a create makes after the server refused a re-post as a duplicate (the
/// task exists; a miss is the lookup index lagging), backing off between them.
const PROOF_LOOKS: u32 = 6;

/// The reconciling lookup of a create: the query and its prepared request.
struct Lookup<Q> {
    query: Q,
    prepared: Prepared,
}

type LookupCall<E> = Call<<<E as CreateEndpoint>::Query as Endpoint>::Response>;

enum CreatePhase<E: CreateTask> {
    Post(Call<E::Response>),
    Lookup {
        call: LookupCall<E>,
        look: u32,
        cause: Error,
        /// The server said the task exists (a re-post refused as a duplicate): a miss is a
        /// lag, looked again; never posted again.
        proof: bool,
    },
    Sleep {
        delay: Duration,
        then: Box<CreatePhase<E>>,
    },
    PostNext,
    Done(Reply<E::Response>, bool),
    Failed(Error),
    Finished,
}

/// The create flow of `reliability.md` 1.3.2: every create carries an `external_task_id`; an
/// ambiguous failure leads to a lookup by that id before any re-post; never a blind re-post.
pub struct Create<E: CreateTask> {
    engine: Engine,
    request: E,
    prepared: Prepared,
    external_task_id: Option<String>,
    lookup: Option<Lookup<E::Query>>,
    posts: u32,
    deadline: Option<SystemTime>,
    phase: CreatePhase<E>,
    span: tracing::Span,
}

impl<E: CreateTask> Create<E> {
    /// A create of `request`. An `external_task_id` is generated when it has none and the API
    /// takes one, so the task can always be found again. The lookup that would settle an
    /// ambiguous failure is checked here too: a caller's id it would not accept fails now,
    /// before anything is posted.
    ///
    /// # Errors
    ///
    /// The request's (or the lookup's) validation error, or credentials the API does not
    /// accept.
    pub fn new(engine: &Engine, mut request: E) -> Result<Self, Error> {
        let external_task_id = request
            .external_task_id()
            .map(str::to_owned)
            .unwrap_or_else(|| generate_external_task_id(engine.rng()));
        let lookup = match request.lookup(&external_task_id) {
            Some(query) => {
                let prepared = engine
                    .prepare(&query)
                    .map_err(|e| e.with_external_task_id(external_task_id.clone()))?;
                Some(Lookup { query, prepared })
            }
            None => None,
        };
        // Only an API that can look the task up by it takes the id.
        let external_task_id = lookup.as_ref().map(|_| external_task_id);
        if let Some(id) = &external_task_id {
            request.set_external_task_id(id.clone());
        }
        let prepared = engine
            .prepare(&request)
            .map_err(|e| about(e, external_task_id.as_deref()))?;
        let span = tracing::info_span!(
            "kling.create",
            path = prepared.path(),
            external_task_id = external_task_id.as_deref()
        );
        Ok(Self {
            engine: engine.clone(),
            request,
            prepared,
            external_task_id,
            lookup,
            posts: 0,
            deadline: None,
            phase: CreatePhase::PostNext,
            span,
        })
    }

    /// The create's `external_task_id` (`None` where the API takes none).
    pub fn external_task_id(&self) -> Option<&str> {
        self.external_task_id.as_deref()
    }

    fn post_call(&self, deadline: SystemTime) -> Call<E::Response> {
        // One POST per call: the decision to post again is this machine's.
        Call::new(&self.engine, self.prepared.clone())
            .single()
            .deadline(deadline)
    }

    fn lookup_phase(
        &self,
        deadline: SystemTime,
        look: u32,
        cause: Error,
        proof: bool,
    ) -> CreatePhase<E> {
        match &self.lookup {
            Some(lookup) => CreatePhase::Lookup {
                call: Call::new(&self.engine, lookup.prepared.clone()).deadline(deadline),
                look,
                cause,
                proof,
            },
            None => CreatePhase::Failed(self.ambiguous(cause)),
        }
    }

    fn ambiguous(&self, cause: Error) -> Error {
        let cause = about(cause, self.external_task_id.as_deref());
        let error = match &self.external_task_id {
            Some(id) => AmbiguousCreateError::new(id.clone(), self.posts, cause),
            None => AmbiguousCreateError::without_lookup(self.posts, cause),
        };
        let endpoint = format!(
            "{} {}",
            self.prepared.method().as_str(),
            self.prepared.path()
        );
        error.with_endpoint(endpoint).into()
    }

    fn after_post_error(&mut self, error: Error, now: SystemTime) -> CreatePhase<E> {
        let deadline = self.deadline.unwrap_or(now);
        let max = self.engine.config().retry.max_create_posts;
        if error.retry_class() == RetryClass::Ambiguous {
            return self.lookup_phase(deadline, 0, error, false);
        }
        // A re-post of ours refused because its id exists: an earlier post created the task.
        // (On a first post the id is the caller's, and the task it names may be another job's:
        // that refusal stays the caller's error.)
        if self.posts > 1 && self.lookup.is_some() && error.says_external_id_exists() {
            tracing::info!(
                posts = self.posts,
                "create: the server says the task exists; looking it up"
            );
            return self.lookup_phase(deadline, 0, error, true);
        }
        match self.engine.policy().decide(
            &error,
            &Attempt::new(self.posts, max, now, deadline).auth_refreshed(true),
            self.engine.rng(),
        ) {
            Decision::Retry(delay) => {
                // The same event as a read's retry: what a log or a progress line shows.
                tracing::info!(
                    attempt = self.posts,
                    reason = %error.kind(),
                    code = error.code().map(|c| c.as_wire()).as_deref().unwrap_or("-"),
                    request_id = error.request_id().unwrap_or("-"),
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "retrying"
                );
                CreatePhase::Sleep {
                    delay,
                    then: Box::new(CreatePhase::PostNext),
                }
            }
            _ => CreatePhase::Failed(about(error, self.external_task_id.as_deref())),
        }
    }

    fn after_lookup(
        &mut self,
        result: Result<Reply<<E::Query as Endpoint>::Response>, Error>,
        look: u32,
        cause: Error,
        proof: bool,
        now: SystemTime,
    ) -> CreatePhase<E> {
        let deadline = self.deadline.unwrap_or(now);
        let look_result = match result {
            Ok(reply) => {
                let found = self.lookup.as_ref().and_then(|l| l.query.task(reply.value));
                match found {
                    Some(task) => {
                        return match E::found(task) {
                            Some(task) => {
                                CreatePhase::Done(Reply::new(task, reply.request_id), true)
                            }
                            None => CreatePhase::Failed(self.ambiguous(cause)),
                        };
                    }
                    // A well-formed answer without the task: it does not exist (yet).
                    None => Look::Missing,
                }
            }
            // Only the dialect's own "not found" (Kling 1203) says the task does not exist; a
            // bare or unreadable 404 (a gateway that does not route the lookup) says nothing.
            Err(e)
                if matches!(
                    e.code(),
                    Some(ErrorCode::Kling(KlingCode::ResourceNotFound))
                ) =>
            {
                Look::Missing
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Look::Unclear,
            // The lookup itself failed: the outcome stays open; never re-post blind.
            Err(_) => return CreatePhase::Failed(self.ambiguous(cause)),
        };
        if proof {
            // The task exists: look again, backing off, until it shows or time runs out.
            let delay = self
                .engine
                .config()
                .retry
                .transient
                .delay(look, self.engine.rng().next_f64())
                .max(self.engine.config().retry.reconcile_grace);
            let next = look.saturating_add(1);
            if next < PROOF_LOOKS && now.checked_add(delay).is_some_and(|t| t < deadline) {
                return CreatePhase::Sleep {
                    delay,
                    then: Box::new(self.lookup_phase(deadline, next, cause, true)),
                };
            }
            return CreatePhase::Failed(self.ambiguous(cause));
        }
        if look == 0 {
            // A task just created may not be visible yet (and an unclear answer may be
            // clearer): look once more after a grace.
            let grace = self.engine.config().retry.reconcile_grace;
            return CreatePhase::Sleep {
                delay: grace,
                then: Box::new(self.lookup_phase(deadline, 1, cause, false)),
            };
        }
        if look_result == Look::Unclear {
            return CreatePhase::Failed(self.ambiguous(cause));
        }
        // Not there after two looks: re-post with the same id and the same bytes.
        if self.posts < self.engine.config().retry.max_create_posts {
            let delay = self
                .engine
                .config()
                .retry
                .transient
                .delay(self.posts, self.engine.rng().next_f64());
            if now.checked_add(delay).is_some_and(|t| t < deadline) {
                return CreatePhase::Sleep {
                    delay,
                    then: Box::new(CreatePhase::PostNext),
                };
            }
        }
        CreatePhase::Failed(self.ambiguous(cause))
    }

    fn finish(&mut self, reply: Reply<E::Response>, reconciled: bool) -> Created<E> {
        let query = self.request.poll_query(&reply.value);
        tracing::info!(
            task_id = query.task_ref().as_str(),
            posts = self.posts,
            reconciled,
            request_id = reply.request_id.as_deref(),
            "created"
        );
        Created {
            task: reply.value,
            query,
            external_task_id: self.external_task_id.clone(),
            posts: self.posts,
            reconciled,
            request_id: reply.request_id,
        }
    }
}

impl<E: CreateTask> Machine for Create<E> {
    type Output = Created<E>;

    fn step(&mut self, now: SystemTime) -> Step<Self::Output> {
        let span = self.span.clone();
        let _enter = span.enter();
        let deadline = *self.deadline.get_or_insert_with(|| {
            now.checked_add(self.engine.config().create_timeout)
                .unwrap_or(now + Duration::from_secs(86_400 * 365))
        });
        loop {
            match std::mem::replace(&mut self.phase, CreatePhase::Finished) {
                CreatePhase::PostNext => {
                    self.phase = CreatePhase::Post(self.post_call(deadline));
                }
                CreatePhase::Post(mut call) => match call.step(now) {
                    Step::Send(r) => {
                        self.posts += 1;
                        self.phase = CreatePhase::Post(call);
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = CreatePhase::Post(call);
                        return Step::Sleep(d);
                    }
                    Step::Done(reply) => self.phase = CreatePhase::Done(reply, false),
                    Step::Failed(e) => self.phase = self.after_post_error(e, now),
                },
                CreatePhase::Lookup {
                    mut call,
                    look,
                    cause,
                    proof,
                } => match call.step(now) {
                    Step::Send(r) => {
                        self.phase = CreatePhase::Lookup {
                            call,
                            look,
                            cause,
                            proof,
                        };
                        return Step::Send(r);
                    }
                    Step::Sleep(d) => {
                        self.phase = CreatePhase::Lookup {
                            call,
                            look,
                            cause,
                            proof,
                        };
                        return Step::Sleep(d);
                    }
                    Step::Done(found) => {
                        self.phase = self.after_lookup(Ok(found), look, cause, proof, now);
                    }
                    Step::Failed(e) => {
                        self.phase = self.after_lookup(Err(e), look, cause, proof, now);
                    }
                },
                CreatePhase::Sleep { delay, then } => {
                    self.phase = *then;
                    return Step::Sleep(delay);
                }
                CreatePhase::Done(reply, reconciled) => {
                    return Step::Done(self.finish(reply, reconciled));
                }
                CreatePhase::Failed(e) => return Step::Failed(e),
                CreatePhase::Finished => {
                    return Step::Failed(misuse("the create has already finished"));
                }
            }
        }
    }

    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime) {
        let _enter = self.span.enter();
        match &mut self.phase {
            CreatePhase::Post(call) => call.on_response(result, now),
            CreatePhase::Lookup { call, .. } => call.on_response(result, now),
            _ => {}
        }
    }

    fn span(&self) -> tracing::Span {
        match &self.phase {
            CreatePhase::Post(call) => call.span(),
            CreatePhase::Lookup { call, .. } => call.span(),
            _ => self.span.clone(),
        }
    }
}
