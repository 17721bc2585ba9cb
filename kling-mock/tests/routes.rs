//! The mock's routes as a client meets them over HTTP: every legacy family of the one table,
//! the server-side checks and their codes, the synchronous calls, the libraries, the account,
//! the new standard's listing, RunBlob, unknown paths, `/mock/stats`.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use kling_core::http::Method;
use kling_mock::{
    DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, MockConfig, MockServer, SAMPLE_MP4,
};
use kling_types::family::FAMILIES;
use serde_json::{Value, json};

/// How a request authenticates.
#[derive(Clone, Copy)]
enum Auth {
    Jwt,
    Key,
    None,
}

/// One request to the mock: its status and JSON body.
fn call(
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

fn get(mock: &MockServer, path: &str) -> (u16, Value) {
    call(mock, Method::Get, path, Auth::Jwt, None)
}

fn post(mock: &MockServer, path: &str, body: Value) -> (u16, Value) {
    call(mock, Method::Post, path, Auth::Jwt, Some(body))
}

/// The (status, code, message) of an answer.
fn verdict(answer: &(u16, Value)) -> (u16, i64, String) {
    (
        answer.0,
        answer.1["code"].as_i64().unwrap_or(-1),
        answer.1["message"].as_str().unwrap_or("").to_owned(),
    )
}

#[test]
fn creates_answer_submitted_and_the_first_poll_finds_the_end() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let created = post(
        &mock,
        "/v1/videos/text2video",
        json!({"prompt": "a fox", "external_task_id": "e-1"}),
    );
    assert_eq!(created.0, 200);
    assert_eq!(
        created.1["data"]["task_status"], "submitted",
        "{}",
        created.1
    );
    assert_eq!(created.1["data"]["task_info"]["external_task_id"], "e-1");
    let id = created.1["data"]["task_id"].as_str().unwrap().to_owned();
    let polled = get(&mock, &format!("/v1/videos/text2video/{id}"));
    assert_eq!(polled.1["data"]["task_status"], "succeed");
    // By external id too, and in the list.
    let by_external = get(&mock, "/v1/videos/text2video/e-1");
    assert_eq!(by_external.1["data"]["task_id"], id.as_str());
    let list = get(&mock, "/v1/videos/text2video?pageNum=1&pageSize=10");
    assert_eq!(list.1["data"].as_array().unwrap().len(), 1);
    // Another family does not see it.
    assert_eq!(
        verdict(&get(&mock, &format!("/v1/videos/image2video/{id}"))).1,
        1203
    );
}

#[test]
fn a_task_goes_through_processing_on_the_clock() {
    let mock = MockServer::start(
        MockConfig::instant().task_timing(Duration::ZERO, Duration::from_millis(300)),
    )
    .unwrap();
    let created = post(
        &mock,
        "/v1/images/generations",
        json!({"prompt": "a lighthouse", "n": 2}),
    );
    let id = created.1["data"]["task_id"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&mock, &format!("/v1/images/generations/{id}")).1["data"]["task_status"],
        "processing"
    );
    std::thread::sleep(Duration::from_millis(320));
    let done = get(&mock, &format!("/v1/images/generations/{id}"));
    assert_eq!(done.1["data"]["task_status"], "succeed");
    let images = done.1["data"]["task_result"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "n images");
    assert_eq!(done.1["data"]["final_unit_deduction"], "2");
}

#[test]
fn every_family_of_the_table_has_its_routes() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    for family in FAMILIES {
        let list = get(
            &mock,
            &format!(
                "{}?pageNum=1&pageSize={}",
                family.path, family.max_page_size
            ),
        );
        assert_eq!(verdict(&list).0, 200, "{}: {:?}", family.name, list);
        assert!(list.1["data"].is_array());
        let missing = get(&mock, &format!("{}/no-such-task", family.path));
        assert_eq!(verdict(&missing).1, 1203, "{}", family.name);
        // An empty create is checked by the family, never routed away.
        let empty = post(&mock, family.path, json!({}));
        assert!(
            empty.0 == 400 && verdict(&empty).1 == 1201 || empty.0 == 200,
            "{}: {:?}",
            family.name,
            empty
        );
        let too_big = get(
            &mock,
            &format!("{}?pageSize={}", family.path, family.max_page_size + 1),
        );
        assert_eq!(verdict(&too_big).1, 1201, "{}", family.name);
        assert!(verdict(&too_big).2.contains("pageSize"));
    }
}

