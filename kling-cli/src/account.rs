//! `kling account costs|billing|balance`: resource packs and the two ledgers of deductions
//! (pack units, cash).

use std::time::SystemTime;

use clap::{Args, Subcommand};
use kling_types::account::{
    AccountCosts, BalanceRow, BillingFilter, BillingPage, ExportBillingBalance,
    ExportBillingPackage, GetAccountCosts,
};
use kling_types::models::amount;

use crate::flow::{Ctx, Shape};
use crate::output::{CommandError, to_value};
use serde_json::json;

/// `kling account ...`.
#[derive(Subcommand)]
pub(crate) enum AccountCommand {
    /// Resource packs active in the last DAYS days: remaining and total units
    Costs(Costs),
    /// What each task took from the resource packs (units), a page at a time
    Billing(Billing),
    /// What each task took from the cash balance (CNY or USD), a page at a time
    Balance(Billing),
}

/// `kling account costs`.
#[derive(Args)]
pub(crate) struct Costs {
    /// How many days back
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Only this resource pack
    #[arg(long)]
    pack: Option<String>,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// `kling account billing` and `kling account balance`.
#[derive(Args)]
pub(crate) struct Billing {
    /// How many days back
    #[arg(long, default_value_t = 30, conflicts_with = "cursor")]
    days: u32,
    /// Rows per page
    #[arg(long)]
    limit: Option<u32>,
    /// The next page: the cursor the previous page printed
    #[arg(long)]
    cursor: Option<String>,
    /// Keep rows whose KEY is one of the VALUES: KEY=V1,V2 (repeat)
    #[arg(long = "filter", value_name = "KEY=VALUES", value_parser = parse_filter)]
    filters: Vec<(String, Vec<String>)>,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

fn parse_filter(text: &str) -> Result<(String, Vec<String>), String> {
    let (key, values) = text
        .split_once('=')
        .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
        .ok_or_else(|| format!("{text:?}: write a filter as KEY=V1,V2"))?;
    Ok((
        key.trim().to_owned(),
        values.split(',').map(|v| v.trim().to_owned()).collect(),
    ))
}

/// Now and `days` days ago, in Unix milliseconds.
fn window(days: u32) -> (i64, i64) {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    (now.saturating_sub(i64::from(days) * 86_400_000), now)
}

/// Runs a `kling account` command.
pub(crate) async fn run(command: &AccountCommand, ctx: &Ctx) -> Result<(), CommandError> {
    let client = ctx.kling()?;
    match command {
        AccountCommand::Costs(a) => {
            let (start, end) = window(a.days);
            let mut r = GetAccountCosts::new(start, end);
            if let Some(pack) = &a.pack {
                r = r.resource_pack_name(pack.clone());
            }
            ctx.send(
                &client,
                &r,
                a.dry_run,
                Shape::Result,
                |costs: &AccountCosts| {
                    if costs.resource_pack_subscribe_infos.is_empty() {
                        println!("(no resource packs)");
                    }
                    for p in &costs.resource_pack_subscribe_infos {
                        println!(
                            "{}  {}/{} left  {}",
                            p.resource_pack_name,
                            p.remaining_quantity.unwrap_or(0.0),
                            p.total_quantity.unwrap_or(0.0),
                            p.status.as_deref().unwrap_or("-")
                        );
                    }
                },
            )
            .await
        }
        AccountCommand::Billing(a) => {
            let mut r = match &a.cursor {
                Some(cursor) => ExportBillingPackage::next_page(cursor.clone()),
                None => {
                    let (start, end) = window(a.days);
                    ExportBillingPackage::new(start, end)
                }
            };
            r.limit = a.limit;
            r.filters = a.filters();
            let json = |page: &BillingPage| {
                json!({
                    "result": to_value(&page.result.detail), "count": page.result.count,
                    "next_cursor": page.next(),
                })
            };
            ctx.send_with(&client, &r, a.dry_run, json, |page: &BillingPage| {
                if page.result.detail.is_empty() {
                    println!("(no rows)");
                }
                for row in &page.result.detail {
                    let cells: Vec<String> = row.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    println!("{}", cells.join("  "));
                }
                next_page("billing", page);
            })
            .await
        }
        AccountCommand::Balance(a) => {
            let mut r = match &a.cursor {
                Some(cursor) => ExportBillingBalance::next_page(cursor.clone()),
                None => {
                    let (start, end) = window(a.days);
                    ExportBillingBalance::new(start, end)
                }
            };
            r.limit = a.limit;
            r.filters = a.filters();
            let json = |page: &BillingPage<BalanceRow>| {
                json!({
                    "result": to_value(&page.result.detail), "count": page.result.count,
                    "next_cursor": page.next(),
                })
            };
            ctx.send_with(
                &client,
                &r,
                a.dry_run,
                json,
                |page: &BillingPage<BalanceRow>| {
                    if page.result.detail.is_empty() {
                        println!("(no rows)");
                    }
                    for row in &page.result.detail {
                        println!("{}", balance_row(row));
                    }
                    next_page("balance", page);
                },
            )
            .await
        }
    }
}

impl Billing {
    fn filters(&self) -> Vec<BillingFilter> {
        self.filters
            .iter()
            .map(|(key, values)| BillingFilter::new(key.clone(), values.clone()))
            .collect()
    }
}

/// How to ask for the page after `page`, when there is one.
fn next_page<R>(command: &str, page: &BillingPage<R>) {
    if let Some(cursor) = page.next() {
        println!("next page: kling account {command} --cursor {cursor}");
    }
}

/// One cash deduction on a line: when, which task, what it was, what it cost, what is left.
fn balance_row(row: &BalanceRow) -> String {
    let dash = |v: &Option<String>| {
        v.clone()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "-".to_owned())
    };
    let money = |v: Option<f64>| {
        v.filter(|v| v.is_finite())
            .map_or_else(|| "-".to_owned(), amount)
    };
    let when = row
        .deduction_time
        .and_then(kling_core::time::show_utc_ms)
        .unwrap_or_else(|| "-".to_owned());
    format!(
        "{when}  task {}  {} {}  -{} {}  left {}",
        dash(&row.task_id),
        dash(&row.product_function),
        dash(&row.model_name),
        money(row.deduction_amount),
        dash(&row.currency),
        money(row.balance_after_deduction),
    )
}
