//! [`KindCreate`]: a create of the new standard whose kind and model are chosen at run time
//! (a batch file's line), its request a JSON object: `POST /<kind>/<model>`. It runs through
//! the same create flow as the typed requests: an `external_task_id` always (in `options`), a
//! lookup by it through `GET /tasks` before any re-post.

use kling_errors::{KlingCode, ValidationError};

use super::request::StandardModel;
use super::tasks::{GetTasks, Task};
use crate::endpoint::{AuthScheme, CreateEndpoint, Endpoint, Method, segment};

/// The kinds of create the new standard has (`POST /<kind>/<model>`).
pub const KINDS: &[&str] = &[
    "text-to-video",
    "image-to-video",
    "omni-video",
    "motion-control",
];

/// A new-standard create chosen at run time. Its body is sent as given (the create flow puts
/// the `external_task_id` in `options`); the server checks its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct KindCreate {
    kind: &'static str,
    model: StandardModel,
    body: serde_json::Map<String, serde_json::Value>,
}

fn invalid(field: &str, message: &str) -> ValidationError {
    ValidationError::new(field, KlingCode::InvalidParameter, message)
}

impl KindCreate {
    /// A create of `kind` (one of [`KINDS`]) on `model` with `body` (a JSON object).
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] for an unknown kind, an empty model or a body that is no object.
    pub fn new(
        kind: &str,
        model: impl Into<StandardModel>,
        body: serde_json::Value,
    ) -> Result<Self, ValidationError> {
        let kind = KINDS.iter().copied().find(|k| *k == kind).ok_or_else(|| {
            invalid(
                "kind",
                &format!(
                    "{kind:?} is not a create of the new standard ({})",
                    KINDS.join(", ")
                ),
            )
        })?;
        let model = model.into();
        if model.as_str().trim().is_empty() {
            return Err(invalid("model", "is required (kling-3.0, ...)"));
        }
        let serde_json::Value::Object(body) = body else {
            return Err(invalid("request", "must be a JSON object"));
        };
        Ok(Self { kind, model, body })
    }

    /// The kind (`text-to-video`, ...).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The model, sent in the path.
    pub fn model(&self) -> &StandardModel {
        &self.model
    }
}

impl Endpoint for KindCreate {
    type Response = Task;
    type Body = serde_json::Map<String, serde_json::Value>;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        format!("/{}/{}", self.kind, segment(self.model.as_str()))
    }
    fn body(&self) -> Option<&Self::Body> {
        Some(&self.body)
    }
    fn auth_scheme(&self) -> AuthScheme {
        AuthScheme::ApiKey
    }
    fn validate(&self) -> Result<(), ValidationError> {
        match self.body.get("options") {
            None | Some(serde_json::Value::Object(_)) => Ok(()),
            Some(_) => Err(invalid("options", "must be a JSON object")),
        }
    }
}

impl KindCreate {
    /// Sets `options.{key}`; whether it was set (`options` is an object, or was absent).
    fn set_option(&mut self, key: &str, value: String) -> bool {
        let options = self
            .body
            .entry("options")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        match options {
            serde_json::Value::Object(options) => {
                options.insert(key.into(), serde_json::Value::String(value));
                true
            }
            _ => false,
        }
    }
}

impl CreateEndpoint for KindCreate {
    type Query = GetTasks;
    fn external_task_id(&self) -> Option<&str> {
        self.body.get("options")?.get("external_task_id")?.as_str()
    }
    fn set_external_task_id(&mut self, id: String) {
        self.set_option("external_task_id", id);
    }
    fn set_callback_url(&mut self, url: String) -> bool {
        self.set_option("callback_url", url)
    }
    fn lookup(&self, external_task_id: &str) -> Option<GetTasks> {
        Some(GetTasks::by_external_ids([external_task_id.to_owned()]))
    }
    fn poll_query(&self, created: &Task) -> GetTasks {
        GetTasks::by_ids([created.id.clone()])
    }
    fn found(task: Task) -> Option<Task> {
        Some(task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_chosen_at_run_time_posts_to_its_path_with_the_id_in_options() {
        let mut create = KindCreate::new(
            "text-to-video",
            "kling-3.0",
            serde_json::json!({"prompt": "a fox"}),
        )
        .unwrap();
        assert_eq!(create.path(), "/text-to-video/kling-3.0");
        assert_eq!(create.auth_scheme(), AuthScheme::ApiKey);
        assert_eq!(create.external_task_id(), None);
        create.set_external_task_id("job-7".into());
        assert_eq!(create.external_task_id(), Some("job-7"));
        assert_eq!(create.body["options"]["external_task_id"], "job-7");
        assert!(create.validate().is_ok());
        assert!(KindCreate::new("text2video", "kling-3.0", serde_json::json!({})).is_err());
        assert!(KindCreate::new("omni-video", "", serde_json::json!({})).is_err());
        assert!(KindCreate::new("omni-video", "kling-o1", serde_json::json!([1])).is_err());
    }
}