#[test]
fn creates_are_checked_as_kling_checks_them() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let t2v = "/v1/videos/text2video";
    let cases = [
        (
            json!({"prompt": "a fox", "model_name": "kling-v9"}),
            "model_name",
        ),
        (
            json!({"prompt": "a fox", "model_name": "kling-v1", "duration": "7"}),
            "duration",
        ),
        (json!({"model_name": "kling-v1"}), "prompt"),
        (
            json!({"prompt": "a fox", "model_name": "kling-v1-5"}),
            "model_name",
        ),
        (
            json!({"prompt": "a fox", "model_name": "kolors-virtual-try-on-v1"}),
            "model_name",
        ),
    ];
    for (body, field) in cases {
        let answer = verdict(&post(&mock, t2v, body.clone()));
        assert_eq!((answer.0, answer.1), (400, 1201), "{body}: {answer:?}");
        assert!(answer.2.contains(field), "{body}: {answer:?} names {field}");
    }
    // Not JSON at all: 1200.
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let mut raw = kling_core::HttpRequest::new(Method::Post, format!("{}{t2v}", mock.api_url))
        .header("Authorization", format!("Bearer {DEMO_API_KEY}"));
    raw.body = Some(Arc::from(b"not json".to_vec()));
    let answer = kling_core::Transport::send(&transport, &raw).unwrap();
    let body: Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!((answer.status, body["code"].as_i64()), (400, Some(1200)));
    // Content security, and a unique external id.
    let answer = verdict(&post(&mock, t2v, json!({"prompt": "a forbidden fox"})));
    assert_eq!((answer.0, answer.1), (400, 1301));
    assert_eq!(
        post(
            &mock,
            t2v,
            json!({"prompt": "a fox", "external_task_id": "x"})
        )
        .0,
        200
    );
    let again = verdict(&post(
        &mock,
        t2v,
        json!({"prompt": "a fox", "external_task_id": "x"}),
    ));
    assert_eq!((again.0, again.1), (400, 1201));
    assert!(again.2.contains("external_task_id"));
    // A video the account never made cannot be extended.
    let answer = verdict(&post(
        &mock,
        "/v1/videos/video-extend",
        json!({"video_id": "123"}),
    ));
    assert_eq!(answer.1, 1201);
    assert!(answer.2.contains("video_id"), "{answer:?}");
    assert_eq!(mock.task_count(), 1);
}

#[test]
fn unknown_paths_and_methods_get_the_json_error() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let answer = verdict(&get(&mock, "/v1/videos/no-such-family"));
    assert_eq!((answer.0, answer.1), (404, 1202));
    let answer = verdict(&post(&mock, "/v1/videos/text2video/123", json!({})));
    assert_eq!((answer.0, answer.1), (404, 1202));
    let answer = call(
        &mock,
        Method::Get,
        "/runblob/v1/kling/nothing",
        Auth::Key,
        None,
    );
    assert_eq!(
        (answer.0, answer.1["detail"].as_str()),
        (404, Some("Not Found"))
    );
    // Auth comes first on real routes: 1001 without a header.
    let answer = verdict(&call(
        &mock,
        Method::Get,
        "/v1/videos/text2video/1",
        Auth::None,
        None,
    ));
    assert_eq!((answer.0, answer.1), (401, 1001));
}

