//! One shared poll: the requests that read many waits' tasks at once, led by one wait.

use std::any::Any;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::SystemTime;

use kling_errors::{Error, TransportError};
use kling_types::standard::{GetTasks, ListTasks, TaskFilter, TaskPage};
use kling_types::{Endpoint, Family, PollGroup};

use super::{GroupKey, PollHub};
use crate::engine::{Engine, Reply};
use crate::http::HttpResponse;
use crate::machine::{Call, Machine, Step};

/// The most pages one shared poll reads, whatever the server says of more.
const MAX_PAGES: u32 = 20;

enum Stage {
    Start,
    /// The new standard's listing of tasks in flight (`POST /tasks`), page `n`.
    List(Box<Call<TaskPage>>),
    /// `GET /tasks?task_ids=` of at most 20 ids.
    Get(Box<Call<Vec<kling_types::standard::Task>>>),
    /// A legacy family's list page `n`.
    Page(Box<Call<Vec<kling_types::Task>>>, u32),
    Done,
}

/// The requests of one shared poll, as a machine a leading wait drives: for the new standard,
/// the listing of tasks in flight (when more are due than one `GET /tasks` takes) and then
/// `GET /tasks` batches of at most [`GetTasks::MAX_IDS`] for the due tasks the listing did not
/// show; for a legacy family, its list pages until every due task was seen (or the pages run
/// out). What each answer shows of the group's waiting tasks is kept in the hub as it comes;
/// a due task never shown is marked, so its wait polls alone.
pub(crate) struct Sweep {
    engine: Engine,
    hub: Arc<PollHub>,
    key: GroupKey,
    family: Option<&'static Family>,
    token: u64,
    /// The due tasks, sorted.
    due: Vec<String>,
    /// The due tasks some answer showed.
    found: HashSet<String>,
    /// How many of `due` the `GET /tasks` batches have asked for.
    asked: usize,
    /// Pages read.
    pages: u32,
    max_pages: u32,
    deadline: Option<SystemTime>,
    stage: Stage,
}

impl Sweep {
    pub(super) fn new(
        engine: &Engine,
        hub: &Arc<PollHub>,
        key: GroupKey,
        group: &PollGroup,
        token: u64,
        due: Vec<String>,
        registered: usize,
    ) -> Self {
        let family = match group {
            PollGroup::Legacy { family, .. } => Some(*family),
            _ => None,
        };
        let per_page = family.map_or(500, |f| f.max_page_size.max(1)) as usize;
        // Enough pages for every waiting task, and one more for tasks of others in between.
        let max_pages = u32::try_from(registered / per_page + 2)
            .unwrap_or(MAX_PAGES)
            .min(MAX_PAGES);
        Self {
            engine: engine.clone(),
            hub: hub.clone(),
            key,
            family,
            token,
            due,
            found: HashSet::new(),
            asked: 0,
            pages: 0,
            max_pages,
            deadline: None,
            stage: Stage::Start,
        }
    }

    /// Every call of the sweep ends by `deadline` (the leading wait's).
    pub(crate) fn deadline(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }

    fn call<T: serde::de::DeserializeOwned, E: Endpoint<Response = T>>(
        &self,
        endpoint: &E,
    ) -> Result<Box<Call<T>>, Error> {
        let call = Call::of(&self.engine, endpoint)?;
        Ok(Box::new(match self.deadline {
            Some(d) => call.deadline(d),
            None => call,
        }))
    }

    /// Keeps what an answer showed.
    fn record(
        &mut self,
        seen: Vec<(String, Box<dyn Any + Send>)>,
        request_id: Option<&str>,
        now: SystemTime,
    ) {
        for id in self.hub.record(self.key, seen, request_id, now) {
            self.found.insert(id);
        }
    }

    fn first(&mut self) -> Result<Stage, Error> {
        match self.family {
            Some(family) => self.page(family, 1),
            None if self.due.len() > GetTasks::MAX_IDS => {
                let listing = ListTasks::new().limit(500).filter(TaskFilter::new(
                    "status",
                    ["submitted".to_owned(), "processing".to_owned()],
                ));
                self.pages = 1;
                Ok(Stage::List(self.call(&listing)?))
            }
            None => self.next_get(),
        }
    }

    fn page(&mut self, family: &'static Family, n: u32) -> Result<Stage, Error> {
        self.pages = n;
        let page = family.tasks().page(n).page_size(family.max_page_size);
        Ok(Stage::Page(self.call(&page)?, n))
    }

    /// The next `GET /tasks` batch of due tasks not shown yet, or the end.
    fn next_get(&mut self) -> Result<Stage, Error> {
        let mut batch = Vec::with_capacity(GetTasks::MAX_IDS);
        while batch.len() < GetTasks::MAX_IDS && self.asked < self.due.len() {
            let id = &self.due[self.asked];
            self.asked += 1;
            // A wait that ended or was dropped since the sweep began is not asked for.
            if !self.found.contains(id) && self.hub.is_waiting(self.key, id) {
                batch.push(id.clone());
            }
        }
        if batch.is_empty() {
            return Ok(Stage::Done);
        }
        Ok(Stage::Get(self.call(&GetTasks::by_ids(batch))?))
    }

    /// The new standard's statuses of a task in flight, which the listing asks for.
    fn in_flight() -> TaskFilter {
        TaskFilter::new("status", ["submitted".to_owned(), "processing".to_owned()])
    }

