//! The shared flow of every create, over the SDK: dry run (`prepare`), create, wait with
//! progress, download of every result file (`download_files`), and one printout. The CLI
//! adds no protocol logic of its own: retries, reconciliation, polling and safe file names
//! are the SDK's.
//!
//! `clients.rs` builds the SDK clients from the settings, `progress.rs` shows a wait, and
//! `local.rs` holds what is checked or written on this machine (folders, resume commands).

mod clients;
mod local;
mod progress;

use std::path::Path;
use std::sync::{Arc, Mutex};

use kling_client_async::prelude::*;
use kling_client_async::{Client, CreateTask, Pollable, TaskOf, TaskView};
use kling_types::models;
use kling_types::{Endpoint, TaskQuery};
use serde::Serialize;
use serde_json::{Value, json};

use crate::args::FlowArgs;
use crate::config::Settings;
use crate::logs::Notes;
use crate::output::{
    Answer, CommandError, Cost, Format, Resume, Shown, print_dry_run, print_task, to_value,
};

use local::shell_word;
pub(crate) use local::{legacy_wait, ready_dir};
pub(crate) use progress::Fresh;

/// Everything a command runs with: the settings, how to print, and the task it started.
pub(crate) struct Ctx {
    /// The command's path (`task get`): what a JSON document says it did.
    pub(crate) command: String,
    /// The effective configuration.
    pub(crate) settings: Settings,
    /// The output format.
    pub(crate) format: Format,
    /// No progress on stderr.
    pub(crate) quiet: bool,
    /// The task this command created, so an interrupt can say how to pick it up again.
    started: Mutex<Option<Resume>>,
    /// Where the SDK's retries are told.
    notes: Arc<Notes>,
    /// The command line's inputs (stdin can be read once).
    pub(crate) input: crate::input::Input,
}

impl Ctx {
    /// The context of a command.
    pub(crate) fn new(
        command: String,
        settings: Settings,
        format: Format,
        quiet: bool,
        notes: Arc<Notes>,
    ) -> Self {
        Self {
            command,
            settings,
            format,
            quiet,
            started: Mutex::new(None),
            notes,
            input: crate::input::Input::default(),
        }
    }

    /// The task this command created, if any.
    pub(crate) fn started(&self) -> Option<Resume> {
        self.started.lock().ok().and_then(|s| s.clone())
    }

    /// Records task `task_id` as created by this command, with the command that picks it up
    /// again: `wait` (`kling task wait text2video ID`) plus the options that shape what it
    /// gives (`--download DIR`, `--output json`).
    pub(crate) fn created(
        &self,
        wait: String,
        task_id: &str,
        external_task_id: Option<String>,
        download: Option<&Path>,
    ) -> Resume {
        let mut command = wait;
        if let Some(dir) = download {
            command.push_str(" --download ");
            command.push_str(&shell_word(&dir.display().to_string()));
        }
        if self.format == Format::Json {
            command.push_str(" --output json");
        }
        let resume = Resume {
            command,
            task_id: task_id.to_owned(),
            external_task_id,
        };
        if let Ok(mut s) = self.started.lock() {
            *s = Some(resume.clone());
        }
        resume
    }

    /// Downloads every result file of `task` into `dir` (the SDK names them safely) and
    /// describes them for JSON output.
    pub(crate) async fn save(
        &self,
        client: &Client,
        task: &impl TaskView,
        dir: &Path,
    ) -> Result<Vec<Value>, CommandError> {
        let saved = client.download_files(task, dir).await?;
        if saved.is_empty() && self.format == Format::Text {
            eprintln!("no files to download: this task's results are ids");
        }
        Ok(saved
            .iter()
            .map(|done| {
                if self.format == Format::Text {
                    println!("saved {} ({} bytes)", done.path.display(), done.bytes);
                }
                let file = done.result.as_ref();
                json!({
                    "path": done.path, "bytes": done.bytes, "url": file.map(|f| &f.url),
                    "kind": file.map(|f| f.kind.as_str()), "watermarked": file.map(|f| f.watermarked),
                })
            })
            .collect())
    }

