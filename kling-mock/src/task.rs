//! A task the mock runs, and how each API shows it: the legacy task object, the new
//! standard's task, a RunBlob generation.

use std::time::{Duration, Instant};

use kling_types::family::{Family, Produces};
use kling_types::runblob::Product;
use serde_json::{Value, json};

/// Which API a task was created through (it decides every rendering).
#[derive(Debug, Clone)]
pub(crate) enum Api {
    /// A legacy family (`/v1/...`).
    Legacy(&'static Family),
    /// The new standard: its create kind (`text-to-video`).
    Standard { kind: &'static str },
    /// A RunBlob product.
    RunBlob(Product),
}

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Submitted,
    Processing,
    Succeeded,
    Failed,
}

impl Stage {
    pub(crate) fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// Why a task fails, when it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskFailure {
    /// The fail word: a generation failure.
    Generation,
    /// The forbidden word on RunBlob (which reports content policy as a task failure).
    ContentPolicy,
}

/// One task.
#[derive(Debug, Clone)]
pub(crate) struct TaskRecord {
    pub(crate) id: String,
    pub(crate) api: Api,
    pub(crate) produces: Produces,
    pub(crate) external: Option<String>,
    pub(crate) created: Instant,
    pub(crate) created_ms: i64,
    pub(crate) processing_after: Duration,
    pub(crate) done_after: Duration,
    pub(crate) failure: Option<TaskFailure>,
    pub(crate) prompt: String,
    /// Images made (`n`, or an omni image's `series_amount`), for image tasks.
    pub(crate) images: u32,
    /// An omni image series (its images are `series_images`).
    pub(crate) series: bool,
    pub(crate) watermark: bool,
    /// Units charged when it succeeds (and slots held while it runs).
    pub(crate) units: u64,
    /// The pack's units left before this task was charged (the ledger's
    /// `unit_before_deduction`).
    pub(crate) units_before: u64,
    /// The model asked for, if any.
    pub(crate) model: Option<String>,
    /// A custom voice's or element's name.
    pub(crate) name: Option<String>,
    /// A custom voice or element deleted since.
    pub(crate) deleted: bool,
}

/// The id of the video a task made (numeric, as Kling's are): the task id and a `1`.
pub(crate) fn video_id(task_id: &str) -> String {
    format!("{task_id}1")
}

/// The task id of a video id made by [`video_id`].
pub(crate) fn task_of_video(video_id: &str) -> Option<&str> {
    video_id.strip_suffix('1').filter(|t| !t.is_empty())
}

/// A RunBlob generation id: UUID-shaped (photos: `photo-` and a UUID), carrying the task's
/// number.
pub(crate) fn generation_id(seq: u64, photo: bool) -> String {
    format!(
        "{}{:08x}-0000-4000-8000-{:012x}",
        if photo { "photo-" } else { "" },
        seq >> 48,
        seq & 0xFFFF_FFFF_FFFF
    )
}

/// The task number in a generation id made by [`generation_id`].
pub(crate) fn generation_seq(id: &str) -> Option<u64> {
    let id = id.strip_prefix("photo-").unwrap_or(id);
    let parts: Vec<&str> = id.split('-').collect();
    let [high, _, _, _, low] = parts.as_slice() else {
        return None;
    };
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high < (1 << 16) && low < (1 << 48)).then_some((high << 48) | low)
}

/// Every file name in `value`: the part after `/files/` of its URLs (rendered with an empty
/// file host). A prompt is the caller's text, never a URL the mock made.
fn file_names(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.extend(s.strip_prefix("/files/").map(str::to_owned)),
        Value::Array(items) => items.iter().for_each(|v| file_names(v, out)),
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| k.as_str() != "prompt")
            .for_each(|(_, v)| file_names(v, out)),
        _ => {}
    }
}

impl TaskRecord {
    /// Where the task is at `now`.
    pub(crate) fn stage(&self, now: Instant) -> Stage {
        let age = now.saturating_duration_since(self.created);
        if age < self.processing_after {
            Stage::Submitted
        } else if age < self.done_after {
            Stage::Processing
        } else if self.failure.is_some() {
            Stage::Failed
        } else {
            Stage::Succeeded
        }
    }

