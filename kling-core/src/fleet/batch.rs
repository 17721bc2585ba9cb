//! [`BatchJob`]: one line of a batch file (`{"family": "text2video", "request": {...}}`, or
//! for the new standard `{"api": "standard", "family": "text-to-video", "model": "kling-3.0",
//! "request": {...}}`), checked as the server would check it, with the `external_task_id`
//! that keys it. A batch queue ([`JobQueue`](super::JobQueue)) carries these.

use super::store::{JobBrief, JobRecord, fingerprint, request_fingerprint};
use kling_errors::{Error, KlingCode, ValidationError};
use kling_types::models::Estimate;
use kling_types::runblob::{Generate, GenerateO1Video, GenerateO3Video, GeneratePhoto};
use kling_types::standard::KindCreate;
use kling_types::{Family, FamilyCreate};
use serde::{Deserialize, Serialize};

/// The longest `external_task_id` taken (Kling's ids are far shorter; ours are 19 bytes).
const MAX_ID: usize = 128;

/// One job of a batch: a create of a legacy family (by name) or of the new standard (a kind
/// and a model), and its request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BatchJob {
    /// `standard` for the new standard; absent (or `legacy`) for the legacy API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// The legacy family's name (`text2video`, `image`, ...: `kling task families`), or the
    /// new standard's kind (`text-to-video`, `image-to-video`, `omni-video`, `motion-control`).
    pub family: String,
    /// The new standard's model (`kling-3.0`, ...), sent in the path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
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

/// The RunBlob products a batch runs (`"api": "runblob"`, `"family"` one of these).
pub const RUNBLOB_PRODUCTS: &[&str] = &["o3-video", "o1-video", "o3-photo", "o1-photo", "generate"];

/// A RunBlob create of a batch job. RunBlob takes no `external_task_id`: such a job is posted
/// at most once and parked as unsettled when a POST's outcome is unknown.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RunBlobCreate {
    /// `/v1/kling/o3-video/generate`.
    O3Video(GenerateO3Video),
    /// `/v1/kling/o1-video/generate`.
    O1Video(GenerateO1Video),
    /// `/v1/kling/o3-photo/generate` or `/v1/kling/o1-photo/generate`.
    Photo(GeneratePhoto),
    /// `/v1/kling/generate` (classic Kling).
    Classic(Generate),
}

/// The create of a batch job, of whichever API it is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum JobCreate {
    /// A legacy family's create.
    Legacy(FamilyCreate),
    /// A new-standard create.
    Standard(KindCreate),
    /// A RunBlob create (boxed: RunBlob's requests are large, the others a map).
    RunBlob(Box<RunBlobCreate>),
}

impl JobCreate {
    /// The fingerprint the job store keeps of the request.
    pub fn fingerprint(&self) -> String {
        match self {
            Self::Legacy(c) => request_fingerprint(c),
            Self::Standard(c) => request_fingerprint(c),
            Self::RunBlob(c) => match c.as_ref() {
                RunBlobCreate::O3Video(c) => request_fingerprint(c),
                RunBlobCreate::O1Video(c) => request_fingerprint(c),
                RunBlobCreate::Photo(c) => request_fingerprint(c),
                RunBlobCreate::Classic(c) => request_fingerprint(c),
            },
        }
    }
}

/// A RunBlob request of type `T` read from a batch line's request, checked.
fn runblob<T>(request: &serde_json::Value) -> Result<T, Error>
where
    T: serde::de::DeserializeOwned + kling_types::Endpoint,
{
    let create: T = serde_json::from_value(request.clone())
        .map_err(|e| invalid("request", &format!("not a request of this product: {e}")))?;
    create.validate()?;
    Ok(create)
}

/// A photo request of the job's product (O3 or O1), checked.
fn photo(request: &serde_json::Value, o3: bool) -> Result<GeneratePhoto, Error> {
    use kling_types::Endpoint as _;
    let create = GeneratePhoto::deserialize(request)
        .map_err(|e| invalid("request", &format!("not a request of this product: {e}")))?
        .o3_product(o3);
    create.validate()?;
    Ok(create)
}

