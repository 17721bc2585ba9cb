//! What every Kling create goes through once its body passed the checks of its API: content
//! security (1301), a unique `external_task_id` (1201), the pack's units (1102) and slots
//! (1303); then the pack is charged, the task is stored and its callbacks start.

use axum::response::Response;
use kling_types::family::Produces;

use crate::callbacks;
use crate::reply::{self, RequestId};
use crate::state::{App, lock, now_ms};
use crate::task::{Api, TaskFailure, TaskRecord};

/// A create that passed its API's checks.
pub(crate) struct NewTask {
    pub(crate) api: Api,
    pub(crate) produces: Produces,
    /// Every prompt text of the request (content security reads them all).
    pub(crate) prompt: String,
    pub(crate) external: Option<String>,
    pub(crate) callback: Option<String>,
    /// Images to make (`n`, or an omni image's `series_amount`), for image tasks.
    pub(crate) images: u32,
    /// An omni image series.
    pub(crate) series: bool,
    pub(crate) watermark: bool,
    pub(crate) model: Option<String>,
    pub(crate) name: Option<String>,
}

/// Admits the task or answers why not.
pub(crate) fn admit(
    app: &App,
    new: NewTask,
    request_id: &RequestId,
) -> Result<TaskRecord, Response> {
    let mut inner = lock(app);
    let lowered = new.prompt.to_lowercase();
    let config = &inner.config;
    let forbidden = !config.forbidden_word.is_empty() && lowered.contains(&config.forbidden_word);
    let fails = !config.fail_word.is_empty() && lowered.contains(&config.fail_word);
    let (processing_after, done_after) = (config.processing_after, config.done_after);
    if let Some(e) = &new.external {
        inner.count_create(e);
    }
    if forbidden {
        return Err(reply::error(
            400,
            1301,
            "Trigger the content security policy of the platform",
            request_id,
        ));
    }
    if let Some(e) = &new.external {
        if e.trim().is_empty() || e.len() > 256 {
            return Err(reply::invalid(
                "external_task_id",
                "must be 1 to 256 characters",
                request_id,
            ));
        }
        if inner.task_by_external(e).is_some() {
            return Err(reply::invalid(
                "external_task_id",
                &format!("{e:?} already exists (it must be unique per account)"),
                request_id,
            ));
        }
    }
    // An image task takes `n` units and `n` slots (kling-api.md 5).
    let units = if new.produces == Produces::Image {
        u64::from(new.images.max(1))
    } else {
        1
    };
    if !inner.pack.can_pay(units) {
        return Err(reply::error(
            429,
            1102,
            "Resource pack depleted or expired",
            request_id,
        ));
    }
    if !inner.slots_free(units) {
        return Err(reply::error(
            429,
            1303,
            "parallel task over resource pack limit",
            request_id,
        ));
    }
    // A failed task is refunded: charged only when it will succeed.
    let units_before = if fails {
        inner.pack.left()
    } else {
        inner.pack.charge(units)
    };
    let seq = inner.next_seq();
    let task = TaskRecord {
        id: seq.to_string(),
        api: new.api,
        produces: new.produces,
        external: new.external,
        created: std::time::Instant::now(),
        created_ms: now_ms(),
        processing_after,
        done_after,
        failure: fails.then_some(TaskFailure::Generation),
        prompt: new.prompt,
        images: new.images.max(1),
        series: new.series,
        watermark: new.watermark,
        units,
        units_before,
        model: new.model,
        name: new.name,
        deleted: false,
    };
    inner.add_task(seq, task.clone());
    if let Some(url) = new.callback {
        callbacks::spawn(
            task.clone(),
            inner.files_url.clone(),
            url,
            inner.signers.clone(),
        );
    }
    Ok(task)
}
