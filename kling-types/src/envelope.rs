//! Kling's response envelope.

use serde::{Deserialize, Serialize};

use kling_errors::KlingCode;

use crate::de;

/// `{code, message, request_id, data}`: every official response. `code` 0 is success; check it
/// even on HTTP 200.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// The service code (also accepted as a numeric string).
    pub code: KlingCode,
    /// `SUCCEED`, or the error text.
    #[serde(default)]
    pub message: String,
    /// The server's id for the request (UUID-like); quote it when asking Kling support.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub request_id: Option<String>,
    /// The value; absent or `null` on errors.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}
