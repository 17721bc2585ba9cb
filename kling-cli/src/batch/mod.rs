//! `kling batch submit|work|receive|status|results|resume`: one account shared by workers, through a
//! SQLite file on this machine (kling-store, the default) or a Redis shared by a fleet of
//! machines (kling-redis). The command parses and prints; queueing, slots, records and the
//! worker loop are those crates'.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use kling_client_async::CancelHandle;
use kling_core::fleet::FleetBackend;
use kling_redis::{BatchJob, Fleet, Outcome, WorkerOptions, run_worker};
use kling_store::Store;
use kling_types::models::{Currency, amount};
use serde_json::json;

mod dashboard;
mod download;
mod read;
mod receive;

use crate::args::parse_duration;
use crate::flow::Ctx;
use crate::output::{CommandError, Format, to_value};

/// The longest line of a batch file (a request with inline base64 images can be large).
const MAX_LINE: usize = 32 << 20;

/// The batch store used when neither `--store` nor `--redis` is given, in the current folder.
const DEFAULT_STORE: &str = "kling-batch.db";

/// `kling batch ...`.
#[derive(Subcommand)]
pub(crate) enum BatchCommand {
    /// Queue the jobs of a JSON Lines file: one {"family": "text2video", "request": {...}} per
    /// line, or for the new standard {"api": "standard", "family": "text-to-video", "model":
    /// "kling-3.0", "request": {...}}, or for RunBlob {"api": "runblob", "family": "o3-video",
    /// "request": {...}} (o3-video, o1-video, o3-photo, o1-photo, generate) (`-`: stdin). A job already queued (same key) is not queued again
    Submit(Submit),
    /// Run queued jobs: start as many workers as you like, on this machine with the same
    /// --store, or on any machine with the same --redis; give every worker the same --slots
    Work(Work),
    /// Receive the batch's callbacks (Kling posts each task's end to the --callback-url of
    /// `batch work`), check their token, note them in the store: the waiting worker looks at
    /// the task at once instead of polling for it (Ctrl-C stops)
    Receive(receive::Receive),
    /// Which store was read, how many jobs are in each state, and what is left in the queue
    Status(StoreArgs),
    /// Each job: state, task id, result files (where a worker saved them with --download,
    /// else their URLs) or error
    Results(read::Results),
    /// Save the done jobs' result files missing from a folder (a worker ran without
    /// --download, or the folder was emptied), named as a worker names them, while their
    /// links last
    Download(download::Download),
    /// A page of the batch in your browser, served on this machine: every job's state, its
    /// result in place (videos, images, audio), errors with their remedy, cost and
    /// throughput, live; requeue blocked jobs and download missing files from it (Ctrl-C
    /// stops)
    Dashboard(dashboard::Dashboard),
    /// Queue again the jobs parked as blocked (the account could not run them: no credits,
    /// no access), once that is fixed: after a top-up, say
    Resume(StoreArgs),
}

/// Where the batch is kept: a SQLite file on this machine (the default), or a Redis that
/// workers on several machines share.
#[derive(Args)]
pub(crate) struct StoreArgs {
    /// The batch store on this machine, a SQLite file every worker process started here
    /// shares [default: kling-batch.db in the current folder]
    #[arg(long, env = "KLING_BATCH_STORE", value_name = "PATH")]
    store: Option<PathBuf>,
    #[command(flatten)]
    redis: RedisArgs,
}

/// A Redis shared by workers (and agents' servers) on any number of machines.
#[derive(Args, Clone)]
pub(crate) struct RedisArgs {
    /// Keep the jobs in this Redis instead of a file, shared by workers on any number of
    /// machines: redis://[user:password@]host:port[/db]
    #[arg(
        long,
        env = "KLING_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) redis: Option<String>,
    /// With --redis: the prefix of the keys (several batches may share one Redis)
    #[arg(long, env = "KLING_REDIS_PREFIX", default_value = "kling")]
    pub(crate) prefix: String,
}

impl StoreArgs {
    /// The file `store` (the default file when neither is given), or the Redis of `redis`.
    pub(crate) fn new(store: Option<PathBuf>, redis: RedisArgs) -> Self {
        Self { store, redis }
    }
}

