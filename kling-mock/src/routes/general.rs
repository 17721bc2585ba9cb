//! The voice and element libraries beside their task families: the official presets (paged
//! lists) and the deletes of custom voices and elements.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use kling_types::Endpoint;
use kling_types::family::Produces;
use kling_types::general::{DeleteElement, DeleteVoice};
use serde_json::{Value, json};

use super::legacy::json_object;
use super::page_param;
use crate::auth::{self, Accepts};
use crate::reply::{self, Reply, RequestId};
use crate::state::{App, lock};

/// Kling's official voices (ids as the lip-sync docs name them).
const PRESET_VOICES: &[(&str, &str)] = &[
    ("genshin_vindi2", "Sunny"),
    ("oversea_male1", "Gentleman"),
    ("genshin_klee2", "Sprite"),
    ("uk_boy1", "Boy"),
    ("commercial_lady_en_f-v1", "Lady"),
    ("chat1_female_new-3", "Friend"),
];

/// Kling's official elements.
const PRESET_ELEMENTS: &[(u64, &str, &str)] = &[
    (900_000_000_000_000_001, "Explorer", "a hiker in a red coat"),
    (900_000_000_000_000_002, "Robot", "a small silver robot"),
    (900_000_000_000_000_003, "Cat", "a ginger cat"),
];

/// The preset lists and the deletes.
pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/v1/general/presets-voices", get(preset_voices))
        .route(
            "/v1/general/advanced-presets-elements",
            get(preset_elements),
        )
        .route("/v1/general/delete-voices", post(delete_voice))
        .route("/v1/general/delete-advanced-elements", post(delete_element))
        // The image-side element pages' path for the same delete (kling-api.md 10.5).
        .route("/v1/general/delete-elements", post(delete_element))
}

/// Whether `name` is the file of a preset (a voice's trial MP3, an element's frontal image):
/// the preset lists hand them out.
pub(crate) fn preset_file(name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    match ext {
        "mp3" => PRESET_VOICES.iter().any(|(voice, _)| *voice == stem),
        "png" => PRESET_ELEMENTS
            .iter()
            .any(|(element, _, _)| element.to_string() == stem),
        _ => false,
    }
}

/// A page of `items` (each a finished task holding one preset).
fn page(
    app: &App,
    id: &RequestId,
    headers: &HeaderMap,
    uri: &Uri,
    max: u32,
    items: Vec<Value>,
) -> Reply {
    auth::kling(&lock(app), headers, Accepts::Any, id)?;
    let q = uri.query();
    let num =
        page_param(q, "pageNum", 1, (1, 1000)).map_err(|m| reply::invalid("pageNum", &m, id))?;
    let size =
        page_param(q, "pageSize", 30, (1, max)).map_err(|m| reply::invalid("pageSize", &m, id))?;
    let items: Vec<Value> = items
        .into_iter()
        .skip((num as usize - 1) * size as usize)
        .take(size as usize)
        .collect();
    Ok(reply::ok(Value::Array(items), id))
}

fn preset_task(key: &str, result: Value) -> Value {
    json!({"task_id": format!("preset-{key}"), "task_status": "succeed", "task_status_msg": "",
        "task_info": {}, "task_result": result, "created_at": 1_726_124_664_368i64, "updated_at": 1_726_124_664_368i64})
}

/// `GET /v1/general/presets-voices`.
async fn preset_voices(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    uri: Uri,
) -> Reply {
    let files = lock(&app).files_url.clone();
    let items = PRESET_VOICES
        .iter()
        .map(|(voice, name)| {
            preset_task(
                voice,
                json!({"voices": [{"voice_id": voice, "voice_name": name,
                "trial_url": format!("{files}/files/{voice}.mp3"), "owned_by": "kling"}]}),
            )
        })
        .collect();
    page(&app, &id, &headers, &uri, 1000, items)
}

/// `GET /v1/general/advanced-presets-elements`.
async fn preset_elements(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    uri: Uri,
) -> Reply {
    let files = lock(&app).files_url.clone();
    let items = PRESET_ELEMENTS
        .iter()
        .map(|(element, name, description)| {
            preset_task(
                &element.to_string(),
                json!({"elements": [{"element_id": element, "element_name": name,
                "element_description": description, "reference_type": "image_refer",
                "element_image_list": {"frontal_image": format!("{files}/files/{element}.png")},
                "tag_list": [], "owned_by": "kling", "status": "succeed"}]}),
            )
        })
        .collect();
    page(&app, &id, &headers, &uri, 500, items)
}

/// Marks the custom voice or element of task `task_id` deleted: from now on it is neither
/// found nor listed. Deleting a voice twice is fine; an element deleted already gets 1201
/// "already be deleted", as Kling answered a peer (kling-api.md 10). The error answer when it
/// is not one of this account's.
fn mark_deleted(
    app: &App,
    task_id: Option<&str>,
    produces: Produces,
    field: &str,
    shown: &str,
    id: &RequestId,
) -> Result<(), Response> {
    let mut inner = lock(app);
    match task_id.and_then(|t| inner.task_mut(t)) {
        Some(task) if task.produces == produces => {
            if task.deleted && produces == Produces::Element {
                return Err(reply::invalid(
                    field,
                    &format!("{shown} has already be deleted"),
                    id,
                ));
            }
            task.deleted = true;
            Ok(())
        }
        _ => Err(reply::invalid(
            field,
            &format!(
                "{shown} is not a custom {} of this account",
                if produces == Produces::Voice {
                    "voice"
                } else {
                    "element"
                }
            ),
            id,
        )),
    }
}

/// `POST /v1/general/delete-voices`.
async fn delete_voice(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    auth::kling(&lock(&app), &headers, Accepts::Any, &id)?;
    json_object(&body, &id)?;
    let request: DeleteVoice = serde_json::from_slice(&body)
        .map_err(|_| reply::invalid("voice_id", "is required (a string)", &id))?;
    request.validate().map_err(|e| reply::rejected(&e, &id))?;
    // Custom voice ids are the task id and a `3`.
    let task = request.voice_id.strip_suffix('3');
    mark_deleted(
        &app,
        task,
        Produces::Voice,
        "voice_id",
        &format!("{:?}", request.voice_id),
        &id,
    )?;
    Ok(reply::ok(
        json!({"voice_id": request.voice_id, "status": "deleted"}),
        &id,
    ))
}

/// `POST /v1/general/delete-advanced-elements` and `POST /v1/general/delete-elements`: the
/// answer is the documented `{task_id, task_status}`.
async fn delete_element(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    auth::kling(&lock(&app), &headers, Accepts::Any, &id)?;
    json_object(&body, &id)?;
    let request: DeleteElement = serde_json::from_slice(&body)
        .map_err(|_| reply::invalid("element_id", "is required (a string)", &id))?;
    request.validate().map_err(|e| reply::rejected(&e, &id))?;
    // Custom element ids are their task's id.
    let task = request.element_id.trim();
    mark_deleted(
        &app,
        Some(task),
        Produces::Element,
        "element_id",
        &format!("{task:?}"),
        &id,
    )?;
    Ok(reply::ok(
        json!({"task_id": task, "task_status": "succeed"}),
        &id,
    ))
}
