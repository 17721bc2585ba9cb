//! The `kling` command. Not built yet: it says so and exits with status 2, so nobody mistakes it
//! for a working tool.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut err = std::io::stderr().lock();
    // A failed write to stderr leaves nothing better to do than exit with the same status.
    let _ = writeln!(
        err,
        "kling {}: no commands yet; the command line (and `kling demo`) arrive with issue #6",
        env!("CARGO_PKG_VERSION")
    );
    ExitCode::from(2)
}