impl BatchJob {
    /// The record a queue writes when it takes this job: queued, keyed by its
    /// `external_task_id`, with its request's fingerprint.
    ///
    /// # Errors
    ///
    /// The job's [`ValidationError`] (not keyed, unknown family, a field out of range).
    pub fn queued_record(&self) -> Result<JobRecord, Error> {
        let create = self.create()?;
        let id = self.id().ok_or_else(|| {
            ValidationError::new(
                "external_task_id",
                KlingCode::InvalidParameter,
                "the job has no key (call BatchJob::keyed)",
            )
        })?;
        let mut record = JobRecord::queued(id, &self.family, create.fingerprint());
        record.brief = Some(self.brief());
        Ok(record)
    }

    /// What the models data's price tables say this job costs, when they price it (a legacy
    /// family's create with a known quantity; a new-standard or RunBlob body is not priced
    /// here).
    pub fn estimate(&self) -> Option<Estimate> {
        if self.is_standard() || self.api.as_deref() == Some("runblob") {
            return None;
        }
        let family = Family::named(&self.family)?;
        family.estimate_create(&serde_json::to_vec(&self.request).ok()?)
    }

    /// The job in brief, as its record keeps it: model, prompt (shortened), estimate.
    pub fn brief(&self) -> JobBrief {
        let text = |field: &str| self.request.get(field).and_then(|v| v.as_str());
        let model = self
            .model
            .as_deref()
            .or_else(|| text("model_name"))
            .or_else(|| text("model"))
            .map(str::to_owned);
        let estimate = self.estimate();
        JobBrief {
            model,
            prompt: text("prompt").map(JobBrief::shorten),
            estimate: estimate.as_ref().and_then(Estimate::total),
            currency: estimate
                .filter(|e| e.total().is_some())
                .and_then(|e| serde_json::to_value(e.currency).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
        }
    }

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
        let standard = self.is_standard();
        let runblob = self.api.as_deref() == Some("runblob");
        let in_request = if runblob {
            // RunBlob takes no id: the key lives in the line only.
            None
        } else if standard {
            self.request.pointer("/options/external_task_id")
        } else {
            self.request.get("external_task_id")
        }
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
                if standard || runblob {
                    // Another API's job with the same family word is another job.
                    bytes.extend(if runblob {
                        &b"\nrunblob\n"[..]
                    } else {
                        &b"\nstandard\n"[..]
                    });
                    bytes.extend(self.model.as_deref().unwrap_or_default().as_bytes());
                }
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
        if let Some(body) = self.request.as_object_mut().filter(|_| !runblob) {
            if standard {
                let options = body
                    .entry("options")
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                if let Some(options) = options.as_object_mut() {
                    options.insert("external_task_id".into(), id.clone().into());
                }
            } else {
                body.insert("external_task_id".into(), id.clone().into());
            }
        }
        self.external_task_id = Some(id);
        Ok(self)
    }

    /// The key (after [`keyed`](Self::keyed)).
    pub fn id(&self) -> Option<&str> {
        self.external_task_id.as_deref()
    }

    /// Whether it is a job of the new standard (`"api": "standard"`).
    pub fn is_standard(&self) -> bool {
        self.api.as_deref() == Some("standard")
    }

