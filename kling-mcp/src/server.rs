//! The MCP server: tool calls in, the SDK's safe jobs out. Every create goes through the job
//! store and the reconciling create; every failure a person or an agent can act on comes back
//! as a tool error that says what to do, never as a protocol error.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use kling_client_async::{AsyncKling, Client};
use kling_core::fleet::{BatchJob, FleetBackend, JobCreate, JobRecord, JobState, JobStore};
use kling_core::{CancelHandle, WaitOptions};
use kling_errors::{Error, ErrorCode, ErrorKind};
use kling_types::family::Group;
use kling_types::models::{Estimate, MODELS};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock as Content,
    Implementation, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Resource, ResourceContents, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};

use crate::budget::Budget;
use crate::files;
use crate::jobs::{self, JobApi};
use crate::tools;

/// How the server runs: where downloads go, what a session may spend.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct McpSettings {
    /// The folder downloads are written under (one folder per job); nothing is written
    /// outside it.
    pub root: PathBuf,
    /// What the creates of this session may cost in all, in the units of the account's
    /// packs (`None`: no limit). A create whose estimate does not fit is refused.
    pub budget: Option<f64>,
    /// How long `wait_task` waits when the call does not say (10 min).
    pub default_wait: Duration,
}

impl McpSettings {
    /// Downloads under `root`, no budget, waits of 10 minutes.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            budget: None,
            default_wait: Duration::from_secs(600),
        }
    }

    /// Refuses creates once their estimates would pass `units`.
    #[must_use]
    pub fn budget(mut self, units: f64) -> Self {
        self.budget = Some(units);
        self
    }
}

struct Inner {
    kling: Client,
    runblob: Option<Client>,
    jobs: Arc<dyn FleetBackend>,
    store: Arc<dyn JobStore>,
    settings: McpSettings,
    budget: Mutex<Budget>,
    tools: Vec<Tool>,
}

/// The Kling MCP server: serve it over stdio (`rmcp::ServiceExt::serve` with
/// `rmcp::transport::stdio()`) or streamable HTTP. Clones share everything.
#[derive(Clone)]
pub struct KlingMcp {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for KlingMcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KlingMcp")
            .field("root", &self.inner.settings.root)
            .field("budget", &self.inner.settings.budget)
            .finish_non_exhaustive()
    }
}

/// A tool's failure, for the agent to read: what went wrong and what to do.
struct ToolError(String);

impl ToolError {
    fn field(field: &str, message: impl std::fmt::Display) -> Self {
        Self(format!("{field}: {message}"))
    }
}

impl From<Error> for ToolError {
    fn from(e: Error) -> Self {
        let mut text = e.to_string();
        if let Some(info) = e.code().and_then(ErrorCode::info) {
            text.push_str(&format!(
                " (code {}: {}; {})",
                info.code, info.name, info.remedy
            ));
        }
        if e.is_retryable() {
            text.push_str(" A retry of this call may succeed.");
        }
        Self(text)
    }
}

type Outcome = Result<CallToolResult, ToolError>;

fn ok_json(value: Value) -> Outcome {
    Ok(CallToolResult::success(vec![Content::text(
        serde_json::to_string_pretty(&value).unwrap_or_default(),
    )]))
}

fn text_arg<'a>(args: &'a Map<String, Value>, name: &str) -> Result<&'a str, ToolError> {
    match args.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(ToolError::field(name, "must be a non-empty string")),
        None => Err(ToolError::field(name, "is required")),
    }
}

/// The optional `api` argument.
fn api_arg(args: &Map<String, Value>) -> Result<Option<&str>, ToolError> {
    match args.get("api") {
        None => Ok(None),
        Some(Value::String(api)) => Ok(Some(api)),
        Some(_) => Err(ToolError::field(
            "api",
            "must be legacy, standard or runblob",
        )),
    }
}