    /// Prints the request `endpoint` would send, and sends nothing.
    pub(crate) fn dry_run(
        &self,
        client: &Client,
        endpoint: &impl Endpoint,
    ) -> Result<(), CommandError> {
        let request = client.prepare(endpoint)?;
        let cost = endpoint.facts().map(|facts| Cost {
            model: facts.model_name().to_owned(),
            estimate: models::estimate(&facts),
        });
        print_dry_run(&request, cost.as_ref(), self.format, &self.command);
        Ok(())
    }

    /// Waits for a task, downloads its files when asked, prints it: the end of a create and of
    /// every `wait` command.
    pub(crate) async fn finish<Q>(
        &self,
        client: &Client,
        query: &Q,
        fresh: Fresh,
        download: Option<&Path>,
        extra: Value,
    ) -> Result<(), CommandError>
    where
        Q: Pollable,
        Q::Task: Serialize + Shown,
    {
        if let Some(dir) = download {
            ready_dir(dir)?;
        }
        let task = self.wait(client, query, fresh).await?;
        if self.format == Format::Text {
            print_task(&task);
        }
        let files = match download {
            Some(dir) => self.save(client, &task, dir).await?,
            None => Vec::new(),
        };
        if self.format == Format::Json {
            // A wait has no request id of its own (a create's replaces the null).
            let mut doc = json!({
                "task": to_value(&task), "files": files, "expires_at": task.expires_at(),
                "request_id": null,
            });
            merge(&mut doc, extra);
            self.emit(doc);
        }
        Ok(())
    }

    /// A create, the whole way: dry run, or create then (when asked) wait and download.
    pub(crate) async fn create<E>(
        &self,
        client: &Client,
        request: E,
        flow: &FlowArgs,
        resume: impl Fn(&str) -> String,
    ) -> Result<(), CommandError>
    where
        E: CreateTask,
        E::Response: Serialize + Answer,
        TaskOf<E>: Serialize + Shown,
    {
        if flow.dry_run {
            if request.external_task_id().is_none()
                && request.lookup("x").is_some()
                && self.progress()
            {
                eprintln!(
                    "note: the create adds a generated external_task_id (pin one with --external-task-id)"
                );
            }
            return self.dry_run(client, &request);
        }
        // Checked before the task is paid for, not after.
        if let Some(dir) = &flow.download {
            ready_dir(dir)?;
        }
        let created = client.create(request).await?;
        let id = created.query.task_ref().as_str().to_owned();
        let resume = self.created(
            resume(&id),
            &id,
            created.external_task_id.clone(),
            flow.download.as_deref(),
        );
        let extra = json!({
            "request_id": created.request_id,
            "external_task_id": created.external_task_id,
            "wait_command": resume.command,
        });
        if !flow.waits() {
            match self.format {
                Format::Json => {
                    // Nothing saved yet: `files` is there, empty, as in every task document.
                    let mut doc = json!({"task": to_value(&created.task), "files": []});
                    merge(&mut doc, extra);
                    self.emit(doc);
                }
                Format::Text => {
                    created.task.print_answer();
                    // A create's answer may not echo the caller's id: show it once.
                    let shown = created.task.shown_external_id().is_some();
                    if let Some(ext) = created.external_task_id.as_ref().filter(|_| !shown) {
                        println!("external task id: {ext}");
                    }
                    if let Some(rid) = &created.request_id {
                        println!("request id: {rid}");
                    }
                    println!("wait for it: {}", resume.command);
                }
            }
            return Ok(());
        }
        if self.progress() {
            eprintln!("created task {id}; waiting (Ctrl-C stops waiting, the task goes on)");
        }
        self.finish(
            client,
            &created.query,
            Fresh::JustCreated,
            flow.download.as_deref(),
            extra,
        )
        .await
        .map_err(|e| e.after_create(&resume))
    }

