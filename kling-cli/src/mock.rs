//! `kling mock serve` and `kling demo`: the built-in kling-mock, for trying everything
//! without an account.

use std::time::Duration;

use clap::{Args, Subcommand};
use kling_client_async::prelude::*;
use kling_mock::{DEMO_ACCESS_KEY, DEMO_SECRET_KEY, MockConfig, MockServer, ServeArgs};
use kling_types::videos::CreateText2Video;
use kling_types::{Mode, Model};
use serde_json::json;

use crate::config::{Setting, Source};
use crate::flow::{Ctx, Fresh};
use crate::output::{CommandError, Format, emit};

/// `kling mock ...`.
#[derive(Subcommand)]
pub(crate) enum MockCommand {
    /// Serve the mock API until Ctrl-C (HTTP, or HTTPS with --tls)
    Serve(ServeArgs),
}

/// `kling demo`.
#[derive(Args)]
pub(crate) struct DemoArgs {
    /// Finish the mock task at once instead of after a few seconds
    #[arg(long)]
    instant: bool,
}

/// The mock could not start (a port in use, a certificate it cannot write): a local error
/// whose cause names the address or the path.
fn cannot_start(e: std::io::Error) -> CommandError {
    kling_errors::IoError::new("start", "the mock server", e).into()
}

/// Serves the mock until Ctrl-C.
pub(crate) async fn serve(
    command: &MockCommand,
    format: Format,
    cmd: &str,
) -> Result<(), CommandError> {
    let MockCommand::Serve(args) = command;
    let started = args.start().map_err(cannot_start)?;
    match format {
        Format::Json => emit(cmd, json!({"result": started.describe()})),
        Format::Text => println!("{}", started.describe_text()),
    }
    let _ = tokio::signal::ctrl_c().await;
    drop(started);
    Ok(())
}

/// A text-to-video job end to end on an in-process mock: create, wait with progress,
/// download into `./kling-demo/`.
pub(crate) async fn demo(args: &DemoArgs, ctx: &mut Ctx) -> Result<(), CommandError> {
    let config = if args.instant {
        MockConfig::instant()
    } else {
        MockConfig::demo()
    };
    let mock = MockServer::start(config).map_err(cannot_start)?;
    if ctx.format == Format::Text {
        eprintln!("kling-mock running at {} (demo credentials)", mock.api_url);
    }
    let demo = |value: &str| Setting {
        value: value.to_owned(),
        source: Source::Default,
    };
    let s = &mut ctx.settings;
    s.base_url = demo(&mock.api_url);
    (s.access_key, s.secret_key, s.api_key) = (
        Some(demo(DEMO_ACCESS_KEY)),
        Some(demo(DEMO_SECRET_KEY)),
        None,
    );
    if s.poll_interval.is_none() {
        // The mock is quick: poll every second rather than after 5 s.
        s.poll_interval = Some(Setting {
            value: Duration::from_secs(1),
            source: Source::Default,
        });
    }
    let client = ctx.kling()?;
    let request = CreateText2Video::new("A red fox trotting through fresh snow at dawn")
        .model(Model::KlingV2_6)
        .mode(Mode::Std)
        .duration(5);
    let created = client.create(request).await?;
    if ctx.format == Format::Text {
        eprintln!(
            "created task {} (external task id {})",
            created.task.task_id,
            created.external_task_id.as_deref().unwrap_or("-")
        );
    }
    let task = ctx
        .wait(&client, &created.query, Fresh::JustCreated)
        .await?;
    let files = ctx
        .save(&client, &task, std::path::Path::new("kling-demo"))
        .await?;
    match ctx.format {
        Format::Json => ctx.emit(json!({
            "task": crate::output::to_value(&task), "files": files,
            "request_id": created.request_id,
        })),
        Format::Text => println!("request id: {}", created.request_id.unwrap_or_default()),
    }
    Ok(())
}
