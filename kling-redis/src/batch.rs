//! [`BatchJob`]: one line of a batch file (`{"family": "text2video", "request": {...}}`),
//! checked as the server would check it, with the `external_task_id` that keys it.

use kling_core::fleet::fingerprint;
use kling_errors::{Error, KlingCode, ValidationError};
use kling_types::{Family, FamilyCreate};
use serde::{Deserialize, Serialize};

/// The longest `external_task_id` taken (Kling's ids are far shorter; ours are 19 bytes).
const MAX_ID: usize = 128;

/// One job of a batch: a create of a legacy family, by name, and its request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BatchJob {
    /// The family's name (`text2video`, `image`, ...: `kling task families`).
    pub family: String,
    /// The request, as the API takes it (a JSON object).
    pub request: serde_json::Value,
    /// The job's key. When neither this nor the request's own `external_task_id` is set,
    /// [`BatchJob::keyed`] derives one from the family and the request (`kb-` and 16 hex
    /// digits), so submitting the same line twice is one job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

fn invalid(field: &str, message: &str) -> Error {
    ValidationError::new(field, KlingCode::InvalidParameter, message).into()
}

impl BatchJob {
    /// Reads one line of a batch file.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] saying what is wrong with the line.
    pub fn parse(line: &str) -> Result<Self, Error> {
        serde_json::from_str(line).map_err(|e| {
            invalid(
                "line",
                &format!("not a batch job ({{\"family\": ..., \"request\": {{...}}}}): {e}"),
            )
        })
    }

    /// The job with its key settled (given, from the request, or derived), in both places.
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] when the two given keys differ, or a key is empty or too long.
    pub fn keyed(mut self) -> Result<Self, Error> {
        let in_request = self
            .request
            .get("external_task_id")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let id = match (self.external_task_id.take(), in_request) {
            (Some(a), Some(b)) if a != b => {
                return Err(invalid(
                    "external_task_id",
                    &format!("the line says {a:?} and its request {b:?}"),
                ));
            }
            (Some(id), _) | (None, Some(id)) => id,
            (None, None) => {
                let mut bytes = self.family.as_bytes().to_vec();
                bytes.push(b'\n');
                bytes.extend(serde_json::to_vec(&self.request).unwrap_or_default());
                format!("kb-{}", fingerprint(&bytes))
            }
        };
        if id.trim().is_empty() || id.len() > MAX_ID || id.chars().any(char::is_control) {
            return Err(invalid(
                "external_task_id",
                &format!("must be 1 to {MAX_ID} printable characters"),
            ));
        }
        if let Some(body) = self.request.as_object_mut() {
            body.insert("external_task_id".into(), id.clone().into());
        }
        self.external_task_id = Some(id);
        Ok(self)
    }

    /// The key (after [`keyed`](Self::keyed)).
    pub fn id(&self) -> Option<&str> {
        self.external_task_id.as_deref()
    }

    /// The create, checked as the server would (unknown family, not an object, a field out of
    /// range: 1201 before anything is sent).
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] naming the family or the field.
    pub fn create(&self) -> Result<FamilyCreate, Error> {
        use kling_types::Endpoint as _;
        let family = Family::named(&self.family).ok_or_else(|| {
            invalid(
                "family",
                &format!(
                    "{:?} is not a family of the legacy API (see `kling task families`)",
                    self.family
                ),
            )
        })?;
        let create = family.create(self.request.clone())?;
        create.validate()?;
        Ok(create)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_keyed_and_checked() {
        let job = BatchJob::parse(r#"{"family":"text2video","request":{"prompt":"a fox"}}"#)
            .unwrap()
            .keyed()
            .unwrap();
        let id = job.id().unwrap().to_owned();
        assert!(id.starts_with("kb-") && id.len() == 19, "{id}");
        assert_eq!(job.request["external_task_id"], id.as_str());
        assert!(job.create().is_ok());
        // The same line is the same job; another line another.
        let again = BatchJob::parse(r#"{"family":"text2video","request":{"prompt":"a fox"}}"#)
            .unwrap()
            .keyed()
            .unwrap();
        assert_eq!(again.id(), Some(id.as_str()));
        let other = BatchJob::parse(r#"{"family":"text2video","request":{"prompt":"a cat"}}"#)
            .unwrap()
            .keyed()
            .unwrap();
        assert_ne!(other.id(), Some(id.as_str()));
        // Given keys win, and must agree.
        let given = BatchJob::parse(
            r#"{"family":"image","request":{"prompt":"a cat","external_task_id":"cat-1"}}"#,
        )
        .unwrap()
        .keyed()
        .unwrap();
        assert_eq!(given.id(), Some("cat-1"));
        let clash = BatchJob::parse(
            r#"{"family":"image","external_task_id":"a","request":{"prompt":"x","external_task_id":"b"}}"#,
        )
        .unwrap();
        assert!(clash.keyed().is_err());
        for bad in [
            r#"{"family":"text2video"}"#,
            "not json",
            r#"{"family":"text2video","request":{"prompt":"a","external_task_id":""}}"#,
        ] {
            assert!(
                BatchJob::parse(bad).and_then(BatchJob::keyed).is_err(),
                "{bad}"
            );
        }
        let unknown = BatchJob::parse(r#"{"family":"nope","request":{}}"#).unwrap();
        assert!(unknown.create().unwrap_err().to_string().contains("nope"));
        let out_of_range =
            BatchJob::parse(r#"{"family":"text2video","request":{"prompt":"a","duration":"7"}}"#)
                .unwrap();
        assert!(out_of_range.create().is_err());
    }
}