fn record_json(record: &JobRecord) -> Value {
    json!({
        "external_task_id": record.external_task_id,
        "family": record.family,
        "state": record.state.as_str(),
        "task_id": record.task_id,
        "files": record.files.iter().map(|f| json!({"name": f.file_name, "url": f.url, "path": f.path})).collect::<Vec<_>>(),
        "error": record.error,
    })
}

/// What a model makes, as the tools say it.
fn kind_name(kind: kling_types::models::Kind) -> &'static str {
    match kind {
        kling_types::models::Kind::Image => "image",
        _ => "video",
    }
}

/// A validation error as a tool error naming its field: an argument of the tool, or a field
/// of its `request`.
fn field_error(e: Error) -> ToolError {
    match &e {
        Error::Validation(v) => {
            let field = v.field();
            if matches!(
                field,
                "family" | "model" | "api" | "external_task_id" | "request"
            ) {
                ToolError::field(field, v.message())
            } else {
                ToolError::field(&format!("request.{field}"), v.message())
            }
        }
        _ => e.into(),
    }
}

fn estimate_json(estimate: Option<&Estimate>) -> Value {
    match estimate {
        Some(e) => {
            json!({"units": e.total(), "currency": e.currency.as_str(), "text": e.to_string()})
        }
        None => Value::Null,
    }
}

impl KlingMcp {
    /// A server creating with `kling` (the legacy API and the new standard) and, when given,
    /// `runblob` (RunBlob's Kling products), keeping its jobs in `jobs` (a kling-store file,
    /// or a Redis fleet's store).
    pub fn new(
        kling: Client,
        runblob: Option<Client>,
        jobs: Arc<dyn FleetBackend>,
        settings: McpSettings,
    ) -> Self {
        let budget = Budget::new(settings.budget);
        Self {
            inner: Arc::new(Inner {
                kling,
                runblob,
                store: jobs.job_store(),
                jobs,
                settings,
                budget: Mutex::new(budget),
                tools: tools::all(),
            }),
        }
    }

