//! `kling`: generate videos and images with Kling AI from a terminal.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// The doc comments below are clap's help text, written for a terminal, not rustdoc.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::{Args, Parser, Subcommand, ValueEnum};
use kling_auth::Credentials;
use kling_client_async::prelude::*;
use kling_client_async::{Client, Config, CreateTask, WaitOptions};
use kling_errors::{Error, ErrorCode, ErrorKind};
use kling_types::common::WatermarkInfo;
use kling_types::videos::{CreateImage2Video, CreateText2Video};
use kling_types::{AspectRatio, Endpoint, Mode, Model, Sound, Task};
use serde_json::json;

const EXIT_CODES: &str = "Exit codes:
  0  success
  1  other failure
  2  bad command line
  3  authentication (missing, invalid or expired credentials)
  4  account: billing, permission
  5  invalid request, content policy, not found
  6  rate or concurrency limit
  7  the task failed
  8  timed out (the task may still finish: `kling task wait`)
  9  the create may or may not have happened (look it up by its external task id)
  10 network, server or unreadable response
  11 a local file or folder could not be read or written";

#[derive(Parser)]
#[command(name = "kling", version, about = "Generate videos and images with Kling AI", after_help = EXIT_CODES)]
struct Cli {
    /// API host [default: https://api-singapore.klingai.com]
    #[arg(long, env = "KLING_BASE_URL", global = true)]
    base_url: Option<String>,
    /// Access key (with --secret-key)
    #[arg(long, env = "KLING_ACCESS_KEY", global = true, hide_env_values = true)]
    access_key: Option<String>,
    /// Secret key (with --access-key)
    #[arg(long, env = "KLING_SECRET_KEY", global = true, hide_env_values = true)]
    secret_key: Option<String>,
    /// Static API key (instead of an access key pair)
    #[arg(long, env = "KLING_API_KEY", global = true, hide_env_values = true)]
    api_key: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Output::Text, global = true)]
    output: Output,
    /// Seconds before the first poll when waiting
    #[arg(long, value_name = "SECS", global = true)]
    poll_interval: Option<u64>,
    /// Longest wait, in seconds
    #[arg(long, value_name = "SECS", global = true)]
    max_wait: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Create video tasks
    #[command(subcommand)]
    Video(VideoCommand),
    /// Create image tasks
    #[command(subcommand)]
    Image(ImageCommand),
    /// Query tasks
    #[command(subcommand)]
    Task(TaskCommand),
    /// Download a result file (never sends your credentials)
    Download {
        /// The file URL
        url: String,
        /// Where to write it
        path: PathBuf,
    },
    /// Resource packs of the account
    #[command(subcommand)]
    Account(AccountCommand),
    /// Print a fresh token for the access key pair (for curl)
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Explain an error code of any dialect (Kling, RunBlob, Pikzels); all codes without one
    Errors {
        /// A code, e.g. 1303 or INSUFFICIENT_CREDITS
        code: Option<String>,
    },
    /// Run the built-in mock server
    #[command(subcommand)]
    Mock(MockCommand),
    /// Run a text-to-video job end to end on the built-in mock (no account needed)
    Demo {
        /// Finish the mock task at once instead of after a few seconds
        #[arg(long)]
        instant: bool,
    },
}

