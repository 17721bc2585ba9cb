//! The command tree: global options and every command group. The groups' own arguments are
//! in their modules; the types they share are in `args.rs`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::args::parse_duration;
use crate::output::Format;
use crate::{
    account, audio, batch, config, docs, element, image, mock, models, runblob, session, task,
    tools, v2, video, voice, webhook,
};

/// The exit codes, shown under `kling --help`.
pub(crate) const EXIT_CODES: &str = "Exit codes:
  0    success
  1    other failure
  2    bad command line or config file
  3    authentication (missing, invalid or expired credentials; a webhook signature that does not match)
  4    account: billing, permission
  5    invalid request, content policy, not found
  6    rate or concurrency limit
  7    the task failed (or the wait was cancelled)
  8    timed out (the task may still finish: `kling task wait`)
  9    the create may or may not have happened (look it up by its external task id)
  10   network, server or unreadable response
  11   a local file or folder could not be read or written
  130  interrupted (Ctrl-C); a created task goes on";

/// The `kling` command.
#[derive(Parser)]
#[command(
    name = "kling",
    version,
    about = "Generate videos, images and audio with Kling AI (legacy API, new standard, RunBlob)",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub(crate) global: Global,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes. Each may also come from the environment or a profile of the
/// config file: flags win over the environment, which wins over the profile.
#[derive(Args, Default)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Global {
    /// Profile of the config file [env: KLING_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Config file [env: KLING_CONFIG] [default: $XDG_CONFIG_HOME/kling/config.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// API host [env: KLING_BASE_URL] [default: https://api-singapore.klingai.com]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// API region, when no base URL is set [env: KLING_REGION]
    #[arg(long, global = true, value_enum)]
    pub(crate) region: Option<config::Region>,
    /// Access key, with --secret-key [env: KLING_ACCESS_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub(crate) access_key: Option<String>,
    /// Secret key, with --access-key [env: KLING_SECRET_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub(crate) secret_key: Option<String>,
    /// API key: instead of an access key pair; the only key the new standard (`kling v2`) takes [env: KLING_API_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub(crate) api_key: Option<String>,
    /// RunBlob host [env: KLING_RUNBLOB_URL] [default: https://platform.runblob.io]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) runblob_url: Option<String>,
    /// RunBlob API key (`kling runblob`) [env: KLING_RUNBLOB_API_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub(crate) runblob_api_key: Option<String>,
    /// Output format [env: KLING_OUTPUT] [default: text]
    #[arg(long, global = true, value_enum)]
    pub(crate) output: Option<Format>,
    /// Poll a running task at this steady cadence: 500ms, 5s, 2m (a bare number is seconds; at least 1 s against Kling) [env: KLING_POLL_INTERVAL] [default: 5s, growing to 30s]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) poll_interval: Option<Duration>,
    /// Longest wait for a task; then exit 8 and the task goes on [env: KLING_MAX_WAIT] [default: 30m]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) max_wait: Option<Duration>,
    /// Requests a second this command may send (a batch fleet: all its workers together);
    /// halved by each 1302 and earned back slowly [env: KLING_RATE] [default: 20]
    #[arg(long, global = true, value_name = "PER_SECOND")]
    pub(crate) rate: Option<f64>,
    /// Trust only the certificates of this PEM file, instead of the system's (a private CA, a
    /// proxy, `kling mock serve --tls`) [env: KLING_CA_CERT]
    #[arg(long, global = true, value_name = "PEM")]
    pub(crate) ca_cert: Option<PathBuf>,
    /// Let downloads reach this host even where it resolves to a private, loopback or
    /// link-local address (repeat; `any`: every address). Result URLs may otherwise point only
    /// at public addresses (the API's own host is always allowed) [env: KLING_ALLOW_DOWNLOAD_HOSTS, comma-separated]
    #[arg(long = "allow-download-host", global = true, value_name = "HOST")]
    pub(crate) allow_download_hosts: Vec<String>,
    /// Show no progress on stderr
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    /// Log what the SDK does on stderr (-v: requests, retries, tasks; -vv: every poll); RUST_LOG
    /// (`kling_core=debug`) chooses instead
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// Every command.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Create video tasks (legacy API)
    #[command(subcommand)]
    Video(video::VideoCommand),
    /// Create image tasks (legacy API)
    #[command(subcommand)]
    Image(image::ImageCommand),
    /// Speech, sound effects and soundtracks (legacy API)
    #[command(subcommand)]
    Audio(audio::AudioCommand),
    /// The element (subject) library
    #[command(subcommand)]
    Element(element::ElementCommand),
    /// Custom and preset voices
    #[command(subcommand)]
    Voice(voice::VoiceCommand),
    /// Multi-element video editing: select parts of a video, then add, swap or remove them
    #[command(subcommand)]
    Session(session::SessionCommand),
    /// Resource packs and billing of the account
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// The new standard API (model in the path; API key only)
    #[command(subcommand)]
    V2(v2::V2Command),
    /// Kling through the RunBlob gateway
    #[command(subcommand)]
    Runblob(runblob::RunblobCommand),
    /// Query, list and wait for tasks of any legacy family
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Batches run by workers sharing one account's slots, every job once: on this machine
    /// (a SQLite file, the default) or on many through Redis
    #[command(subcommand)]
    Batch(batch::BatchCommand),
    /// Verify or receive webhooks (Standard Webhooks signatures)
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// What each video model accepts: modes, durations, sound, end frame...
    Models(models::ModelsArgs),
    /// The config file and the effective configuration
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Print a shell completion script
    Completions(docs::CompletionsArgs),
    /// Print the man page (or write one page per command into a folder)
    Man(docs::ManArgs),
    /// Download a result file (never sends your credentials)
    Download(tools::DownloadArgs),
    /// Print a fresh token for the access key pair (for curl)
    #[command(subcommand)]
    Auth(tools::AuthCommand),
    /// Explain an error code of any dialect (Kling, RunBlob, Pikzels); all codes without one
    Errors(tools::ErrorsArgs),
    /// Run the built-in mock server
    #[command(subcommand)]
    Mock(mock::MockCommand),
    /// Run a text-to-video job end to end on the built-in mock (no account needed)
    Demo(mock::DemoArgs),
    /// Serve the Model Context Protocol on stdio, for agents (Claude, Cursor, VS Code): create,
    /// wait for and download jobs, within a budget, never paying twice
    Mcp(crate::mcp::McpArgs),
}

