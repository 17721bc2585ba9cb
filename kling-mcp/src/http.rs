//! The streamable HTTP transport, behind a bearer token: an agent's port must not be open to
//! whoever reaches it (another user of the machine, a web page through DNS rebinding).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::KlingMcp;

/// The bearer token an HTTP client must send (`Authorization: Bearer <token>`); never shown.
#[derive(Clone)]
pub struct HttpToken(Arc<str>);

impl std::fmt::Debug for HttpToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpToken([redacted])")
    }
}

impl HttpToken {
    /// The token clients must send: at least 32 characters (e.g. `openssl rand -hex 32`).
    ///
    /// # Errors
    ///
    /// A message saying what is wrong with it (never the token).
    pub fn new(token: impl Into<String>) -> Result<Self, String> {
        let token = token.into();
        if token.len() < 32 || token.chars().any(char::is_whitespace) {
            return Err(
                "the HTTP token needs at least 32 characters and no spaces (e.g. `openssl rand -hex 32`)"
                    .to_owned(),
            );
        }
        Ok(Self(token.into()))
    }

    /// Whether an `Authorization` header carries this token; the comparison takes the same
    /// time whatever the guess.
    fn admits(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some(given) = authorization
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let (ours, theirs) = (self.0.as_bytes(), given.trim().as_bytes());
        ours.len() == theirs.len()
            && ours.iter().zip(theirs).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    }
}

async fn require_token(State(token): State<HttpToken>, request: Request, next: Next) -> Response {
    if token.admits(request.headers().get(header::AUTHORIZATION)) {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "a bearer token is required\n",
    )
        .into_response()
}

/// Serves `server` over streamable HTTP at `/mcp` on `listener` (bind it to 127.0.0.1 unless
/// you mean otherwise), for clients that send `token`, until `shutdown` completes (requests
/// under way finish first). Needs a tokio runtime.
///
/// # Errors
///
/// The listener's, when it cannot be used or accepting fails for good.
pub async fn serve_http(
    server: KlingMcp,
    token: HttpToken,
    listener: std::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    axum::serve(listener, http_router(server, token))
        .with_graceful_shutdown(shutdown)
        .await
}

/// The MCP endpoint at `/mcp`, over streamable HTTP, for clients that send `token`.
fn http_router(server: KlingMcp, token: HttpToken) -> axum::Router {
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default(),
    );
    axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn_with_state(token, require_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_token_is_admitted() {
        let token = HttpToken::new("t".repeat(40)).unwrap();
        let header = |v: &str| HeaderValue::from_str(v).unwrap();
        assert!(token.admits(Some(&header(&format!("Bearer {}", "t".repeat(40))))));
        assert!(!token.admits(Some(&header(&format!("Bearer {}", "u".repeat(40))))));
        assert!(!token.admits(Some(&header(&"t".repeat(40)))));
        assert!(!token.admits(None));
        assert!(HttpToken::new("short").is_err());
        assert_eq!(format!("{token:?}"), "HttpToken([redacted])");
    }
}