/// `kling batch submit`.
#[derive(Args)]
pub(crate) struct Submit {
    /// The JSON Lines file (`-`: stdin)
    file: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// `kling batch work`.
#[derive(Args)]
pub(crate) struct Work {
    #[command(flatten)]
    store: StoreArgs,
    /// Tasks the account runs at once (its resource pack's concurrency), shared by every
    /// worker: give every worker the same number
    #[arg(long, value_name = "N")]
    slots: usize,
    /// Jobs this worker runs at once [default: --slots]
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Save every result file here, named by its job's key (<external_task_id>.mp4; with
    /// several files <external_task_id>-0.png, ...); `kling batch results` shows where
    #[arg(long, value_name = "DIR")]
    download: Option<PathBuf>,
    /// A slot's lease: a dead worker's slots come back after this long
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    lease_ttl: Duration,
    /// A job left this long by its worker is taken over (its worker is presumed dead)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60s")]
    claim_idle: Duration,
    /// Stop when the queue is empty and no job is running anywhere
    #[arg(long)]
    until_empty: bool,
    /// This worker's name in the queue [default: host-pid]
    #[arg(long)]
    name: Option<String>,
    /// Create tasks with a callback to this URL (where `kling batch receive` is reached,
    /// behind your tunnel or proxy), followed by the callback token: their waits then poll
    /// only every minute, as a fallback, and look at a task when its callback comes
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    /// The secret last segment of the callback URL, the same as `kling batch receive`'s
    /// (32+ characters of [A-Za-z0-9_-]; e.g. `openssl rand -hex 32`)
    #[arg(
        long,
        env = "KLING_CALLBACK_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    callback_token: Option<String>,
}

/// Opens the batch's store: the Redis of `--redis`, else the file of `--store` (or the
/// default file). `existing`: the file must be there already (reading a batch never makes an
/// empty store of a mistyped path).
pub(crate) async fn open(
    args: &StoreArgs,
    existing: bool,
) -> Result<Arc<dyn FleetBackend>, CommandError> {
    let path = match (&args.redis.redis, &args.store) {
        (Some(_), Some(_)) => {
            return Err(CommandError::usage(
                "--redis and --store name two places for one batch: give one (KLING_REDIS_URL \
                 and KLING_BATCH_STORE count as given)",
            ));
        }
        (Some(url), None) => {
            let fleet = Fleet::connect(url, &args.redis.prefix)
                .await
                .map_err(|e| match e {
                    // A URL that does not parse: the flag's mistake (exit 2), not the network's.
                    kling_errors::Error::Validation(v) => {
                        CommandError::usage(format!("--redis: {}", v.message()))
                    }
                    other => other.into(),
                })?;
            return Ok(Arc::new(fleet));
        }
        (None, Some(path)) => path.clone(),
        (None, None) => PathBuf::from(DEFAULT_STORE),
    };
    let opened = if existing {
        Store::open_existing(&path).await
    } else {
        Store::open(&path).await
    };
    match opened {
        Ok(store) => Ok(Arc::new(store)),
        // Not a store (another program's file, a newer store's, not a database): the
        // option's mistake.
        Err(kling_errors::Error::Validation(v)) => {
            Err(CommandError::usage(format!("--store: {}", v.message())))
        }
        Err(kling_errors::Error::Io(e))
            if existing && e.io_kind() == std::io::ErrorKind::NotFound =>
        {
            let shown = std::path::absolute(&path).unwrap_or(path);
            Err(CommandError::usage(format!(
                "no batch store at {}: `kling batch submit FILE` makes one; name another with \
                 --store PATH, or a Redis fleet's with --redis URL",
                shown.display()
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Where a batch is kept, for people: `SQLite file /abs/kling-batch.db`, `Redis
/// redis://host:6379 (prefix kling)`.
fn shown(backend: &dyn FleetBackend) -> String {
    let kind = match backend.kind() {
        "sqlite" => "SQLite file",
        "redis" => "Redis",
        other => other,
    };
    format!("{kind} {}", backend.location())
}

/// Reads the jobs of `file`, all checked before any is queued; errors name the line.
fn read_jobs(file: &str) -> Result<Vec<BatchJob>, CommandError> {
    let mut reader: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| kling_errors::IoError::new("read the batch file", file, e))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut jobs = Vec::new();
    for n in 1.. {
        // Read at most one byte past the limit: an endless line is refused, not held.
        let mut line = Vec::new();
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| kling_errors::IoError::new("read the batch file", file, e))?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE {
            return Err(CommandError::usage(format!(
                "{file}, line {n}: longer than {} MiB",
                MAX_LINE >> 20
            )));
        }
        let text = std::str::from_utf8(&line)
            .map_err(|e| CommandError::usage(format!("{file}, line {n}: not UTF-8 ({e})")))?;
        if text.trim().is_empty() {
            continue;
        }
        let job = BatchJob::parse(text)
            .and_then(BatchJob::keyed)
            .and_then(|j| j.create().map(|_| j))
            .map_err(|e| CommandError::usage(format!("{file}, line {n}: {e}")))?;
        jobs.push(job);
    }
    Ok(jobs)
}

/// Runs a `kling batch` command.
pub(crate) async fn run(command: &BatchCommand, ctx: &Ctx) -> Result<(), CommandError> {
    match command {
        BatchCommand::Submit(s) => submit(s, ctx).await,
        BatchCommand::Work(w) => work(w, ctx).await,
        BatchCommand::Receive(r) => receive::receive(r, ctx).await,
        BatchCommand::Status(r) => read::status(r, ctx).await,
        BatchCommand::Results(r) => read::results(r, ctx).await,
        BatchCommand::Resume(r) => read::resume(r, ctx).await,
        BatchCommand::Download(d) => download::download(d, ctx).await,
        BatchCommand::Dashboard(d) => dashboard::dashboard(d, ctx).await,
    }
}

/// What a batch will cost by the models data's price tables: the total per currency of the
/// jobs it prices (each job once, however often its line repeats), and how many it cannot.
struct BatchCost {
    totals: BTreeMap<Currency, f64>,
    priced: usize,
    unpriced: usize,
}

impl BatchCost {
    fn of(jobs: &[BatchJob]) -> Self {
        let mut cost = Self {
            totals: BTreeMap::new(),
            priced: 0,
            unpriced: 0,
        };
        let mut seen = HashSet::new();
        for job in jobs {
            if !seen.insert(job.id().unwrap_or_default()) {
                continue;
            }
            match job
                .estimate()
                .and_then(|e| e.total().map(|t| (e.currency, t)))
            {
                Some((currency, total)) => {
                    *cost.totals.entry(currency).or_default() += total;
                    cost.priced += 1;
                }
                None => cost.unpriced += 1,
            }
        }
        cost
    }

    fn as_json(&self) -> serde_json::Value {
        let totals: serde_json::Map<String, serde_json::Value> = self
            .totals
            .iter()
            .map(|(c, t)| {
                (
                    to_value(c).as_str().unwrap_or_default().to_owned(),
                    json!(t),
                )
            })
            .collect();
        json!({"totals": totals, "priced": self.priced, "unpriced": self.unpriced})
    }
}

impl std::fmt::Display for BatchCost {
    /// `estimated cost: 12.0 video units + 16.0 image units (3 jobs priced; 1 not in the price
    /// tables)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let totals: Vec<String> = self
            .totals
            .iter()
            .map(|(c, t)| format!("{} {c}", amount(*t)))
            .collect();
        let totals = if totals.is_empty() {
            "nothing priced".to_owned()
        } else {
            totals.join(" + ")
        };
        write!(f, "estimated cost: {totals} ({} job(s) priced", self.priced)?;
        if self.unpriced > 0 {
            write!(f, "; {} not in the vendor's price tables", self.unpriced)?;
        }
        f.write_str(")")
    }
}

async fn submit(args: &Submit, ctx: &Ctx) -> Result<(), CommandError> {
    let format = ctx.format;
    let jobs = read_jobs(&args.file)?;
    // The cost first, before anything is queued (or Redis is even reached).
    let cost = BatchCost::of(&jobs);
    if format == Format::Text {
        println!("{cost}");
    }
    let backend = open(&args.store, false).await?;
    let queue = backend.job_queue("submit");
    queue.prepare().await?;
    let (mut queued, mut known) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashSet::new();
    for job in &jobs {
        let id = job.id().unwrap_or_default().to_owned();
        // A line repeated in the file is one job: counted once.
        if !seen.insert(id.clone()) {
            continue;
        }
        if queue.submit(job).await? {
            queued.push(id);
        } else {
            known.push(id);
        }
    }
    match format {
        Format::Json => ctx.emit(json!({"result": {
            "queued": queued, "already_known": known, "estimate": cost.as_json(),
        }})),
        Format::Text => {
            println!(
                "queued {} job(s) in {}{}",
                queued.len(),
                shown(&*backend),
                if known.is_empty() {
                    String::new()
                } else {
                    format!("; {} already known, not queued again", known.len())
                }
            );
        }
    }
    Ok(())
}

async fn work(args: &Work, ctx: &Ctx) -> Result<(), CommandError> {
    if args.slots == 0 {
        return Err(CommandError::usage("--slots must be at least 1"));
    }
    // Checked before anything is opened: a usage mistake is named first.
    let callback_url = match (&args.callback_url, &args.callback_token) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(CommandError::usage(
                "--callback-url needs the callback token: give --callback-token or \
                 KLING_CALLBACK_TOKEN, the same as `kling batch receive`'s",
            ));
        }
        (Some(url), Some(token)) => Some(receive::callback_url(url, token)?),
    };
    let backend = open(&args.store, false).await?;
    let slots = backend.task_slots(args.slots, args.lease_ttl);
    // One request budget for the whole fleet (`--rate`: all workers together).
    let pacer = backend.request_pacer(ctx.rate());
    let client = ctx.kling_for_fleet(slots, pacer)?;
    if let Some(dir) = &args.download {
        std::fs::create_dir_all(dir)
            .map_err(|e| kling_errors::IoError::new("create the folder", dir, e))?;
    }
    let name = args.name.clone().unwrap_or_else(|| {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
        format!("{host}-{}", std::process::id())
    });
    let mut options = WorkerOptions::default();
    options.concurrency = args.concurrency.unwrap_or(args.slots).max(1);
    options.claim_idle = args.claim_idle.max(Duration::from_millis(300));
    options.download_dir = args.download.clone();
    options.until_empty = args.until_empty;
    options.max_wait = ctx.settings.max_wait.as_ref().map(|m| m.value);
    options.callback_url = callback_url;
    let cancel = CancelHandle::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let printer = {
        let show = ctx.format == Format::Text && !ctx.quiet;
        tokio::spawn(async move {
            while let Some(outcome) = rx.recv().await {
                if show {
                    eprintln!("{}", describe(&outcome));
                }
            }
        })
    };
    let stop = cancel.clone();
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = interrupted.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            seen.store(true, std::sync::atomic::Ordering::SeqCst);
            stop.cancel();
        }
    });
    let on_outcome = move |outcome| {
        let _ = tx.send(outcome);
    };
    // RunBlob jobs need RunBlob's host and key; without them such a job is rejected with the
    // reason (its own account: no fleet slots).
    let runblob = ctx.runblob().ok();
    let report = run_worker::<kling_client_async::Client>(
        kling_redis::Clients::new(client, runblob),
        &*backend,
        &name,
        options,
        cancel,
        Some(Box::new(on_outcome)),
    )
    .await;
    ctrl_c.abort();
    let _ = printer.await;
    let report = report?;
    match ctx.format {
        Format::Json => ctx.emit(json!({"result": {
            "worker": name, "done": report.done, "failed": report.failed,
            "blocked": report.blocked, "unsettled": report.unsettled,
            "rejected": report.rejected, "retried": report.retried, "lost": report.lost,
        }})),
        Format::Text => {
            println!(
                "worker {name}: {} done, {} failed, {} blocked, {} unsettled, {} rejected, {} retried",
                report.done,
                report.failed,
                report.blocked,
                report.unsettled,
                report.rejected,
                report.retried
            );
            if report.lost > 0 {
                println!(
                    "{} job(s) taken over by other workers (this one lost its claim)",
                    report.lost
                );
            }
            if report.blocked > 0 {
                println!(
                    "blocked jobs wait for the account (credits, access): fix it, then `kling batch resume`"
                );
            }
        }
    }
    // Ctrl-C: the worker let go of what it held (its jobs stay queued for others); exit 130.
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(CommandError::Interrupted(None));
    }
    Ok(())
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Finished { record, files } => {
            let mut line = format!(
                "{} {} task {}",
                record.state.as_str(),
                record.external_task_id,
                record.task_id.as_deref().unwrap_or("-")
            );
            for f in files {
                line.push_str(&format!(" {}", f.display()));
            }
            if let Some(e) = &record.error {
                line.push_str(&format!(": {e}"));
            }
            line
        }
        Outcome::Rejected { entry, reason } => format!("rejected entry {entry}: {reason}"),
        Outcome::Lost { external_task_id } => {
            format!("{external_task_id}: taken over by another worker")
        }
        other => format!("{other:?}"),
    }
}
