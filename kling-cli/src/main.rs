//! `kling`: generate videos, images and audio with Kling AI from a terminal, on the async
//! client of kling-rs. This file parses the command line, resolves the configuration, runs
//! the command and turns its outcome into an exit code; each command group has its module.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// The doc comments of clap types are help text, written for a terminal, not rustdoc.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]

mod account;
mod args;
mod audio;
mod batch;
mod cli;
mod config;
mod docs;
mod element;
mod flow;
mod help;
mod image;
mod input;
mod legacy;
mod lipsync;
mod local;
mod logs;
mod mcp;
mod mock;
mod models;
mod output;
mod runblob;
mod session;
mod task;
mod tools;
mod v2;
mod video;
mod voice;
mod webhook;

use std::process::ExitCode;

use crate::cli::Command;
use crate::flow::Ctx;
use crate::output::{CommandError, Format, report};

/// Runs one command.
async fn run(command: &Command, ctx: &mut Ctx) -> Result<(), CommandError> {
    match command {
        Command::Video(c) => video::run(c, ctx).await,
        Command::Image(c) => image::run(c, ctx).await,
        Command::Audio(c) => audio::run(c, ctx).await,
        Command::Element(c) => element::run(c, ctx).await,
        Command::Voice(c) => voice::run(c, ctx).await,
        Command::Session(c) => session::run(c, ctx).await,
        Command::Account(c) => account::run(c, ctx).await,
        Command::V2(c) => v2::run(c, ctx).await,
        Command::Runblob(c) => runblob::run(c, ctx).await,
        Command::Task(c) => task::run(c, ctx).await,
        Command::Batch(c) => batch::run(c, ctx).await,
        Command::Webhook(webhook::WebhookCommand::Verify(v)) => {
            webhook::verify(v, &ctx.settings, ctx.format, &ctx.command)
        }
        Command::Webhook(webhook::WebhookCommand::Listen(l)) => {
            webhook::listen(l, &ctx.settings, ctx.format, &ctx.command).await
        }
        Command::Models(m) => models::run(m, ctx.format, &ctx.command),
        Command::Config(c) => {
            config::run(c, &ctx.settings, ctx.format, &ctx.command);
            Ok(())
        }
        Command::Completions(c) => {
            docs::completions(c, ctx.format, &ctx.command);
            Ok(())
        }
        Command::Man(m) => docs::man(m, ctx.format, &ctx.command),
        Command::Download(d) => tools::download(d, ctx).await,
        Command::Auth(tools::AuthCommand::Token) => tools::token(ctx),
        Command::Errors(e) => tools::explain(e, ctx.format, &ctx.command),
        Command::Mock(m) => mock::serve(m, ctx.format, &ctx.command).await,
        Command::Demo(d) => mock::demo(d, ctx).await,
        Command::Mcp(m) => mcp::serve(m, ctx).await,
    }
}

/// Whether a command stops on Ctrl-C by itself (and then succeeds).
fn serves(command: &Command) -> bool {
    matches!(
        command,
        Command::Mock(_)
            | Command::Webhook(webhook::WebhookCommand::Listen(_))
            | Command::Batch(batch::BatchCommand::Work(_))
            | Command::Batch(batch::BatchCommand::Receive(_))
            | Command::Batch(batch::BatchCommand::Dashboard(_))
            | Command::Mcp(_)
    )
}

/// `kling ... | head` closes stdout early: end quietly, as a shell tool does on SIGPIPE,
/// instead of a panic from `println!` (restoring SIGPIPE itself would take `unsafe`).
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("Broken pipe") && message.contains("failed printing") {
            // 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe.
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let (cli, command) = match cli::parse() {
        Ok(parsed) => parsed,
        Err(e) => return report(&e, Format::Json),
    };
    let env = |name: &str| std::env::var(name).ok();
    let settings = match config::resolve(&cli.global, &env) {
        Ok(s) => s,
        Err(e) => return report(&e, cli.global.output.unwrap_or(Format::Text)),
    };
    let format = settings.output.value;
    let verbose = cli.global.verbose;
    let notes = logs::Notes::new(format == Format::Text && !cli.global.quiet && verbose == 0);
    if let Err(e) = logs::install(verbose, env("RUST_LOG").as_deref(), notes.clone()) {
        return report(&e, format);
    }
    let mut ctx = Ctx::new(command, settings, format, cli.global.quiet, notes);
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
    let serves = serves(&cli.command);
    let outcome = runtime.block_on(async {
        if serves {
            return run(&cli.command, &mut ctx).await;
        }
        // Ctrl-C drops the command's future: the SDK stops after the current request, and a
        // created task goes on (the report says how to wait for it again).
        tokio::select! {
            result = run(&cli.command, &mut ctx) => return result,
            _ = tokio::signal::ctrl_c() => {}
        }
        Err(CommandError::Interrupted(ctx.started()))
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e, format),
    }
}
