//! What the command prints: human text, or exactly one JSON document on stdout with
//! `--output json`; errors as text on stderr or as a JSON error object; dry runs.

use std::process::ExitCode;

use clap::ValueEnum;
use kling_client_async::{HttpRequest, TaskView};
use kling_core::TaskState;
use kling_errors::{Error, ErrorKind};
use kling_types::models::Estimate;
use kling_types::runblob::{Generation, NewGeneration};
use kling_types::{Task, standard};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    /// For people
    #[default]
    Text,
    /// One JSON document on stdout (for scripts)
    Json,
}

impl Format {
    /// The name the flag and the config file take.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// Why a command failed: it decides the exit code and the message (or JSON error object).
#[derive(Debug)]
pub(crate) enum CommandError {
    /// An error of the SDK (or of reading a local file), with its kind and code.
    Sdk(Error),
    /// An error after this command created a task (its wait gave up, its download failed):
    /// the task goes on, and `Resume` says how to pick it up.
    AfterCreate(Error, Resume),
    /// An SDK error and what the user can do about it here (`--product o3-video`).
    Hinted(Error, String),
    /// A bad command line or config file (exit 2).
    Usage(String),
    /// Ctrl-C; what the user can do about a task that goes on.
    Interrupted(Option<Resume>),
}

/// How to pick up a task again after an interrupted or failed wait.
#[derive(Debug, Clone)]
pub(crate) struct Resume {
    /// The command that waits for it again (with the options that shape the result:
    /// `--download`, `--output`).
    pub(crate) command: String,
    /// The task's id.
    pub(crate) task_id: String,
    /// Its external task id, when it has one.
    pub(crate) external_task_id: Option<String>,
}

impl CommandError {
    /// A usage error.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    /// This error, for a task that was created: it names the task and how to resume.
    pub(crate) fn after_create(self, resume: &Resume) -> Self {
        match self {
            Self::Sdk(e) => {
                let e = match &resume.external_task_id {
                    Some(id) if e.external_task_id().is_none() => e.with_external_task_id(id),
                    _ => e,
                };
                Self::AfterCreate(e, resume.clone())
            }
            other => other,
        }
    }
}

/// The id of the task an error is about, when it names one.
fn task_id_of(error: &Error) -> Option<&str> {
    match error {
        Error::TaskFailed(e) => Some(e.task_id()),
        Error::WaitTimeout(e) => Some(e.task_id()),
        Error::TaskNotFound(e) => Some(e.task_id()),
        Error::Cancelled(e) => e.task_id(),
        _ => None,
    }
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        Self::Sdk(error)
    }
}

macro_rules! sdk_errors {
    ($($ty:ty),*) => {$(
        impl From<$ty> for CommandError {
            fn from(error: $ty) -> Self {
                Self::Sdk(error.into())
            }
        }
    )*};
}

sdk_errors!(
    kling_errors::AuthError,
    kling_errors::ValidationError,
    kling_errors::IoError,
    kling_errors::TransportError
);

/// The exit code of an SDK error, by kind.
pub(crate) fn exit_code(error: &Error) -> u8 {
    match error.kind() {
        ErrorKind::Auth => 3,
        ErrorKind::Billing | ErrorKind::Permission => 4,
        ErrorKind::InvalidRequest
        | ErrorKind::ContentPolicy
        | ErrorKind::NotFound
        | ErrorKind::Conflict => 5,
        ErrorKind::RateLimited | ErrorKind::ConcurrencyLimit => 6,
        ErrorKind::TaskFailed | ErrorKind::Cancelled => 7,
        ErrorKind::Timeout => 8,
        ErrorKind::AmbiguousCreate => 9,
        ErrorKind::Transport
        | ErrorKind::Server
        | ErrorKind::Maintenance
        | ErrorKind::InvalidResponse => 10,
        ErrorKind::Io => 11,
        _ => 1,
    }
}

/// The JSON error object of an SDK error.
fn sdk_object(error: &Error, resume: Option<&Resume>) -> Value {
    json!({
        "kind": error.kind().as_str(),
        "code": server_code(error),
        "http_status": error.http_status(),
        "message": error.to_string(),
        "request_id": error.request_id(),
        "retryable": error.is_retryable(),
        "task_id": task_id_of(error).or(resume.map(|r| r.task_id.as_str())),
        "external_task_id": error.external_task_id(),
        "resume_command": resume.map(|r| &r.command),
    })
}

