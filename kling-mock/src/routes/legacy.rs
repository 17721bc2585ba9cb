//! The legacy task families, every one from the one table `kling_types::FAMILIES`: create
//! `POST {path}`, query `GET {path}/{id}` (by task id or external task id), list
//! `GET {path}?pageNum=&pageSize=`. A create passes the family's own check (the SDK's
//! preflight validation, run by the server as Kling runs its own) before admission.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::routing::{get, post};
use axum::{Extension, Router};
use kling_types::family::{FAMILIES, Family, Produces};
use kling_types::models::{self, Api as ModelApi};
use serde_json::Value;

use super::admission::{self, NewTask};
use super::{page_param, query_param};
use crate::auth::{self, Accepts};
use crate::reply::{self, Reply, RequestId};
use crate::state::{App, Inner, lock};
use crate::task::{self, Api, Stage, TaskRecord};

/// Create, query and list routes of every family.
pub(super) fn router() -> Router<App> {
    let mut router = Router::new();
    for family in FAMILIES {
        let create =
            move |State(app): State<App>,
                  Extension(id): Extension<RequestId>,
                  headers: HeaderMap,
                  body: Bytes| async move { create(family, &app, &id, &headers, &body) };
        let list =
            move |State(app): State<App>,
                  Extension(id): Extension<RequestId>,
                  headers: HeaderMap,
                  uri: Uri| async move { list(family, &app, &id, &headers, &uri) };
        let query =
            move |State(app): State<App>,
                  Extension(id): Extension<RequestId>,
                  headers: HeaderMap,
                  Path(task): Path<String>,
                  uri: Uri| async move { query(family, &app, &id, &headers, &task, &uri) };
        router = router
            .route(family.path, post(create).get(list))
            .route(&format!("{}/{{id}}", family.path), get(query));
    }
    router
}

/// Whether `task` is one of `family`'s still there (a deleted voice or element is gone: not
/// found, not listed).
fn of_family(task: &TaskRecord, family: &Family) -> bool {
    matches!(&task.api, Api::Legacy(f) if f.name == family.name) && !task.deleted
}

/// The request body as a JSON object, or Kling's 1200.
pub(super) fn json_object(body: &[u8], id: &RequestId) -> Result<Value, axum::response::Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => Ok(v),
        _ => Err(reply::error(
            400,
            1200,
            "the request body is not a valid JSON object",
            id,
        )),
    }
}

/// The models a family takes, from kling-types' models data (the same table the SDK's
/// preflight reads); `Err` names the problem with `model_name`. A model the data does not
/// know is one this server does not run.
fn check_model(family: &Family, body: &Value) -> Result<(), String> {
    let Some(name) = body.get("model_name").and_then(Value::as_str) else {
        return Ok(());
    };
    let Some(model) = models::find(ModelApi::Legacy, name) else {
        return Err(format!("{name} is not a supported model"));
    };
    let endpoint = match family.name {
        "text2video" => "text2video",
        "image2video" => "image2video",
        "multi-image2video" => "multi-image2video",
        "extend" => "video-extend",
        "omni-video" => "omni-video",
        "motion-control" => "motion-control",
        "omni-image" => "omni-image",
        "try-on" => "try-on",
        "image" => "image-generations",
        "multi-image" => "multi-image2image",
        // Families whose bodies name no model of the data.
        _ => return Ok(()),
    };
    match model.endpoint(endpoint) {
        Some(spec) if spec.offered => Ok(()),
        _ => Err(format!("{name} is not supported by {}", family.title)),
    }
}

/// Whether `video_id` names a video this account made (Kling takes only its own videos).
pub(super) fn known_video(inner: &Inner, video_id: &str) -> bool {
    task::task_of_video(video_id)
        .and_then(|t| inner.task(t))
        .is_some_and(|t| {
            t.produces == Produces::Video && t.stage(Instant::now()) == Stage::Succeeded
        })
}

/// What a create refers to must exist: the video of an extension, lip sync or dubbing, the
/// session of an advanced lip sync or a multi-element edit.
fn check_references(inner: &mut Inner, body: &Value) -> Result<(), (String, String)> {
    let video = body
        .get("video_id")
        .or_else(|| body.pointer("/input/video_id"))
        .and_then(Value::as_str);
    if let Some(v) = video
        && !known_video(inner, v)
    {
        return Err((
            "video_id".into(),
            format!("{v:?} is not a finished video of this account"),
        ));
    }
    if let Some(s) = body.get("session_id").and_then(Value::as_str)
        && inner.session_mut(s).is_none()
    {
        return Err((
            "session_id".into(),
            format!("{s:?} does not exist or has expired"),
        ));
    }
    Ok(())
}

