//! Account (`kling-api.md` 3.14): resource packs and the deduction export.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::de;
use crate::endpoint::{Endpoint, Method};
use crate::validate::{ensure, int_range};

/// The resource packs active between two times (`GET /account/costs`; free, at most 1 QPS).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAccountCosts {
    /// From, Unix ms.
    pub start_time: i64,
    /// To, Unix ms.
    pub end_time: i64,
    /// Only this pack.
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
    /// An inner status code.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_i64"
    )]
    pub code: Option<i64>,
    /// An inner message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    /// The packs.
    #[serde(default, deserialize_with = "de::vec")]
    pub resource_pack_subscribe_infos: Vec<ResourcePack>,
}

/// A resource pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourcePack {
    /// Its name.
    #[serde(default)]
    pub resource_pack_name: String,
    /// Its id.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub resource_pack_id: Option<String>,
    /// `decreasing_total` or `constant_period`.
    #[serde(default)]
    pub resource_pack_type: Option<String>,
    /// Units bought.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub total_quantity: Option<f64>,
    /// Units left (updated with a 12 h delay).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub remaining_quantity: Option<f64>,
    /// Bought at, Unix ms.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub purchase_time: Option<i64>,
    /// Valid from, Unix ms.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub effective_time: Option<i64>,
    /// Valid until, Unix ms.
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

/// A filter of the deduction export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BillingFilter {
    /// `api_key_name`, `product_type`, `package_name` or `package_id`.
    pub key: String,
    /// The accepted values.
    pub values: Vec<String>,
}

impl BillingFilter {
    /// Keeps rows whose `key` is one of `values`.
    pub fn new(key: impl Into<String>, values: impl IntoIterator<Item = String>) -> Self {
        Self {
            key: key.into(),
            values: values.into_iter().collect(),
        }
    }
}

/// Exports resource-pack deductions, a page at a time (`POST /account/billing/package`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportBillingPackage {
    /// From, Unix ms (required on the first page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// To, Unix ms (required on the first page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Rows per page (at most 500, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<BillingFilter>,
    /// The `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl ExportBillingPackage {
    /// The first page between `start_time` and `end_time` (Unix ms).
    pub fn new(start_time: i64, end_time: i64) -> Self {
        Self {
            start_time: Some(start_time),
            end_time: Some(end_time),
            limit: None,
            filters: Vec::new(),
            cursor: None,
        }
    }

    /// The page after `cursor`.
    pub fn next_page(cursor: impl Into<String>) -> Self {
        Self {
            start_time: None,
            end_time: None,
            limit: None,
            filters: Vec::new(),
            cursor: Some(cursor.into()),
        }
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds a filter.
    #[must_use]
    pub fn filter(mut self, filter: BillingFilter) -> Self {
        self.filters.push(filter);
        self
    }
}

/// A page of the deduction export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BillingPage {
    /// The rows.
    #[serde(default, deserialize_with = "de::null_default")]
    pub result: BillingRows,
    /// The cursor of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Whether there is a next page.
    #[serde(default)]
    pub has_more: bool,
}

/// The rows of a deduction page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct BillingRows {
    /// One row per deduction, kept as sent (its many fields are documented loosely).
    #[serde(default, deserialize_with = "de::vec")]
    pub detail: Vec<serde_json::Map<String, serde_json::Value>>,
    /// How many rows match.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub count: Option<i64>,
}

impl Endpoint for ExportBillingPackage {
    type Response = BillingPage;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/account/billing/package".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    // A read, though it is a POST.
    fn idempotent(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<(), ValidationError> {
        if self.cursor.is_none() {
            ensure(
                self.start_time.is_some() && self.end_time.is_some(),
                "start_time",
                "start_time and end_time are required on the first page",
            )?;
        }
        int_range("limit", self.limit, 1, 500)?;
        let name = self.filters.iter().any(|f| f.key == "package_name");
        let id = self.filters.iter().any(|f| f.key == "package_id");
        ensure(
            !(name && id),
            "filters",
            "package_name and package_id exclude each other",
        )
    }
}
