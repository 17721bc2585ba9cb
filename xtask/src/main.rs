//! `cargo xtask`: the workspace's automation, in Rust so it runs wherever cargo does.
//!
//! * `cargo xtask codegen [--check]`: regenerate (or verify) the files derived from
//!   `kling-errors/codes.json`.
//! * `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.
//! * `cargo xtask api-check`: no foreign type (reqwest, tokio, ...) in a published crate's
//!   public signatures, read from nightly rustdoc's JSON.
//! * `cargo xtask package`: the published crates package (`cargo package --no-verify`).
//! * `cargo xtask bench`: the benchmark suite (`kling-bench`), ratios against raw libraries.
//! * `cargo xtask fuzz`: run the cargo-fuzz targets (nightly), report executions and findings.

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod api;
mod bench;
mod ci;
mod codegen;
mod fuzz;
mod reliability;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The help text, printed by `help` and (on stderr) for an unknown command.
const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   regenerate kling-errors/src/generated.rs and kling-errors/CODES.md from
                      kling-errors/codes.json (--check: fail if they are stale, write nothing)
  ci                  fmt, clippy, tests, docs, codegen --check, the dependency rules, no
                      foreign type in a public signature, packaging, RELIABILITY.md against
                      the spec's matrix, the benchmarks in smoke mode
  api-check           no reqwest, ureq, tokio, axum, redis, rusqlite, jsonwebtoken, hyper or
                      http type in a published crate's public API (nightly rustdoc JSON;
                      `http` only in kling-core's `http` module)
  package             cargo package --no-verify of every published crate (manifests, file
                      lists, READMEs, path dependencies' versions)
  bench [--smoke] [--rounds R] [--only CASE] [--no-icount]
                      the benchmark suite: each client against its raw library, ratios,
                      instruction counts (callgrind); JSON in target/bench/
  fuzz [--seconds N] [--parallel P] [--target NAME] [--minimize]
                      run every cargo-fuzz target N seconds (nightly + cargo-fuzz)
  help                this text";

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

/// Dispatches the subcommand: exit 0 on success, 1 on a failed command, 2 on bad usage.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen::run(&root, false),
        ["codegen", "--check"] => codegen::run(&root, true),
        ["ci"] => ci::run(&root),
        ["api-check"] => api::check(&root),
        ["package"] => ci::package(&root),
        ["bench", rest @ ..] => bench::run(&root, rest),
        ["fuzz", rest @ ..] => fuzz::run(&root, rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
