//! What the dashboard shows, as JSON: each job's view, the batch at a glance, and the
//! filters of `/api/jobs`. Pure: records and the time in, JSON out (the page and scripts read
//! the same).

use std::collections::BTreeMap;
use std::path::Path;

use kling_core::fleet::{JobRecord, JobState};
use serde_json::{Value, json};

/// The window throughput is measured over (the last 10 minutes).
const WINDOW_MS: i64 = 10 * 60 * 1000;

/// A file name's extension, lowercased (empty without one).
fn extension(file_name: &str) -> String {
    file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// What a result file is, for its preview: by its name's extension.
pub(super) fn media_kind(file_name: &str) -> &'static str {
    match extension(file_name).as_str() {
        "mp4" | "mov" | "webm" | "m4v" => "video",
        "png" | "jpg" | "jpeg" | "webp" | "gif" => "image",
        "mp3" | "wav" | "m4a" | "aac" | "ogg" | "flac" => "audio",
        _ => "file",
    }
}

/// The Content-Type a saved file is served with (by its extension; unknown ones as bytes).
pub(super) fn content_type(file_name: &str) -> &'static str {
    match extension(file_name).as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" | "aac" => "audio/mp4",
        "ogg" => "audio/ogg",
        "flac" => "audio/flac",
        _ => "application/octet-stream",
    }
}

/// The state a person reads: `created` and `creating` are both "running" on the page (the
/// task is being made), the others as stored.
pub(super) fn shown_state(state: JobState) -> &'static str {
    match state {
        JobState::Creating | JobState::Created => "running",
        other => other.as_str(),
    }
}

/// The states the page and `/api/jobs?state=` know, in the order of the batch at a glance.
pub(super) const STATES: [&str; 6] = [
    "queued",
    "running",
    "done",
    "failed",
    "blocked",
    "unsettled",
];

/// A remote URL the page may load: http(s) only (a store could hold `javascript:`).
fn remote(url: &str) -> Option<&str> {
    (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
}

/// One job as the page and `/api/jobs` show it. `names`: the checked names its files are
/// saved under ([`kling_redis::saved_names`]); `dir`: the download folder, when given (a
/// file found there is served at `/files/<id>/<n>`).
pub(super) fn job_view(
    record: &JobRecord,
    names: &[Option<String>],
    dir: Option<&Path>,
    now: i64,
) -> Value {
    let id = &record.external_task_id;
    let files: Vec<Value> = record
        .files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let saved = names.get(i).and_then(Option::as_deref);
            let local = match (dir, saved) {
                (Some(dir), Some(name)) if dir.join(name).is_file() => {
                    Some(format!("/files/{}/{i}", percent(id)))
                }
                _ => None,
            };
            json!({
                "name": saved.unwrap_or(&file.file_name),
                "kind": media_kind(&file.file_name),
                "url": remote(&file.url),
                "local": local,
            })
        })
        .collect();
    let brief = record.brief.clone().unwrap_or_default();
    let elapsed = record
        .started_at
        .map(|start| record.ended_at.unwrap_or(now).saturating_sub(start).max(0));
    let code = record.error_code.as_ref().map(|stored| {
        let known = stored.code();
        json!({
            "dialect": stored.dialect,
            "code": stored.code,
            "meaning": known.as_ref().map(kling_errors::ErrorCode::description),
            "remedy": known.as_ref().map(kling_errors::ErrorCode::remedy),
        })
    });
    json!({
        "external_task_id": id,
        "family": record.family,
        "model": brief.model,
        "prompt": brief.prompt,
        "state": shown_state(record.state),
        "stored_state": record.state.as_str(),
        "task_id": record.task_id,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "elapsed_ms": elapsed,
        "estimate": brief.estimate,
        "currency": brief.currency,
        "error": record.error,
        "code": code,
        "files": files,
        // A file that can be saved (its name checked) and is not in the folder.
        "missing_files": record.state == JobState::Done
            && files.iter().enumerate().any(|(i, f)| {
                f["local"].is_null() && names.get(i).is_some_and(Option::is_some)
            }),
        "expires_at": record.expires_at,
    })
}