    fn budget(&self) -> std::sync::MutexGuard<'_, Budget> {
        self.inner
            .budget
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn clients(&self) -> jobs::Clients<'_> {
        jobs::Clients {
            kling: &self.inner.kling,
            runblob: self.inner.runblob.as_ref(),
        }
    }

    /// The job of a create tool's arguments, keyed and checked as the server would check it,
    /// in the tool's group (`None`: any group, for `estimate_cost`).
    fn checked_job(
        group: Option<Group>,
        args: &Map<String, Value>,
    ) -> Result<(BatchJob, JobCreate, JobApi), ToolError> {
        let family = text_arg(args, "family")?;
        let asked = api_arg(args)?;
        let Some(api) = JobApi::of(family, asked).filter(|a| group.is_none_or(|g| a.group() == g))
        else {
            let known = match group {
                Some(g) => tools::family_names(g).join(", "),
                None => "a family of a create tool".to_owned(),
            };
            return Err(ToolError::field(
                "family",
                format!("unknown family {family:?}; one of {known}"),
            ));
        };
        let mut line = Map::new();
        line.insert("api".into(), api.name().into());
        for key in ["family", "model", "request", "external_task_id"] {
            if let Some(v) = args.get(key) {
                line.insert(key.into(), v.clone());
            }
        }
        if !args.get("request").is_some_and(Value::is_object) {
            return Err(ToolError::field("request", "must be an object"));
        }
        let job: BatchJob = serde_json::from_value(Value::Object(line))
            .map_err(|e| ToolError(format!("the arguments do not read as a job: {e}")))?;
        let job = job.keyed().map_err(field_error)?;
        let create = job.create().map_err(field_error)?;
        Ok((job, create, api))
    }

    async fn create(&self, group: Group, args: &Map<String, Value>) -> Outcome {
        let (job, create, api) = Self::checked_job(Some(group), args)?;
        let key = job.id().unwrap_or_default().to_owned();
        // A job created before (or ended) is that job: not posted, not charged again. One an
        // earlier call left before its task existed (queued, or a POST whose answer was lost)
        // goes on below, where the create looks the task up before posting anything.
        if let Some(record) = self.inner.store.get(&key).await?
            && !matches!(
                record.state,
                JobState::Queued | JobState::Creating | JobState::Blocked
            )
        {
            let mut doc = record_json(&record);
            doc["note"] = json!("this job was created before: not charged again");
            return ok_json(doc);
        }
        let estimate = jobs::estimate(&create);
        self.budget()
            .reserve(estimate.as_ref())
            .map_err(ToolError)?;
        let family = api.record_family(&job.family);
        let result = jobs::create(&self.clients(), &*self.inner.store, create, &family, &key).await;
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                // Nothing created for sure? The reservation goes back. A create whose outcome is
                // unknown keeps it: it may be charged.
                if e.kind() != ErrorKind::AmbiguousCreate {
                    self.budget().release(estimate.as_ref());
                }
                return Err(e.into());
            }
        };
        if matches!(record.state, JobState::Failed | JobState::Blocked) {
            self.budget().release(estimate.as_ref());
        }
        let mut doc = record_json(&record);
        doc["estimate"] = estimate_json(estimate.as_ref());
        doc["budget_left"] = json!(self.budget().left());
        doc["next"] = json!("call wait_task with this external_task_id");
        ok_json(doc)
    }

    async fn record(&self, args: &Map<String, Value>) -> Result<JobRecord, ToolError> {
        let key = text_arg(args, "external_task_id")?;
        self.inner.store.get(key).await?.ok_or_else(|| {
            ToolError::field(
                "external_task_id",
                format!("no job {key:?} here (list_jobs shows them)"),
            )
        })
    }

    async fn get_task(&self, args: &Map<String, Value>) -> Outcome {
        let record = self.record(args).await?;
        let mut doc = record_json(&record);
        if record.state == JobState::Created {
            doc["status"] = json!(jobs::status(&self.clients(), &record).await?);
        }
        ok_json(doc)
    }

    async fn wait_task(
        &self,
        args: &Map<String, Value>,
        ctx: RequestContext<RoleServer>,
    ) -> Outcome {
        let record = self.record(args).await?;
        if record.state.is_final() {
            return ok_json(record_json(&record));
        }
        let max_wait = match args.get("max_wait_seconds") {
            None => self.inner.settings.default_wait,
            Some(v) => match v.as_u64() {
                Some(s @ 1..=3600) => Duration::from_secs(s),
                _ => {
                    return Err(ToolError::field(
                        "max_wait_seconds",
                        "must be a whole number of seconds, 1 to 3600",
                    ));
                }
            },
        };
        // Progress: every poll, as a notification the agent's client shows.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<kling_core::Progress>();
        let forwarder = ctx.meta.get_progress_token().map(|token| {
            let peer = ctx.peer.clone();
            tokio::spawn(async move {
                while let Some(p) = rx.recv().await {
                    let message = format!("{} after {} s", p.status, p.elapsed.as_secs());
                    let _ = peer
                        .notify_progress(
                            ProgressNotificationParam::new(token.clone(), f64::from(p.polls))
                                .with_message(message),
                        )
                        .await;
                }
            })
        });
        // Cancellation of the call stops the wait, not the task.
        let cancel = CancelHandle::new();
        let watcher = {
            let (ct, cancel) = (ctx.ct.clone(), cancel.clone());
            tokio::spawn(async move {
                ct.cancelled().await;
                cancel.cancel();
            })
        };
        let options = WaitOptions::new()
            .max_wait(max_wait)
            .cancel(cancel)
            .progress(move |p| {
                let _ = tx.send(p.clone());
            });
        let waited = jobs::wait(&self.clients(), &*self.inner.store, record, options).await;
        watcher.abort();
        if let Some(f) = forwarder {
            let _ = f.await;
        }
        match waited {
            Ok(record) => ok_json(record_json(&record)),
            Err(e) if e.kind() == ErrorKind::Cancelled => Err(ToolError(
                "the wait was cancelled; the task goes on: call wait_task again to pick it up"
                    .into(),
            )),
            Err(e) if e.kind() == ErrorKind::Timeout => Err(ToolError(format!(
                "{e}; the task goes on: call wait_task again"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    async fn download_results(&self, args: &Map<String, Value>) -> Outcome {
        let record = self.record(args).await?;
        if record.state != JobState::Done {
            return Err(ToolError(format!(
                "the job is {}, not done: wait_task first",
                record.state.as_str()
            )));
        }
        let dir = files::job_dir(&self.inner.settings.root, &record.external_task_id);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| ToolError(format!("cannot make the folder {}: {e}", dir.display())))?;
        let mut content = Vec::new();
        let mut saved = Vec::new();
        for file in &record.files {
            let Some(dest) = files::file_path(&dir, &file.file_name) else {
                saved.push(json!({"name": file.file_name, "skipped": "not a safe file name"}));
                continue;
            };
            let bytes = match tokio::fs::metadata(&dest).await {
                Ok(m) => m.len(),
                Err(_) => self.inner.kling.download(&file.url, &dest).await?.bytes,
            };
            let uri = files::file_uri(&dest);
            saved.push(json!({"name": file.file_name, "path": dest.display().to_string(), "uri": uri, "bytes": bytes}));
            let mut link = Resource::new(uri, file.file_name.clone());
            link.size = Some(bytes);
            content.push(Content::resource_link(link));
            if let Some(image) = files::small_image(&dest, bytes).await {
                content.push(image);
            }
        }
        let mut result = CallToolResult::success(vec![Content::text(
            serde_json::to_string_pretty(
                &json!({"external_task_id": record.external_task_id, "files": saved}),
            )
            .unwrap_or_default(),
        )]);
        result.content.extend(content);
        Ok(result)
    }

    async fn list_jobs(&self, args: &Map<String, Value>) -> Outcome {
        let wanted = match args.get("state") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(ToolError::field("state", "must be a string")),
        };
        let records = self.inner.jobs.records().await?;
        let jobs: Vec<Value> = records
            .iter()
            .filter(|r| wanted.as_deref().is_none_or(|w| r.state.as_str() == w))
            .map(record_json)
            .collect();
        ok_json(json!({"jobs": jobs}))
    }

    fn request_schema(args: &Map<String, Value>) -> Outcome {
        let family = text_arg(args, "family")?;
        let api = api_arg(args)?;
        let schema = JobApi::of(family, api)
            .and_then(|a| jobs::request_schema(&a, family))
            .ok_or_else(|| ToolError::field("family", format!("unknown family {family:?}")))?;
        ok_json(schema)
    }

    fn list_models(args: &Map<String, Value>) -> Outcome {
        ok_json(models_json(args.get("kind").and_then(Value::as_str)))
    }

    fn estimate_cost(&self, args: &Map<String, Value>) -> Outcome {
        let (_, create, _) = Self::checked_job(None, args)?;
        let estimate = jobs::estimate(&create);
        ok_json(json!({
            "estimate": estimate_json(estimate.as_ref()),
            "budget_left": self.budget().left(),
        }))
    }

    fn explain_error(args: &Map<String, Value>) -> Outcome {
        let code = text_arg(args, "code")?;
        let found: Vec<Value> = ErrorCode::lookup(code)
            .iter()
            .filter_map(|c| {
                let info = c.info()?;
                Some(json!({
                    "dialect": c.dialect().as_str(), "code": info.code, "name": info.name,
                    "http_status": info.http_status, "kind": info.kind.map(|k| k.as_str()),
                    "description": info.description, "remedy": info.remedy,
                }))
            })
            .collect();
        if found.is_empty() {
            return Err(ToolError::field(
                "code",
                format!("no API has the code {code:?}"),
            ));
        }
        ok_json(json!({"codes": found}))
    }

    async fn call(
        &self,
        name: &str,
        args: &Map<String, Value>,
        ctx: RequestContext<RoleServer>,
    ) -> Option<Outcome> {
        Some(match name {
            "create_video" => self.create(Group::Video, args).await,
            "create_image" => self.create(Group::Image, args).await,
            "create_audio" => self.create(Group::Audio, args).await,
            "create_general" => self.create(Group::General, args).await,
            "get_task" => self.get_task(args).await,
            "wait_task" => self.wait_task(args, ctx).await,
            "download_results" => self.download_results(args).await,
            "list_jobs" => self.list_jobs(args).await,
            "list_models" => Self::list_models(args),
            "request_schema" => Self::request_schema(args),
            "estimate_cost" => self.estimate_cost(args),
            "explain_error" => Self::explain_error(args),
            _ => return None,
        })
    }
}

impl ServerHandler for KlingMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("kling-mcp", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Kling AI video, image and audio generation. Creates are paid: each returns at \
                 once with its cost and the budget left; then wait_task, then download_results. \
                 A retried create is never charged twice. list_jobs shows earlier jobs, also \
                 after a restart.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        match self.call(&request.name, &args, context).await {
            Some(Ok(result)) => Ok(result.into()),
            Some(Err(ToolError(message))) => {
                Ok(CallToolResult::error(vec![Content::text(message)]).into())
            }
            None => Err(ErrorData::invalid_params(
                format!("no tool named {:?}", request.name),
                None,
            )),
        }
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(
            RESOURCES
                .iter()
                .map(|(uri, name, description)| {
                    Resource::new(*uri, *name)
                        .with_description(*description)
                        .with_mime_type("application/json")
                })
                .collect(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let body = match request.uri.as_str() {
            "kling://models" => models_json(None),
            "kling://errors" => errors_json(),
            other => {
                return Err(ErrorData::resource_not_found(
                    format!("no resource {other:?} (kling://models, kling://errors)"),
                    None,
                ));
            }
        };
        let text = serde_json::to_string_pretty(&body).unwrap_or_default();
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, request.uri.clone()).with_mime_type("application/json"),
        ])
        .into())
    }
}

