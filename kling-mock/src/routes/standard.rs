//! The new standard ("API 2.0", model in the path, API keys only): the creates
//! `POST /{text-to-video|image-to-video|omni-video|motion-control}/{model}`, the batch query
//! `GET /tasks?task_ids=|external_task_ids=` and the cursor listing `POST /tasks`.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kling_errors::ValidationError;
use kling_types::Endpoint;
use kling_types::family::Produces;
use kling_types::standard::{
    Content, CreateImageToVideo, CreateMotionControl, CreateOmniVideo, CreateTextToVideo,
    ListTasks, Options, Settings, StandardCreate, StandardModel,
};
use kling_types::videos::CharacterOrientation;
use serde::Deserialize;
use serde_json::{Value, json};

use super::admission::{self, NewTask};
use super::legacy::json_object;
use super::query_param;
use crate::auth::{self, Accepts};
use crate::reply::{self, Reply, RequestId};
use crate::state::{App, lock, now_ms};
use crate::task::{Api, Stage, TaskRecord};

/// The create kinds and the models each takes.
const KINDS: &[(&str, &[StandardModel])] = &[
    (
        "text-to-video",
        &[
            StandardModel::Kling3_0Turbo,
            StandardModel::Kling3_0,
            StandardModel::Kling2_6,
            StandardModel::Kling2_5Turbo,
        ],
    ),
    (
        "image-to-video",
        &[
            StandardModel::Kling3_0Turbo,
            StandardModel::Kling3_0,
            StandardModel::Kling2_6,
            StandardModel::Kling2_5Turbo,
        ],
    ),
    ("omni-video", &[StandardModel::Kling3_0Omni]),
    (
        "motion-control",
        &[StandardModel::Kling3_0, StandardModel::Kling2_6],
    ),
];

/// What one `GET /tasks` takes: a 21st id is refused with 1201, as a peer saw (kling-api.md 10.8).
const MAX_IDS: usize = kling_types::standard::GetTasks::MAX_IDS;
/// 30 days, the listing's default range.
const THIRTY_DAYS_MS: i64 = 30 * 24 * 3600 * 1000;

/// The new standard's routes.
pub(super) fn router() -> Router<App> {
    let mut router = Router::new().route("/tasks", get(get_tasks).post(list_tasks));
    for (kind, models) in KINDS {
        let handler = move |State(app): State<App>,
                            Extension(id): Extension<RequestId>,
                            Path(model): Path<String>,
                            headers: HeaderMap,
                            body: Bytes| async move {
            create(kind, models, &app, &id, &model, &headers, &body)
        };
        router = router.route(&format!("/{kind}/{{model}}"), post(handler));
    }
    router
}

/// A create body: the parts every kind shares.
#[derive(Deserialize)]
struct Parts {
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    contents: Vec<Content>,
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    options: Options,
}

fn fill<K>(request: &mut StandardCreate<K>, parts: Parts) {
    request.prompt = parts.prompt;
    request.contents = parts.contents;
    request.settings = parts.settings;
    request.options = parts.options;
}

/// The SDK's checks of the kind, run on the body as sent.
fn check(kind: &str, model: StandardModel, parts: Parts) -> Result<(), ValidationError> {
    match kind {
        "text-to-video" => {
            let mut r = CreateTextToVideo::new(model, "");
            fill(&mut r, parts);
            r.validate()
        }
        "image-to-video" => {
            let mut r = CreateImageToVideo::new(model, "");
            fill(&mut r, parts);
            r.validate()
        }
        "omni-video" => {
            let mut r = CreateOmniVideo::new(model, "");
            fill(&mut r, parts);
            r.validate()
        }
        _ => {
            let mut r = CreateMotionControl::new(model, "", "", CharacterOrientation::Image);
            fill(&mut r, parts);
            r.validate()
        }
    }
}

