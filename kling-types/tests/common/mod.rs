//! Shared by the integration tests: how a request is rendered for a snapshot.

#![allow(unreachable_pub, dead_code)] // a module of each test crate, not an API

use kling_types::Endpoint;

/// Method, path, query, idempotency, dialect, the preflight verdict and the pretty JSON body:
/// everything a client would send, as a reviewer reads it.
pub fn render<E: Endpoint>(endpoint: &E) -> String {
    let mut out = format!("{} {}", endpoint.method().as_str(), endpoint.path());
    let query = endpoint.query();
    if !query.is_empty() {
        let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out.push('\n');
    out.push_str(&format!(
        "idempotent: {}, dialect: {}, response: {:?}\n",
        endpoint.idempotent(),
        endpoint.dialect(),
        endpoint.response_format()
    ));
    match endpoint.validate() {
        Ok(()) => out.push_str("validate: ok\n"),
        Err(e) => out.push_str(&format!("validate: {e}\n")),
    }
    if let Some(body) = endpoint.body() {
        out.push('\n');
        out.push_str(&serde_json::to_string_pretty(body).expect("bodies serialize"));
        out.push('\n');
    }
    out
}