/// The resources: the models data and the error taxonomy, as JSON.
const RESOURCES: [(&str, &str, &str); 2] = [
    (
        "kling://models",
        "models",
        "Every model of every API: what it makes and what each endpoint takes.",
    ),
    (
        "kling://errors",
        "errors",
        "Every error code of Kling and the gateways: HTTP status, kind, meaning and remedy.",
    ),
];

/// The models data (of one kind, or all), as the tools and the resource show it.
fn models_json(kind: Option<&str>) -> Value {
    let models: Vec<Value> = MODELS
        .iter()
        .filter(|m| kind.is_none_or(|k| kind_name(m.kind) == k))
        .map(|m| {
            json!({
                "api": m.api.as_str(), "model": m.name, "label": m.label, "kind": kind_name(m.kind),
                "endpoints": m.endpoints.iter().filter(|e| e.offered).map(|e| {
                    json!({"endpoint": e.endpoint,
                        "durations": e.rules.durations.as_ref().map(ToString::to_string),
                        "modes": e.rules.modes, "aspect_ratios": e.rules.aspect_ratios})
                }).collect::<Vec<_>>(),
                "note": m.note,
            })
        })
        .collect();
    json!({"models": models})
}

/// The error taxonomy, as the resource shows it.
fn errors_json() -> Value {
    let codes: Vec<Value> = kling_errors::CodeInfo::all()
        .iter()
        .map(|info| {
            json!({"dialect": info.dialect.as_str(), "code": info.code, "name": info.name,
                "http_status": info.http_status, "kind": info.kind.map(|k| k.as_str()),
                "description": info.description, "remedy": info.remedy})
        })
        .collect();
    json!({"codes": codes})
}

/// Where downloads of `record` go under `root` (for tests and callers).
pub fn job_folder(root: &Path, external_task_id: &str) -> PathBuf {
    files::job_dir(root, external_task_id)
}
