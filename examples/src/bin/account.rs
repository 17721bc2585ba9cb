//! The account: what is left in the resource packs (`/account/costs`), and what each task
//! cost from the cash balance (`/account/billing/balance`), read a page at a time with the
//! ledger's cursor until the last page.
//!
//! ```sh
//! cargo run -p kling-examples --bin account
//! # the real API (reading the account is free; the demo task here is not):
//! KLING_BASE_URL=https://api-singapore.klingai.com KLING_ACCESS_KEY=... KLING_SECRET_KEY=... \
//!     cargo run -p kling-examples --bin account
//! ```

// An example program: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use kling_client_blocking::types::account::{ExportBillingBalance, GetAccountCosts};
use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::{Client, Kling, WaitOptions};
use kling_examples::Sandbox;

const DAY_MS: i64 = 86_400_000;

fn main() -> ExitCode {
    kling_examples::exit(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start("account")?;
    let client = Client::builder()
        .credentials(sandbox.credentials()?)
        .config(sandbox.config())
        .build()?;
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis())?;

    // On the mock the ledger starts empty: run one task so it has a row.
    if sandbox.mock().is_some() {
        client.create_and_wait(
            CreateText2Video::new("a fox in the snow"),
            WaitOptions::new(),
        )?;
    }

    // The packs active in the last 30 days (remaining units lag up to 12 h on Kling).
    let costs = client.send(&GetAccountCosts::new(now - 30 * DAY_MS, now + DAY_MS))?;
    for pack in &costs.resource_pack_subscribe_infos {
        println!(
            "pack {:?}: {} of {} units left ({})",
            pack.resource_pack_name,
            pack.remaining_quantity.unwrap_or(0.0),
            pack.total_quantity.unwrap_or(0.0),
            pack.status.as_deref().unwrap_or("?"),
        );
    }

    // The cash ledger, a page at a time: the first page by time window, the next ones by
    // cursor (`next()` is `None` on the last page).
    let mut page =
        client.send(&ExportBillingBalance::new(now - 7 * DAY_MS, now + DAY_MS).limit(100))?;
    let mut rows = 0;
    loop {
        for row in &page.result.detail {
            rows += 1;
            println!(
                "  {} {:<10} {:<12} -{} {} (balance {})",
                row.task_id.as_deref().unwrap_or("-"),
                row.product_function.as_deref().unwrap_or("-"),
                row.model_name.as_deref().unwrap_or("-"),
                row.deduction_amount.unwrap_or(0.0),
                row.currency.as_deref().unwrap_or(""),
                row.balance_after_deduction.unwrap_or(0.0),
            );
        }
        let Some(cursor) = page.next() else { break };
        page = client.send(&ExportBillingBalance::next_page(cursor))?;
    }
    println!("{rows} deductions in the last 7 days");
    if sandbox.mock().is_some() && rows == 0 {
        return Err("the task is missing from the ledger".into());
    }
    Ok(())
}