/// The service code the server answered, typed as its dialect has it (Kling's numbers,
/// RunBlob's and Pikzels' strings); `null` for a local check, which only stands in for one.
fn server_code(error: &Error) -> Value {
    if matches!(error, Error::Validation(_) | Error::Auth(_)) {
        return Value::Null;
    }
    match error.code() {
        None => Value::Null,
        Some(code @ kling_errors::ErrorCode::Kling(_)) => {
            let wire = code.as_wire();
            wire.parse::<i64>()
                .map_or_else(|_| Value::String(wire.into_owned()), Value::from)
        }
        Some(code) => Value::String(code.as_wire().into_owned()),
    }
}

/// Prints the chain of causes under an error, each line once: an error whose message
/// already quotes its cause's is not followed by that cause again.
fn print_causes(error: &Error) {
    let mut shown = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        let text = c.to_string();
        if !shown.contains(&text) {
            eprintln!("  caused by: {text}");
        }
        shown = text;
        cause = c.source();
    }
}

/// Prints a failure (text on stderr, or the JSON error object on stdout) and gives its exit code.
pub(crate) fn report(failure: &CommandError, format: Format) -> ExitCode {
    let (object, code) = match failure {
        CommandError::Sdk(error) => (sdk_object(error, None), exit_code(error)),
        CommandError::AfterCreate(error, resume) => {
            (sdk_object(error, Some(resume)), exit_code(error))
        }
        CommandError::Hinted(error, hint) => {
            let mut object = sdk_object(error, None);
            object["hint"] = hint.as_str().into();
            (object, exit_code(error))
        }
        CommandError::Usage(message) => (error_object("usage", message, None), 2),
        CommandError::Interrupted(resume) => (
            error_object("interrupted", "interrupted", resume.as_ref()),
            130,
        ),
    };
    match format {
        Format::Json => println!("{}", json!({ "error": object })),
        Format::Text => match failure {
            CommandError::Sdk(error) | CommandError::AfterCreate(error, _) => {
                eprintln!("error: {error}");
                print_causes(error);
                if let Some(id) = error.external_task_id() {
                    eprintln!("external task id: {id}");
                }
                // A wait that gave up (or a download that failed) leaves the task as it is.
                if let CommandError::AfterCreate(_, r) = failure
                    && !matches!(error.kind(), ErrorKind::TaskFailed | ErrorKind::NotFound)
                {
                    eprintln!("the task goes on; pick it up with: {}", r.command);
                }
            }
            CommandError::Hinted(error, hint) => {
                eprintln!("error: {error}");
                print_causes(error);
                eprintln!("hint: {hint}");
            }
            CommandError::Usage(message) => eprintln!("error: {message}"),
            CommandError::Interrupted(resume) => match resume {
                Some(r) => {
                    eprintln!("interrupted while waiting for task {}", r.task_id);
                    eprintln!("the task goes on; pick it up with: {}", r.command);
                }
                None => eprintln!("interrupted"),
            },
        },
    }
    ExitCode::from(code)
}

fn error_object(kind: &str, message: &str, resume: Option<&Resume>) -> Value {
    json!({
        "kind": kind, "code": null, "http_status": null, "message": message,
        "request_id": null, "retryable": false,
        "task_id": resume.map(|r| &r.task_id),
        "external_task_id": resume.and_then(|r| r.external_task_id.as_deref()),
        "resume_command": resume.map(|r| &r.command),
    })
}

/// Prints the one JSON document of a command that succeeded: `{"command": "task get", ...}`
/// with the keys of `body`: `task` (one task of any API) or `tasks` (a list), `files` (saved
/// with their local paths), `next_cursor`, `request_id`, `result` (anything else the command
/// returns), and the command's own. A `body` that is not an object becomes `result`.
pub(crate) fn emit(command: &str, body: Value) {
    let mut doc = serde_json::Map::new();
    doc.insert("command".into(), command.into());
    match body {
        Value::Object(map) => doc.extend(map),
        other => {
            doc.insert("result".into(), other);
        }
    }
    print_json(&Value::Object(doc));
}

/// Prints one JSON document on stdout.
pub(crate) fn print_json(value: &impl Serialize) {
    match serde_json::to_string(value) {
        Ok(text) => println!("{text}"),
        // Our own values always serialize; say so rather than print nothing.
        Err(e) => println!(
            "{}",
            json!({"error": {"kind": "internal", "message": e.to_string()}})
        ),
    }
}

