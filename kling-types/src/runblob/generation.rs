//! Generations: what a create returns ([`NewGeneration`]), the products that decide the paths, the
//! status query (`GET <product>/generations/{id}`) and the classic listing
//! (`GET /v1/kling/generations`).

use serde::{Deserialize, Serialize};

use kling_errors::{Dialect, RunBlobCode, ValidationError};

use crate::de;
use crate::endpoint::{AuthScheme, Endpoint, Method, ResponseFormat, TaskQuery, segment};
use crate::query::TaskRef;

use super::rules::ensure;

/// Which RunBlob Kling product a generation belongs to (it decides the paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Product {
    /// Classic Kling (`/v1/kling/generate`).
    Classic,
    /// O1 video (`/v1/kling/o1-video/...`).
    O1Video,
    /// O3 video (`/v1/kling/o3-video/...`).
    O3Video,
    /// O1 photo (`/v1/kling/o1-photo/...`).
    O1Photo,
    /// O3 photo (`/v1/kling/o3-photo/...`).
    O3Photo,
}

impl Product {
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Self::Classic => "/v1/kling",
            Self::O1Video => "/v1/kling/o1-video",
            Self::O3Video => "/v1/kling/o3-video",
            Self::O1Photo => "/v1/kling/o1-photo",
            Self::O3Photo => "/v1/kling/o3-photo",
        }
    }
}

/// What a RunBlob create returns (HTTP 201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct NewGeneration {
    /// The generation's id (a UUID), to poll with [`GetGeneration`].
    #[serde(deserialize_with = "de::text")]
    pub generation_id: String,
    /// Usually `pending`.
    pub status: GenerationStatus,
    /// The price in USD, a decimal as text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub price: Option<String>,
}

macro_rules! runblob_create {
    ($ty:ty, |$s:ident| $product:expr) => {
        impl Endpoint for $ty {
            type Response = NewGeneration;
            type Body = Self;
            fn method(&self) -> Method {
                Method::Post
            }
            fn path(&self) -> String {
                format!("{}/generate", self.product().prefix())
            }
            fn body(&self) -> Option<&Self> {
                Some(self)
            }
            fn dialect(&self) -> Dialect {
                Dialect::RunBlob
            }
            fn response_format(&self) -> ResponseFormat {
                ResponseFormat::Bare
            }
            fn auth_scheme(&self) -> AuthScheme {
                AuthScheme::ApiKey
            }
            fn facts(&self) -> Option<crate::models::Facts<'_>> {
                Some(self.model_facts())
            }
            fn validate(&self) -> Result<(), ValidationError> {
                if self.preflight.skip {
                    Ok(())
                } else {
                    self.check()
                }
            }
        }

        /// RunBlob takes no `external_task_id` and cannot look a generation up by one: an
        /// ambiguous create is reported, never settled and never posted again.
        impl CreateEndpoint for $ty {
            type Query = GetGeneration;
            fn external_task_id(&self) -> Option<&str> {
                None
            }
            fn set_external_task_id(&mut self, _id: String) {}
            fn set_callback_url(&mut self, url: String) -> bool {
                self.callback_url = Some(url);
                true
            }
            fn lookup(&self, _external_task_id: &str) -> Option<GetGeneration> {
                None
            }
            fn poll_query(&self, created: &NewGeneration) -> GetGeneration {
                GetGeneration::new(self.product(), created.generation_id.clone())
            }
            fn found(_generation: Generation) -> Option<NewGeneration> {
                None
            }
            fn query_for_task(&self, task_id: &str) -> Option<GetGeneration> {
                Some(GetGeneration::new(self.product(), task_id.to_owned()))
            }
        }

        impl $ty {
            /// The product this request creates a generation of (it decides the paths).
            pub fn product(&self) -> Product {
                let $s = self;
                $product
            }
        }
    };
}

