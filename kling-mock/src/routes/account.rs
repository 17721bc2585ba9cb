//! The account: the resource pack (`GET /account/costs`) and the two ledgers of deductions, a
//! page at a time: pack units (`POST /account/billing/package`) and cash
//! (`POST /account/billing/balance`), all from the tasks the mock ran.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kling_types::Endpoint;
use kling_types::account::{BillingFilter, ExportBillingBalance, ExportBillingPackage};
use kling_types::family::Produces;
use serde_json::{Value, json};

use super::legacy::json_object;
use super::query_param;
use crate::auth::{self, Accepts};
use crate::reply::{self, Reply, RequestId};
use crate::state::{App, Inner, lock};
use crate::task::{Api, Stage, TaskRecord};

/// The pack's id and name.
const PACK_ID: &str = "mock-pack";
const PACK_NAME: &str = "Mock resource pack";
/// The cash balance before the first task, in US dollars.
const CASH_USD: f64 = 1_000.0;
/// The vendor's list prices of a unit, in US dollars (kling-api.md 11): video and image packs.
const VIDEO_UNIT_USD: f64 = 0.14;
const IMAGE_UNIT_USD: f64 = 0.0035;

/// The account routes.
pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/account/costs", get(costs))
        .route("/account/billing/package", post(package_ledger))
        .route("/account/billing/balance", post(balance_ledger))
}

/// A time parameter in Unix ms: required, a number.
fn time_param(query: Option<&str>, name: &str) -> Result<i64, String> {
    match query_param(query, name) {
        None => Err("is required (Unix milliseconds)".to_owned()),
        Some(v) => v
            .parse()
            .map_err(|_| format!("must be Unix milliseconds, got {v:?}")),
    }
}

/// `GET /account/costs?start_time=&end_time=[&resource_pack_name=]`.
async fn costs(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    uri: Uri,
) -> Reply {
    let inner = lock(&app);
    auth::kling(&inner, &headers, Accepts::Any, &id)?;
    let q = uri.query();
    let start = time_param(q, "start_time").map_err(|m| reply::invalid("start_time", &m, &id))?;
    let end = time_param(q, "end_time").map_err(|m| reply::invalid("end_time", &m, &id))?;
    if start > end {
        return Err(reply::invalid(
            "start_time",
            "must not be after end_time",
            &id,
        ));
    }
    // What the tasks took: the ledger's deductions, and the units of tasks still running
    // (charged at the create, listed when they finish).
    let (total, remaining) = (inner.pack.total(), inner.pack.left());
    let pack = json!({
        "resource_pack_name": PACK_NAME, "resource_pack_id": PACK_ID,
        "resource_pack_type": "decreasing_total",
        "total_quantity": total as f64, "remaining_quantity": remaining as f64,
        "purchase_time": 1_726_124_664_368i64, "effective_time": 1_726_124_664_368i64,
        "invalid_time": 4_102_444_800_000i64,
        "status": if remaining == 0 { "runOut" } else { "online" },
    });
    let wanted = query_param(q, "resource_pack_name");
    let packs: Vec<Value> = wanted
        .is_none_or(|name| name == PACK_NAME)
        .then_some(pack)
        .into_iter()
        .collect();
    Ok(reply::ok(
        json!({"code": 0, "msg": "success", "resource_pack_subscribe_infos": packs}),
        &id,
    ))
}

/// One charged task, as both ledgers see it.
struct Deduction<'a> {
    task: &'a TaskRecord,
    /// When it was charged, Unix ms.
    at: i64,
    /// `video`, `image` or `try-on`.
    product: &'static str,
    /// Pack units before it.
    units_before: u64,
    /// Cash before it, in dollars.
    cash_before: f64,
}

impl Deduction<'_> {
    fn function(&self) -> &'static str {
        match &self.task.api {
            Api::Legacy(f) => f.name,
            Api::Standard { kind } => kind,
            Api::RunBlob(_) => "runblob",
        }
    }

    fn price(&self) -> f64 {
        let unit = if self.product == "video" {
            VIDEO_UNIT_USD
        } else {
            IMAGE_UNIT_USD
        };
        self.task.units as f64 * unit
    }
}

/// Every finished, charged Kling task, oldest first, with the balances before it.
fn deductions(inner: &Inner) -> Vec<Deduction<'_>> {
    let now = Instant::now();
    let mut cash_before = CASH_USD;
    let mut out = Vec::new();
    for task in inner
        .tasks
        .values()
        .filter(|t| !matches!(t.api, Api::RunBlob(_)) && t.stage(now) == Stage::Succeeded)
    {
        let product = match (&task.api, task.produces) {
            (Api::Legacy(f), Produces::Image) if f.name == "try-on" => "try-on",
            (_, Produces::Image) => "image",
            _ => "video",
        };
        let at = task.created_ms + i64::try_from(task.done_after.as_millis()).unwrap_or(0);
        let d = Deduction {
            task,
            at,
            product,
            units_before: task.units_before,
            cash_before,
        };
        cash_before = (cash_before - d.price()).max(0.0);
        out.push(d);
    }
    out
}

