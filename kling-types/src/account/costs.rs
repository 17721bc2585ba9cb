//! The resource packs of the account (`GET /account/costs`).

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::de;
use crate::endpoint::{Endpoint, Method};
use crate::validate::ensure;

/// The resource packs active between two times (`GET /account/costs`; free, at most 1 QPS).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAccountCosts {
    /// Start of the window, Unix milliseconds, sent as the `start_time` query parameter.
    pub start_time: i64,
    /// End of the window, Unix milliseconds, sent as the `end_time` query parameter.
    pub end_time: i64,
    /// Only the pack with this name (`resource_pack_name` query parameter); all packs when absent.
    pub resource_pack_name: Option<String>,
}

impl GetAccountCosts {
    /// The packs between `start_time` and `end_time` (Unix ms).
    pub fn new(start_time: i64, end_time: i64) -> Self {
        Self {
            start_time,
            end_time,
            resource_pack_name: None,
        }
    }

    /// Only the pack named `name`.
    #[must_use]
    pub fn resource_pack_name(mut self, name: impl Into<String>) -> Self {
        self.resource_pack_name = Some(name.into());
        self
    }
}

/// What `/account/costs` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountCosts {
    /// The `code` inside `data`, apart from the envelope's own.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub code: Option<i64>,
    /// The `msg` inside `data`, apart from the envelope's `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    /// The resource packs of the window (`resource_pack_subscribe_infos`).
    #[serde(default, deserialize_with = "de::vec")]
    pub resource_pack_subscribe_infos: Vec<ResourcePack>,
}

/// A resource pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourcePack {
    /// The pack's name, as `resource_pack_name` filters by it.
    #[serde(default)]
    pub resource_pack_name: String,
    /// The pack's id.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub resource_pack_id: Option<String>,
    /// `decreasing_total` or `constant_period`.
    #[serde(default)]
    pub resource_pack_type: Option<String>,
    /// Units the pack holds in total.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub total_quantity: Option<f64>,
    /// Units left (updated with a 12 h delay).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub remaining_quantity: Option<f64>,
    /// When the pack was bought, Unix milliseconds.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub purchase_time: Option<i64>,
    /// When the pack becomes usable, Unix milliseconds.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub effective_time: Option<i64>,
    /// When the pack expires, Unix milliseconds.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub invalid_time: Option<i64>,
    /// `toBeOnline`, `online`, `expired` or `runOut`.
    #[serde(default)]
    pub status: Option<String>,
}

impl Endpoint for GetAccountCosts {
    type Response = AccountCosts;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        "/account/costs".to_owned()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("start_time", self.start_time.to_string()),
            ("end_time", self.end_time.to_string()),
        ];
        if let Some(name) = &self.resource_pack_name {
            q.push(("resource_pack_name", name.clone()));
        }
        q
    }
    fn body(&self) -> Option<&()> {
        None
    }
    fn validate(&self) -> Result<(), ValidationError> {
        ensure(
            self.start_time <= self.end_time,
            "start_time",
            "must not be after end_time",
        )
    }
}
