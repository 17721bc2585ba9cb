//! `kling account costs|billing`: resource packs and the billing export.

use std::time::SystemTime;

use clap::{Args, Subcommand};
use kling_types::account::{
    AccountCosts, BillingFilter, BillingPage, ExportBillingPackage, GetAccountCosts,
};

use crate::flow::Ctx;
use crate::output::Failure;

/// `kling account ...`.
#[derive(Subcommand)]
pub(crate) enum AccountCommand {
    /// Resource packs active in the last DAYS days: remaining and total units
    Costs(Costs),
    /// The billing export of resource packs, a page at a time
    Billing(Billing),
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

/// `kling account billing`.
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
pub(crate) async fn run(command: &AccountCommand, ctx: &Ctx) -> Result<(), Failure> {
    let client = ctx.kling()?;
    match command {
        AccountCommand::Costs(a) => {
            let (start, end) = window(a.days);
            let mut r = GetAccountCosts::new(start, end);
            if let Some(pack) = &a.pack {
                r = r.resource_pack_name(pack.clone());
            }
            ctx.call(&client, &r, a.dry_run, |costs: &AccountCosts| {
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
            })
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
            if let Some(limit) = a.limit {
                r = r.limit(limit);
            }
            for (key, values) in &a.filters {
                r = r.filter(BillingFilter::new(key.clone(), values.clone()));
            }
            ctx.call(&client, &r, a.dry_run, |page: &BillingPage| {
                if page.result.detail.is_empty() {
                    println!("(no rows)");
                }
                for row in &page.result.detail {
                    let cells: Vec<String> = row.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    println!("{}", cells.join("  "));
                }
                if let Some(cursor) = page.next_cursor.as_deref().filter(|_| page.has_more) {
                    println!("next page: kling account billing --cursor {cursor}");
                }
            })
            .await
        }
    }
}
