//! `kling mcp`: the Model Context Protocol server (kling-mcp) over stdio, with this command's
//! credentials and settings: an agent's client starts it and speaks MCP on its stdin and
//! stdout (logs go to stderr, never to stdout).

use std::path::PathBuf;

use clap::Args;
use kling_mcp::{KlingMcp, McpSettings};
use rmcp::ServiceExt;

use crate::batch::{StoreArgs, open};
use crate::flow::Ctx;
use crate::output::CommandError;

/// `kling mcp`.
#[derive(Args)]
pub(crate) struct McpArgs {
    /// The job store, a SQLite file: the jobs outlive the server and the agent
    /// [default: $XDG_DATA_HOME/kling/mcp.db, or ~/.local/share/kling/mcp.db]
    #[arg(long, env = "KLING_MCP_STORE", value_name = "PATH")]
    store: Option<PathBuf>,
    /// Keep the jobs in this Redis instead (a fleet's): redis://host:port[/db]
    #[arg(
        long,
        env = "KLING_REDIS_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    redis: Option<String>,
    /// With --redis: the prefix of the keys
    #[arg(long, env = "KLING_REDIS_PREFIX", default_value = "kling")]
    prefix: String,
    /// Where downloads go, one folder per job; nothing is written outside it
    /// [default: $XDG_DATA_HOME/kling/downloads, or ~/.local/share/kling/downloads]
    #[arg(long, env = "KLING_MCP_DOWNLOADS", value_name = "DIR")]
    downloads: Option<PathBuf>,
    /// What this session's creates may cost in all, in the units of the account's packs: a
    /// create whose estimate does not fit what is left is refused
    #[arg(long, value_name = "UNITS")]
    budget: Option<f64>,
}

/// `$XDG_DATA_HOME/kling` (an absolute one), else `~/.local/share/kling`.
fn data_dir() -> Result<PathBuf, CommandError> {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|base| base.join("kling"))
        .ok_or_else(|| {
            CommandError::usage("no HOME to keep the jobs in: give --store and --downloads")
        })
}

/// `kling mcp`: serves MCP on stdin and stdout until the client closes them.
pub(crate) async fn serve(args: &McpArgs, ctx: &Ctx) -> Result<(), CommandError> {
    if let Some(budget) = args.budget
        && !(budget.is_finite() && budget >= 0.0)
    {
        return Err(CommandError::usage(
            "--budget must be a number of units, 0 or more",
        ));
    }
    let store = match (&args.store, &args.redis) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(_)) => None,
        (None, None) => Some(data_dir()?.join("mcp.db")),
    };
    if let Some(parent) = store
        .as_ref()
        .and_then(|p| p.parent())
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| kling_errors::IoError::new("create the folder", parent, e))?;
    }
    let backend = open(
        &StoreArgs::new(store, args.redis.clone(), args.prefix.clone()),
        false,
    )
    .await?;
    let downloads = match &args.downloads {
        Some(dir) => dir.clone(),
        None => data_dir()?.join("downloads"),
    };
    let mut settings = McpSettings::new(downloads);
    if let Some(units) = args.budget {
        settings = settings.budget(units);
    }
    let server = KlingMcp::new(ctx.kling()?, backend, settings);
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CommandError::usage(format!("the MCP client did not start a session: {e}")))?;
    let _ = running.waiting().await;
    Ok(())
}
