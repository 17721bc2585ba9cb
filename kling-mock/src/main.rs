//! `kling-mock`: a Kling AI API server on 127.0.0.1 for trying clients without an account.
//!
//! ```text
//! kling-mock [--port PORT] [--instant | --task-seconds DUR] [--tls [--cert-out PATH]]
//!            [--file-host NAME] [--max-concurrency N] [--credits N] [--rate-limit N]
//!            [--fault "[METHOD] PATH ACTION [xN]"]... [--output text|json]
//! ```

// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use kling_mock::{
    DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, Fault, MockConfig, MockServer, parse_duration,
};

const USAGE: &str = "usage: kling-mock [OPTIONS]

  --port PORT            the API port (default 0: any free port)
  --instant              tasks finish at once (default: 6 s, like a fast generation)
  --task-seconds DUR     how long a task runs: 100ms, 5s, 2m (a bare number is seconds)
  --max-concurrency N    tasks running at once before 1303 (default 5)
  --credits N            units in the pack before 1102 (default: unlimited)
  --rate-limit N         requests per second before 1302 (default: unlimited)
  --tls                  serve HTTPS with a self-signed certificate made at start
  --cert-out PATH        where to write that certificate (PEM; default: a file in the temp folder)
  --file-host NAME       the host name of result URLs (the certificate covers it; make it
                         resolve to 127.0.0.1)
  --webhook-secret S     sign Kling callbacks (Standard Webhooks, whsec_...)
  --runblob-webhook-secret S
                         sign RunBlob webhooks (X-RunBlob-Signature)
  --fault SPEC           inject a fault, e.g. \"POST /v1/videos/text2video 429:1303 x2\";
                         ACTION is STATUS:CODE, STATUS:CODE:retry=SECS, html502, truncate, stall
                         or delay=MS
  --output FORMAT        text (default) or json: one JSON line with the URLs, the demo keys and
                         the certificate path";

/// What the command line asked for.
struct Options {
    port: u16,
    config: MockConfig,
    faults: Vec<Fault>,
    json: bool,
}

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} needs a number, got {text:?}"))
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut port = 0u16;
    let mut config = MockConfig::demo();
    let mut faults = Vec::new();
    let mut json = false;
    let mut cert_out: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = number(&value(&mut args, &arg)?, &arg)?,
            "--instant" => config = config.task_duration(std::time::Duration::ZERO),
            "--task-seconds" => {
                config = config.task_duration(parse_duration(&value(&mut args, &arg)?)?);
            }
            "--max-concurrency" => {
                config = config.max_concurrency(number(&value(&mut args, &arg)?, &arg)?);
            }
            "--credits" => config = config.credits(number(&value(&mut args, &arg)?, &arg)?),
            "--rate-limit" => {
                config = config.rate_limit_per_sec(number(&value(&mut args, &arg)?, &arg)?);
            }
            "--tls" => config = config.tls(true),
            "--cert-out" => cert_out = Some(PathBuf::from(value(&mut args, &arg)?)),
            "--file-host" => config = config.file_host(value(&mut args, &arg)?),
            "--webhook-secret" => config = config.webhook_secret(value(&mut args, &arg)?),
            "--runblob-webhook-secret" => {
                config = config.runblob_webhook_secret(value(&mut args, &arg)?);
            }
            "--fault" => faults
                .push(Fault::parse(&value(&mut args, &arg)?).map_err(|e| format!("--fault: {e}"))?),
            "--output" => match value(&mut args, &arg)?.as_str() {
                "json" => json = true,
                "text" => json = false,
                other => return Err(format!("--output is text or json, not {other:?}")),
            },
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if cert_out.is_some() && !config.tls {
        return Err("--cert-out needs --tls".into());
    }
    if config.tls {
        // A client needs the certificate in a file: the temp folder unless told otherwise.
        let path = cert_out.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("kling-mock-{}.pem", std::process::id()))
        });
        config = config.cert_out(path);
    }
    Ok(Some(Options {
        port,
        config,
        faults,
        json,
    }))
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cert_path = options.config.cert_out.clone();
    let server = match MockServer::start_on(options.config, options.port) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    for f in options.faults {
        server.add_fault(f);
    }
    let cert = cert_path.as_ref().map(|p| p.display().to_string());
    if options.json {
        println!(
            "{}",
            serde_json::json!({
                "api_url": server.api_url,
                "files_url": server.files_url,
                "access_key": DEMO_ACCESS_KEY,
                "secret_key": DEMO_SECRET_KEY,
                "api_key": DEMO_API_KEY,
                "cert_path": cert,
                "stats_url": format!("{}/mock/stats", server.api_url),
            })
        );
    } else {
        println!("kling-mock listening on {}", server.api_url);
        println!("files served from       {}", server.files_url);
        println!("statistics at           {}/mock/stats", server.api_url);
        if let Some(cert) = &cert {
            println!("certificate (PEM)       {cert}");
        }
        println!();
        println!("export KLING_BASE_URL={}", server.api_url);
        println!("export KLING_ACCESS_KEY={DEMO_ACCESS_KEY}");
        println!("export KLING_SECRET_KEY={DEMO_SECRET_KEY}");
        println!("# or: export KLING_API_KEY={DEMO_API_KEY}");
        if let Some(cert) = &cert {
            println!("# trust the certificate, e.g. export SSL_CERT_FILE={cert}");
        }
        println!();
        println!("Ctrl-C to stop.");
    }
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> impl Iterator<Item = String> {
        text.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn flags_set_the_knobs() {
        let o = parse(args(
            "--port 0 --tls --cert-out /tmp/x.pem --file-host files.mock.test --max-concurrency 2 --task-seconds 100ms --credits 9 --rate-limit 4 --output json",
        ))
        .unwrap()
        .unwrap();
        assert!(o.json && o.config.tls);
        assert_eq!(o.config.cert_out, Some(PathBuf::from("/tmp/x.pem")));
        assert_eq!(o.config.file_host.as_deref(), Some("files.mock.test"));
        assert_eq!(o.config.max_concurrency, 2);
        assert_eq!(o.config.done_after, std::time::Duration::from_millis(100));
        assert_eq!(o.config.credits, Some(9));
        assert_eq!(o.config.rate_limit_per_sec, Some(4));
        let o = parse(args("--tls")).unwrap().unwrap();
        assert!(o.config.cert_out.is_some(), "a default certificate path");
        assert!(parse(args("--cert-out x.pem")).is_err());
        assert!(parse(args("--task-seconds 5x")).is_err());
        assert!(parse(args("--credits many")).is_err());
        assert!(parse(args("--output yaml")).is_err());
        assert!(parse(args("--help")).unwrap().is_none());
    }
}