string_enum! {
    /// The state of a RunBlob generation.
    pub enum GenerationStatus (Unknown: "A state this version does not know.") {
        /// `pending`: accepted, not started.
        Pending = "pending",
        /// `processing`: running.
        Processing = "processing",
        /// `completed`: done; the result is in `video_url` or `image_url`.
        Completed = "completed",
        /// `failed`: the code is in `message` (often only in the webhook).
        Failed = "failed",
    }
}

impl GenerationStatus {
    /// Whether the generation has finished, one way or the other.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

/// A RunBlob generation: a status response or a webhook body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Generation {
    /// The generation's id (a UUID).
    #[serde(deserialize_with = "de::text")]
    pub generation_id: String,
    /// `pending`, `processing`, `completed` or `failed`.
    pub status: GenerationStatus,
    /// The prompt, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The video's URL once completed; `null` until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The image's URL (photo products) once completed; `null` until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The model (e.g. `kling-o3-video-10s-pro`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The O3 webhook example sends `mode` (`pro`) where the others send `model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The failure code (`TIMEOUT`, `CONTENT_POLICY_VIOLATION`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub message: Option<String>,
    /// An undocumented description RunBlob's SDK reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Classic: when the generation was created, as sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub created_at: Option<String>,
    /// Classic: when the generation completed, as sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub completed_at: Option<String>,
    /// Classic: the model version.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub version: Option<String>,
    /// Classic: the video's duration, as sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub duration: Option<String>,
}

impl Generation {
    /// The failure code or text, if the generation failed with one.
    pub fn failure_message(&self) -> Option<&str> {
        self.message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
    }
}

/// Queries a generation: `GET <product>/generations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetGeneration {
    /// The product, which decides the path prefix (`/v1/kling/o3-video`, ...).
    pub product: Product,
    /// The `generation_id` a create returned.
    pub generation_id: String,
}

impl GetGeneration {
    /// Generation `generation_id` of `product`.
    pub fn new(product: Product, generation_id: impl Into<String>) -> Self {
        Self {
            product,
            generation_id: generation_id.into(),
        }
    }
}

impl Endpoint for GetGeneration {
    type Response = Generation;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        format!(
            "{}/generations/{}",
            self.product.prefix(),
            segment(&self.generation_id)
        )
    }
    fn body(&self) -> Option<&()> {
        None
    }
    fn dialect(&self) -> Dialect {
        Dialect::RunBlob
    }
    fn response_format(&self) -> ResponseFormat {
        ResponseFormat::Bare
    }
    fn auth_scheme(&self) -> AuthScheme {
        AuthScheme::ApiKey
    }
    fn validate(&self) -> Result<(), ValidationError> {
        ensure(
            !self.generation_id.trim().is_empty(),
            "generation_id",
            RunBlobCode::InvalidParameters,
            "is required",
        )
    }
}

impl TaskQuery for GetGeneration {
    type Task = Generation;
    fn task_ref(&self) -> TaskRef {
        TaskRef::TaskId(self.generation_id.clone())
    }
    fn task(&self, generation: Generation) -> Option<Generation> {
        (generation.generation_id == self.generation_id).then_some(generation)
    }
}

/// Lists classic generations: `GET /v1/kling/generations?limit=&offset=` (seen only in
/// RunBlob's SDK: UNCONFIRMED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListGenerations {
    /// How many generations to return, sent as `limit`.
    pub limit: u32,
    /// How many generations to skip, sent as `offset`.
    pub offset: u32,
}

impl ListGenerations {
    /// `limit` generations after skipping `offset`.
    pub fn new(limit: u32, offset: u32) -> Self {
        Self { limit, offset }
    }
}

impl Endpoint for ListGenerations {
    type Response = Vec<Generation>;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        "/v1/kling/generations".to_owned()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("limit", self.limit.to_string()),
            ("offset", self.offset.to_string()),
        ]
    }
    fn body(&self) -> Option<&()> {
        None
    }
    fn dialect(&self) -> Dialect {
        Dialect::RunBlob
    }
    fn response_format(&self) -> ResponseFormat {
        ResponseFormat::Bare
    }
    fn auth_scheme(&self) -> AuthScheme {
        AuthScheme::ApiKey
    }
}
