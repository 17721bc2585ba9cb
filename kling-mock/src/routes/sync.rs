//! The synchronous calls, answered at once: text to speech, image recognition, face
//! identification (the session of an advanced lip sync) and the selection sessions of
//! multi-element editing (init, add, delete, clear, preview).

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Extension, Router};
use kling_types::Endpoint;
use kling_types::audio::Tts;
use kling_types::images::RecognizeImage;
use kling_types::multi_elements::{EditSelection, InitSelection, SessionCall};
use kling_types::videos::IdentifyFace;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::legacy::{json_object, known_video};
use crate::auth::{self, Accepts};
use crate::reply::{self, Reply, RequestId};
use crate::state::{App, Inner, Session, lock, now_ms};

/// Frames a selection may mark (Kling: 10).
const MAX_FRAMES: usize = 10;

/// The routes of the synchronous calls.
pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/v1/audio/tts", post(tts))
        .route("/v1/videos/image-recognize", post(recognize))
        .route("/v1/videos/identify-face", post(identify_face))
        .route(
            "/v1/videos/multi-elements/init-selection",
            post(init_selection),
        )
        .route(
            "/v1/videos/multi-elements/add-selection",
            post(add_selection),
        )
        .route(
            "/v1/videos/multi-elements/delete-selection",
            post(delete_selection),
        )
        .route(
            "/v1/videos/multi-elements/clear-selection",
            post(clear_selection),
        )
        .route(
            "/v1/videos/multi-elements/preview-selection",
            post(preview_selection),
        )
}

/// Authenticates, decodes the body as `R` and runs its checks (1201 naming the field).
fn accept<R: DeserializeOwned + Endpoint>(
    app: &App,
    id: &RequestId,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<R, axum::response::Response> {
    auth::kling(&lock(app), headers, Accepts::Any, id)?;
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

/// `POST /v1/audio/tts`: the audio at once, as a finished task.
async fn tts(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let request: Tts = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    let forbidden = &inner.config.forbidden_word;
    if !forbidden.is_empty() && request.text.to_lowercase().contains(forbidden.as_str()) {
        return Err(reply::error(
            400,
            1301,
            "Trigger the content security policy of the platform",
            &id,
        ));
    }
    let seq = inner.next_seq();
    let url = inner.issue_file(format!("{seq}.mp3"));
    let now = now_ms();
    Ok(reply::ok(
        json!({
            "task_id": seq.to_string(),
            "task_status": "succeed",
            "task_status_msg": "",
            "task_info": {},
            "task_result": {"audios": [{"id": format!("{seq}2"), "url": url, "duration": "1"}]},
            "created_at": now,
            "updated_at": now,
        }),
        &id,
    ))
}

/// `POST /v1/videos/image-recognize`: the four segmentations at once.
async fn recognize(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let _: RecognizeImage = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    let seq = inner.next_seq();
    let images: Vec<Value> = ["object_seg", "head_seg", "face_seg", "cloth_seg"]
        .iter()
        .map(|kind| json!({"type": kind, "is_contain": true, "url": inner.issue_file(format!("{seq}-{kind}.png"))}))
        .collect();
    let now = now_ms();
    Ok(reply::ok(
        json!({"task_id": seq.to_string(), "task_status": "succeed", "task_status_msg": "",
            "task_result": {"images": images}, "created_at": now, "updated_at": now}),
        &id,
    ))
}

/// The video of an identify-face or init-selection call must be this account's.
fn check_video(
    inner: &Inner,
    video_id: Option<&str>,
    id: &RequestId,
) -> Result<(), axum::response::Response> {
    match video_id {
        Some(v) if !known_video(inner, v) => Err(reply::invalid(
            "video_id",
            &format!("{v:?} is not a finished video of this account"),
            id,
        )),
        _ => Ok(()),
    }
}

/// A new session, answered with its id and deductions.
fn new_session(inner: &mut Inner, faces: bool) -> String {
    let session_id = format!("sess-{}", inner.next_seq());
    inner.add_session(
        session_id.clone(),
        Session {
            created: Instant::now(),
            faces,
            frames: BTreeMap::new(),
        },
    );
    session_id
}

/// `POST /v1/videos/identify-face`: one face, and the session to lip-sync it in.
async fn identify_face(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let request: IdentifyFace = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    check_video(&inner, request.video_id.as_deref(), &id)?;
    let session_id = new_session(&mut inner, true);
    let face = inner.issue_file(format!("{session_id}-face.png"));
    Ok(reply::ok(
        json!({
            "session_id": session_id,
            "final_unit_deduction": "0",
            "face_data": [{"face_id": "0", "face_image": face,
                "start_time": 0, "end_time": 2000}],
        }),
        &id,
    ))
}

/// What a selection call answers: the session and its marked frames as masks (`frames`:
/// each marked frame and its number of points).
fn selection(inner: &mut Inner, session_id: &str, frames: Vec<(u32, usize)>) -> Value {
    let masks: Vec<Value> = frames
        .into_iter()
        .map(|(frame, points)| {
            json!({"frame_index": frame, "points": points,
                "rle_mask": {"size": [90, 160], "counts": "mock"},
                "png": inner.issue_file(format!("{session_id}-{frame}.png"))})
        })
        .collect();
    json!({"session_id": session_id, "final_unit_deduction": "0", "res": {"rle_mask_list": masks}})
}

/// A session's marked frames and their numbers of points.
fn marked(session: &Session) -> Vec<(u32, usize)> {
    session
        .frames
        .iter()
        .map(|(frame, points)| (*frame, points.len()))
        .collect()
}

/// `POST /v1/videos/multi-elements/init-selection`.
async fn init_selection(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let request: InitSelection = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    check_video(&inner, request.video_id.as_deref(), &id)?;
    let session_id = new_session(&mut inner, false);
    Ok(reply::ok(
        json!({"session_id": session_id, "final_unit_deduction": "0"}),
        &id,
    ))
}

/// The live selection session `session_id`, or 1201.
fn selection_session<'a>(
    inner: &'a mut Inner,
    session_id: &str,
    id: &RequestId,
) -> Result<&'a mut Session, axum::response::Response> {
    match inner.session_mut(session_id) {
        Some(s) if !s.faces => Ok(s),
        _ => Err(reply::invalid(
            "session_id",
            &format!("{session_id:?} does not exist or has expired"),
            id,
        )),
    }
}