    /// The create, checked as the server would (unknown family or kind, not an object, a
    /// legacy field out of range: 1201 before anything is sent; a new-standard body is
    /// checked by the server).
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] naming the API, the family or the field.
    pub fn create(&self) -> Result<JobCreate, Error> {
        use kling_types::Endpoint as _;
        match self.api.as_deref() {
            None | Some("legacy") => {}
            Some("standard") => {
                let model = self.model.as_deref().ok_or_else(|| {
                    invalid(
                        "model",
                        "a job of the new standard names its model (kling-3.0, ...)",
                    )
                })?;
                let create = KindCreate::new(&self.family, model, self.request.clone())?;
                create.validate()?;
                return Ok(JobCreate::Standard(create));
            }
            Some("runblob") => {
                let create = match self.family.as_str() {
                    "o3-video" => RunBlobCreate::O3Video(runblob(&self.request)?),
                    "o1-video" => RunBlobCreate::O1Video(runblob(&self.request)?),
                    // The product is in the path: the body alone reads as O1.
                    "o3-photo" => RunBlobCreate::Photo(photo(&self.request, true)?),
                    "o1-photo" => RunBlobCreate::Photo(photo(&self.request, false)?),
                    "generate" => RunBlobCreate::Classic(runblob(&self.request)?),
                    other => {
                        return Err(invalid(
                            "family",
                            &format!(
                                "{other:?} is not a RunBlob product batches run ({})",
                                RUNBLOB_PRODUCTS.join(", ")
                            ),
                        ));
                    }
                };
                return Ok(JobCreate::RunBlob(Box::new(create)));
            }
            Some(other) => {
                return Err(invalid(
                    "api",
                    &format!("{other:?} is not an API batches run (legacy, standard or runblob)"),
                ));
            }
        }
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
        Ok(JobCreate::Legacy(create))
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

    #[test]
    fn runblob_lines_are_keyed_in_the_line_only() {
        let job = BatchJob::parse(
            r#"{"api":"runblob","family":"o3-video","request":{"prompt":"a fox"}}"#,
        )
        .unwrap()
        .keyed()
        .unwrap();
        assert!(job.id().unwrap().starts_with("kb-"));
        assert!(
            job.request.get("external_task_id").is_none(),
            "RunBlob takes none"
        );
        assert!(matches!(
            job.create().unwrap(),
            JobCreate::RunBlob(c) if matches!(*c, RunBlobCreate::O3Video(_))
        ));
        // A photo's product is in the family: the same body is an O3 or an O1 photo.
        for (family, path) in [
            ("o3-photo", "/v1/kling/o3-photo/generate"),
            ("o1-photo", "/v1/kling/o1-photo/generate"),
        ] {
            let line =
                format!(r#"{{"api":"runblob","family":"{family}","request":{{"prompt":"x"}}}}"#);
            let create = BatchJob::parse(&line).unwrap().create().unwrap();
            let JobCreate::RunBlob(c) = create else {
                panic!("{family}: not a RunBlob create")
            };
            let RunBlobCreate::Photo(p) = *c else {
                panic!("{family}: not a photo")
            };
            assert_eq!(kling_types::Endpoint::path(&p), path);
        }
        let unknown =
            BatchJob::parse(r#"{"api":"runblob","family":"o3-audio","request":{"prompt":"x"}}"#)
                .unwrap();
        assert!(
            unknown
                .create()
                .unwrap_err()
                .to_string()
                .contains("o3-audio")
        );
        let bad =
            BatchJob::parse(r#"{"api":"runblob","family":"o3-video","request":{"prompt":""}}"#)
                .unwrap();
        assert!(bad.create().is_err(), "checked as RunBlob would");
    }

    #[test]
    fn new_standard_lines_are_keyed_in_options_and_never_mistaken_for_legacy() {
        let line = r#"{"api":"standard","family":"omni-video","model":"kling-o1","request":{"prompt":"a fox"}}"#;
        let job = BatchJob::parse(line).unwrap().keyed().unwrap();
        let id = job.id().unwrap().to_owned();
        assert_eq!(job.request["options"]["external_task_id"], id.as_str());
        assert!(job.request.get("external_task_id").is_none());
        match job.create().unwrap() {
            JobCreate::Standard(c) => {
                use kling_types::Endpoint as _;
                assert_eq!(c.path(), "/omni-video/kling-o1");
            }
            other => panic!("{other:?}"),
        }
        // The same words on the legacy API are another job.
        let legacy = BatchJob::parse(r#"{"family":"omni-video","request":{"prompt":"a fox"}}"#)
            .unwrap()
            .keyed()
            .unwrap();
        assert_ne!(legacy.id(), Some(id.as_str()));
        // An id the caller put in options is the key.
        let given = BatchJob::parse(
            r#"{"api":"standard","family":"text-to-video","model":"kling-3.0","request":{"prompt":"x","options":{"external_task_id":"std-1"}}}"#,
        )
        .unwrap()
        .keyed()
        .unwrap();
        assert_eq!(given.id(), Some("std-1"));
        for bad in [
            r#"{"api":"standard","family":"text-to-video","request":{"prompt":"x"}}"#,
            r#"{"api":"standard","family":"text2video","model":"kling-3.0","request":{}}"#,
            r#"{"api":"pikzels","family":"text2video","request":{}}"#,
        ] {
            let job = BatchJob::parse(bad).and_then(BatchJob::keyed).unwrap();
            assert!(job.create().is_err(), "{bad}");
        }
    }
}
