//! The rest of the platform over HTTP: the voice and element libraries, the account, the new
//! standard's checks and listing, RunBlob (list, balance, signed webhooks), `/mock/stats`.

mod common;

use std::time::{Duration, Instant};

use common::{Auth, call, get, post, read_request, verdict};
use kling_core::http::Method;
use kling_mock::{MockConfig, MockServer};
use serde_json::json;

#[test]
fn voices_and_elements_have_presets_and_deletes() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let presets = get(&mock, "/v1/general/presets-voices?pageNum=1&pageSize=2");
    assert_eq!(presets.1["data"].as_array().unwrap().len(), 2);
    let elements = get(&mock, "/v1/general/advanced-presets-elements");
    assert!(!elements.1["data"].as_array().unwrap().is_empty());
    let created = post(
        &mock,
        "/v1/general/custom-voices",
        json!({"voice_name": "mine", "voice_url": "https://example.com/v.mp3"}),
    );
    let id = created.1["data"]["task_id"].as_str().unwrap().to_owned();
    let done = get(&mock, &format!("/v1/general/custom-voices/{id}"));
    let voice = done.1["data"]["task_result"]["voices"][0]["voice_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        post(
            &mock,
            "/v1/general/delete-voices",
            json!({"voice_id": voice})
        )
        .0,
        200
    );
    assert_eq!(
        post(
            &mock,
            "/v1/general/delete-voices",
            json!({"voice_id": voice})
        )
        .0,
        200,
        "twice is fine"
    );
    // Deleted: gone, as a task that never was.
    let after = verdict(&get(&mock, &format!("/v1/general/custom-voices/{id}")));
    assert_eq!((after.0, after.1), (404, 1203), "{after:?}");
    assert_eq!(
        verdict(&post(
            &mock,
            "/v1/general/delete-voices",
            json!({"voice_id": "genshin_vindi2"})
        ))
        .1,
        1201
    );
    assert_eq!(
        verdict(&post(
            &mock,
            "/v1/general/delete-advanced-elements",
            json!({"element_id": 5})
        ))
        .1,
        1201
    );
}

