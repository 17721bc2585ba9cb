//! `kling task get|list|wait|families`: any legacy task family, by the name the family table
//! of kling-types gives it (`kling_types::FAMILIES`), over its generic queries.

use std::path::{Path, PathBuf};

use clap::builder::PossibleValuesParser;
use clap::{Args, Subcommand};
use kling_client_async::prelude::*;
use kling_client_async::{Client, Pollable};
use kling_types::family::{Group, Produces};
use kling_types::{FAMILIES, Family, Task, TaskRef};
use serde_json::json;

use crate::flow::{Ctx, Fresh};
use crate::output::{CommandError, Format, emit, print_task, print_tasks, to_value};

/// `kling task ...`.
#[derive(Subcommand)]
pub(crate) enum TaskCommand {
    /// One task, by task id (or --external: your external task id)
    Get(One),
    /// Recent tasks of a family, a page at a time
    List(List),
    /// Wait for a task to finish (and download its files)
    Wait(One),
    /// The task families: names, what they make, their paths
    Families,
}

fn family_parser() -> PossibleValuesParser {
    PossibleValuesParser::new(FAMILIES.iter().map(|f| f.name))
}

/// A family and one of its tasks.
#[derive(Args)]
pub(crate) struct One {
    /// The family (`kling task families` lists them)
    #[arg(value_parser = family_parser())]
    family: String,
    /// The task id
    id: String,
    /// ID is your external task id
    #[arg(long)]
    external: bool,
    /// Download the task's result files into DIR
    #[arg(long, value_name = "DIR")]
    download: Option<PathBuf>,
}

/// `kling task list`.
#[derive(Args)]
pub(crate) struct List {
    /// The family (`kling task families` lists them)
    #[arg(value_parser = family_parser())]
    family: String,
    /// The page, from 1
    #[arg(long, default_value_t = 1)]
    page: u32,
    /// Tasks per page
    #[arg(long, default_value_t = 30)]
    page_size: u32,
}

fn family(name: &str) -> Result<&'static Family, CommandError> {
    Family::named(name).ok_or_else(|| CommandError::usage(format!("unknown task family {name:?}")))
}

/// Reads one legacy task and prints it (downloading its files when asked).
pub(crate) async fn get_task<Q>(
    ctx: &Ctx,
    client: &Client,
    query: &Q,
    download: Option<&Path>,
) -> Result<(), CommandError>
where
    Q: Pollable<Task = Task>,
{
    let reply = client.task(query).await?;
    let task = &reply.value;
    if ctx.format == Format::Text {
        print_task(task);
    }
    let files = match download {
        Some(dir) => ctx.save(client, task, dir).await?,
        None => Vec::new(),
    };
    if ctx.format == Format::Json {
        ctx.emit(json!({"task": to_value(task), "files": files, "request_id": reply.request_id}));
    }
    Ok(())
}

/// Runs a `kling task` command.
pub(crate) async fn run(command: &TaskCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let id = |one: &One| {
        if one.external {
            TaskRef::ExternalTaskId(one.id.clone())
        } else {
            TaskRef::TaskId(one.id.clone())
        }
    };
    match command {
        TaskCommand::Families => {
            families(ctx.format, &ctx.command);
            Ok(())
        }
        TaskCommand::Get(one) => {
            let client = ctx.kling()?;
            let query = family(&one.family)?.task(id(one));
            get_task(ctx, &client, &query, one.download.as_deref()).await
        }
        TaskCommand::Wait(one) => {
            let client = ctx.kling()?;
            let query = family(&one.family)?.task(id(one));
            ctx.finish(
                &client,
                &query,
                Fresh::Unknown,
                one.download.as_deref(),
                json!({}),
            )
            .await
        }
        TaskCommand::List(list) => {
            let client = ctx.kling()?;
            let query = family(&list.family)?
                .tasks()
                .page(list.page)
                .page_size(list.page_size);
            // Pages are numbered: a full one may have a next, whose number is the cursor.
            let (page, size) = (list.page, list.page_size);
            let json = move |tasks: &Vec<kling_types::Task>| {
                let full = u64::try_from(tasks.len()).unwrap_or(u64::MAX) >= u64::from(size);
                let next = full.then(|| page.saturating_add(1).to_string());
                json!({"tasks": to_value(tasks), "next_cursor": next})
            };
            ctx.send_with(&client, &query, false, json, |tasks| print_tasks(tasks))
                .await
        }
    }
}

fn families(format: Format, cmd: &str) {
    let group = |g: Group| match g {
        Group::Video => "video",
        Group::Image => "image",
        Group::Audio => "audio",
        Group::General => "general",
        _ => "other",
    };
    let produces = |p: Produces| match p {
        Produces::Video => "video",
        Produces::Image => "image",
        Produces::Audio => "audio",
        Produces::Voice => "voice",
        Produces::Element => "element",
        _ => "other",
    };
    match format {
        Format::Json => emit(
            cmd,
            json!({"result": FAMILIES
                .iter()
                .map(|f| {
                    json!({"name": f.name, "title": f.title, "path": f.path, "group": group(f.group),
                           "produces": produces(f.produces), "max_page_size": f.max_page_size})
                })
                .collect::<Vec<_>>()}),
        ),
        Format::Text => {
            for f in FAMILIES {
                println!(
                    "{:<18} {:<8} {:<22} {}",
                    f.name,
                    produces(f.produces),
                    f.title,
                    f.path
                );
            }
        }
    }
}