/// Whether a row with `value` under `key` passes `filters` (values of a key OR'ed, keys
/// AND'ed; a key not filtered passes).
fn wanted(filters: &[BillingFilter], key: &str, value: &str) -> bool {
    filters
        .iter()
        .filter(|f| f.key == key)
        .all(|f| f.values.iter().any(|v| v == value))
}

/// The request body of a ledger, decoded and checked, or Kling's 1201.
fn ledger_request<R>(body: &[u8], id: &RequestId) -> Result<R, axum::response::Response>
where
    R: serde::de::DeserializeOwned + Endpoint,
{
    json_object(body, id)?;
    let request: R = serde_json::from_slice(body).map_err(|e| {
        reply::error(
            400,
            1201,
            &format!("the request body is not a valid request: {e}"),
            id,
        )
    })?;
    request.validate().map_err(|e| reply::rejected(&e, id))?;
    Ok(request)
}

/// One page of `rows` from `cursor` (the row to start from), as both ledgers answer.
fn ledger_page(
    rows: Vec<Value>,
    cursor: Option<&str>,
    limit: Option<u32>,
    id: &RequestId,
) -> Reply {
    let offset = match cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| reply::invalid("cursor", "is not a cursor this server gave", id))?,
    };
    let count = rows.len();
    let page: Vec<Value> = rows
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(500) as usize)
        .collect();
    let next = offset.saturating_add(page.len());
    let has_more = next < count;
    Ok(reply::ok(
        json!({"result": {"detail": page, "count": count},
            "next_cursor": if has_more { next.to_string() } else { String::new() },
            "has_more": has_more}),
        id,
    ))
}

/// The window of a ledger request (a cursor's page covers all time).
fn window(start: Option<i64>, end: Option<i64>) -> std::ops::RangeInclusive<i64> {
    start.unwrap_or(i64::MIN)..=end.unwrap_or(i64::MAX)
}

/// `POST /account/billing/package`: one row per charged task, in pack units.
async fn package_ledger(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let inner = lock(&app);
    auth::kling(&inner, &headers, Accepts::Any, &id)?;
    let request: ExportBillingPackage = ledger_request(&body, &id)?;
    let (span, f) = (
        window(request.start_time, request.end_time),
        &request.filters,
    );
    let rows = deductions(&inner)
        .into_iter()
        .filter(|d| {
            span.contains(&d.at)
                && wanted(f, "product_type", d.product)
                && wanted(f, "package_id", PACK_ID)
                && wanted(f, "package_name", PACK_NAME)
                && wanted(f, "api_key_name", "default")
        })
        .map(|d| {
            let units = d.task.units;
            json!({
                "package_id": PACK_ID, "product_type": d.product, "task_id": d.task.id,
                "api_key_name": "default", "product_function": d.function(),
                "model_name": d.task.model.clone().unwrap_or_default(),
                "resolution": "720p", "duration": "5", "video_sound": "off",
                "deduction_time": d.at, "unit_before_deduction": d.units_before.to_string(),
                "deduction_amount": units.to_string(),
                "unit_after_deduction": d.units_before.saturating_sub(units).to_string(),
            })
        })
        .collect();
    ledger_page(rows, request.cursor.as_deref(), request.limit, &id)
}

/// `POST /account/billing/balance`: one row per charged task, in dollars at list price.
async fn balance_ledger(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let inner = lock(&app);
    auth::kling(&inner, &headers, Accepts::Any, &id)?;
    let request: ExportBillingBalance = ledger_request(&body, &id)?;
    let span = window(request.start_time, request.end_time);
    let rows = deductions(&inner)
        .into_iter()
        .filter(|d| span.contains(&d.at) && wanted(&request.filters, "api_key_name", "default"))
        .map(|d| {
            let price = d.price();
            let video = d.product == "video";
            json!({
                "task_id": d.task.id, "api_key_name": "default",
                "product_function": d.function(),
                "model_name": d.task.model.clone().unwrap_or_default(),
                "resolution": "720p", "duration": if video { json!("5") } else { Value::Null },
                "refer_video_input": false, "video_sound": "off", "voice_control": false,
                "deduction_time": d.at.to_string(), "cash_type": "balance",
                "balance_before_deduction": d.cash_before, "deduction_amount": price,
                "balance_after_deduction": (d.cash_before - price).max(0.0),
                "list_price": price, "currency": "USD",
            })
        })
        .collect();
    ledger_page(rows, request.cursor.as_deref(), request.limit, &id)
}