    /// The names of the files its results hand out (none before it succeeds): read from the
    /// results themselves, so the file host serves exactly what the tasks show.
    pub(crate) fn files(&self, now: Instant) -> Vec<String> {
        let stage = self.stage(now);
        if stage != Stage::Succeeded {
            return Vec::new();
        }
        let shown = match self.api {
            Api::Legacy(_) => self.legacy(stage, ""),
            Api::Standard { .. } => self.standard(stage, ""),
            Api::RunBlob(_) => self.generation(stage, ""),
        };
        let mut names = Vec::new();
        file_names(&shown, &mut names);
        names
    }

    /// When the task stops holding slots.
    pub(crate) fn done_at(&self) -> Instant {
        self.created + self.done_after
    }

    /// Unix ms of the last status change seen at `stage`.
    fn updated_ms(&self, stage: Stage) -> i64 {
        let after = match stage {
            Stage::Submitted => Duration::ZERO,
            Stage::Processing => self.processing_after,
            Stage::Succeeded | Stage::Failed => self.done_after,
        };
        self.created_ms + i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2)
    }

    fn file(files_url: &str, name: &str) -> String {
        format!("{files_url}/files/{name}")
    }

    /// Units charged at `stage` (a failed task is refunded).
    fn charged(&self, stage: Stage) -> u64 {
        if stage == Stage::Succeeded {
            self.units
        } else {
            0
        }
    }

    /// The legacy task object (`task_id`, `task_status` with `succeed`, `task_result`).
    pub(crate) fn legacy(&self, stage: Stage, files_url: &str) -> Value {
        let status = match stage {
            Stage::Submitted => "submitted",
            Stage::Processing => "processing",
            Stage::Succeeded => "succeed",
            Stage::Failed => "failed",
        };
        let mut info = serde_json::Map::new();
        if let Some(e) = &self.external {
            info.insert("external_task_id".into(), json!(e));
        }
        let mut task = json!({
            "task_id": self.id,
            "task_status": status,
            "task_status_msg": if stage == Stage::Failed { "TaskFailure to pass the risk control system (mock)" } else { "" },
            "task_info": info,
            "watermark_info": {"enabled": self.watermark},
            "created_at": self.created_ms,
            "updated_at": self.updated_ms(stage),
        });
        if stage.is_terminal() {
            task["final_unit_deduction"] = json!(self.charged(stage).to_string());
        }
        if stage == Stage::Succeeded {
            task["task_result"] = self.legacy_result(files_url);
        }
        task
    }

    fn legacy_result(&self, files: &str) -> Value {
        let id = &self.id;
        let wm = |name: &str| self.watermark.then(|| Self::file(files, name));
        match self.produces {
            // AI Multi-Shot: three sets of three views, `url_1`..`url_3` in place of `url`.
            Produces::Image if matches!(&self.api, Api::Legacy(f) if f.name == "ai-multi-shot") => {
                let sets: Vec<Value> = (0..3)
                    .map(|i| {
                        let mut set = json!({"index": i});
                        for view in 1..=3 {
                            set[format!("url_{view}")] =
                                json!(Self::file(files, &format!("{id}-{i}-{view}.png")));
                        }
                        set
                    })
                    .collect();
                json!({ "images": sets })
            }
            Produces::Image => {
                let images = (0..self.images.max(1))
                    .map(|i| {
                        let mut image =
                            json!({"index": i, "url": Self::file(files, &format!("{id}-{i}.png"))});
                        if let Some(w) = wm(&format!("{id}-{i}-wm.png")) {
                            image["watermark_url"] = json!(w);
                        }
                        image
                    })
                    .collect::<Vec<Value>>();
                match &self.api {
                    // Omni image says which it made; a series comes as `series_images`.
                    Api::Legacy(f) if f.name == "omni-image" && self.series => {
                        json!({"result_type": "series", "series_images": images})
                    }
                    Api::Legacy(f) if f.name == "omni-image" => {
                        json!({"result_type": "single", "images": images})
                    }
                    _ => json!({ "images": images }),
                }
            }
            Produces::Audio => json!({"audios": [self.audio(files)]}),
            Produces::Voice => json!({"voices": [{
                "voice_id": format!("{id}3"),
                "voice_name": self.name.as_deref().unwrap_or("mock voice"),
                "trial_url": Self::file(files, &format!("{id}.mp3")),
                "owned_by": "10001",
                "status": if self.deleted { "deleted" } else { "succeed" },
            }]}),
            Produces::Element => json!({"elements": [{
                // Element ids are 64-bit integers: the task id is one.
                "element_id": id.parse::<u64>().unwrap_or(0),
                "element_name": self.name.as_deref().unwrap_or("mock element"),
                "element_description": "made by kling-mock",
                "reference_type": "image_refer",
                "element_image_list": {"frontal_image": Self::file(files, &format!("{id}-0.png"))},
                "tag_list": [],
                "owned_by": "10001",
                "status": if self.deleted { "deleted" } else { "succeed" },
            }]}),
            _ => {
                let mut video = json!({"id": video_id(id), "url": Self::file(files, &format!("{id}.mp4")), "duration": "2"});
                if let Some(w) = wm(&format!("{id}-wm.mp4")) {
                    video["watermark_url"] = json!(w);
                }
                let mut result = json!({ "videos": [video] });
                // Video-to-audio returns the input video with its sound, and the sound alone.
                if matches!(&self.api, Api::Legacy(f) if f.name == "video-to-audio") {
                    result["audios"] = json!([self.audio(files)]);
                }
                result
            }
        }
    }

    fn audio(&self, files: &str) -> Value {
        let id = &self.id;
        json!({
            "id": format!("{id}2"),
            "url_mp3": Self::file(files, &format!("{id}.mp3")), "duration_mp3": "1",
            "url_wav": Self::file(files, &format!("{id}.wav")), "duration_wav": "0.5",
        })
    }

    /// The new standard's task (`id`, `status` with `succeeded`, `outputs`, `billing`).
    pub(crate) fn standard(&self, stage: Stage, files_url: &str) -> Value {
        let status = match stage {
            Stage::Submitted => "submitted",
            Stage::Processing => "processing",
            Stage::Succeeded => "succeeded",
            Stage::Failed => "failed",
        };
        let mut task = json!({
            "id": self.id,
            "status": status,
            "message": if stage == Stage::Failed { "generation failed (mock)" } else { "" },
            "create_time": self.created_ms,
            "update_time": self.updated_ms(stage),
            "outputs": [],
        });
        if let Some(e) = &self.external {
            task["external_id"] = json!(e);
        }
        if stage == Stage::Succeeded {
            let id = &self.id;
            let mut video = json!({"type": "video", "id": video_id(id),
                "url": Self::file(files_url, &format!("{id}.mp4")), "duration": "2"});
            video["watermark_url"] = json!(if self.watermark {
                Self::file(files_url, &format!("{id}-wm.mp4"))
            } else {
                String::new()
            });
            task["outputs"] = json!([video]);
            task["billing"] = json!([{"charge_type": "unit", "amount": self.units.to_string(), "package_type": "video"}]);
        }
        task
    }

    /// A RunBlob generation (`pending|processing|completed|failed`).
    pub(crate) fn generation(&self, stage: Stage, files_url: &str) -> Value {
        let status = match stage {
            Stage::Submitted => "pending",
            Stage::Processing => "processing",
            Stage::Succeeded => "completed",
            Stage::Failed => "failed",
        };
        let Api::RunBlob(product) = self.api else {
            return json!({"generation_id": self.id, "status": status});
        };
        let photo = matches!(product, Product::O1Photo | Product::O3Photo);
        let url = (stage == Stage::Succeeded).then(|| {
            let ext = if photo { "png" } else { "mp4" };
            Self::file(files_url, &format!("{}.{ext}", self.id))
        });
        let mut g = json!({
            "generation_id": self.id,
            "status": status,
            "prompt": self.prompt,
            "model": self.model.clone().unwrap_or_else(|| runblob_model(product).to_owned()),
            "message": match (stage, self.failure) {
                (Stage::Failed, Some(TaskFailure::ContentPolicy)) => Some("CONTENT_POLICY_VIOLATION"),
                (Stage::Failed, _) => Some("GENERATION_FAILED"),
                _ => None,
            },
            "created_at": self.created_ms.to_string(),
            "completed_at": stage.is_terminal().then(|| self.updated_ms(stage).to_string()),
        });
        g[if photo { "image_url" } else { "video_url" }] = json!(url);
        if product == Product::Classic {
            g["duration"] = json!("2");
        }
        g
    }
}