/// A value as JSON (`null` if it cannot be written, which our types never do).
pub(crate) fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// What the CLI shows of a task beyond what its [`TaskView`] gives (the id, the external id,
/// the failure reason, the result files): its status in the server's own word (a finished
/// [`TaskState`] keeps none: `succeed`, `succeeded`, `completed`) and the lines only its type
/// has.
pub(crate) trait Shown: TaskView {
    /// Where it is, as the server says.
    fn shown_status(&self) -> &str;
    /// Lines of its own type: result ids, voices, elements, charges.
    fn more_lines(&self) -> Vec<String>;
}

/// Lines common to every task type: its external id, failure reason and result files.
fn view_lines(task: &impl TaskView) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(ext) = task.external_task_id() {
        lines.push(format!("external task id: {ext}"));
    }
    if let TaskState::Failed(Some(reason)) = task.state() {
        lines.push(format!("reason: {reason}"));
    }
    let files = task.result_files();
    for file in &files {
        let mark = if file.watermarked {
            " (watermarked)"
        } else {
            ""
        };
        lines.push(format!("{}{mark}: {}", file.kind.as_str(), file.url));
    }
    if let Some(until) = task.expires_at().and_then(kling_core::time::show_utc_ms)
        && !files.is_empty()
    {
        lines.push(format!(
            "files kept until: {until} ({} days after creation: download them before)",
            kling_types::models::RETENTION.days
        ));
    }
    lines
}

impl Shown for Task {
    fn shown_status(&self) -> &str {
        self.task_status.as_str()
    }
    fn more_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(parent) = &self.task_info.parent_video {
            lines.push(format!("parent video: {}", parent.id));
        }
        for v in &self.task_result.videos {
            lines.push(format!("video id: {}", v.id));
        }
        for a in &self.task_result.audios {
            lines.push(format!("audio id: {}", a.id));
        }
        for i in &self.task_result.images {
            if let (Some(kind), Some(contains)) = (&i.kind, i.is_contain) {
                lines.push(format!(
                    "{kind}: {}",
                    if contains { "found" } else { "none" }
                ));
            }
        }
        for v in &self.task_result.voices {
            let name = v.voice_name.as_deref().unwrap_or("-");
            lines.push(format!("voice: {} ({name})", v.voice_id));
        }
        for e in &self.task_result.elements {
            let name = e.element_name.as_deref().unwrap_or("-");
            let status = e.status.as_deref().unwrap_or("-");
            lines.push(format!("element: {} ({name}, {status})", e.element_id));
        }
        if let Some(units) = &self.final_unit_deduction {
            lines.push(format!("charged: {units} units"));
        }
        lines
    }
}

impl Shown for standard::Task {
    fn shown_status(&self) -> &str {
        self.status.as_str()
    }
    fn more_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for o in &self.outputs {
            match (o.kind.as_str(), &o.id) {
                ("voice" | "element", Some(id)) => lines.push(format!(
                    "{}: {id} ({})",
                    o.kind,
                    o.name.as_deref().unwrap_or("-")
                )),
                ("video" | "audio", Some(id)) => lines.push(format!("{} id: {id}", o.kind)),
                _ => {}
            }
        }
        for b in &self.billing {
            let amount = b.amount.as_deref().unwrap_or("?");
            match b.charge_type.as_deref() {
                Some("cash") => lines.push(format!(
                    "charged: {amount} {}",
                    b.currency.as_deref().unwrap_or("")
                )),
                _ => lines.push(format!("charged: {amount} units")),
            }
        }
        lines
    }
}

impl Shown for Generation {
    fn shown_status(&self) -> &str {
        self.status.as_str()
    }
    fn more_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(model) = self.model.as_deref().or(self.mode.as_deref()) {
            lines.push(format!("model: {model}"));
        }
        lines
    }
}

/// Prints a task in text.
pub(crate) fn print_task(task: &impl Shown) {
    println!("task {}: {}", task.task_id(), task.shown_status());
    for line in view_lines(task).into_iter().chain(task.more_lines()) {
        println!("{line}");
    }
}

/// A create's answer, printed when the command does not wait: a task (legacy, new standard)
/// or RunBlob's [`NewGeneration`] (an id, a status and a price: no task yet).
pub(crate) trait Answer {
    /// Prints it in text.
    fn print_answer(&self);
    /// The external task id it shows, when it echoes one.
    fn shown_external_id(&self) -> Option<&str>;
}

impl<T: Shown> Answer for T {
    fn print_answer(&self) {
        print_task(self);
    }
    fn shown_external_id(&self) -> Option<&str> {
        self.external_task_id()
    }
}