/// `id` for a URL path segment: every byte outside `[A-Za-z0-9._~-]` percent-encoded.
pub(super) fn percent(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"._~-".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The filters of `/api/jobs`: `state` (a shown state), `family`, `q` (in the external id or
/// the prompt, case-insensitive). Unknown parameters are ignored.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Filter {
    pub(super) state: Option<String>,
    pub(super) family: Option<String>,
    pub(super) q: Option<String>,
}

impl Filter {
    /// Reads a query string (`state=done&q=cat%20video`).
    pub(super) fn parse(query: &str) -> Result<Self, String> {
        let mut filter = Self::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = Some(value.into_owned()).filter(|v| !v.is_empty());
            match &*key {
                "state" => {
                    if let Some(v) = &value
                        && !STATES.contains(&v.as_str())
                    {
                        return Err(format!("state {v:?}: one of {}", STATES.join(", ")));
                    }
                    filter.state = value;
                }
                "family" => filter.family = value,
                "q" => filter.q = value.map(|v| v.to_lowercase()),
                _ => {}
            }
        }
        Ok(filter)
    }

    /// Whether `record` passes.
    pub(super) fn passes(&self, record: &JobRecord) -> bool {
        let state = self
            .state
            .as_deref()
            .is_none_or(|s| shown_state(record.state) == s);
        let family = self.family.as_deref().is_none_or(|f| record.family == f);
        let text = self.q.as_deref().is_none_or(|q| {
            record.external_task_id.to_lowercase().contains(q)
                || record
                    .brief
                    .as_ref()
                    .and_then(|b| b.prompt.as_deref())
                    .is_some_and(|p| p.to_lowercase().contains(q))
        });
        state && family && text
    }
}

