//! `cargo xtask bench [--smoke] [ARGS...]`: the benchmark suite (`kling-bench`): each client
//! against its raw HTTP library on the same keep-alive loopback server, in the same run,
//! interleaved, medians of several rounds, a table of ratios, JSON under `target/bench/`, and
//! instruction counts under callgrind (each GET against two raw baselines: with the typed decode
//! and bytes only; `--only get_async` counts the async GET alone). Built in release; `--smoke`
//! runs every case once with tiny counts in the dev profile (what CI runs, so the suite keeps
//! compiling and working).

use std::path::Path;
use std::process::Command;

/// Runs the suite, passing `args` through.
pub(crate) fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let smoke = args.contains(&"--smoke");
    let mut command = crate::ci::cargo();
    command
        .current_dir(root)
        .args(["run", "--quiet", "-p", "kling-bench"]);
    if !smoke {
        command.arg("--release");
    }
    if root.join("Cargo.lock").is_file() {
        command.arg("--locked");
    }
    command.arg("--").args(args);
    step(command, if smoke { "bench (smoke)" } else { "bench" })
}

fn step(mut command: Command, what: &str) -> Result<(), String> {
    println!("\n==> {what}");
    let status = command
        .status()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
