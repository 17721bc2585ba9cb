//! `kling mcp`: the Model Context Protocol server (kling-mcp) with this command's credentials
//! and settings: over stdio (an agent's client starts it and speaks MCP on its stdin and
//! stdout; logs go to stderr, never to stdout), or over streamable HTTP on 127.0.0.1 behind a
//! bearer token (`--http`).

use std::path::PathBuf;

use clap::Args;
use kling_mcp::{KlingMcp, McpSettings};
use rmcp::ServiceExt;

use crate::batch::{RedisArgs, StoreArgs, open};
use crate::flow::Ctx;
use crate::output::CommandError;

/// `kling mcp`.
#[derive(Args)]
pub(crate) struct McpArgs {
    /// The job store, a SQLite file: the jobs outlive the server and the agent
    /// [default: $XDG_DATA_HOME/kling/mcp.db, or ~/.local/share/kling/mcp.db]
    #[arg(long, env = "KLING_MCP_STORE", value_name = "PATH")]
    store: Option<PathBuf>,
    #[command(flatten)]
    redis: RedisArgs,
    /// Where downloads go, one folder per job; nothing is written outside it
    /// [default: $XDG_DATA_HOME/kling/downloads, or ~/.local/share/kling/downloads]
    #[arg(long, env = "KLING_MCP_DOWNLOADS", value_name = "DIR")]
    downloads: Option<PathBuf>,
    /// What this session's creates may cost in all, in the units of the account's packs: a
    /// create whose estimate does not fit what is left is refused
    #[arg(long, value_name = "UNITS")]
    budget: Option<f64>,
    /// Serve streamable HTTP at http://ADDR:PORT/mcp instead of stdio; clients send the
    /// token as `Authorization: Bearer TOKEN`
    #[arg(long)]
    http: bool,
    /// With --http: the port (0: any free port; the address is printed on stderr)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// With --http: the address to listen on (127.0.0.1 unless told otherwise)
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    bind: std::net::IpAddr,
    /// With --http: the bearer token clients must send (32+ characters; e.g. `openssl rand
    /// -hex 32`)
    #[arg(
        long,
        env = "KLING_MCP_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
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
    // Usage mistakes are named before anything is opened.
    let token = if args.http {
        let token = args.token.clone().ok_or_else(|| {
            CommandError::usage(
                "--http needs a token: give --token or KLING_MCP_TOKEN (32+ characters; e.g. \
                 `openssl rand -hex 32`), and the same to the client as `Authorization: Bearer TOKEN`",
            )
        })?;
        let token = kling_mcp::HttpToken::new(token)
            .map_err(|e| CommandError::usage(format!("--token: {e}")))?;
        Some(token)
    } else {
        None
    };
    let store = match (&args.store, &args.redis.redis) {
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
    let backend = open(&StoreArgs::new(store, args.redis.clone()), false).await?;
    let downloads = match &args.downloads {
        Some(dir) => dir.clone(),
        None => data_dir()?.join("downloads"),
    };
    let mut settings = McpSettings::new(downloads);
    if let Some(units) = args.budget {
        settings = settings.budget(units);
    }
    // RunBlob jobs need its host and key; without them such a create is a tool error.
    let server = KlingMcp::new(ctx.kling()?, ctx.runblob().ok(), backend, settings);
    if let Some(token) = token {
        return serve_http(args, server, token).await;
    }
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CommandError::usage(format!("the MCP client did not start a session: {e}")))?;
    let _ = running.waiting().await;
    Ok(())
}

/// `kling mcp --http`: serves until Ctrl-C.
async fn serve_http(
    args: &McpArgs,
    server: KlingMcp,
    token: kling_mcp::HttpToken,
) -> Result<(), CommandError> {
    let (listener, addr) = crate::local::bind(args.bind, args.port).await?;
    eprintln!("serving MCP on http://{addr}/mcp (Ctrl-C stops)");
    let listener = listener
        .into_std()
        .map_err(|e| kling_errors::IoError::new("serve on", addr.to_string(), e))?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    kling_mcp::serve_http(server, token, listener, shutdown)
        .await
        .map_err(|e| kling_errors::IoError::new("serve on", addr.to_string(), e))?;
    Ok(())
}
