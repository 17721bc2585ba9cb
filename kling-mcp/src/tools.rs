//! The tools an agent sees: names, descriptions and input schemas, made from the family table
//! and the models data (so a new family or model shows up without code here).

use std::sync::Arc;

use kling_types::family::{FAMILIES, Family, Group};
use kling_types::models::{Api, MODELS};
use rmcp::model::Tool;
use serde_json::{Value, json};

/// The create tools: one per group of the legacy API's families.
pub(crate) const CREATE_TOOLS: [(&str, Group, &str); 4] = [
    ("create_video", Group::Video, "a video"),
    ("create_image", Group::Image, "an image"),
    ("create_audio", Group::Audio, "audio"),
    (
        "create_general",
        Group::General,
        "a custom voice, element or multi-shot set",
    ),
];

/// The families of `group`.
pub(crate) fn families(group: Group) -> impl Iterator<Item = &'static Family> {
    FAMILIES.iter().filter(move |f| f.group == group)
}

/// The `family` values a create tool of `group` takes: the legacy families, then the new
/// standard's kinds and RunBlob's products of the group.
pub(crate) fn family_names(group: Group) -> Vec<&'static str> {
    families(group)
        .map(|f| f.name)
        .chain(crate::jobs::other_apis(group).into_iter().map(|(n, _)| n))
        .collect()
}

/// What the models data says the new standard's models take, in a line per model.
fn standard_models() -> String {
    MODELS
        .iter()
        .filter(|m| m.api == Api::Standard)
        .map(|m| format!("  - model {} ({})", m.name, m.label))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the models data says a family's requests take, in a line per model.
fn models_of(family: &Family) -> String {
    let mut lines = Vec::new();
    for model in MODELS.iter().filter(|m| m.api == Api::Legacy) {
        let Some(spec) = model.endpoint(family.name) else {
            continue;
        };
        if !spec.offered {
            continue;
        }
        let mut facts = Vec::new();
        if let Some(d) = &spec.rules.durations {
            facts.push(format!("duration {d} s"));
        }
        if let Some(modes) = spec.rules.modes {
            facts.push(format!("mode {}", modes.join("|")));
        }
        if let Some(ratios) = spec.rules.aspect_ratios {
            facts.push(format!("aspect_ratio {}", ratios.join("|")));
        }
        if let Some(max) = spec.rules.prompt_max {
            facts.push(format!("prompt up to {max} characters"));
        }
        lines.push(format!(
            "  - model_name {}: {}",
            model.name,
            facts.join("; ")
        ));
    }
    lines.join("\n")
}

fn schema(value: Value) -> Arc<serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::default(),
    }
}

fn create_tool(name: &'static str, group: Group, what: &str) -> Tool {
    let names = family_names(group);
    let mut text = format!(
        "Creates {what} on Kling AI (paid) and returns at once with the job's id and its \
         estimated cost; call wait_task next, then download_results. The request is checked \
         before anything is sent (a wrong field comes back naming it). A retried call with the \
         same request (or the same external_task_id) finds the job already made and is never \
         charged twice. request_schema gives the fields of a family's request.\n\nfamily, \
         and what each takes (`request` is the body the API takes):"
    );
    for family in families(group) {
        text.push_str(&format!("\n- {} ({})", family.name, family.title));
        let models = models_of(family);
        if !models.is_empty() {
            text.push('\n');
            text.push_str(&models);
        }
    }
    let others = crate::jobs::other_apis(group);
    let kinds: Vec<&str> = others
        .iter()
        .filter(|(_, a)| *a == "standard")
        .map(|(n, _)| *n)
        .collect();
    if !kinds.is_empty() {
        text.push_str(&format!(
            "\n- {} (the new standard, API key only): give `model` too; `request` is the new \
             standard's body (`prompt`, `settings`, ...)\n{}",
            kinds.join(", "),
            standard_models()
        ));
    }
    let products: Vec<&str> = others
        .iter()
        .filter(|(_, a)| *a == "runblob")
        .map(|(n, _)| *n)
        .collect();
    if !products.is_empty() {
        text.push_str(&format!(
            "\n- {} (through RunBlob, priced in US dollars): `request` is RunBlob's body",
            products.join(", ")
        ));
    }
    Tool::new(
        name,
        text,
        schema(json!({
            "type": "object",
            "properties": {
                "family": {"type": "string", "enum": names,
                    "description": "What to make: one of the families listed above."},
                "request": {"type": "object",
                    "description": "The request body, as the API's docs give it: e.g. {\"model_name\": \"kling-v2-6\", \"prompt\": \"a fox in the snow\", \"duration\": \"5\"}."},
                "model": {"type": "string",
                    "description": "The new standard's model (kling-3.0, ...): for its kinds only."},
                "api": {"type": "string", "enum": ["legacy", "standard", "runblob"],
                    "description": "Optional: the family says which API it is."},
                "external_task_id": {"type": "string",
                    "description": "Your id for the job (optional): a retried call with the same id returns the same job. Without it, the id is made from the request."}
            },
            "required": ["family", "request"],
            "additionalProperties": false
        })),
    )
}