    /// A listing page came: keep it, then the next page or the batches.
    fn listed(&mut self, reply: Reply<TaskPage>, now: SystemTime) -> Result<Stage, Error> {
        let page = reply.value;
        let seen = page
            .result
            .into_iter()
            .map(|t| (t.id.clone(), Box::new(vec![t]) as Box<dyn Any + Send>))
            .collect();
        self.record(seen, reply.request_id.as_deref(), now);
        match page.next_cursor.filter(|c| !c.is_empty()) {
            Some(cursor) if page.has_more && self.pages < self.max_pages => {
                self.pages += 1;
                let listing = ListTasks::new()
                    .limit(500)
                    .cursor(cursor)
                    .filter(Self::in_flight());
                Ok(Stage::List(self.call(&listing)?))
            }
            _ => self.next_get(),
        }
    }

    /// A `GET /tasks` batch came: keep it, then the next batch.
    fn got(
        &mut self,
        reply: Reply<Vec<kling_types::standard::Task>>,
        now: SystemTime,
    ) -> Result<Stage, Error> {
        let seen = reply
            .value
            .into_iter()
            .map(|t| (t.id.clone(), Box::new(vec![t]) as Box<dyn Any + Send>))
            .collect();
        self.record(seen, reply.request_id.as_deref(), now);
        self.next_get()
    }

    /// A legacy page came: keep it, then the next page while due tasks are not seen and the
    /// page was full.
    fn paged(
        &mut self,
        reply: Reply<Vec<kling_types::Task>>,
        n: u32,
        now: SystemTime,
    ) -> Result<Stage, Error> {
        let tasks = reply.value;
        let Some(family) = self.family else {
            return Ok(Stage::Done);
        };
        let full = tasks.len() >= family.max_page_size as usize;
        let seen = tasks
            .into_iter()
            .map(|t| (t.task_id.clone(), Box::new(t) as Box<dyn Any + Send>))
            .collect();
        self.record(seen, reply.request_id.as_deref(), now);
        let all = self.due.iter().all(|id| self.found.contains(id));
        if full && !all && n < self.max_pages {
            self.page(family, n.saturating_add(1))
        } else {
            Ok(Stage::Done)
        }
    }

    /// A request of the sweep failed for good: the group's waits look again on their own
    /// turns; the leader gets the error as its poll's.
    fn failed(&mut self, error: Error, now: SystemTime) -> Step<()> {
        self.hub.finish(self.key, self.token, &[], now);
        self.token = u64::MAX;
        Step::Failed(error)
    }

    fn end(&mut self, now: SystemTime) {
        let missing: Vec<String> = self
            .due
            .iter()
            .filter(|id| !self.found.contains(*id))
            .cloned()
            .collect();
        self.hub.finish(self.key, self.token, &missing, now);
        self.stage = Stage::Done;
        self.token = u64::MAX;
    }
}

/// Drives the call of a stage: hands on its request or sleep, and turns its answer into the
/// next stage.
macro_rules! drive {
    ($self:ident, $now:ident, $call:ident, $stage:expr, $answer:expr) => {
        match $call.step($now) {
            Step::Send(request) => {
                $self.stage = $stage;
                return Step::Send(request);
            }
            Step::Sleep(d) => {
                $self.stage = $stage;
                return Step::Sleep(d);
            }
            Step::Done(reply) => match $answer(reply) {
                Ok(next) => $self.stage = next,
                Err(e) => return $self.failed(e, $now),
            },
            Step::Failed(e) => return $self.failed(e, $now),
        }
    };
}

impl Machine for Sweep {
    type Output = ();

    fn step(&mut self, now: SystemTime) -> Step<()> {
        loop {
            match std::mem::replace(&mut self.stage, Stage::Done) {
                Stage::Start => match self.first() {
                    Ok(next) => self.stage = next,
                    Err(e) => return self.failed(e, now),
                },
                Stage::Done => {
                    if self.token != u64::MAX {
                        self.end(now);
                    }
                    return Step::Done(());
                }
                Stage::List(mut call) => {
                    drive!(self, now, call, Stage::List(call), |r| self.listed(r, now))
                }
                Stage::Get(mut call) => {
                    drive!(self, now, call, Stage::Get(call), |r| self.got(r, now))
                }
                Stage::Page(mut call, n) => {
                    drive!(self, now, call, Stage::Page(call, n), |r| self
                        .paged(r, n, now))
                }
            }
        }
    }

    fn on_response(&mut self, result: Result<HttpResponse, TransportError>, now: SystemTime) {
        match &mut self.stage {
            Stage::List(call) => call.on_response(result, now),
            Stage::Get(call) => call.on_response(result, now),
            Stage::Page(call, _) => call.on_response(result, now),
            Stage::Start | Stage::Done => {}
        }
    }

    fn span(&self) -> tracing::Span {
        match &self.stage {
            Stage::List(call) => call.span(),
            Stage::Get(call) => call.span(),
            Stage::Page(call, _) => call.span(),
            Stage::Start | Stage::Done => tracing::Span::none(),
        }
    }
}

impl Drop for Sweep {
    fn drop(&mut self) {
        // A leader dropped mid-way (its future dropped, its wait cancelled): the group's other
        // waits must not follow a request nobody drives.
        if self.token != u64::MAX {
            self.hub
                .finish(self.key, self.token, &[], SystemTime::UNIX_EPOCH);
        }
    }
}
