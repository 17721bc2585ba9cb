//! `kling completions` and `kling man`: generated from the command's own clap definition, so
//! they never drift from it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::Shell;
use serde_json::json;

use crate::output::{CommandError, Format, emit};

/// `kling completions`.
#[derive(Args)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    shell: Shell,
}

/// `kling man`.
#[derive(Args)]
pub(crate) struct ManArgs {
    /// Write kling.1 and one page per command (kling-video-text2video.1, ...) into DIR
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the completion script of `shell` (in JSON: `{"shell", "script"}`).
pub(crate) fn completions(args: &CompletionsArgs, format: Format, cmd: &str) {
    let mut command = crate::cli::command();
    match format {
        Format::Text => {
            clap_complete::generate(args.shell, &mut command, "kling", &mut std::io::stdout());
        }
        Format::Json => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "kling", &mut script);
            emit(
                cmd,
                json!({"result": {
                    "shell": args.shell.to_string(),
                    "script": String::from_utf8_lossy(&script),
                }}),
            );
        }
    }
}

fn render(command: clap::Command) -> Result<Vec<u8>, CommandError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .map_err(|e| kling_errors::IoError::new("render", "the man page", e))?;
    Ok(out)
}

fn write_pages(
    command: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), CommandError> {
    let page = command
        .clone()
        .name(name.to_owned())
        .bin_name(name.replace('-', " "));
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, render(page)?)
        .map_err(|e| kling_errors::IoError::new("write", &path, e))?;
    written.push(path);
    // `help` is clap's pseudo-command: no page of its own.
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

/// Prints the man page (in JSON: `{"man"}`), or writes every page into a folder.
pub(crate) fn man(args: &ManArgs, format: Format, cmd: &str) -> Result<(), CommandError> {
    let mut command = crate::cli::command();
    command.build();
    match &args.dir {
        None => {
            let page = render(command)?;
            match format {
                Format::Json => emit(
                    cmd,
                    json!({"result": {"man": String::from_utf8_lossy(&page)}}),
                ),
                Format::Text => std::io::stdout()
                    .write_all(&page)
                    .map_err(|e| kling_errors::IoError::new("write", "stdout", e))?,
            }
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| kling_errors::IoError::new("create the folder", dir, e))?;
            let mut written = Vec::new();
            write_pages(&command, "kling", dir, &mut written)?;
            match format {
                Format::Json => emit(cmd, json!({"result": {"written": written}})),
                Format::Text => {
                    println!("wrote {} man pages into {}", written.len(), dir.display());
                }
            }
        }
    }
    Ok(())
}
