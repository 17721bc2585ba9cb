//! The mock's legacy routes as a client meets them over HTTP: every family of the one table,
//! the server-side checks and their codes, unknown paths, the synchronous calls, the
//! multi-element sessions, the file host.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Auth, call, get, post, verdict};
use kling_core::http::Method;
use kling_mock::{DEMO_API_KEY, MockConfig, MockServer, SAMPLE_MP4};
use kling_types::family::FAMILIES;
use serde_json::{Value, json};

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
fn the_file_host_serves_ranges_and_refuses_credentials() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let created = post(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    let id = created.1["data"]["task_id"].as_str().unwrap().to_owned();
    let done = get(&mock, &format!("/v1/videos/text2video/{id}"));
    let url = done.1["data"]["task_result"]["videos"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
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
