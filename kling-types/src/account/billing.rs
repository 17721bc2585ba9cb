//! The two deduction ledgers, a page at a time: resource-pack units
//! (`POST /account/billing/package`) and the cash balance (`POST /account/billing/balance`).
//! Both take the same query (a time window or a cursor, a page size, filters), declared once.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::de;
use crate::endpoint::{Endpoint, Method};
use crate::validate::{ensure, int_range};

/// A filter of a ledger export: rows whose `key` is one of `values` (values of one key are
/// OR'ed, different keys AND'ed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BillingFilter {
    /// The packs ledger takes `api_key_name`, `product_type`, `package_name` or `package_id`;
    /// the balance ledger `api_key_name`.
    pub key: String,
    /// The accepted values, OR'ed (e.g. API key names, or `video`/`image`/`try-on` for
    /// `product_type`).
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

/// A page of a ledger. `R` is one row: kept as sent for the packs ledger (its fields are
/// documented loosely), typed ([`BalanceRow`]) for the balance ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "R: DeserializeOwned"))]
#[non_exhaustive]
pub struct BillingPage<R = serde_json::Map<String, serde_json::Value>> {
    /// The rows of this page (`result`; `null` reads as no rows).
    #[serde(default = "BillingRows::empty", deserialize_with = "rows")]
    pub result: BillingRows<R>,
    /// The cursor of the next page; prefer [`next`](Self::next), which also checks `has_more`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Whether there is a next page.
    #[serde(default)]
    pub has_more: bool,
}

impl<R> BillingPage<R> {
    /// The cursor to ask for the next page with, when there is one.
    pub fn next(&self) -> Option<&str> {
        self.next_cursor
            .as_deref()
            .filter(|c| self.has_more && !c.is_empty())
    }
}

/// The rows of a ledger page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "R: DeserializeOwned"))]
#[non_exhaustive]
pub struct BillingRows<R = serde_json::Map<String, serde_json::Value>> {
    /// One row per deduction.
    #[serde(default = "Vec::new", deserialize_with = "de::vec")]
    pub detail: Vec<R>,
    /// `count` as sent (the spec does not say whether it counts this page or every match).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub count: Option<i64>,
}

impl<R> BillingRows<R> {
    fn empty() -> Self {
        Self {
            detail: Vec::new(),
            count: None,
        }
    }
}

/// `result`, where `null` is no rows.
fn rows<'de, D, R>(d: D) -> Result<BillingRows<R>, D::Error>
where
    D: serde::Deserializer<'de>,
    R: DeserializeOwned,
{
    Ok(Option::<BillingRows<R>>::deserialize(d)?.unwrap_or_else(BillingRows::empty))
}

/// One deduction from the cash balance (`kling-api.md` 10.5). Every field is optional: a row
/// is shown as sent, whatever the server leaves out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BalanceRow {
    /// The task charged (a long numeric id, kept as text).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub task_id: Option<String>,
    /// The name of the API key that created the task.
    #[serde(default)]
    pub api_key_name: Option<String>,
    /// What was made (`text2video`, ...).
    #[serde(default)]
    pub product_function: Option<String>,
    /// The model the task used, as the ledger names it.
    #[serde(default)]
    pub model_name: Option<String>,
    /// `720p`, `1080p` or `4k` (legacy std is 720p, pro 1080p).
    #[serde(default)]
    pub resolution: Option<String>,
    /// Seconds of video, as text (videos only).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub duration: Option<String>,
    /// Whether a reference video was an input.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub refer_video_input: Option<bool>,
    /// The video's sound: `native`, `original` or `off`.
    #[serde(default)]
    pub video_sound: Option<String>,
    /// Whether voice control was used (priced higher).
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub voice_control: Option<bool>,
    /// When the deduction was made, Unix milliseconds.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub deduction_time: Option<i64>,
    /// Which balance paid: `balance` or `test_balance`.
    #[serde(default)]
    pub cash_type: Option<String>,
    /// The balance before the deduction, in `currency`.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub balance_before_deduction: Option<f64>,
    /// What was deducted, in `currency`.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub deduction_amount: Option<f64>,
    /// The balance after the deduction, in `currency`.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub balance_after_deduction: Option<f64>,
    /// The list price of the task, in `currency`.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub list_price: Option<f64>,
    /// `CNY` or `USD`.
    #[serde(default)]
    pub currency: Option<String>,
}

/// Declares a ledger export: the shared query, its builders and checks, and the endpoint.
macro_rules! ledger {
    (
        $(#[$meta:meta])*
        $ty:ident, $path:literal, $row:ty, extra = $extra:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct $ty {
            /// Start of the window, Unix milliseconds (required unless `cursor` is set).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub start_time: Option<i64>,
            /// End of the window, Unix milliseconds (required unless `cursor` is set).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub end_time: Option<i64>,
            /// Rows per page (at most 500, the default).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub limit: Option<u32>,
            /// Filters: values of one key are OR'ed, different keys AND'ed.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub filters: Vec<BillingFilter>,
            /// The `next_cursor` of the previous page; when set, the server ignores every
            /// other field.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub cursor: Option<String>,
        }

        impl $ty {
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

            /// The page after `cursor` (a page's [`next`](BillingPage::next)).
            pub fn next_page(cursor: impl Into<String>) -> Self {
                Self {
                    start_time: None,
                    end_time: None,
                    limit: None,
                    filters: Vec::new(),
                    cursor: Some(cursor.into()),
                }
            }

            /// Sets the page size, 1-500 (500 when unset).
            #[must_use]
            pub fn limit(mut self, limit: u32) -> Self {
                self.limit = Some(limit);
                self
            }

            /// Adds a filter (AND'ed with the others).
            #[must_use]
            pub fn filter(mut self, filter: BillingFilter) -> Self {
                self.filters.push(filter);
                self
            }
        }

        impl Endpoint for $ty {
            type Response = BillingPage<$row>;
            type Body = Self;
            fn method(&self) -> Method {
                Method::Post
            }
            fn path(&self) -> String {
                $path.to_owned()
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
                    ensure(
                        self.start_time <= self.end_time,
                        "start_time",
                        "must not be after end_time",
                    )?;
                }
                int_range("limit", self.limit, 1, 500)?;
                let extra: fn(&[BillingFilter]) -> Result<(), ValidationError> = $extra;
                extra(&self.filters)
            }
        }
    };
}

ledger!(
    /// Exports resource-pack deductions, a page at a time (`POST /account/billing/package`).
    ExportBillingPackage, "/account/billing/package", serde_json::Map<String, serde_json::Value>,
    extra = |filters| {
        let has = |key: &str| filters.iter().any(|f| f.key == key);
        ensure(
            !(has("package_name") && has("package_id")),
            "filters",
            "package_name and package_id exclude each other",
        )
    }
);

ledger!(
    /// Exports deductions from the cash balance, a page at a time
    /// (`POST /account/billing/balance`): each task's price in CNY or USD, the balance before
    /// and after.
    ExportBillingBalance, "/account/billing/balance", BalanceRow,
    extra = |_| Ok(())
);