#[test]
fn the_account_shows_the_pack_and_its_deductions() {
    let mock = MockServer::start(MockConfig::instant().credits(10)).unwrap();
    post(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    post(
        &mock,
        "/v1/images/generations",
        json!({"prompt": "a lighthouse", "n": 3}),
    );
    let costs = get(&mock, "/account/costs?start_time=0&end_time=9999999999999");
    let pack = &costs.1["data"]["resource_pack_subscribe_infos"][0];
    assert_eq!(
        (
            pack["total_quantity"].as_f64(),
            pack["remaining_quantity"].as_f64()
        ),
        (Some(10.0), Some(6.0))
    );
    assert_eq!(
        verdict(&get(&mock, "/account/costs")).1,
        1201,
        "times are required"
    );
    let page = post(
        &mock,
        "/account/billing/package",
        json!({"start_time": 0, "end_time": 9_999_999_999_999i64, "limit": 1}),
    );
    assert_eq!(page.1["data"]["result"]["count"], 2);
    assert_eq!(page.1["data"]["has_more"], true);
    let cursor = page.1["data"]["next_cursor"].as_str().unwrap().to_owned();
    let next = post(&mock, "/account/billing/package", json!({"cursor": cursor}));
    assert_eq!(
        next.1["data"]["result"]["detail"][0]["deduction_amount"],
        "3"
    );
    assert_eq!(next.1["data"]["has_more"], false);
    // Spent: 6 left, an image of 7 does not fit.
    let answer = verdict(&post(
        &mock,
        "/v1/images/generations",
        json!({"prompt": "x", "n": 7}),
    ));
    assert_eq!((answer.0, answer.1), (429, 1102));
}

#[test]
fn the_new_standard_checks_lists_and_takes_keys_only() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let key = |method, path: &str, body| call(&mock, method, path, Auth::Key, body);
    let created = key(
        Method::Post,
        "/text-to-video/kling-3.0",
        Some(json!({"prompt": "a fox", "options": {"external_task_id": "s-1"}})),
    );
    assert_eq!(created.1["data"]["status"], "submitted", "{}", created.1);
    let id = created.1["data"]["id"].as_str().unwrap().to_owned();
    let polled = key(Method::Get, &format!("/tasks?task_ids={id}"), None);
    assert_eq!(polled.1["data"][0]["status"], "succeeded");
    assert_eq!(
        key(Method::Get, "/tasks?external_task_ids=s-1", None).1["data"][0]["id"],
        id.as_str()
    );
    let answer = verdict(&key(Method::Get, "/tasks", None));
    assert_eq!(answer.1, 1201);
    let bad = verdict(&key(
        Method::Post,
        "/text-to-video/kling-2.6",
        Some(json!({"prompt": "a fox", "settings": {"duration": 7}})),
    ));
    assert_eq!(bad.1, 1201);
    assert!(bad.2.contains("settings.duration"), "{bad:?}");
    let unknown = verdict(&key(
        Method::Post,
        "/text-to-video/kling-9",
        Some(json!({"prompt": "a fox"})),
    ));
    assert!(
        unknown.1 == 1201 && unknown.2.contains("model"),
        "{unknown:?}"
    );
    let no_frame = verdict(&key(
        Method::Post,
        "/image-to-video/kling-3.0",
        Some(json!({"contents": [{"type": "prompt", "text": "x"}]})),
    ));
    assert_eq!(no_frame.1, 1201);
    for i in 0..3 {
        key(
            Method::Post,
            "/text-to-video/kling-2.6",
            Some(json!({"prompt": format!("fox {i}")})),
        );
    }
    let page = key(Method::Post, "/tasks", Some(json!({"limit": 2})));
    assert_eq!(
        (
            page.1["data"]["count"].as_u64(),
            page.1["data"]["has_more"].as_bool()
        ),
        (Some(4), Some(true))
    );
    let cursor = page.1["data"]["next_cursor"].as_str().unwrap().to_owned();
    let rest = key(Method::Post, "/tasks", Some(json!({"cursor": cursor})));
    assert_eq!(rest.1["data"]["result"].as_array().unwrap().len(), 2);
    let succeeded = key(
        Method::Post,
        "/tasks",
        Some(json!({"filters": [{"key": "status", "values": ["failed"]}]})),
    );
    assert_eq!(succeeded.1["data"]["count"], 0);
    // A JWT is refused here, as Kling does.
    let jwt = verdict(&call(
        &mock,
        Method::Get,
        &format!("/tasks?task_ids={id}"),
        Auth::Jwt,
        None,
    ));
    assert_eq!((jwt.0, jwt.1), (401, 1002));
}

