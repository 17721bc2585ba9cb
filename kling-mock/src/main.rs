//! `kling-mock`: a Kling AI API server on 127.0.0.1 for trying clients without an account.
//!
//! ```text
//! kling-mock [--port PORT] [--instant] [--fault "[METHOD] PATH ACTION [xN]"]...
//! ```

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_mock::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, Fault, MockConfig, MockServer};

const USAGE: &str = "usage: kling-mock [--port PORT] [--instant] [--fault \"[METHOD] PATH ACTION [xN]\"]...

  --port PORT   the API port (default 0: any free port)
  --instant     tasks finish at once (default: a few seconds, like a fast generation)
  --fault SPEC  inject a fault, e.g. \"POST /v1/videos/text2video 429:1303 x2\";
                ACTION is STATUS:CODE, STATUS:CODE:retry=SECS, html502, truncate, stall or delay=MS";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut config = MockConfig::demo();
    let mut faults = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => {
                    eprintln!("--port needs a number from 0 to 65535\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--instant" => config = MockConfig::instant(),
            "--fault" => match args.next().map(|f| Fault::parse(&f)) {
                Some(Ok(f)) => faults.push(f),
                Some(Err(e)) => {
                    eprintln!("--fault: {e}");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!("--fault needs a spec\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let server = match MockServer::start_on(config, port) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for f in faults {
        server.add_fault(f);
    }
    println!("kling-mock listening on {}", server.api_url);
    println!("files served from       {}", server.files_url);
    println!();
    println!("export KLING_BASE_URL={}", server.api_url);
    println!("export KLING_ACCESS_KEY={DEMO_ACCESS_KEY}");
    println!("export KLING_SECRET_KEY={DEMO_SECRET_KEY}");
    println!("# or: export KLING_API_KEY={DEMO_API_KEY}");
    println!();
    println!("Ctrl-C to stop.");
    loop {
        std::thread::park();
    }
}