/// The model name RunBlob reports for a product when the create named none.
fn runblob_model(product: Product) -> &'static str {
    match product {
        Product::O1Video => "kling_o1_video",
        Product::O3Video => "kling-o3-video",
        Product::O1Photo => "kling-o1-photo",
        Product::O3Photo => "kling-o3-photo",
        _ => "kling_2.6",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(produces: Produces, api: Api) -> TaskRecord {
        TaskRecord {
            id: "831922345719271434".into(),
            api,
            produces,
            external: Some("job-1".into()),
            created: Instant::now(),
            created_ms: 1_000,
            processing_after: Duration::from_secs(10),
            done_after: Duration::from_secs(20),
            failure: None,
            prompt: "a fox".into(),
            images: 2,
            series: false,
            watermark: true,
            units: 2,
            units_before: 10,
            model: None,
            name: None,
            deleted: false,
        }
    }

    #[test]
    fn stages_follow_the_clock() {
        let t = record(Produces::Video, Api::RunBlob(Product::O3Video));
        assert_eq!(t.stage(t.created), Stage::Submitted);
        assert_eq!(
            t.stage(t.created + Duration::from_secs(10)),
            Stage::Processing
        );
        assert_eq!(
            t.stage(t.created + Duration::from_secs(20)),
            Stage::Succeeded
        );
    }

    #[test]
    fn image_tasks_show_every_image_and_watermark() {
        let family = Family::named("image").unwrap();
        let t = record(Produces::Image, Api::Legacy(family));
        let v = t.legacy(Stage::Succeeded, "http://f");
        let images = v["task_result"]["images"].as_array().unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!(images[1]["url"], "http://f/files/831922345719271434-1.png");
        assert_eq!(
            images[1]["watermark_url"],
            "http://f/files/831922345719271434-1-wm.png"
        );
        assert_eq!(v["final_unit_deduction"], "2");
        assert_eq!(v["task_info"]["external_task_id"], "job-1");
        let failed = t.legacy(Stage::Failed, "http://f");
        assert_eq!(failed["final_unit_deduction"], "0", "refunded");
        assert!(failed.get("task_result").is_none());
    }

    #[test]
    fn a_task_hands_out_the_files_its_results_show() {
        let family = Family::named("omni-image").unwrap();
        let mut t = record(Produces::Image, Api::Legacy(family));
        t.processing_after = Duration::ZERO;
        t.done_after = Duration::ZERO;
        t.series = true;
        t.prompt = "/files/evil.png".into();
        let id = &t.id;
        let names = t.files(Instant::now());
        assert_eq!(
            names,
            [
                format!("{id}-0.png"),
                format!("{id}-0-wm.png"),
                format!("{id}-1.png"),
                format!("{id}-1-wm.png"),
            ]
        );
        let shown = t.legacy(Stage::Succeeded, "http://f");
        assert_eq!(shown["task_result"]["result_type"], "series");
        assert_eq!(shown["task_result"]["series_images"][1]["index"], 1);
        t.done_after = Duration::from_secs(60);
        assert!(
            t.files(Instant::now()).is_empty(),
            "nothing before it succeeds"
        );
        let photo = TaskRecord {
            id: generation_id(7, true),
            processing_after: Duration::ZERO,
            done_after: Duration::ZERO,
            ..record(Produces::Image, Api::RunBlob(Product::O3Photo))
        };
        assert_eq!(photo.files(Instant::now()), [format!("{}.png", photo.id)]);
    }

    #[test]
    fn video_ids_lead_back_to_their_task() {
        let v = video_id("831922345719271434");
        assert_eq!(task_of_video(&v), Some("831922345719271434"));
        assert_eq!(task_of_video("1"), None);
    }
}