    /// A create of a legacy family, picked up again with `kling task wait FAMILY ID` (the
    /// family found by the request's path in `FAMILIES`, never spelled here).
    pub(crate) async fn create_legacy<E>(
        &self,
        client: &Client,
        request: E,
        flow: &FlowArgs,
    ) -> Result<(), CommandError>
    where
        E: CreateTask,
        E::Response: Serialize + Answer,
        TaskOf<E>: Serialize + Shown,
    {
        let wait = legacy_wait(&request.path())?;
        self.create(client, request, flow, wait).await
    }

    /// A synchronous call whose answer is a finished task (TTS, image recognize): print it and
    /// download its files when asked.
    pub(crate) async fn sync_task<E>(
        &self,
        client: &Client,
        endpoint: &E,
        flow: &FlowArgs,
    ) -> Result<(), CommandError>
    where
        E: Endpoint<Response = kling_types::Task> + Sync,
    {
        if flow.dry_run {
            return self.dry_run(client, endpoint);
        }
        if let Some(dir) = &flow.download {
            ready_dir(dir)?;
        }
        let reply = client.send(endpoint).await?;
        let task = reply.value;
        if self.format == Format::Text {
            print_task(&task);
        }
        let files = match &flow.download {
            Some(dir) => self.save(client, &task, dir).await?,
            None => Vec::new(),
        };
        if self.format == Format::Json {
            self.emit(
                json!({"task": to_value(&task), "files": files, "request_id": reply.request_id}),
            );
        }
        Ok(())
    }

    /// Prints this command's JSON document (`{"command": ..., ...body}`).
    pub(crate) fn emit(&self, body: Value) {
        crate::output::emit(&self.command, body);
    }

    /// A call whose answer is printed: `text` renders it; JSON has it as `shape` says.
    pub(crate) async fn send<E>(
        &self,
        client: &Client,
        endpoint: &E,
        dry_run: bool,
        shape: Shape,
        text: impl FnOnce(&E::Response),
    ) -> Result<(), CommandError>
    where
        E: Endpoint<Response: Send + Serialize> + Sync,
    {
        self.send_with(client, endpoint, dry_run, |v| shape.body(to_value(v)), text)
            .await
    }

    /// As [`send`](Self::send), the JSON body made by `json` (a page with its cursor).
    pub(crate) async fn send_with<E>(
        &self,
        client: &Client,
        endpoint: &E,
        dry_run: bool,
        json: impl FnOnce(&E::Response) -> Value,
        text: impl FnOnce(&E::Response),
    ) -> Result<(), CommandError>
    where
        E: Endpoint<Response: Send + Serialize> + Sync,
    {
        if dry_run {
            return self.dry_run(client, endpoint);
        }
        let reply = client.send(endpoint).await?;
        match self.format {
            Format::Json => {
                let mut body = json(&reply.value);
                merge(&mut body, json!({"request_id": reply.request_id}));
                self.emit(body);
            }
            Format::Text => text(&reply.value),
        }
        Ok(())
    }
}

/// Where an answer goes in a command's JSON document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// One task of any API: `task`, with `files` (none saved).
    Task,
    /// A list of tasks: `tasks`, with `next_cursor` (none: the list is whole).
    Tasks,
    /// Anything else: `result`.
    Result,
}

impl Shape {
    /// The JSON body of `value`.
    pub(crate) fn body(self, value: Value) -> Value {
        match self {
            Self::Task => json!({"task": value, "files": []}),
            Self::Tasks => json!({"tasks": value, "next_cursor": null}),
            Self::Result => json!({"result": value}),
        }
    }
}

/// Adds the keys of `extra` to `doc`.
fn merge(doc: &mut Value, extra: Value) {
    if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), extra) {
        doc.extend(extra);
    }
}
