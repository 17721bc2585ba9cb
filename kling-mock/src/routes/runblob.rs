//! RunBlob's Kling API, under `/runblob`: its bodies (checked with kling-types' own RunBlob
//! checks), bare JSON answers, `{"detail": ...}` errors, `pending|processing|completed|failed`
//! generations, the classic list, the balance, and webhooks on the terminal state.

use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use kling_types::Endpoint;
use kling_types::family::Produces;
use kling_types::runblob::{
    Generate, GenerateO1Video, GenerateO3Video, GeneratePhoto, Product, RunBlobModel,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::query_param;
use crate::auth;
use crate::billing::dollars;
use crate::callbacks;
use crate::reply::{self, Reply};
use crate::state::{App, lock, now_ms};
use crate::task::{Api, TaskFailure, TaskRecord, generation_id, generation_seq};

/// The products with a path segment of their own (classic Kling sits at `/v1/kling`).
const PRODUCTS: &[(&str, Product)] = &[
    ("o1-video", Product::O1Video),
    ("o3-video", Product::O3Video),
    ("o1-photo", Product::O1Photo),
    ("o3-photo", Product::O3Photo),
];

/// RunBlob's routes (nested under `/runblob`).
pub(super) fn router() -> Router<App> {
    let mut router = Router::new()
        .route(
            "/v1/kling/generate",
            post(|s: State<App>, h: HeaderMap, b: Bytes| async move {
                create(Product::Classic, &s, &h, &b)
            }),
        )
        .route("/v1/kling/generations", get(list))
        .route(
            "/v1/kling/generations/{id}",
            get(
                |s: State<App>, h: HeaderMap, Path(id): Path<String>| async move {
                    status(Product::Classic, &s, &h, &id)
                },
            ),
        )
        .route("/v1/data/balance", get(balance));
    for (segment, product) in PRODUCTS {
        let product = *product;
        router = router
            .route(
                &format!("/v1/kling/{segment}/generate"),
                post(move |s: State<App>, h: HeaderMap, b: Bytes| async move {
                    create(product, &s, &h, &b)
                }),
            )
            .route(
                &format!("/v1/kling/{segment}/generations/{{id}}"),
                get(
                    move |s: State<App>, h: HeaderMap, Path(id): Path<String>| async move {
                        status(product, &s, &h, &id)
                    },
                ),
            );
    }
    router
        .fallback(|| async { reply::detail(404, "Not Found") })
        .method_not_allowed_fallback(|| async { reply::detail(405, "Method Not Allowed") })
}

/// Decodes `body` as `R` (422 when it does not decode).
fn decode<R: DeserializeOwned>(body: &[u8]) -> Result<R, Response> {
    serde_json::from_slice(body).map_err(|e| reply::detail(422, &format!("Validation error: {e}")))
}

/// The product's own checks of the body.
fn check(product: Product, body: &[u8]) -> Result<(), Response> {
    let verdict = match product {
        Product::O1Video => decode::<GenerateO1Video>(body)?.validate(),
        Product::O3Video => decode::<GenerateO3Video>(body)?.validate(),
        Product::O1Photo | Product::O3Photo => {
            // The product comes from the path.
            decode::<GeneratePhoto>(body)?
                .o3_product(product == Product::O3Photo)
                .validate()
        }
        _ => {
            let classic: Generate = decode(body)?;
            if let Some(model) = classic.model.as_ref().filter(|m| !classic_model(m)) {
                return Err(reply::detail(
                    400,
                    &format!(
                        "Model must be one of the classic Kling models (kling_3 ... kling_1.6_pro), got '{model}'"
                    ),
                ));
            }
            classic.validate()
        }
    };
    verdict.map_err(|e| reply::runblob_rejected(&e))
}

/// Whether `model` is a classic (not O-series) RunBlob model this version knows.
fn classic_model(model: &RunBlobModel) -> bool {
    model.is_known() && !matches!(model, RunBlobModel::KlingO3 | RunBlobModel::KlingO3Pro)
}

/// The price of a generation, in cents (what the create answers and the balance loses).
fn price_cents(product: Product) -> u64 {
    match product {
        Product::O1Video => 20,
        Product::O3Video => 30,
        Product::O1Photo | Product::O3Photo => 4,
        _ => 15,
    }
}

/// The price as the create answers it, USD with four decimals (`"0.1500"`).
fn price(product: Product) -> String {
    format!("{}00", dollars(price_cents(product)))
}

/// `POST .../generate`: 201 with the pending generation.
fn create(product: Product, app: &App, headers: &HeaderMap, body: &[u8]) -> Reply {
    auth::runblob(&lock(app), headers)?;
    let value: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Err(reply::detail(
                422,
                "Validation error: the body is not a JSON object",
            ));
        }
    };
    check(product, body)?;
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let prompt = text("prompt").unwrap_or_default();
    let mut inner = lock(app);
    let cost = price_cents(product);
    if !inner.wallet.can_pay(cost) {
        return Err(reply::detail(402, "INSUFFICIENT_CREDITS"));
    }
    let lowered = prompt.to_lowercase();
    let config = inner.config.clone();
    let failure = if !config.forbidden_word.is_empty() && lowered.contains(&config.forbidden_word) {
        // RunBlob reports content policy as a failed generation, not as a refused create.
        Some(TaskFailure::ContentPolicy)
    } else if !config.fail_word.is_empty() && lowered.contains(&config.fail_word) {
        Some(TaskFailure::Generation)
    } else {
        None
    };
    if failure.is_none() {
        // A failed generation is refunded: charged only when it will succeed.
        inner.wallet.charge(cost);
    }
    let photo = matches!(product, Product::O1Photo | Product::O3Photo);
    let seq = inner.next_seq();
    let task = TaskRecord {
        id: generation_id(seq, photo),
        api: Api::RunBlob(product),
        produces: if photo {
            Produces::Image
        } else {
            Produces::Video
        },
        external: None,
        created: Instant::now(),
        created_ms: now_ms(),
        processing_after: config.processing_after,
        done_after: config.done_after,
        failure,
        prompt,
        images: 1,
        series: false,
        watermark: false,
        // RunBlob's generations run on the gateway's account: no unit of the Kling pack.
        units: 1,
        units_before: 0,
        model: text("model"),
        name: None,
        deleted: false,
    };
    inner.add_task(seq, task.clone());
    if let Some(url) = text("callback_url") {
        callbacks::spawn(
            task.clone(),
            inner.files_url.clone(),
            url,
            inner.signers.clone(),
        );
    }
    Ok(reply::bare(
        StatusCode::CREATED,
        &json!({"generation_id": task.id, "status": "pending", "price": price(product)}),
    ))
}

