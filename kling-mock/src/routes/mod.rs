//! The API host's routes, one module per API, and what every request goes through first:
//! the request log and id, scripted faults, the rate limit, and the statistics of the answer.

mod account;
mod admission;
mod general;
mod legacy;
mod runblob;
mod standard;
mod sync;

pub(crate) use general::preset_file;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use crate::faults::{self, FaultAction};
use crate::reply::{self, Answered, RequestId};
use crate::state::{App, lock};

/// The largest request body accepted: base64 images of up to 10 MB, and some room.
const MAX_BODY: usize = 16 << 20;

/// What the observing layer needs: the state, and the stop signal (a stalled answer ends when
/// the mock stops).
#[derive(Clone)]
struct Observer {
    app: App,
    stop: watch::Receiver<bool>,
}

/// Every route of the API host.
pub(crate) fn router(app: App, stop: watch::Receiver<bool>) -> Router {
    let api = Router::new()
        .merge(legacy::router())
        .merge(sync::router())
        .merge(general::router())
        .merge(account::router())
        .merge(standard::router())
        .nest("/runblob", runblob::router())
        .route("/mock/stats", get(stats))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(app.clone());
    api.layer(middleware::from_fn_with_state(
        Observer { app, stop },
        observe,
    ))
    .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

/// An unknown path or method: Kling's 404 envelope.
async fn not_found(request_id: Option<axum::Extension<RequestId>>) -> Response {
    let id = request_id.map_or_else(|| RequestId("mock-0".into()), |r| r.0);
    reply::error(404, 1202, "the requested method is invalid", &id)
}

/// `GET /mock/stats`.
async fn stats(State(app): State<App>) -> Response {
    let stats = lock(&app).stats();
    let value = serde_json::to_value(&stats).unwrap_or_default();
    reply::json_response(StatusCode::OK, &value)
}

/// Logs and numbers the request, plays a scripted fault, applies the rate limit, and counts the
/// answer. `/mock/` requests pass untouched (they are the observer's own).
async fn observe(State(observer): State<Observer>, mut request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    if path.starts_with("/mock/") {
        return next.run(request).await;
    }
    let app = &observer.app;
    let (request_id, fault) = {
        let mut inner = lock(app);
        let id = inner.record_request(&method, &path);
        (
            RequestId(id),
            faults::take(&mut inner.faults, &method, &path),
        )
    };
    let early = match &fault {
        Some(FaultAction::Status { status, code }) => Some(reply::error(
            *status,
            *code,
            &format!("injected fault {code}"),
            &request_id,
        )),
        Some(FaultAction::RetryAfter {
            status,
            code,
            seconds,
        }) => {
            let mut r = reply::error(*status, *code, &format!("injected fault {code}"), &request_id);
            r.headers_mut().insert(header::RETRY_AFTER, (*seconds).into());
            Some(r)
        }
        Some(FaultAction::Html502) => Some(
            (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
        ),
        Some(FaultAction::Stall) => {
            let mut stop = observer.stop.clone();
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(600)) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            None
        }
        Some(FaultAction::Delay(d)) => {
            tokio::time::sleep(*d).await;
            None
        }
        _ => None,
    };
    let response = match early {
        Some(response) => response,
        None => {
            // Kling's rate limit (RunBlob documents none).
            let limited = !path.starts_with("/runblob/") && lock(app).over_rate_limit();
            if limited {
                reply::error(
                    429,
                    1302,
                    "The API request is too fast, exceeding the platform's rate limit",
                    &request_id,
                )
            } else {
                request.extensions_mut().insert(request_id);
                let response = next.run(request).await;
                if fault == Some(FaultAction::Truncate) {
                    truncate(response).await
                } else {
                    response
                }
            }
        }
    };
    let code = response.extensions().get::<Answered>().map(|a| a.0.clone());
    lock(app).record_answer(response.status().as_u16(), code.as_deref());
    response
}

/// The answer with its body cut in half (a connection lost mid-body, as the client sees it).
async fn truncate(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    let mut response = Response::from_parts(parts, Body::from(cut.clone()));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, cut.len().into());
    response
}

/// Reads `name` from a query string, percent-decoded.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes()).find_map(|(k, v)| (k == name).then(|| v.into_owned()))
}

/// A page parameter: absent means `default`; present, it must be a number in `lo..=hi`.
pub(crate) fn page_param(
    query: Option<&str>,
    name: &str,
    default: u32,
    (lo, hi): (u32, u32),
) -> Result<u32, String> {
    match query_param(query, name) {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (lo..=hi).contains(n))
            .ok_or_else(|| format!("must be a number from {lo} to {hi}, got {v:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        let q = Some("a=1&task_ids=x%2Cy&name=a+b&bad=%zz&tail=%4");
        assert_eq!(query_param(q, "task_ids").as_deref(), Some("x,y"));
        assert_eq!(query_param(q, "name").as_deref(), Some("a b"));
        assert_eq!(query_param(q, "bad").as_deref(), Some("%zz"));
        assert_eq!(query_param(q, "tail").as_deref(), Some("%4"));
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(page_param(q, "a", 30, (1, 500)), Ok(1));
        assert_eq!(page_param(q, "zz", 30, (1, 500)), Ok(30));
        assert!(page_param(Some("a=0"), "a", 30, (1, 500)).is_err());
    }
}