/// The command tree as parsed and documented: with the examples of every create.
pub(crate) fn command() -> clap::Command {
    use clap::CommandFactory;
    crate::help::with_examples(Cli::command())
}

/// Parses the command line: the options and the command's path (`task get`). A usage error
/// exits 2 with clap's message; under `--output json` (or `KLING_OUTPUT=json`) it comes back
/// as the error, for the JSON error document on stdout.
pub(crate) fn parse() -> Result<(Cli, String), crate::output::CommandError> {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, path_of(&m))));
    match parsed {
        Ok(parsed) => Ok(parsed),
        // `--help` and `--version` are not errors: clap prints them.
        Err(e) if wants_json(&args) && e.use_stderr() => {
            let message = e.render().to_string();
            let message = message.trim().trim_start_matches("error: ");
            Err(crate::output::CommandError::usage(message))
        }
        Err(e) => e.exit(),
    }
}

/// The names of the subcommands `matches` went through: `task get`.
fn path_of(matches: &clap::ArgMatches) -> String {
    let mut names = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        names.push(name);
        m = sub;
    }
    names.join(" ")
}

/// Whether the command line (or the environment) asks for JSON output: then even a command
/// line clap cannot parse is answered in JSON.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let flag = args
        .windows(2)
        .any(|w| w[0] == "--output" && w[1] == "json")
        || args.iter().any(|a| a == "--output=json");
    flag || std::env::var("KLING_OUTPUT").is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
