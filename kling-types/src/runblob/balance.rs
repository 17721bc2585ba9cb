//! The account balance: `GET /v1/data/balance`.

use serde::{Deserialize, Serialize};

use kling_errors::Dialect;

use crate::de;
use crate::endpoint::{AuthScheme, Endpoint, Method, ResponseFormat};

/// The account balance: `GET /v1/data/balance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GetBalance;

impl GetBalance {
    /// The balance query (no parameters; API key only).
    pub fn new() -> Self {
        Self
    }
}

/// The RunBlob balance, sent as bare JSON `{"balance": "..."}` (no Kling envelope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Balance {
    /// The balance, a decimal as text.
    #[serde(deserialize_with = "de::text")]
    pub balance: String,
}

impl Endpoint for GetBalance {
    type Response = Balance;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        "/v1/data/balance".to_owned()
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