async fn edit_selection(
    app: App,
    id: RequestId,
    headers: HeaderMap,
    body: Bytes,
    delete: bool,
) -> Reply {
    let request: EditSelection = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    let session = selection_session(&mut inner, &request.session_id, &id)?;
    let points: Vec<(f64, f64)> = request.points.iter().map(|p| (p.x, p.y)).collect();
    if delete {
        if let Some(marked) = session.frames.get_mut(&request.frame_index) {
            marked.retain(|p| !points.contains(p));
            if marked.is_empty() {
                session.frames.remove(&request.frame_index);
            }
        }
    } else {
        if !session.frames.contains_key(&request.frame_index) && session.frames.len() >= MAX_FRAMES
        {
            return Err(reply::invalid(
                "frame_index",
                "at most 10 frames may be marked",
                &id,
            ));
        }
        let marked = session.frames.entry(request.frame_index).or_default();
        if marked.len() + points.len() > 10 {
            return Err(reply::invalid("points", "at most 10 points per frame", &id));
        }
        marked.extend(points);
    }
    let frames = marked(session);
    Ok(reply::ok(
        selection(&mut inner, &request.session_id, frames),
        &id,
    ))
}

/// `POST /v1/videos/multi-elements/add-selection`.
async fn add_selection(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    edit_selection(app, id, headers, body, false).await
}

/// `POST /v1/videos/multi-elements/delete-selection`.
async fn delete_selection(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    edit_selection(app, id, headers, body, true).await
}

/// `POST /v1/videos/multi-elements/clear-selection`.
async fn clear_selection(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let request: SessionCall = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    let session = selection_session(&mut inner, &request.session_id, &id)?;
    session.frames.clear();
    Ok(reply::ok(
        selection(&mut inner, &request.session_id, Vec::new()),
        &id,
    ))
}

/// `POST /v1/videos/multi-elements/preview-selection`: a preview video of the selection.
async fn preview_selection(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let request: SessionCall = accept(&app, &id, &headers, &body)?;
    let mut inner = lock(&app);
    let session_id = request.session_id.clone();
    let session = selection_session(&mut inner, &session_id, &id)?;
    if session.frames.is_empty() {
        return Err(reply::invalid(
            "session_id",
            "nothing is selected yet (add-selection first)",
            &id,
        ));
    }
    let [video, cover, tracking] = ["preview.mp4", "cover.png", "tracking.mp4"]
        .map(|file| inner.issue_file(format!("{session_id}-{file}")));
    Ok(reply::ok(
        json!({"session_id": session_id, "final_unit_deduction": "0",
            "res": {"video": video, "video_cover": cover, "tracking_output": tracking}}),
        &id,
    ))
}
