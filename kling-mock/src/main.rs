//! `kling-mock`: a Kling AI API server on 127.0.0.1 for trying clients without an account
//! (the same flags as `kling mock serve`; `kling-mock --help` lists them).

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use kling_mock::ServeArgs;

/// A Kling AI API server on 127.0.0.1: every route of the legacy API, the new standard and
/// RunBlob, with demo credentials.
#[derive(Parser)]
#[command(name = "kling-mock", version)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
    /// text: for people; json: one JSON line with the URLs, the demo keys and the certificate
    /// path
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let started = match cli.serve.start() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kling-mock: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.output {
        Output::Json => println!("{}", started.describe()),
        Output::Text => println!("{}", started.describe_text()),
    }
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["kling-mock", "--tls", "--output", "json"]).unwrap();
        assert!(cli.serve.tls && cli.output == Output::Json);
        assert!(Cli::try_parse_from(["kling-mock", "--output", "yaml"]).is_err());
    }
}
