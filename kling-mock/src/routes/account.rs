//! The account: the resource pack (`GET /account/costs`) and its deductions, a page at a time
//! (`POST /account/billing/package`), both from the tasks the mock ran.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kling_types::Endpoint;
use kling_types::account::ExportBillingPackage;
use kling_types::family::Produces;
use serde_json::{Value, json};

use super::legacy::json_object;
use super::query_param;
use crate::auth::{self, Accepts};
use crate::reply::{self, Reply, RequestId};
use crate::state::{App, lock};
use crate::task::{Api, Stage};

/// The pack's size when the configuration sets no credits.
const UNLIMITED_PACK: u64 = 100_000;
/// The pack's id and name.
const PACK_ID: &str = "mock-pack";
const PACK_NAME: &str = "Mock resource pack";

/// The account routes.
pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/account/costs", get(costs))
        .route("/account/billing/package", post(billing))
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
    let total = inner.config.credits.unwrap_or(UNLIMITED_PACK);
    let remaining = inner.credits.map_or(UNLIMITED_PACK, |left| left);
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

/// `POST /account/billing/package`: one row per finished, charged task, oldest first; the
/// cursor is the row to start from.
async fn billing(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let inner = lock(&app);
    auth::kling(&inner, &headers, Accepts::Any, &id)?;
    json_object(&body, &id)?;
    let request: ExportBillingPackage = serde_json::from_slice(&body).map_err(|e| {
        reply::error(
            400,
            1201,
            &format!("the request body is not a valid request: {e}"),
            &id,
        )
    })?;
    request.validate().map_err(|e| reply::rejected(&e, &id))?;
    let offset = match &request.cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| reply::invalid("cursor", "is not a cursor this server gave", &id))?,
    };
    let (start, end) = (
        request.start_time.unwrap_or(i64::MIN),
        request.end_time.unwrap_or(i64::MAX),
    );
    let limit = request.limit.unwrap_or(500) as usize;
    let wanted = |key: &str, value: &str| {
        request
            .filters
            .iter()
            .filter(|f| f.key == key)
            .all(|f| f.values.iter().any(|v| v == value))
    };
    let now = Instant::now();
    let mut unit_before = inner.config.credits.unwrap_or(UNLIMITED_PACK);
    let rows: Vec<Value> = inner
        .tasks
        .values()
        .filter(|t| !matches!(t.api, Api::RunBlob(_)) && t.stage(now) == Stage::Succeeded)
        .filter_map(|t| {
            let product = if t.produces == Produces::Image {
                if matches!(&t.api, Api::Legacy(f) if f.name == "try-on") { "try-on" } else { "image" }
            } else {
                "video"
            };
            let before = unit_before;
            unit_before = unit_before.saturating_sub(t.units);
            let at = t.created_ms + i64::try_from(t.done_after.as_millis()).unwrap_or(0);
            let keep = (start..=end).contains(&at)
                && wanted("product_type", product)
                && wanted("package_id", PACK_ID)
                && wanted("package_name", PACK_NAME)
                && wanted("api_key_name", "default");
            keep.then(|| json!({
                "package_id": PACK_ID, "product_type": product, "task_id": t.id,
                "api_key_name": "default",
                "product_function": match &t.api { Api::Legacy(f) => f.name, Api::Standard { kind } => kind, Api::RunBlob(_) => "runblob" },
                "model_name": t.model.clone().unwrap_or_default(),
                "resolution": "720p", "duration": "5", "video_sound": "off",
                "deduction_time": at, "unit_before_deduction": before.to_string(),
                "deduction_amount": t.units.to_string(),
                "unit_after_deduction": before.saturating_sub(t.units).to_string(),
            }))
        })
        .collect();
    let count = rows.len();
    let page: Vec<Value> = rows.into_iter().skip(offset).take(limit).collect();
    let next = offset + page.len();
    let has_more = next < count;
    Ok(reply::ok(
        json!({"result": {"detail": page, "count": count},
            "next_cursor": if has_more { next.to_string() } else { String::new() },
            "has_more": has_more}),
        &id,
    ))
}