/// Every prompt text of a create (content security reads them all).
fn prompts(body: &Value) -> String {
    let mut text = String::new();
    for p in [
        body.get("prompt"),
        body.pointer("/input/text"),
        body.get("sound_effect_prompt"),
        body.get("bgm_prompt"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    {
        text.push_str(p);
        text.push('\n');
    }
    if let Some(shots) = body.get("multi_prompt").and_then(Value::as_array) {
        for p in shots.iter().filter_map(|s| s.get("prompt")?.as_str()) {
            text.push_str(p);
            text.push('\n');
        }
    }
    text
}

/// How many images a create makes and whether they are an omni image series: `n` (1 when
/// absent), or for a series `series_amount` (4 when absent or `auto`: the documented default;
/// the real server picks the length of an `auto` series).
fn image_count(family: &Family, body: &Value) -> (u32, bool) {
    let series = family.name == "omni-image"
        && body.get("result_type").and_then(Value::as_str) == Some("series");
    let count = if series {
        body.get("series_amount")
            .and_then(Value::as_str)
            .and_then(|a| a.parse::<u32>().ok())
            .unwrap_or(4)
    } else {
        body.get("n")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1)
    };
    (count, series)
}

fn text_field(body: &Value, name: &str) -> Option<String> {
    body.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// `POST {path}`.
fn create(
    family: &'static Family,
    app: &App,
    id: &RequestId,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    auth::kling(&lock(app), headers, Accepts::Any, id)?;
    let value = json_object(body, id)?;
    family
        .check_create(body)
        .map_err(|e| reply::rejected(&e, id))?;
    check_model(family, &value).map_err(|m| reply::invalid("model_name", &m, id))?;
    check_references(&mut lock(app), &value).map_err(|(f, m)| reply::invalid(&f, &m, id))?;
    let (images, series) = image_count(family, &value);
    let new = NewTask {
        api: Api::Legacy(family),
        produces: family.produces,
        prompt: prompts(&value),
        external: text_field(&value, "external_task_id"),
        callback: text_field(&value, "callback_url"),
        images,
        series,
        watermark: value
            .pointer("/watermark_info/enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        model: text_field(&value, "model_name"),
        name: text_field(&value, "voice_name").or_else(|| text_field(&value, "element_name")),
    };
    let task = admission::admit(app, new, id)?;
    let files = lock(app).files_url.clone();
    // Kling always answers a create with the task as submitted; the poll sees the rest.
    Ok(reply::ok(task.legacy(Stage::Submitted, &files), id))
}

/// `GET {path}/{id}`: by task id, else by external task id (`?external_task_id=true`: only by
/// external id).
fn query(
    family: &'static Family,
    app: &App,
    id: &RequestId,
    headers: &HeaderMap,
    task_id: &str,
    uri: &Uri,
) -> Reply {
    let inner = lock(app);
    auth::kling(&inner, headers, Accepts::Any, id)?;
    let external_only = query_param(uri.query(), "external_task_id").as_deref() == Some("true");
    let by_id = (!external_only)
        .then(|| inner.task(task_id))
        .flatten()
        .filter(|t| of_family(t, family));
    let found = by_id.or_else(|| {
        inner
            .task_by_external(task_id)
            .filter(|t| of_family(t, family))
    });
    match found {
        Some(t) => Ok(reply::ok(
            t.legacy(t.stage(Instant::now()), &inner.files_url),
            id,
        )),
        None => Err(reply::error(404, 1203, "task not found", id)),
    }
}

/// `GET {path}?pageNum=&pageSize=`, newest first (`external_task_id=` narrows it to that task).
fn list(
    family: &'static Family,
    app: &App,
    id: &RequestId,
    headers: &HeaderMap,
    uri: &Uri,
) -> Reply {
    let inner = lock(app);
    auth::kling(&inner, headers, Accepts::Any, id)?;
    let q = uri.query();
    let page =
        page_param(q, "pageNum", 1, (1, 1000)).map_err(|m| reply::invalid("pageNum", &m, id))?;
    let size = page_param(q, "pageSize", 30, (1, family.max_page_size))
        .map_err(|m| reply::invalid("pageSize", &m, id))?;
    let external = query_param(q, "external_task_id");
    let now = Instant::now();
    let tasks: Vec<Value> = inner
        .tasks
        .values()
        .rev()
        .filter(|t| of_family(t, family))
        .filter(|t| external.is_none() || t.external == external)
        .skip((page as usize - 1) * size as usize)
        .take(size as usize)
        .map(|t| t.legacy(t.stage(now), &inner.files_url))
        .collect();
    Ok(reply::ok(Value::Array(tasks), id))
}