#[test]
fn synchronous_calls_answer_at_once() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let tts = post(
        &mock,
        "/v1/audio/tts",
        json!({"text": "hello", "voice_id": "genshin_vindi2", "voice_language": "en"}),
    );
    assert_eq!(tts.1["data"]["task_status"], "succeed", "{}", tts.1);
    assert!(
        tts.1["data"]["task_result"]["audios"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with(".mp3")
    );
    let bad = verdict(&post(
        &mock,
        "/v1/audio/tts",
        json!({"text": "hello", "voice_id": "v", "voice_language": "en", "voice_speed": 3.0}),
    ));
    assert_eq!(bad.1, 1201);
    assert!(bad.2.contains("voice_speed"));
    let seg = post(
        &mock,
        "/v1/videos/image-recognize",
        json!({"image": "https://example.com/a.png"}),
    );
    assert_eq!(
        seg.1["data"]["task_result"]["images"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let faces = post(
        &mock,
        "/v1/videos/identify-face",
        json!({"video_url": "https://example.com/a.mp4"}),
    );
    let session = faces.1["data"]["session_id"].as_str().unwrap().to_owned();
    assert!(!faces.1["data"]["face_data"].as_array().unwrap().is_empty());
    // The lip sync of that session is a task; an unknown session is refused.
    let lip = json!({"session_id": session, "face_choose": [{"face_id": "0", "sound_file": "https://example.com/a.mp3",
        "sound_start_time": 0, "sound_end_time": 2000, "sound_insert_time": 0}]});
    let created = post(&mock, "/v1/videos/advanced-lip-sync", lip.clone());
    assert_eq!(
        created.1["data"]["task_status"], "submitted",
        "{}",
        created.1
    );
    let mut stale = lip;
    stale["session_id"] = json!("sess-0");
    assert!(
        verdict(&post(&mock, "/v1/videos/advanced-lip-sync", stale))
            .2
            .contains("session_id")
    );
}

#[test]
fn a_multi_element_edit_runs_through_its_session() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let base = "/v1/videos/multi-elements";
    let init = post(
        &mock,
        &format!("{base}/init-selection"),
        json!({"video_url": "https://example.com/a.mp4"}),
    );
    let session = init.1["data"]["session_id"].as_str().unwrap().to_owned();
    let point = json!({"session_id": session, "frame_index": 3, "points": [{"x": 0.5, "y": 0.5}]});
    // Nothing to preview yet.
    assert_eq!(
        verdict(&post(
            &mock,
            &format!("{base}/preview-selection"),
            json!({"session_id": session})
        ))
        .1,
        1201
    );
    let added = post(&mock, &format!("{base}/add-selection"), point.clone());
    assert_eq!(
        added.1["data"]["res"]["rle_mask_list"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let preview = post(
        &mock,
        &format!("{base}/preview-selection"),
        json!({"session_id": session}),
    );
    assert!(
        preview.1["data"]["res"]["video"]
            .as_str()
            .unwrap()
            .ends_with(".mp4")
    );
    let deleted = post(&mock, &format!("{base}/delete-selection"), point);
    assert!(
        deleted.1["data"]["res"]["rle_mask_list"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    post(
        &mock,
        &format!("{base}/clear-selection"),
        json!({"session_id": session}),
    );
    let edit = post(
        &mock,
        base,
        json!({"session_id": session, "edit_mode": "removal", "prompt": "remove <<<video_1>>>'s hat"}),
    );
    assert_eq!(edit.1["data"]["task_status"], "submitted", "{}", edit.1);
    let bad = verdict(&post(
        &mock,
        &format!("{base}/add-selection"),
        json!({"session_id": "sess-0", "frame_index": 0, "points": [{"x": 0.1, "y": 0.1}]}),
    ));
    assert!(bad.2.contains("session_id"), "{bad:?}");
}

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
    let after = get(&mock, &format!("/v1/general/custom-voices/{id}"));
    assert_eq!(
        after.1["data"]["task_result"]["voices"][0]["status"],
        "deleted"
    );
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
    let (headers, body) = read_request(stream);
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
    assert_eq!(
        (bad.0, bad.1["detail"].as_str()),
        (400, Some("Duration must be 5, 10, or 15 seconds"))
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
    // Two of four units spent: 2 × 0.15 left.
    assert_eq!(
        key(Method::Get, "/runblob/v1/data/balance", None).1["balance"],
        "0.30"
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

/// Reads one HTTP request from `stream`: its headers and body.
fn read_request(stream: std::net::TcpStream) -> (Vec<(String, String)>, Vec<u8>) {
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
    (headers, body)
}

#[test]
fn the_file_host_serves_ranges_and_refuses_credentials() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let url = format!("{}/files/123.mp4", mock.files_url);
    let whole =
        kling_core::Transport::send(&transport, &kling_core::HttpRequest::new(Method::Get, &url))
            .unwrap();
    assert_eq!((whole.status, whole.body.as_ref()), (200, SAMPLE_MP4));
    let part = kling_core::Transport::send(
        &transport,
        &kling_core::HttpRequest::new(Method::Get, &url).header("Range", "bytes=10-19"),
    )
    .unwrap();
    assert_eq!(
        (part.status, part.body.as_ref()),
        (206, &SAMPLE_MP4[10..20])
    );
    let refused = kling_core::Transport::send(
        &transport,
        &kling_core::HttpRequest::new(Method::Get, &url).header("Authorization", "Bearer x"),
    )
    .unwrap();
    assert_eq!(refused.status, 400);
    let odd = format!("{}/files/..%2F..%2Fetc.mp4", mock.files_url);
    assert_eq!(
        kling_core::Transport::send(&transport, &kling_core::HttpRequest::new(Method::Get, odd))
            .unwrap()
            .status,
        404
    );
}