/// The batch at a glance: jobs by shown state, cost so far (done jobs' estimates) against
/// the whole batch's estimate, throughput, slots held, and the families present.
pub(super) fn summary(records: &[JobRecord], slots_held: usize, now: i64) -> Value {
    let mut by_state: BTreeMap<&str, u64> = STATES.iter().map(|s| (*s, 0)).collect();
    let (mut estimate, mut spent) = (
        BTreeMap::<String, f64>::new(),
        BTreeMap::<String, f64>::new(),
    );
    let (mut priced, mut unpriced) = (0u64, 0u64);
    let mut families = std::collections::BTreeSet::new();
    let mut recent = 0u64;
    let (mut first_start, mut last_end) = (None::<i64>, None::<i64>);
    let mut done = 0u64;
    for r in records {
        *by_state.entry(shown_state(r.state)).or_default() += 1;
        families.insert(r.family.as_str());
        let cost = r
            .brief
            .as_ref()
            .and_then(|b| Some((b.estimate?, b.currency.clone()?)));
        match cost {
            Some((amount, currency)) if amount.is_finite() && amount >= 0.0 => {
                priced += 1;
                *estimate.entry(currency.clone()).or_default() += amount;
                if r.state == JobState::Done {
                    *spent.entry(currency).or_default() += amount;
                }
            }
            _ => unpriced += 1,
        }
        if let Some(start) = r.started_at {
            first_start = Some(first_start.map_or(start, |f: i64| f.min(start)));
        }
        if r.state == JobState::Done {
            done += 1;
            if let Some(end) = r.ended_at {
                last_end = Some(last_end.map_or(end, |l: i64| l.max(end)));
                if now.saturating_sub(end) <= WINDOW_MS {
                    recent += 1;
                }
            }
        }
    }
    // Over the batch's whole run: done jobs per minute from its first post to its last end.
    let overall = match (first_start, last_end) {
        (Some(start), Some(end)) if end > start => {
            Some(done as f64 * 60_000.0 / (end.saturating_sub(start)) as f64)
        }
        _ => None,
    };
    json!({
        "total": records.len(),
        "jobs": by_state,
        "cost": {"estimate": estimate, "so_far": spent, "priced": priced, "unpriced": unpriced},
        "throughput": {
            "done_last_10_min": recent,
            "per_minute_last_10_min": recent as f64 / 10.0,
            "per_minute_overall": overall,
        },
        "slots_held": slots_held,
        "families": families,
        "generated_at": now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_and_bad_states_are_named() {
        let f = Filter::parse("state=done&family=text2video&q=Red%20Fox+run&x=1").unwrap();
        assert_eq!(f.state.as_deref(), Some("done"));
        assert_eq!(f.family.as_deref(), Some("text2video"));
        assert_eq!(f.q.as_deref(), Some("red fox run"));
        assert_eq!(Filter::parse("").unwrap(), Filter::default());
        assert_eq!(Filter::parse("state=").unwrap(), Filter::default());
        let e = Filter::parse("state=sleeping").unwrap_err();
        assert!(e.contains("queued, running"), "{e}");
        assert_eq!(
            Filter::parse("q=%ff").unwrap().q.as_deref(),
            Some("\u{fffd}")
        );
        assert_eq!(Filter::parse("q=100%").unwrap().q.as_deref(), Some("100%"));
        assert_eq!(Filter::parse("q=%4").unwrap().q.as_deref(), Some("%4"));
    }

    #[test]
    fn ids_are_percent_encoded_for_paths() {
        assert_eq!(percent("job-1_a.b~"), "job-1_a.b~");
        assert_eq!(percent("../etc/passwd"), "..%2Fetc%2Fpasswd");
        assert_eq!(percent("a b"), "a%20b");
    }

    fn record(id: &str, state: JobState) -> JobRecord {
        let mut r = JobRecord::queued(id, "text2video", "f");
        r.state = state;
        r
    }

    #[test]
    fn job_views_and_the_summary_are_the_documented_json() {
        let job = kling_core::fleet::BatchJob::parse(
            r#"{"family":"text2video","external_task_id":"fox","request":{"prompt":"a red fox","duration":"5","model_name":"kling-v2-6"}}"#,
        )
        .unwrap();
        let mut done = job.queued_record().unwrap();
        done.state = JobState::Done;
        done.task_id = Some("t-1".into());
        done.started_at = Some(1_000);
        done.ended_at = Some(61_000);
        done.files = vec![
            serde_json::from_value(
                json!({"file_name": "t-1.mp4", "url": "https://cdn.example/t-1.mp4"}),
            )
            .unwrap(),
            serde_json::from_value(json!({"file_name": "../x.png", "url": "javascript:alert(1)"}))
                .unwrap(),
        ];
        let mut failed = record("dance", JobState::Failed);
        failed.error = Some("Kling API error (HTTP 400, code 1301)".into());
        failed.error_code = Some(kling_core::fleet::StoredCode::new(
            &kling_errors::ErrorCode::Kling(kling_errors::KlingCode::from_code(1301)),
        ));
        let mut running = record("late", JobState::Created);
        running.started_at = Some(100_000);
        let names = vec![Some("fox.mp4".to_owned()), None];
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap();
        insta::assert_snapshot!("job_done", pretty(&job_view(&done, &names, None, 200_000)));
        insta::assert_snapshot!("job_failed", pretty(&job_view(&failed, &[], None, 200_000)));
        let view = job_view(&running, &[], None, 130_000);
        assert_eq!(
            (&view["state"], &view["elapsed_ms"]),
            (&json!("running"), &json!(30_000))
        );
        let records = [done, failed, running, record("q", JobState::Queued)];
        insta::assert_snapshot!("summary", pretty(&summary(&records, 2, 200_000)));
    }

    #[test]
    fn filters_pass_by_shown_state_family_and_text() {
        let mut r = record("Fox-1", JobState::Creating);
        r.brief = Some(
            kling_core::fleet::BatchJob::parse(
                r#"{"family":"text2video","request":{"prompt":"Snow falls"}}"#,
            )
            .unwrap()
            .brief(),
        );
        let passes = |q: &str| Filter::parse(q).unwrap().passes(&r);
        assert!(passes("state=running"));
        assert!(!passes("state=queued"));
        assert!(passes("family=text2video&q=fox"));
        assert!(passes("q=SNOW"));
        assert!(!passes("q=rain"));
        assert!(!passes("family=image"));
    }

    #[test]
    fn media_kinds_and_types() {
        assert_eq!(media_kind("a.MP4"), "video");
        assert_eq!(media_kind("a.png"), "image");
        assert_eq!(media_kind("a.wav"), "audio");
        assert_eq!(media_kind("noext"), "file");
        assert_eq!(content_type("x.webp"), "image/webp");
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