#[derive(Subcommand)]
enum VideoCommand {
    /// Text to video
    Text2video {
        #[command(flatten)]
        common: VideoArgs,
        /// Aspect ratio: 16:9, 9:16 or 1:1
        #[arg(long)]
        aspect_ratio: Option<String>,
    },
    /// Image to video (the image is a file path or a URL)
    Image2video {
        #[command(flatten)]
        common: VideoArgs,
        /// Start frame: a file path or a URL
        #[arg(long)]
        image: String,
        /// End frame: a file path or a URL
        #[arg(long)]
        image_tail: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImageCommand {
    /// Images from text (and optionally a reference image)
    Generate {
        /// What to draw
        #[arg(long)]
        prompt: String,
        /// Model, e.g. kling-v2-1, kling-v3 (any name is passed through)
        #[arg(long)]
        model: Option<String>,
        /// How many images, 1-9
        #[arg(long)]
        n: Option<u32>,
        /// Aspect ratio: 16:9, 9:16, 1:1, 4:3, 3:4, 3:2, 2:3, 21:9
        #[arg(long)]
        aspect_ratio: Option<String>,
        /// Resolution
        #[arg(long, value_enum)]
        resolution: Option<ResolutionArg>,
        /// A reference image: a file path or a URL
        #[arg(long)]
        image: Option<String>,
        /// What to avoid (not with a reference image)
        #[arg(long)]
        negative_prompt: Option<String>,
        #[command(flatten)]
        flow: FlowArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ResolutionArg {
    #[value(name = "1k")]
    OneK,
    #[value(name = "2k")]
    TwoK,
}

/// What happens after the create: shared by every create command.
#[derive(Args)]
struct FlowArgs {
    /// Your id for the task (generated when absent)
    #[arg(long)]
    external_task_id: Option<String>,
    /// Where Kling POSTs status changes
    #[arg(long)]
    callback_url: Option<String>,
    /// Wait for the task to finish
    #[arg(long)]
    wait: bool,
    /// Wait, then download the results into this directory
    #[arg(long, value_name = "DIR")]
    download: Option<PathBuf>,
    /// Print the exact HTTP request (token redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
struct VideoArgs {
    /// What to generate
    #[arg(long, default_value = "")]
    prompt: String,
    /// Model, e.g. kling-v2-6, kling-v3 (any name is passed through)
    #[arg(long)]
    model: Option<String>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Length in seconds
    #[arg(long)]
    duration: Option<u32>,
    /// What to avoid
    #[arg(long)]
    negative_prompt: Option<String>,
    /// Prompt adherence in [0, 1] (v1.x models)
    #[arg(long)]
    cfg_scale: Option<f64>,
    /// Native sound (v2.6 and later)
    #[arg(long, value_enum)]
    sound: Option<SoundArg>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    flow: FlowArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Std,
    Pro,
    #[value(name = "4k")]
    FourK,
}

#[derive(Clone, Copy, ValueEnum)]
enum SoundArg {
    On,
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum Family {
    Text2video,
    Image2video,
    MultiImage2video,
    Extend,
    OmniVideo,
    MotionControl,
    Avatar,
    Effects,
    ImageGenerations,
    OmniImage,
    Expand,
    TryOn,
    VideoToAudio,
    TextToAudio,
}

impl Family {
    fn path(self) -> &'static str {
        match self {
            Self::Text2video => "/v1/videos/text2video",
            Self::Image2video => "/v1/videos/image2video",
            Self::MultiImage2video => "/v1/videos/multi-image2video",
            Self::Extend => "/v1/videos/video-extend",
            Self::OmniVideo => "/v1/videos/omni-video",
            Self::MotionControl => "/v1/videos/motion-control",
            Self::Avatar => "/v1/videos/avatar/image2video",
            Self::Effects => "/v1/videos/effects",
            Self::ImageGenerations => "/v1/images/generations",
            Self::OmniImage => "/v1/images/omni-image",
            Self::Expand => "/v1/images/editing/expand",
            Self::TryOn => "/v1/images/kolors-virtual-try-on",
            Self::VideoToAudio => "/v1/audio/video-to-audio",
            Self::TextToAudio => "/v1/audio/text-to-audio",
        }
    }
}

#[derive(Subcommand)]
enum TaskCommand {
    /// One task, by task id or external task id
    Get { family: Family, id: String },
    /// Recent tasks of a family
    List {
        family: Family,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 30)]
        page_size: u32,
    },
    /// Wait for a task to finish
    Wait { family: Family, id: String },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Resource packs active in the last DAYS days
    Costs {
        #[arg(long, default_value_t = 30)]
        days: u64,
    },
}

#[derive(Subcommand)]
enum AuthCommand {
    /// Print a fresh JWT
    Token,
}

#[derive(Subcommand)]
enum MockCommand {
    /// Serve the mock API until Ctrl-C
    Serve {
        /// API port (0: any free port)
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Tasks finish at once
        #[arg(long)]
        instant: bool,
        /// Inject a fault: "[METHOD] PATH ACTION [xN]", ACTION = STATUS:CODE, STATUS:CODE:retry=SECS, html502, truncate, stall or delay=MS
        #[arg(long)]
        fault: Vec<String>,
    },
}

/// A query of any legacy family, by path (the CLI knows families by name only).
#[derive(Debug, Clone)]
struct GetTask(String);

impl Endpoint for GetTask {
    type Response = Task;
    type Body = ();
    fn method(&self) -> kling_types::Method {
        kling_types::Method::Get
    }
    fn path(&self) -> String {
        self.0.clone()
    }
    fn body(&self) -> Option<&()> {
        None
    }
}

impl kling_types::TaskQuery for GetTask {
    type Task = Task;
    fn task_ref(&self) -> kling_types::TaskRef {
        kling_types::TaskRef::TaskId(self.0.rsplit('/').next().unwrap_or_default().to_owned())
    }
    fn task(&self, task: Task) -> Option<Task> {
        Some(task)
    }
}

/// A list of any legacy family.
struct ListTasks(String, u32, u32);

impl Endpoint for ListTasks {
    type Response = Vec<Task>;
    type Body = ();
    fn method(&self) -> kling_types::Method {
        kling_types::Method::Get
    }
    fn path(&self) -> String {
        self.0.clone()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("pageNum", self.1.to_string()),
            ("pageSize", self.2.to_string()),
        ]
    }
    fn body(&self) -> Option<&()> {
        None
    }
}

/// The exit code of an error, by kind.
fn exit_code(error: &Error) -> u8 {
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

fn report(error: &Error, output: Output) -> ExitCode {
    match output {
        Output::Json => println!(
            "{}",
            json!({"error": {
                "kind": error.kind().as_str(),
                "code": error.code().map(|c| c.as_wire().into_owned()),
                "http_status": error.http_status(),
                "message": error.to_string(),
                "request_id": error.request_id(),
                "retryable": error.is_retryable(),
                "external_task_id": error.external_task_id(),
            }})
        ),
        Output::Text => {
            eprintln!("error: {error}");
            let mut cause = std::error::Error::source(error);
            while let Some(c) = cause {
                eprintln!("  caused by: {c}");
                cause = c.source();
            }
            if let Some(id) = error.external_task_id() {
                eprintln!("external task id: {id}");
            }
        }
    }
    ExitCode::from(exit_code(error))
}

/// An image flag: a URL as is, a file read and base64-encoded.
fn image_input(value: &str) -> Result<String, Error> {
    if value.starts_with("http://") || value.starts_with("https://") || value.starts_with("data:") {
        return Ok(value.to_owned());
    }
    let bytes = std::fs::read(value).map_err(|e| kling_errors::IoError::new("read", value, e))?;
    Ok(base64(&bytes))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

struct App {
    client: Client,
    output: Output,
    max_wait: Option<Duration>,
}

fn credentials(cli: &Cli) -> Result<Credentials, Error> {
    let ak = cli.access_key.clone().filter(|s| !s.is_empty());
    let sk = cli.secret_key.clone().filter(|s| !s.is_empty());
    let api = cli.api_key.clone().filter(|s| !s.is_empty());
    Ok(Credentials::from_lookup(|name| match name {
        kling_auth::ENV_ACCESS_KEY => ak.clone(),
        kling_auth::ENV_SECRET_KEY => sk.clone(),
        kling_auth::ENV_API_KEY => api.clone(),
        _ => None,
    })?)
}

fn build_app(
    cli: &Cli,
    base_url: Option<String>,
    creds: Credentials,
    tweak: impl FnOnce(&mut Config),
) -> Result<App, Error> {
    let mut config = Config::default();
    if let Some(url) = base_url.or_else(|| cli.base_url.clone()) {
        config.base_url = url.trim_end_matches('/').to_owned();
    }
    if let Some(secs) = cli.poll_interval {
        config.poll.first_delay = Duration::from_secs(secs);
    }
    tweak(&mut config);
    let client = Client::builder()
        .credentials(creds)
        .config(config)
        .build()?;
    Ok(App {
        client,
        output: cli.output,
        max_wait: cli.max_wait.map(Duration::from_secs),
    })
}

impl App {
    fn wait_options(&self) -> (WaitOptions<'static>, Option<indicatif::ProgressBar>) {
        let bar = (self.output == Output::Text && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let mut options = WaitOptions::new();
        if let Some(max) = self.max_wait {
            options = options.max_wait(max);
        }
        let b = bar.clone();
        let quiet_lines = self.output == Output::Text;
        let mut last = String::new();
        let options = options.progress(move |p| {
            if let Some(bar) = &b {
                bar.set_message(format!("{}  {:.0?}", p.status, p.elapsed));
            } else if quiet_lines && p.status != last {
                // Piped: one line per status change, no animation.
                eprintln!("{}  {:.0?}", p.status, p.elapsed);
                last.clone_from(&p.status);
            }
        });
        (options, bar)
    }

    fn print_task(&self, task: &Task) {
        match self.output {
            Output::Json => println!("{}", serde_json::to_string(task).unwrap_or_default()),
            Output::Text => {
                println!("task {}: {}", task.task_id, task.task_status);
                if let Some(ext) = task.external_task_id() {
                    println!("external task id: {ext}");
                }
                if let Some(msg) = task.failure_message() {
                    println!("reason: {msg}");
                }
                for v in &task.task_result.videos {
                    println!("video: {}", v.url);
                }
                for i in &task.task_result.images {
                    println!("image: {}", i.url);
                }
            }
        }
    }

    async fn run_create<E>(&self, request: E, args: &FlowArgs) -> Result<(), Error>
    where
        E: CreateTask<Response = Task>,
        E::Query: kling_types::TaskQuery<Task = Task>,
    {
        if args.dry_run {
            let prepared = self.client.prepare(&request)?;
            println!("{} {}", prepared.method.as_str(), prepared.url);
            for (k, v) in &prepared.headers {
                let v = if kling_core::http::is_sensitive_header(k) {
                    "[redacted]"
                } else {
                    v
                };
                println!("{k}: {v}");
            }
            if let Some(body) = &prepared.body {
                let pretty = serde_json::from_slice::<serde_json::Value>(body)
                    .and_then(|v| serde_json::to_string_pretty(&v))
                    .unwrap_or_default();
                println!("\n{pretty}");
            }
            return Ok(());
        }
        let created = self.client.create(request).await?;
        if !(args.wait || args.download.is_some()) {
            self.print_task(&created.task);
            return Ok(());
        }
        let (options, bar) = self.wait_options();
        let task = self.client.wait(&created.query, options).await;
        let task = match &created.external_task_id {
            Some(id) => task.map_err(|e| e.with_external_task_id(id.clone())),
            None => task,
        };
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let task = task?;
        self.print_task(&task);
        if let Some(dir) = &args.download {
            self.download_results(&task, dir, true).await?;
        }
        Ok(())
    }

    async fn download_results(
        &self,
        task: &Task,
        dir: &std::path::Path,
        announce: bool,
    ) -> Result<Vec<PathBuf>, Error> {
        std::fs::create_dir_all(dir)
            .map_err(|e| kling_errors::IoError::new("create the folder", dir, e))?;
        let mut paths = Vec::new();
        for file in task.result_files() {
            let done = self
                .client
                .download(&file.url, dir.join(&file.file_name))
                .await?;
            if announce && self.output == Output::Text {
                println!("saved {} ({} bytes)", done.path.display(), done.bytes);
            }
            paths.push(done.path);
        }
        Ok(paths)
    }
}

fn video_common(args: &VideoArgs) -> (Option<Model>, Option<Mode>, Option<Sound>) {
    (
        args.model.as_deref().map(Model::from),
        args.mode.map(|m| match m {
            ModeArg::Std => Mode::Std,
            ModeArg::Pro => Mode::Pro,
            ModeArg::FourK => Mode::FourK,
        }),
        args.sound.map(|s| match s {
            SoundArg::On => Sound::On,
            SoundArg::Off => Sound::Off,
        }),
    )
}

fn explain(code: Option<&str>, output: Output) -> Result<(), Error> {
    let codes: Vec<ErrorCode> = match code {
        Some(c) => ErrorCode::lookup(c),
        None => kling_errors::CodeInfo::all()
            .iter()
            .filter_map(|i| ErrorCode::parse(i.dialect, i.code))
            .collect(),
    };
    if codes.is_empty() {
        return Err(kling_errors::ValidationError::new(
            "code",
            kling_errors::KlingCode::InvalidParameter,
            &format!("no dialect has the code {:?}", code.unwrap_or_default()),
        )
        .into());
    }
    for c in codes {
        let info = c.info().expect("lookup returns known codes");
        let retry = |op| c.retry_class(op).map_or("-", |r| r.as_str());
        match output {
            Output::Json => println!(
                "{}",
                json!({"dialect": c.dialect().as_str(), "code": info.code, "name": info.name, "http_status": info.http_status,
                       "kind": info.kind.map(|k| k.as_str()), "retry_read": retry(kling_errors::Operation::Read),
                       "retry_create": retry(kling_errors::Operation::Create), "description": info.description, "remedy": info.remedy})
            ),
            Output::Text => {
                println!("{c} ({})", info.name);
                println!(
                    "  HTTP {}  kind {}  retry: reads {}, creates {}",
                    info.http_status.map_or("-".to_owned(), |s| s.to_string()),
                    info.kind.map_or("-", |k| k.as_str()),
                    retry(kling_errors::Operation::Read),
                    retry(kling_errors::Operation::Create)
                );
                println!("  {}", info.description);
                println!("  remedy: {}", info.remedy);
            }
        }
    }
    Ok(())
}

/// Starts the built-in mock.
fn start_mock(config: kling_mock::MockConfig, port: u16) -> Result<kling_mock::MockServer, Error> {
    kling_mock::MockServer::start_on(config, port).map_err(|e| {
        kling_errors::TransportError::new(
            kling_errors::TransportFailure::Io,
            kling_errors::TransportPhase::BeforeSend,
            kling_errors::Operation::Read,
            &format!("cannot start the mock: {e}"),
        )
        .into()
    })
}

async fn demo(cli: &Cli, instant: bool) -> Result<(), Error> {
    let config = if instant {
        kling_mock::MockConfig::instant()
    } else {
        kling_mock::MockConfig::demo()
    };
    let mock = start_mock(config, 0)?;
    eprintln!("kling-mock running at {} (demo credentials)", mock.api_url);
    let creds = Credentials::access_key(kling_mock::DEMO_ACCESS_KEY, kling_mock::DEMO_SECRET_KEY)?;
    let quick = cli.poll_interval.is_none();
    let app = build_app(cli, Some(mock.api_url.clone()), creds, |config| {
        if quick {
            // The mock is quick: poll every second rather than after 5 s.
            config.poll.first_delay = Duration::from_secs(1);
            config.poll.cap = Duration::from_secs(2);
        }
    })?;
    let request = CreateText2Video::new("A red fox trotting through fresh snow at dawn")
        .model(Model::KlingV2_6)
        .mode(Mode::Std)
        .duration(5);
    let created = app.client.create(request).await?;
    let create_request_id = created.request_id.clone();
    eprintln!(
        "created task {} (external task id {})",
        created.task.task_id,
        created.external_task_id.as_deref().unwrap_or("-")
    );
    let (options, bar) = app.wait_options();
    let task = app.client.wait(&created.query, options).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let task = task?;
    let paths = app
        .download_results(&task, std::path::Path::new("kling-demo"), false)
        .await?;
    match app.output {
        Output::Json => println!(
            "{}",
            json!({"task_id": task.task_id, "request_id": create_request_id, "files": paths})
        ),
        Output::Text => {
            for p in &paths {
                println!("{}", p.display());
            }
            println!("request id: {}", create_request_id.unwrap_or_default());
        }
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Errors { code } => explain(code.as_deref(), cli.output),
        Command::Demo { instant } => demo(&cli, *instant).await,
        Command::Mock(MockCommand::Serve {
            port,
            instant,
            fault,
        }) => {
            let config = if *instant {
                kling_mock::MockConfig::instant()
            } else {
                kling_mock::MockConfig::demo()
            };
            let faults = fault
                .iter()
                .map(|f| kling_mock::Fault::parse(f))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    kling_errors::ValidationError::new(
                        "fault",
                        kling_errors::KlingCode::InvalidParameter,
                        &e,
                    )
                })?;
            let mock = start_mock(config, *port)?;
            for f in faults {
                mock.add_fault(f);
            }
            println!(
                "kling-mock listening on {}\nfiles served from {}\n",
                mock.api_url, mock.files_url
            );
            println!(
                "export KLING_BASE_URL={}\nexport KLING_ACCESS_KEY={}\nexport KLING_SECRET_KEY={}",
                mock.api_url,
                kling_mock::DEMO_ACCESS_KEY,
                kling_mock::DEMO_SECRET_KEY
            );
            loop {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        }
        Command::Auth(AuthCommand::Token) => match credentials(&cli)? {
            Credentials::AccessKey(pair) => {
                println!("{}", kling_auth::mint(&pair, SystemTime::now())?.expose());
                Ok(())
            }
            _ => Err(kling_errors::AuthError::new(
                kling_errors::AuthFailure::Invalid,
                "KLING_API_KEY is a static key: use it as the bearer token directly",
            )
            .into()),
        },
        command => {
            let app = build_app(&cli, None, credentials(&cli)?, |_| {})?;
            match command {
                Command::Video(VideoCommand::Text2video {
                    common,
                    aspect_ratio,
                }) => {
                    let (model, mode, sound) = video_common(common);
                    let mut r = CreateText2Video::new(common.prompt.clone());
                    r.model = model;
                    r.mode = mode;
                    r.sound = sound;
                    r.duration = common.duration.map(Into::into);
                    r.negative_prompt = common.negative_prompt.clone();
                    r.cfg_scale = common.cfg_scale;
                    r.aspect_ratio = aspect_ratio.as_deref().map(AspectRatio::from);
                    r.external_task_id = common.flow.external_task_id.clone();
                    r.callback_url = common.flow.callback_url.clone();
                    r.watermark_info = common.watermark.then(|| WatermarkInfo::new(true));
                    app.run_create(r, &common.flow).await
                }
                Command::Video(VideoCommand::Image2video {
                    common,
                    image,
                    image_tail,
                }) => {
                    let (model, mode, sound) = video_common(common);
                    let mut r = CreateImage2Video::new(image_input(image)?);
                    r.image_tail = image_tail
                        .as_deref()
                        .map(image_input)
                        .transpose()?
                        .map(Into::into);
                    r.prompt = Some(common.prompt.clone()).filter(|p| !p.is_empty());
                    r.model = model;
                    r.mode = mode;
                    r.sound = sound;
                    r.duration = common.duration.map(Into::into);
                    r.negative_prompt = common.negative_prompt.clone();
                    r.cfg_scale = common.cfg_scale;
                    r.external_task_id = common.flow.external_task_id.clone();
                    r.callback_url = common.flow.callback_url.clone();
                    r.watermark_info = common.watermark.then(|| WatermarkInfo::new(true));
                    app.run_create(r, &common.flow).await
                }
                Command::Image(ImageCommand::Generate {
                    prompt,
                    model,
                    n,
                    aspect_ratio,
                    resolution,
                    image,
                    negative_prompt,
                    flow,
                }) => {
                    let mut r = kling_types::images::CreateImageGeneration::new(prompt.clone());
                    r.model = model.as_deref().map(Model::from);
                    r.n = *n;
                    r.aspect_ratio = aspect_ratio.as_deref().map(AspectRatio::from);
                    r.resolution = resolution.map(|x| match x {
                        ResolutionArg::OneK => kling_types::images::ImageResolution::OneK,
                        ResolutionArg::TwoK => kling_types::images::ImageResolution::TwoK,
                    });
                    r.image = image
                        .as_deref()
                        .map(image_input)
                        .transpose()?
                        .map(Into::into);
                    r.negative_prompt = negative_prompt.clone();
                    r.external_task_id = flow.external_task_id.clone();
                    r.callback_url = flow.callback_url.clone();
                    app.run_create(r, flow).await
                }
                Command::Task(TaskCommand::Get { family, id }) => {
                    let task = app
                        .client
                        .get(&GetTask(format!("{}/{id}", family.path())))
                        .await?;
                    app.print_task(&task);
                    Ok(())
                }
                Command::Task(TaskCommand::List {
                    family,
                    page,
                    page_size,
                }) => {
                    let tasks = app
                        .client
                        .get(&ListTasks(family.path().to_owned(), *page, *page_size))
                        .await?;
                    match app.output {
                        Output::Json => {
                            println!("{}", serde_json::to_string(&tasks).unwrap_or_default())
                        }
                        Output::Text => {
                            for t in &tasks {
                                println!(
                                    "{}  {}  {}",
                                    t.task_id,
                                    t.task_status,
                                    t.external_task_id().unwrap_or("-")
                                );
                            }
                        }
                    }
                    Ok(())
                }
                Command::Task(TaskCommand::Wait { family, id }) => {
                    let (options, bar) = app.wait_options();
                    let task = app
                        .client
                        .wait(&GetTask(format!("{}/{id}", family.path())), options)
                        .await;
                    if let Some(bar) = bar {
                        bar.finish_and_clear();
                    }
                    app.print_task(&task?);
                    Ok(())
                }
                Command::Download { url, path } => {
                    let done = app.client.download(url, path).await?;
                    println!("saved {} ({} bytes)", done.path.display(), done.bytes);
                    Ok(())
                }
                Command::Account(AccountCommand::Costs { days }) => {
                    let now = SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as i64);
                    let start = now - (*days as i64) * 86_400_000;
                    let costs = app
                        .client
                        .get(&kling_types::account::GetAccountCosts::new(start, now))
                        .await?;
                    match app.output {
                        Output::Json => {
                            println!("{}", serde_json::to_string(&costs).unwrap_or_default())
                        }
                        Output::Text => {
                            for p in &costs.resource_pack_subscribe_infos {
                                println!(
                                    "{}  {}/{}  {}",
                                    p.resource_pack_name,
                                    p.remaining_quantity.unwrap_or(0.0),
                                    p.total_quantity.unwrap_or(0.0),
                                    p.status.as_deref().unwrap_or("-")
                                );
                            }
                        }
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = cli.output;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e, output),
    }
}