impl Answer for NewGeneration {
    fn print_answer(&self) {
        println!("task {}: {}", self.generation_id, self.status);
        if let Some(price) = &self.price {
            println!("price: ${price}");
        }
    }
    fn shown_external_id(&self) -> Option<&str> {
        None
    }
}

/// Prints a list of legacy tasks: one line each (id, status, external id), then the voices
/// and elements they hold (what preset and custom lists are about).
pub(crate) fn print_tasks(tasks: &[Task]) {
    if tasks.is_empty() {
        println!("(none)");
    }
    for t in tasks {
        let ext = t.external_task_id().unwrap_or("-");
        println!("{}  {}  {ext}", t.task_id, t.task_status);
        for v in &t.task_result.voices {
            let name = v.voice_name.as_deref().unwrap_or("-");
            let owner = v.owned_by.as_deref().unwrap_or("-");
            println!("  voice {}  {name}  (owner {owner})", v.voice_id);
        }
        for e in &t.task_result.elements {
            let name = e.element_name.as_deref().unwrap_or("-");
            let status = e.status.as_deref().unwrap_or("-");
            println!("  element {}  {name}  ({status})", e.element_id);
        }
    }
}

/// Strings longer than this are shortened in a text dry run (base64 images are megabytes).
const DRY_RUN_TEXT_LIMIT: usize = 200;

/// What a create will cost by the models data's price tables, for a create that names a model.
pub(crate) struct Cost {
    /// The model priced.
    pub(crate) model: String,
    /// The estimate, when the data prices this model and endpoint.
    pub(crate) estimate: Option<Estimate>,
}

impl Cost {
    fn as_json(&self) -> Value {
        match &self.estimate {
            Some(e) => json!({
                "model": e.model, "rate": e.rate, "per": e.per, "quantity": e.quantity,
                "currency": e.currency, "total": e.total(),
            }),
            None => json!({"model": self.model, "total": null}),
        }
    }
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.estimate {
            Some(e) => write!(f, "estimated cost: {e}"),
            None => write!(
                f,
                "estimated cost: unknown (no price for {} in the vendor's tables)",
                self.model
            ),
        }
    }
}

/// Prints the request a dry run would send. The `Authorization` header (and any other
/// sensitive header) is redacted. Text output re-indents the body (keys sorted) and shortens
/// long strings (inline files); JSON output also carries the exact body bytes.
/// When the create names a model, what it would cost follows (JSON: `estimate`).
pub(crate) fn print_dry_run(
    request: &HttpRequest,
    cost: Option<&Cost>,
    format: Format,
    command: &str,
) {
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if kling_core::http::is_sensitive_header(k) {
                "[redacted]".to_owned()
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect();
    let body: Option<Value> = request.body.as_ref().map(|b| {
        serde_json::from_slice(b)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into()))
    });
    match format {
        // `body` is the JSON value; `body_text` the exact bytes sent (key order included).
        Format::Json => emit(
            command,
            json!({
                "dry_run": true,
                "method": request.method.as_str(),
                "url": request.url,
                "headers": headers,
                "body": body,
                "body_text": request.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()),
                "estimate": cost.map(Cost::as_json),
            }),
        ),
        Format::Text => {
            println!("{} {}", request.method.as_str(), request.url);
            for (k, v) in &headers {
                println!("{k}: {v}");
            }
            if let Some(mut body) = body {
                shorten(&mut body);
                println!(
                    "\n{}",
                    serde_json::to_string_pretty(&body).unwrap_or_default()
                );
            }
            if let Some(cost) = cost {
                println!("\n{cost}");
            }
        }
    }
}

/// Shortens long strings in place: `iVBORw0KGgo…[+1234 chars]`.
fn shorten(value: &mut Value) {
    match value {
        Value::String(s) if s.chars().count() > DRY_RUN_TEXT_LIMIT => {
            let head: String = s.chars().take(40).collect();
            let rest = s.chars().count() - 40;
            *s = format!("{head}…[+{rest} chars; --output json shows them]");
        }
        Value::Array(items) => items.iter_mut().for_each(shorten),
        Value::Object(map) => map.values_mut().for_each(shorten),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_shortened_in_text() {
        let mut v = json!({"image": "A".repeat(500), "prompt": "a fox", "list": ["B".repeat(201)]});
        shorten(&mut v);
        assert_eq!(v["prompt"], "a fox");
        assert!(v["image"].as_str().unwrap().contains("[+460 chars"));
        assert!(v["list"][0].as_str().unwrap().contains("[+161 chars"));
    }
}
