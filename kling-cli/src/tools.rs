//! Small commands: `kling download`, `kling auth token`, `kling errors`.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::{Args, Subcommand};
use kling_auth::Credentials;
use kling_client_async::prelude::*;
use kling_errors::ErrorCode;
use serde_json::json;

use crate::flow::Ctx;
use crate::output::{CommandError, Format, emit};

/// `kling download`.
#[derive(Args)]
pub(crate) struct DownloadArgs {
    /// The file URL
    url: String,
    /// Where to write it
    path: PathBuf,
}

/// `kling auth ...`.
#[derive(Subcommand)]
pub(crate) enum AuthCommand {
    /// Print a fresh JWT (valid 30 minutes)
    Token,
}

/// `kling errors`.
#[derive(Args)]
pub(crate) struct ErrorsArgs {
    /// A code, e.g. 1303 or INSUFFICIENT_CREDITS
    code: Option<String>,
}

/// Downloads one file, on a client without credentials (a download never sends any).
pub(crate) async fn download(args: &DownloadArgs, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.downloader()?;
    let done = client.download(&args.url, &args.path).await?;
    match ctx.format {
        Format::Json => {
            ctx.emit(json!({"files": [{"path": done.path, "bytes": done.bytes, "url": args.url}]}))
        }
        Format::Text => println!("saved {} ({} bytes)", done.path.display(), done.bytes),
    }
    Ok(())
}

/// Mints a token from the access key pair.
pub(crate) fn token(ctx: &Ctx) -> Result<(), CommandError> {
    match ctx.settings.kling_credentials()? {
        Credentials::AccessKey(pair) | Credentials::Both(pair, _) => {
            let token = kling_auth::mint(&pair, SystemTime::now())?;
            match ctx.format {
                Format::Json => ctx.emit(json!({"result": {"token": token.expose()}})),
                Format::Text => println!("{}", token.expose()),
            }
            Ok(())
        }
        _ => Err(kling_errors::AuthError::new(
            kling_errors::AuthFailure::Invalid,
            "KLING_API_KEY is a static key: use it as the bearer token directly",
        )
        .into()),
    }
}

/// Explains one code (of every dialect that has it), or lists them all.
pub(crate) fn explain(args: &ErrorsArgs, format: Format, cmd: &str) -> Result<(), CommandError> {
    let code = args.code.as_deref();
    let codes: Vec<ErrorCode> = match code {
        Some(c) => ErrorCode::lookup(c),
        None => kling_errors::CodeInfo::all()
            .iter()
            .filter_map(|i| ErrorCode::parse(i.dialect, i.code))
            .collect(),
    };
    if codes.is_empty() {
        // A lookup in the SDK's own table: nothing reached a server.
        return Err(CommandError::usage(format!(
            "no dialect has the code {:?} (`kling errors` lists every code)",
            code.unwrap_or_default()
        )));
    }
    let mut docs = Vec::new();
    for c in codes {
        let Some(info) = c.info() else { continue };
        let retry = |op| c.retry_class(op).map_or("-", |r| r.as_str());
        match format {
            Format::Json => docs.push(json!({
                "dialect": c.dialect().as_str(), "code": info.code, "name": info.name,
                "http_status": info.http_status, "kind": info.kind.map(|k| k.as_str()),
                "retry_read": retry(kling_errors::Operation::Read),
                "retry_create": retry(kling_errors::Operation::Create),
                "description": info.description, "remedy": info.remedy,
            })),
            Format::Text => {
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
    if format == Format::Json {
        // One code: its object; a list: an array (one JSON document either way).
        if docs.len() == 1 && code.is_some() {
            emit(cmd, json!({"result": docs[0]}));
        } else {
            emit(cmd, json!({"result": docs}));
        }
    }
    Ok(())
}
