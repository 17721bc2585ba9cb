//! The shared flow of every create, over the SDK: dry run (`prepare`), create, wait with
//! progress, download of every result file (`download_files`), and one printout. The CLI
//! adds no protocol logic of its own: retries, reconciliation, polling and safe file names
//! are the SDK's.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kling_client_async::fleet::AsyncTaskSlots;
use kling_client_async::prelude::*;
use kling_client_async::{Client, Config, CreateTask, Pollable, TaskOf, TaskView, WaitOptions};
use kling_types::models;
use kling_types::{Endpoint, TaskQuery};
use serde::Serialize;
use serde_json::{Value, json};

use crate::args::{FlowArgs, show_duration};
use crate::config::Settings;
use crate::logs::Notes;
use crate::output::{
    Answer, CommandError, Cost, Format, Resume, Shown, print_dry_run, print_json, print_task,
    to_value,
};

/// The shortest polling cadence against Kling or RunBlob: the SDK's own floor (`min_delay`),
/// so `--poll-interval` cannot hammer a real API. A local server (the mock) may be polled faster.
pub(crate) const POLL_FLOOR: Duration = Duration::from_secs(1);

/// Everything a command runs with: the settings, how to print, and the task it started.
pub(crate) struct Ctx {
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
}

/// Whether `url` points at this machine (the mock, a local proxy).
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Ctx {
    /// The context of a command.
    pub(crate) fn new(settings: Settings, format: Format, quiet: bool, notes: Arc<Notes>) -> Self {
        Self {
            settings,
            format,
            quiet,
            started: Mutex::new(None),
            notes,
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

    /// A client of the Kling API (legacy and new standard).
    pub(crate) fn kling(&self) -> Result<Client, CommandError> {
        self.client(
            &self.settings.base_url.value,
            self.settings.kling_credentials()?,
            None,
        )
    }

    /// A client of the Kling API whose jobs hold `slots` (a fleet's, shared through Redis).
    pub(crate) fn kling_with_slots(
        &self,
        slots: Arc<dyn AsyncTaskSlots>,
    ) -> Result<Client, CommandError> {
        self.client(
            &self.settings.base_url.value,
            self.settings.kling_credentials()?,
            Some(slots),
        )
    }

    /// A client of the new standard, which takes only an API key: a missing one is said in
    /// the command's terms before anything is built or sent.
    pub(crate) fn standard(&self) -> Result<Client, CommandError> {
        if self.settings.api_key.is_none() {
            return Err(kling_errors::AuthError::new(
                kling_errors::AuthFailure::Missing,
                "the new standard (`kling v2`) takes only an API key: set --api-key, \
                 KLING_API_KEY or api_key in a profile (an access key pair is not enough)",
            )
            .into());
        }
        self.kling()
    }

    /// A client for downloads alone, with the settings' TLS roots and timeouts and no
    /// credentials: a download never carries any, and any API call is refused.
    pub(crate) fn downloader(&self) -> Result<Client, CommandError> {
        self.client(
            &self.settings.base_url.value,
            kling_auth::Credentials::None,
            None,
        )
    }

    /// A client of RunBlob.
    pub(crate) fn runblob(&self) -> Result<Client, CommandError> {
        self.client(
            &self.settings.runblob_url.value,
            self.settings.runblob_credentials()?,
            None,
        )
    }

    fn client(
        &self,
        base_url: &str,
        credentials: kling_auth::Credentials,
        slots: Option<Arc<dyn AsyncTaskSlots>>,
    ) -> Result<Client, CommandError> {
        let mut config = Config::with_base_url(base_url);
        if let Some(every) = &self.settings.poll_interval {
            let mut every = every.value;
            if every < POLL_FLOOR && !is_loopback(base_url) {
                eprintln!(
                    "note: --poll-interval {} is below the 1s floor for {base_url}; polling every 1s",
                    show_duration(every)
                );
                every = POLL_FLOOR;
            }
            // A steady cadence: the first delay, the floor and the cap of the SDK's schedule.
            config.poll.first_delay = every;
            config.poll.min_delay = every;
            config.poll.cap = every;
            // A local server shows a new task at once: ten looks are grace enough.
            if is_loopback(base_url) {
                config.poll.unseen_grace = config.poll.unseen_grace.min(every.saturating_mul(10));
            }
        }
        if let Some(max) = &self.settings.max_wait {
            config.poll.max_wait = max.value;
        }
        if let Some(ca) = &self.settings.ca_cert {
            let path = &ca.value;
            let pem = std::fs::read_to_string(path)
                .map_err(|e| kling_errors::IoError::new("read the --ca-cert file", path, e))?;
            // Named by its flag here, not by the SDK's field.
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(CommandError::usage(format!(
                    "{} {}: not a PEM certificate file (no \"BEGIN CERTIFICATE\" block)",
                    ca.source,
                    path.display()
                )));
            }
            config.tls_roots_pem = Some(pem);
        }
        config.download.allow = self.settings.download_allow();
        let builder = Client::builder().credentials(credentials).config(config);
        Ok(match slots {
            Some(slots) => builder.task_slots(slots),
            None => builder,
        }
        .build()?)
    }

    /// Whether progress goes to stderr.
    fn progress(&self) -> bool {
        self.format == Format::Text && !self.quiet
    }

    /// Wait options with progress: a spinner on a terminal, a line per status change
    /// otherwise, nothing with `--quiet` or JSON output. Finish the bar when the wait ends.
    /// A task `fresh` from a create is first polled after the SDK's first delay; any other
    /// is looked at at once (a finished task returns, an unknown id fails fast).
    pub(crate) fn wait_options(
        &self,
        fresh: Fresh,
    ) -> (WaitOptions<'static>, Option<indicatif::ProgressBar>) {
        let bar = (self.progress() && std::io::stderr().is_terminal()).then(|| {
            // The spinner's own clock ticks each second between polls.
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}  {elapsed}")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let mut options = WaitOptions::new();
        if fresh == Fresh::JustCreated {
            options = options.after_create();
        }
        if let Some(max) = &self.settings.max_wait {
            options = options.max_wait(max.value);
        }
        let lines = self.progress() && bar.is_none();
        let spinner = bar.clone();
        let mut last = PipeLine::default();
        let options = options.progress(move |p| {
            if let Some(bar) = &spinner {
                bar.set_message(format!("{}  {}", p.task_id, p.status));
            } else if lines && let Some(line) = last.next(&p.task_id, &p.status, p.elapsed) {
                eprintln!("{line}");
            }
        });
        (options, bar)
    }

    /// Waits for the task `query` reads, showing progress.
    pub(crate) async fn wait<Q: Pollable>(
        &self,
        client: &Client,
        query: &Q,
        fresh: Fresh,
    ) -> Result<Q::Task, CommandError> {
        let (options, bar) = self.wait_options(fresh);
        self.notes.follow(bar.as_ref());
        let result = client.wait(query, options).await;
        self.notes.follow(None);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(result?)
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
        print_dry_run(&request, cost.as_ref(), self.format);
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
            let mut doc = json!({
                "task": to_value(&task), "files": files, "expires_at": task.expires_at(),
            });
            merge(&mut doc, extra);
            print_json(&doc);
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
                    let mut doc = json!({"task": to_value(&created.task)});
                    merge(&mut doc, extra);
                    print_json(&doc);
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
            print_json(
                &json!({"task": to_value(&task), "files": files, "request_id": reply.request_id}),
            );
        }
        Ok(())
    }

    /// A synchronous call printed as it came (text: `text` renders it).
    pub(crate) async fn send<E>(
        &self,
        client: &Client,
        endpoint: &E,
        dry_run: bool,
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
            Format::Json => print_json(&reply.value),
            Format::Text => text(&reply.value),
        }
        Ok(())
    }
}