/// `POST /{kind}/{model}`.
fn create(
    kind: &'static str,
    models: &[StandardModel],
    app: &App,
    id: &RequestId,
    model: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    auth::kling(&lock(app), headers, Accepts::ApiKeyOnly, id)?;
    let value = json_object(body, id)?;
    let parsed = StandardModel::from(model);
    if !models.contains(&parsed) {
        return Err(reply::invalid(
            "model",
            &format!("{model} is not a supported model for {kind}"),
            id,
        ));
    }
    let parts: Parts = serde_json::from_slice(body).map_err(|e| {
        reply::error(
            400,
            1201,
            &format!("the request body is not a valid request: {e}"),
            id,
        )
    })?;
    let mut prompt = parts.prompt.clone().unwrap_or_default();
    for c in &parts.contents {
        if let Content::Prompt { text } = c {
            prompt.push('\n');
            prompt.push_str(text);
        }
    }
    let options = parts.options.clone();
    check(kind, parsed, parts).map_err(|e| reply::rejected(&e, id))?;
    let new = NewTask {
        api: Api::Standard { kind },
        produces: Produces::Video,
        prompt,
        external: options.external_task_id,
        callback: options.callback_url,
        images: 1,
        series: false,
        watermark: value
            .pointer("/options/watermark_info/enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        model: Some(model.to_owned()),
        name: None,
    };
    let task = admission::admit(app, new, id)?;
    let mut data = json!({"id": task.id, "status": "submitted",
        "create_time": task.created_ms, "update_time": task.created_ms});
    if let Some(e) = &task.external {
        data["external_id"] = json!(e);
    }
    Ok(reply::ok(data, id))
}

fn is_standard(task: &TaskRecord) -> bool {
    matches!(task.api, Api::Standard { .. })
}

/// `GET /tasks?task_ids=a,b` or `?external_task_ids=x,y` (exactly one).
async fn get_tasks(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    uri: Uri,
) -> Reply {
    let inner = lock(&app);
    auth::kling(&inner, &headers, Accepts::ApiKeyOnly, &id)?;
    let (ids, external) = match (
        query_param(uri.query(), "task_ids"),
        query_param(uri.query(), "external_task_ids"),
    ) {
        (Some(ids), None) => (ids, false),
        (None, Some(ids)) => (ids, true),
        _ => {
            return Err(reply::invalid(
                "task_ids",
                "exactly one of task_ids and external_task_ids is required",
                &id,
            ));
        }
    };
    let field = if external {
        "external_task_ids"
    } else {
        "task_ids"
    };
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(reply::invalid(
            field,
            &format!("takes 1 to {MAX_IDS} ids"),
            &id,
        ));
    }
    let now = Instant::now();
    let found: Vec<Value> = ids
        .iter()
        .filter_map(|key| {
            if external {
                inner.task_by_external(key)
            } else {
                inner.task(key)
            }
        })
        .filter(|t| is_standard(t))
        .map(|t| t.standard(t.stage(now), &inner.files_url))
        .collect();
    Ok(reply::ok(Value::Array(found), &id))
}

fn status_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Submitted => "submitted",
        Stage::Processing => "processing",
        Stage::Succeeded => "succeeded",
        Stage::Failed => "failed",
    }
}

fn bad_time(field: &str, id: &RequestId) -> Response {
    reply::invalid(field, "must be Unix milliseconds", id)
}

/// `POST /tasks`: the tasks created in a time range (the last 30 days by default), newest
/// first, filtered by status or product type, a page at a time (the cursor is the offset).
async fn list_tasks(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let inner = lock(&app);
    auth::kling(&inner, &headers, Accepts::ApiKeyOnly, &id)?;
    let body: &[u8] = if body.is_empty() { b"{}" } else { &body };
    json_object(body, &id)?;
    let request: ListTasks = serde_json::from_slice(body).map_err(|e| {
        reply::error(
            400,
            1201,
            &format!("the request body is not a valid request: {e}"),
            &id,
        )
    })?;
    request.validate().map_err(|e| reply::rejected(&e, &id))?;
    // The cursor carries the range of the first page and the offset reached
    // (`{offset}_{start}_{end}`): later pages ignore the request's range (kling-api.md 2e).
    let (offset, start, end) = match &request.cursor {
        Some(c) => parse_cursor(c)
            .ok_or_else(|| reply::invalid("cursor", "is not a cursor this server gave", &id))?,
        None => {
            let end = match &request.end_time {
                Some(t) => t.parse::<i64>().map_err(|_| bad_time("end_time", &id))?,
                None => now_ms(),
            };
            let start = match &request.start_time {
                Some(t) => t.parse::<i64>().map_err(|_| bad_time("start_time", &id))?,
                None => end - THIRTY_DAYS_MS,
            };
            (0, start, end)
        }
    };
    let limit = request.limit.unwrap_or(100) as usize;
    let now = Instant::now();
    let wanted = |key: &str, value: &str| {
        request
            .filters
            .iter()
            .filter(|f| f.key == key)
            .all(|f| f.values.iter().any(|v| v == value))
    };
    let matching: Vec<&TaskRecord> = inner
        .tasks
        .values()
        .rev()
        .filter(|t| is_standard(t))
        .filter(|t| (start..=end).contains(&t.created_ms))
        .filter(|t| wanted("status", status_name(t.stage(now))) && wanted("product_type", "video"))
        .collect();
    let count = matching.len();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|t| t.standard(t.stage(now), &inner.files_url))
        .collect();
    let next = offset + page.len();
    let has_more = next < count;
    Ok(reply::ok(
        json!({"result": page, "count": count,
            "next_cursor": if has_more { format!("{next}_{start}_{end}") } else { String::new() },
            "has_more": has_more}),
        &id,
    ))
}

/// `{offset}_{start}_{end}`.
fn parse_cursor(cursor: &str) -> Option<(usize, i64, i64)> {
    let mut parts = cursor.split('_');
    let offset = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    let end = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((offset, start, end))
}
