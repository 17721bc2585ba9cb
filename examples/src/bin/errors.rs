//! Handling errors: every failure is one `Error` you ask questions of. `kind()` says what
//! went wrong across APIs, `is_retryable()` whether sending it again can help (the client has
//! already retried what it could), `code()` and `request_id()` what to quote to support,
//! `external_task_id()` how to find a task whose create failed ambiguously.
//!
//! Four refusals: a duration the model does not offer (caught before sending), a prompt that
//! trips content security (1301), a task that fails, and an account out of units (1102).
//!
//! ```sh
//! cargo run -p kling-examples --bin errors
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::types::Model;
use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::{Client, Error, ErrorKind, Kling, WaitOptions};
use kling_examples::Sandbox;
use kling_mock::MockConfig;

/// Runs a job that must fail with `kind`, and shows what its error says.
fn refused(client: &Client, request: CreateText2Video, kind: ErrorKind) -> Result<Error, String> {
    let Err(e) = client.create_and_wait(request, WaitOptions::new()) else {
        return Err(format!("expected {kind}, the job succeeded"));
    };
    let code = e.code().map(ToString::to_string);
    println!("{}: {e}", e.kind());
    println!(
        "  retryable {}, code {code:?}, HTTP {:?}",
        e.is_retryable(),
        e.http_status()
    );
    println!(
        "  request id {:?}, external task id {:?}",
        e.request_id(),
        e.external_task_id()
    );
    if e.kind() != kind {
        return Err(format!("expected {kind}, got {}", e.kind()));
    }
    Ok(e)
}

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // An account with one unit left, and the mock's words for content security and failure.
    let mock = MockConfig::instant()
        .credits(1)
        .forbidden_word("forbidden")
        .fail_word("doomed");
    let sandbox = Sandbox::with_mock("errors", mock)?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    // Preflight: kling-v2-6 makes 5 or 10 s videos. Nothing is sent, nothing is spent.
    let seven_seconds = CreateText2Video::new("a fox")
        .model(Model::KlingV2_6)
        .duration(7);
    refused(&client, seven_seconds, ErrorKind::InvalidRequest)?;
    if sandbox.mock().is_none() {
        return Ok(()); // the rest needs the mock's scripted account
    }

    // The server refuses the prompt (1301): change the request, do not send it again.
    refused(
        &client,
        CreateText2Video::new("a forbidden fox"),
        ErrorKind::ContentPolicy,
    )?;

    // The task was created (and charged), then failed: the error names it.
    refused(
        &client,
        CreateText2Video::new("a doomed fox"),
        ErrorKind::TaskFailed,
    )?;

    // A failed task is refunded: the unit is still there, and a task that succeeds takes it.
    client.create_and_wait(CreateText2Video::new("a fox"), WaitOptions::new())?;
    // Out of units: 1102 comes with HTTP 429 but is never retried; top up the pack first.
    let e = refused(&client, CreateText2Video::new("a fox"), ErrorKind::Billing)?;
    if e.is_retryable() {
        return Err("1102 must not be retried".into());
    }
    Ok(())
}
