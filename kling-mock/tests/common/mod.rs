//! Helpers the route tests share: one request to the mock, its verdict, reading a delivery.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::SystemTime;

use kling_core::http::Method;
use kling_mock::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockServer};
use serde_json::Value;

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth {
    Jwt,
    Key,
    None,
}

/// One request to the mock: its status and JSON body.
pub fn call(
    mock: &MockServer,
    method: Method,
    path: &str,
    auth: Auth,
    body: Option<Value>,
) -> (u16, Value) {
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let mut request = kling_core::HttpRequest::new(method, format!("{}{path}", mock.api_url));
    request = match auth {
        Auth::Jwt => {
            let pair = kling_auth::AccessKeyPair::new(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap();
            let token = kling_auth::mint(&pair, SystemTime::now()).unwrap();
            request.header("Authorization", format!("Bearer {}", token.expose()))
        }
        Auth::Key => request.header("Authorization", format!("Bearer {DEMO_API_KEY}")),
        Auth::None => request,
    };
    if let Some(body) = body {
        request = request.header("Content-Type", "application/json");
        request.body = Some(Arc::from(body.to_string().into_bytes()));
    }
    let response = kling_core::Transport::send(&transport, &request).unwrap();
    let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, value)
}

pub fn get(mock: &MockServer, path: &str) -> (u16, Value) {
    call(mock, Method::Get, path, Auth::Jwt, None)
}

pub fn post(mock: &MockServer, path: &str, body: Value) -> (u16, Value) {
    call(mock, Method::Post, path, Auth::Jwt, Some(body))
}

/// The (status, code, message) of an answer.
pub fn verdict(answer: &(u16, Value)) -> (u16, i64, String) {
    (
        answer.0,
        answer.1["code"].as_i64().unwrap_or(-1),
        answer.1["message"].as_str().unwrap_or("").to_owned(),
    )
}

/// Reads one HTTP request from `stream`: its request line, headers and body.
pub fn read_request(stream: std::net::TcpStream) -> (String, Vec<(String, String)>, Vec<u8>) {
    use std::io::{BufRead, BufReader, Read};
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end().to_owned();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .unwrap()
        .1
        .parse()
        .unwrap();
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (line, headers, body)
}
