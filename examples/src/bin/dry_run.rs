//! A dry run: what a request would send and what it would cost, without sending it.
//! `client.prepare(&request)` runs preflight validation and returns the exact HTTP request
//! (URL, headers, JSON body; the token redacted when printed); `models::estimate` prices it
//! from the vendor's price table. Use both for a confirmation prompt or a budget check.
//!
//! ```sh
//! cargo run -p kling-examples --bin dry_run
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use kling_client_blocking::types::images::CreateImageGeneration;
use kling_client_blocking::types::models;
use kling_client_blocking::types::standard::{Audio, CreateTextToVideo, Resolution, StandardModel};
use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::types::{Endpoint, Mode, Model};
use kling_client_blocking::{Client, Error};
use kling_examples::Sandbox;

/// Prints what `request` would send and cost.
fn show(client: &Client, request: &impl Endpoint) -> Result<(), Error> {
    // Validation first: a request the API would refuse fails here, before any credit is spent.
    let http = client.prepare(request)?;
    println!("{} {}", http.method.as_str(), http.url);
    // `Debug` of the headers redacts credentials: safe to log.
    println!("  headers: {:?}", http.headers);
    if let Some(body) = &http.body {
        println!("  body:    {}", String::from_utf8_lossy(body));
    }
    match request.facts().and_then(|facts| models::estimate(&facts)) {
        Some(estimate) => println!("  cost:    {estimate}"),
        None => println!("  cost:    not in the price table"),
    }
    Ok(())
}

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("dry_run")?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;

    let legacy = CreateText2Video::new("a fox in the snow")
        .model(Model::KlingV2_6)
        .mode(Mode::Pro)
        .duration(10);
    let standard = CreateTextToVideo::new(StandardModel::Kling3_0, "a fox in the snow")
        .duration(8)
        .resolution(Resolution::P1080)
        .audio(Audio::Native);
    let images = CreateImageGeneration::new("a fox in the snow")
        .model(Model::KlingV2_1)
        .n(4);
    show(&client, &legacy)?;
    show(&client, &standard)?;
    show(&client, &images)?;

    // An invalid request never leaves the machine: kling-v2-6 makes 5 or 10 s videos.
    let invalid = CreateText2Video::new("a fox in the snow")
        .model(Model::KlingV2_6)
        .duration(7);
    match client.prepare(&invalid) {
        Err(e) => println!("refused before sending: {e}"),
        Ok(_) => return Err("a 7 s kling-v2-6 video passed validation".into()),
    }

    // Nothing above was sent.
    if let Some(mock) = sandbox.mock() {
        let sent = mock.stats().requests;
        println!("requests the server saw: {sent}");
        if sent != 0 {
            return Err("a dry run sent a request".into());
        }
    }
    Ok(())
}