/// The command that waits for a task of the legacy family created at `path`.
pub(crate) fn legacy_wait(path: &str) -> Result<impl Fn(&str) -> String + use<>, CommandError> {
    let family = kling_types::Family::at_path(path).ok_or_else(|| {
        CommandError::from(kling_errors::Error::from(kling_errors::InternalError::new(
            &format!("no legacy family creates at {path}"),
        )))
    })?;
    let name = family.name;
    Ok(move |id: &str| format!("kling task wait {name} {id}"))
}

/// How often a wait shown on a pipe (a log, CI) says it is still waiting.
const PIPE_EVERY: Duration = Duration::from_secs(30);

/// The progress of a wait on a pipe: a line at each change of status, and one every 30 s
/// while it stays the same (so a log shows the wait is alive).
#[derive(Default)]
struct PipeLine {
    status: String,
    at: Option<Duration>,
}

impl PipeLine {
    /// The line a poll that saw `status` after `elapsed` prints, if any.
    fn next(&mut self, task_id: &str, status: &str, elapsed: Duration) -> Option<String> {
        let due = self
            .at
            .is_none_or(|at| status != self.status || elapsed.saturating_sub(at) >= PIPE_EVERY);
        if !due {
            return None;
        }
        status.clone_into(&mut self.status);
        self.at = Some(elapsed);
        let shown = show_duration(Duration::from_secs(elapsed.as_secs()));
        Some(format!("{task_id}  {status}  {shown}"))
    }
}

/// Whether a wait is for a task this command just created, or for one of unknown age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fresh {
    /// Created a moment ago by this command.
    JustCreated,
    /// Named by the user: it may have finished long ago, or not exist.
    Unknown,
}

/// Adds the keys of `extra` to `doc`.
fn merge(doc: &mut Value, extra: Value) {
    if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), extra) {
        doc.extend(extra);
    }
}

/// Makes sure result files can be saved into `dir` (creating it), before anything is paid
/// for: a file in the way, a folder without write permission or a path under `/proc` fails
/// here, with nothing sent.
pub(crate) fn ready_dir(dir: &Path) -> Result<(), CommandError> {
    let fail = |e: std::io::Error| {
        CommandError::from(kling_errors::IoError::new(
            "prepare the --download folder",
            dir,
            e,
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    // Writable? A probe file, removed at once (its name cannot clash with a result's).
    let probe = dir.join(format!(".kling-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// `word` as one shell word: as is when it holds only safe characters, else single-quoted.
fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_gets_a_line_per_status_and_one_every_30_s() {
        let mut line = PipeLine::default();
        let shown: Vec<Option<String>> = [
            ("submitted", 0),
            ("submitted", 5),
            ("processing", 12),
            ("processing", 24),
            ("processing", 41),
            ("processing", 66),
            ("succeeded", 70),
        ]
        .into_iter()
        .map(|(s, t)| line.next("7", s, Duration::from_secs(t)))
        .collect();
        let shown: Vec<&str> = shown.iter().flatten().map(String::as_str).collect();
        assert_eq!(
            shown,
            [
                "7  submitted  0s",
                "7  processing  12s",
                "7  processing  1m6s",
                "7  succeeded  1m10s"
            ]
        );
    }

    #[test]
    fn resume_commands_quote_their_paths() {
        assert_eq!(shell_word("out/clips"), "out/clips");
        assert_eq!(shell_word("my clips"), "'my clips'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]:9/",
            "https://u@127.0.0.2",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://api-singapore.klingai.com",
            "http://127.example.com",
            "http://10.0.0.1",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
