//! The benchmark suite: each client against its raw HTTP library, on the same keep-alive
//! loopback server, in the same run, interleaved, medians of several rounds; then CPU
//! instructions per request under callgrind (the noise-free number). `cargo xtask bench`
//! builds and runs it; `--smoke` runs every case once with tiny counts (CI).
//!
//! Each measurement runs in its own process (`kling-bench case NAME`), so its peak RSS and CPU
//! time are its own; the server runs in another (`kling-bench serve`).

// A benchmark program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cases;
mod fleet;
mod fleet_scale;
mod measure;
mod polls;
mod run;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["serve", done_after_ms] => run::serve(done_after_ms),
        ["case", name, url, scale] => cases::run_case(name, url, scale),
        ["icount", name, url, n] => cases::run_icount(name, url, n),
        ["polls", rest @ ..] => polls::suite(rest),
        ["fleet-scale", rest @ ..] => fleet_scale::suite(rest),
        rest => run::suite(rest),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kling-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