/// `GET .../generations/{id}`.
fn status(product: Product, app: &App, headers: &HeaderMap, id: &str) -> Reply {
    let inner = lock(app);
    auth::runblob(&inner, headers)?;
    let task = generation_seq(id)
        .and_then(|seq| inner.tasks.get(&seq))
        .filter(|t| matches!(t.api, Api::RunBlob(p) if p == product) && t.id == id);
    match task {
        Some(t) => Ok(reply::bare(
            StatusCode::OK,
            &t.generation(t.stage(Instant::now()), &inner.files_url),
        )),
        None => Err(reply::detail(404, "Generation not found")),
    }
}

/// `GET /v1/kling/generations?limit=&offset=`: classic generations, newest first.
async fn list(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Reply {
    let inner = lock(&app);
    auth::runblob(&inner, &headers)?;
    let number = |name: &str, default: usize, max: usize| match query_param(uri.query(), name) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| {
                reply::detail(
                    422,
                    &format!("Validation error: {name} must be an integer from 0 to {max}"),
                )
            }),
    };
    let limit = number("limit", 20, 100)?;
    let offset = number("offset", 0, 1_000_000)?;
    let now = Instant::now();
    let items: Vec<Value> = inner
        .tasks
        .values()
        .rev()
        .filter(|t| matches!(t.api, Api::RunBlob(Product::Classic)))
        .skip(offset)
        .take(limit)
        .map(|t| t.generation(t.stage(now), &inner.files_url))
        .collect();
    Ok(reply::bare(StatusCode::OK, &Value::Array(items)))
}

/// `GET /v1/data/balance`: what is left after the generations charged so far.
async fn balance(State(app): State<App>, headers: HeaderMap) -> Reply {
    let inner = lock(&app);
    auth::runblob(&inner, &headers)?;
    Ok(reply::bare(
        StatusCode::OK,
        &json!({ "balance": inner.wallet.shown() }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_have_four_decimals() {
        assert_eq!(price(Product::Classic), "0.1500");
        assert_eq!(price(Product::O1Photo), "0.0400");
    }

    #[test]
    fn generation_ids_carry_their_task() {
        for seq in [1, 831_922_345_719_271_434, u64::MAX >> 1] {
            for photo in [false, true] {
                let id = generation_id(seq, photo);
                assert_eq!(generation_seq(&id), Some(seq), "{id}");
            }
        }
        assert_eq!(generation_seq("missing"), None);
        assert_eq!(generation_seq("zz-0-0-0-1"), None);
    }
}
