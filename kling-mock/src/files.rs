//! The file host: result files on a host of their own, as Kling's CDN is. It serves only the
//! files the mock handed out (in the results of its tasks, of its synchronous calls and of the
//! preset lists; anything else is 404), refuses requests that carry `Authorization` (a client
//! must never send its Kling credentials there), serves `Range` requests, and
//! `/files/large/<bytes>.mp4` for download benchmarks.
//!
//! A file's name only picks its kind by extension: names are looked up, never used as paths.

use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::routes::preset_file;
use crate::state::{App, Inner, lock};
use crate::task::generation_seq;
use crate::{SAMPLE_MP3, SAMPLE_MP4, SAMPLE_PNG, SAMPLE_WAV};

/// The largest synthetic file (`/files/large/<bytes>.mp4`).
const MAX_LARGE: usize = 1 << 30;

/// The file host's routes.
pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route("/files/large/{name}", get(large))
        .route("/files/{name}", get(sample))
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such file") })
        .with_state(app)
}

/// Whether the mock handed out file `name`: a finished task's result (its name starts with
/// the task id, or is a RunBlob generation id), a synchronous call's, or a preset's.
fn issued(inner: &Inner, name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    let by_task_id = name[..digits].parse::<u64>().ok();
    let now = Instant::now();
    let of_task = [by_task_id, generation_seq(stem)]
        .into_iter()
        .flatten()
        .filter_map(|seq| inner.tasks.get(&seq))
        .any(|task| task.files(now).iter().any(|f| f == name));
    of_task || inner.issued_file(name) || preset_file(name)
}

fn refuse_credentials(headers: &HeaderMap) -> Option<Response> {
    headers.contains_key(header::AUTHORIZATION).then(|| {
        (
            StatusCode::BAD_REQUEST,
            "this file host refuses requests with an Authorization header",
        )
            .into_response()
    })
}

/// A result file: the sample of its kind, if the mock handed it out.
async fn sample(State(app): State<App>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if let Some(refused) = refuse_credentials(&headers) {
        return refused;
    }
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let well_formed = !stem.is_empty()
        && stem.len() <= 128
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let (content, content_type): (&'static [u8], &str) = match ext {
        "mp4" => (SAMPLE_MP4, "video/mp4"),
        "png" => (SAMPLE_PNG, "image/png"),
        "mp3" => (SAMPLE_MP3, "audio/mpeg"),
        "wav" => (SAMPLE_WAV, "audio/wav"),
        _ => return (StatusCode::NOT_FOUND, "no such file").into_response(),
    };
    if !well_formed || !issued(&lock(&app), &name) {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    ranged(Bytes::from_static(content), content_type, &headers)
}

/// `/files/large/<bytes>.mp4`: that many bytes of a repeating pattern.
async fn large(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if let Some(refused) = refuse_credentials(&headers) {
        return refused;
    }
    let Some(n) = name
        .strip_suffix(".mp4")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= MAX_LARGE)
    else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let content: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
    ranged(Bytes::from(content), "video/mp4", &headers)
}

/// The content, whole or from the `Range` start (`bytes=N-` or `bytes=N-M`).
fn ranged(content: Bytes, content_type: &str, headers: &HeaderMap) -> Response {
    let total = content.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="));
    let Some(range) = range else {
        return (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::ACCEPT_RANGES, "bytes".to_owned()),
            ],
            content,
        )
            .into_response();
    };
    let parsed = range.split_once('-').and_then(|(a, b)| {
        let start = a.trim().parse::<usize>().ok()?;
        let end = match b.trim() {
            "" => total.checked_sub(1)?,
            b => b.parse::<usize>().ok()?.min(total.checked_sub(1)?),
        };
        (start <= end).then_some((start, end))
    });
    match parsed {
        Some((start, end)) => (
            StatusCode::PARTIAL_CONTENT,
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::ACCEPT_RANGES, "bytes".to_owned()),
                (
                    header::CONTENT_RANGE,
                    format!("bytes {start}-{end}/{total}"),
                ),
            ],
            content.slice(start..=end),
        )
            .into_response(),
        None => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{total}"))],
        )
            .into_response(),
    }
}
