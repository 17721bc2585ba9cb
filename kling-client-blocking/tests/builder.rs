//! The builder: an explicit base URL wins over the one inside a config, whichever is set
//! first, and a base URL that is not `http(s)://host` is refused when the client is built.
//! (The transport rows, against real loopback servers, are the reliability matrix's:
//! `tests/matrix.rs`, shared with the async client.)

use kling_auth::Credentials;
use kling_client_blocking::prelude::*;
use kling_client_blocking::{Client, Config};
use kling_types::videos::GetText2VideoTask;

const TASK: &str =
    r#"{"code":0,"message":"SUCCEED","data":{"task_id":"9","task_status":"submitted"}}"#;

#[test]
fn an_explicit_base_url_wins_over_the_config_in_either_order() {
    use kling_client_blocking::{HttpRequest, HttpResponse, TransportFn};
    use std::sync::{Arc, Mutex};
    let urls = Arc::new(Mutex::new(Vec::new()));
    let transport = || {
        let urls = urls.clone();
        TransportFn(move |r: &HttpRequest| {
            urls.lock().unwrap().push(r.url.clone());
            Ok(HttpResponse::json(200, TASK))
        })
    };
    let credentials = || Credentials::access_key("AKtest0123456789", "SKtest").unwrap();
    let mine = "http://127.0.0.1:8080/";
    let first = Client::builder()
        .credentials(credentials())
        .transport(transport())
        .base_url(mine)
        .config(Config::default())
        .build()
        .unwrap();
    let last = Client::builder()
        .credentials(credentials())
        .transport(transport())
        .config(Config::default())
        .base_url(mine)
        .build()
        .unwrap();
    let config_only = Client::builder()
        .credentials(credentials())
        .transport(transport())
        .config(Config::beijing())
        .build()
        .unwrap();
    for c in [&first, &last, &config_only] {
        c.send(&GetText2VideoTask::by_task_id("9")).unwrap();
    }
    assert_eq!(
        *urls.lock().unwrap(),
        [
            "http://127.0.0.1:8080/v1/videos/text2video/9",
            "http://127.0.0.1:8080/v1/videos/text2video/9",
            "https://api-beijing.klingai.com/v1/videos/text2video/9",
        ]
    );
    let e = Client::builder()
        .credentials(credentials())
        .base_url("127.0.0.1:8080")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("base_url"), "{e}");
}
