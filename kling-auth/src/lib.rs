#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod cache;
mod callback_token;
mod credentials;
mod jwt;
mod webhook;

pub use cache::{AuthHeader, Authenticator, DEFAULT_REFRESH_MARGIN};
pub use callback_token::CallbackToken;
pub use credentials::{
    AccessKeyPair, ApiKey, Credentials, ENV_ACCESS_KEY, ENV_API_KEY, ENV_SECRET_KEY,
};
pub use jwt::{NOT_BEFORE_LEEWAY, TOKEN_LIFETIME, Token, TokenRejection, mint, verify};
pub use webhook::{
    MAX_WEBHOOK_BODY, TIMESTAMP_TOLERANCE, WebhookVerifier, verify_runblob_signature,
};