fn job_schema(extra: Value) -> Arc<serde_json::Map<String, Value>> {
    let mut properties = json!({
        "external_task_id": {"type": "string", "description": "The job's id, as a create tool or list_jobs gave it."}
    });
    if let (Value::Object(p), Value::Object(more)) = (&mut properties, extra) {
        p.extend(more);
    }
    schema(json!({
        "type": "object",
        "properties": properties,
        "required": ["external_task_id"],
        "additionalProperties": false
    }))
}

/// Every tool, in the order a client lists them.
pub(crate) fn all() -> Vec<Tool> {
    let mut tools: Vec<Tool> = CREATE_TOOLS
        .iter()
        .map(|(name, group, what)| create_tool(name, *group, what))
        .collect();
    tools.push(Tool::new(
        "get_task",
        "The job's state now (queued, created, done, failed) and its task's status on Kling, \
         with the result URLs once it is done. Never waits.",
        job_schema(json!({})),
    ));
    tools.push(Tool::new(
        "wait_task",
        "Waits until the job's task ends (sending progress notifications) and returns its \
         results. Cancelling the call stops the wait, not the task: call wait_task again later. \
         Works for jobs made before a restart.",
        job_schema(json!({
            "max_wait_seconds": {"type": "integer", "minimum": 1, "maximum": 3600,
                "description": "How long to wait at most (default 600): the task goes on after."}
        })),
    ));
    tools.push(Tool::new(
        "download_results",
        "Downloads a done job's files into the server's download folder (named by the job's \
         id) and returns their paths; small images come back as images too.",
        job_schema(json!({})),
    ));
    tools.push(Tool::new(
        "list_jobs",
        "The jobs this server made (they survive a restart): id, family, state, task id, \
         files or error.",
        schema(json!({
            "type": "object",
            "properties": {"state": {"type": "string",
                "enum": ["queued", "creating", "created", "done", "failed", "blocked", "unsettled"],
                "description": "Only jobs in this state."}},
            "additionalProperties": false
        })),
    ));
    tools.push(Tool::new(
        "request_schema",
        "The JSON schema of a family's `request` (its fields, their types and what each \
         means), derived from the SDK's request types: call it before a create tool when a \
         field is unclear.",
        schema(json!({
            "type": "object",
            "properties": {
                "family": {"type": "string", "description": "A family of a create tool."},
                "api": {"type": "string", "enum": ["legacy", "standard", "runblob"],
                    "description": "Only for omni-video and motion-control on the new standard."}
            },
            "required": ["family"],
            "additionalProperties": false
        })),
    ));
    tools.push(Tool::new(
        "list_models",
        "The models Kling serves and what each takes (durations, modes, aspect ratios), from \
         the SDK's models data.",
        schema(json!({
            "type": "object",
            "properties": {"kind": {"type": "string", "enum": ["video", "image"],
                "description": "Only models that make this."}},
            "additionalProperties": false
        })),
    ));
    tools.push(Tool::new(
        "estimate_cost",
        "What a create would cost (units of the account's packs), without creating anything, \
         and what is left of this session's budget.",
        schema(json!({
            "type": "object",
            "properties": {
                "family": {"type": "string", "description": "A family of a create tool."},
                "request": {"type": "object", "description": "The request body."}
            },
            "required": ["family", "request"],
            "additionalProperties": false
        })),
    ));
    tools.push(Tool::new(
        "explain_error",
        "What an error code of Kling (or of a gateway) means, whether a retry helps, and what \
         to do about it.",
        schema(json!({
            "type": "object",
            "properties": {"code": {"type": "string", "description": "The code, e.g. 1303 or INSUFFICIENT_CREDITS."}},
            "required": ["code"],
            "additionalProperties": false
        })),
    ));
    tools
}