#[test]
fn stats_count_creates_running_tasks_and_codes() {
    let mock = MockServer::start(
        MockConfig::instant()
            .max_concurrency(2)
            .task_duration(Duration::from_secs(600)),
    )
    .unwrap();
    let t2v = "/v1/videos/text2video";
    post(
        &mock,
        t2v,
        json!({"prompt": "a", "external_task_id": "job-a"}),
    );
    post(
        &mock,
        t2v,
        json!({"prompt": "a", "external_task_id": "job-a"}),
    );
    post(
        &mock,
        t2v,
        json!({"prompt": "b", "external_task_id": "job-b"}),
    );
    let over = verdict(&post(
        &mock,
        t2v,
        json!({"prompt": "c", "external_task_id": "job-c"}),
    ));
    assert_eq!((over.0, over.1), (429, 1303));
    let (status, stats) = call(&mock, Method::Get, "/mock/stats", Auth::None, None);
    assert_eq!(status, 200);
    assert_eq!(stats["requests"], 4, "{stats}");
    assert_eq!(
        (stats["running"].as_u64(), stats["peak_running"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(
        stats["creates_by_external_id"],
        json!({"job-a": 2, "job-b": 1, "job-c": 1})
    );
    assert_eq!(stats["codes"], json!({"0": 2, "1201": 1, "1303": 1}));
    assert_eq!(stats["statuses"], json!({"200": 2, "400": 1, "429": 1}));
    assert_eq!(mock.stats().tasks, 2);
    assert_eq!(mock.requests().len(), 4, "/mock/ requests are not logged");
}

#[test]
fn runblob_lists_balances_and_posts_signed_webhooks() {
    use kling_types::runblob::Generation;
    let receiver = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    receiver.set_nonblocking(true).unwrap();
    let url = format!("http://{}/hook", receiver.local_addr().unwrap());
    let mock = MockServer::start(
        MockConfig::instant()
            .credits(4)
            .runblob_webhook_secret("rb-secret"),
    )
    .unwrap();
    let key = |method, path: &str, body| call(&mock, method, path, Auth::Key, body);
    let created = key(
        Method::Post,
        "/runblob/v1/kling/generate",
        Some(
            json!({"prompt": "a fox", "model": "kling_2.6", "duration": "5", "callback_url": url}),
        ),
    );
    assert_eq!(created.0, 201, "{}", created.1);
    let id = created.1["generation_id"].as_str().unwrap().to_owned();
    // One webhook, on the terminal state, signed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (stream, _) = loop {
        match receiver.accept() {
            Ok(accepted) => break accepted,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("no webhook in time: {e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (_, headers, body) = read_request(stream);
    kling_auth::verify_runblob_signature("rb-secret", &headers, &body).expect("signed webhook");
    let generation: Generation = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (
            generation.generation_id.as_str(),
            generation.status.as_str()
        ),
        (id.as_str(), "completed")
    );
    assert!(generation.video_url.unwrap().ends_with(".mp4"));

    let list = key(
        Method::Get,
        "/runblob/v1/kling/generations?limit=10&offset=0",
        None,
    );
    assert_eq!(list.1.as_array().unwrap().len(), 1);
    let bad = key(
        Method::Post,
        "/runblob/v1/kling/o3-video/generate",
        Some(json!({"prompt": "x", "duration": "7"})),
    );
    // The durations come from the models data (RunBlob's page words it "5, 10, or 15").
    assert_eq!(bad.0, 400);
    assert!(
        bad.1["detail"]
            .as_str()
            .is_some_and(|d| d.contains("5, 10 or 15 seconds, got 7")),
        "{}",
        bad.1
    );
    let bad = key(
        Method::Post,
        "/runblob/v1/kling/generate",
        Some(json!({"prompt": "x", "model": "kling_9"})),
    );
    assert_eq!(bad.0, 400, "{}", bad.1);
    let bad = key(
        Method::Post,
        "/runblob/v1/kling/o1-photo/generate",
        Some(json!({"prompt": ""})),
    );
    assert_eq!(bad.0, 422);
    assert!(
        bad.1["detail"]
            .as_str()
            .unwrap()
            .starts_with("Validation error: prompt")
    );
    let photo = key(
        Method::Post,
        "/runblob/v1/kling/o3-photo/generate",
        Some(json!({"prompt": "a cat", "resolution": "2k"})),
    );
    let photo_id = photo.1["generation_id"].as_str().unwrap().to_owned();
    let done = key(
        Method::Get,
        &format!("/runblob/v1/kling/o3-photo/generations/{photo_id}"),
        None,
    );
    assert!(
        done.1["image_url"].as_str().unwrap().ends_with(".png"),
        "{}",
        done.1
    );
    // Another product's path does not find it.
    assert_eq!(
        key(
            Method::Get,
            &format!("/runblob/v1/kling/o1-photo/generations/{photo_id}"),
            None
        )
        .0,
        404
    );
    // Four units are $0.60; a classic generation ($0.15) and a photo ($0.04) were charged.
    assert_eq!(
        key(Method::Get, "/runblob/v1/data/balance", None).1["balance"],
        "0.41"
    );
    assert_eq!(
        call(
            &mock,
            Method::Get,
            "/runblob/v1/data/balance",
            Auth::None,
            None
        )
        .0,
        401
    );
}
