//! The file host serves what the mock handed out, and nothing else: every URL in the results
//! of every family, of the new standard, of RunBlob, of the synchronous calls and of the preset
//! lists downloads; a name it never handed out is 404.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Auth, call, get, post};
use kling_core::http::Method;
use kling_mock::{MockConfig, MockServer, SAMPLE_MP3, SAMPLE_MP4, SAMPLE_PNG, SAMPLE_WAV};
use kling_types::family::FAMILIES;
use serde_json::{Value, json};

/// GET `url` without credentials: the status and the body.
fn download(url: &str) -> (u16, Vec<u8>) {
    let transport =
        kling_client_blocking::UreqTransport::new(&kling_client_blocking::Config::default());
    let response =
        kling_core::Transport::send(&transport, &kling_core::HttpRequest::new(Method::Get, url))
            .unwrap();
    (response.status, response.body.to_vec())
}

/// Every URL of the file host in `value`.
fn urls(value: &Value, files_url: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if s.starts_with(files_url) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| urls(v, files_url, out)),
        Value::Object(fields) => fields.values().for_each(|v| urls(v, files_url, out)),
        _ => {}
    }
}

/// A legacy create of `path`, polled once (the mock is instant): the finished task.
fn finished(mock: &MockServer, path: &str, body: Value) -> Value {
    let created = post(mock, path, body);
    assert_eq!(created.0, 200, "{path}: {}", created.1);
    let id = created.1["data"]["task_id"].as_str().unwrap().to_owned();
    let done = get(mock, &format!("{path}/{id}"));
    assert_eq!(
        done.1["data"]["task_status"], "succeed",
        "{path}: {}",
        done.1
    );
    done.1["data"].clone()
}

/// A create body for every family of the table (the references made first).
fn bodies(video: &str, face_session: &str, edit_session: &str) -> Vec<(&'static str, Value)> {
    let png = "iVBORw0KGgo=";
    let wm = json!({"enabled": true});
    vec![
        (
            "text2video",
            json!({"prompt": "a fox", "watermark_info": wm}),
        ),
        (
            "image2video",
            json!({"image": png, "prompt": "she turns", "watermark_info": wm}),
        ),
        (
            "multi-image2video",
            json!({"image_list": [{"image": png}, {"image": "https://example.com/b.png"}], "prompt": "two friends wave", "model_name": "kling-v1-6"}),
        ),
        (
            "extend",
            json!({"video_id": video, "prompt": "then it jumps"}),
        ),
        (
            "omni-video",
            json!({"prompt": "<<<image_1>>> dances", "image_list": [{"image_url": "https://example.com/a.png"}], "model_name": "kling-video-o1", "duration": "5", "aspect_ratio": "16:9"}),
        ),
        (
            "motion-control",
            json!({"character_orientation": "video", "image_url": png, "mode": "std", "model_name": "kling-v2-6", "video_url": "https://example.com/dance.mp4"}),
        ),
        (
            "lip-sync",
            json!({"input": {"mode": "text2video", "text": "hello there", "video_id": video, "voice_id": "voice-1", "voice_language": "en"}}),
        ),
        (
            "advanced-lip-sync",
            json!({"session_id": face_session, "face_choose": [{"audio_id": "a1", "face_id": "0", "sound_end_time": 2000, "sound_insert_time": 0, "sound_start_time": 0}]}),
        ),
        (
            "avatar",
            json!({"audio_id": "aud-1", "image": png, "prompt": "smiles"}),
        ),
        (
            "effects",
            json!({"effect_scene": "bloombloom", "input": {"image": png}}),
        ),
        (
            "multi-elements",
            json!({"session_id": edit_session, "edit_mode": "removal", "prompt": "remove <<<video_1>>>'s hat"}),
        ),
        (
            "video-to-audio",
            json!({"video_id": video, "sound_effect_prompt": "footsteps"}),
        ),
        (
            "text-to-audio",
            json!({"prompt": "rain on a tin roof", "duration": 5.5}),
        ),
        (
            "image",
            json!({"prompt": "a cat", "n": 2, "watermark_info": wm}),
        ),
        (
            "multi-image",
            json!({"prompt": "together", "model_name": "kling-v2-1", "subject_image_list": [{"subject_image": png}, {"subject_image": "https://example.com/s.png"}]}),
        ),
        (
            "omni-image",
            json!({"prompt": "<<<image_1>>> in the rain", "image_list": [{"image": "https://example.com/a.png"}], "model_name": "kling-v3-omni", "result_type": "series", "series_amount": "3"}),
        ),
        (
            "expand",
            json!({"image": png, "up_expansion_ratio": 0.5, "down_expansion_ratio": 0.0, "left_expansion_ratio": 0.25, "right_expansion_ratio": 0.0}),
        ),
        (
            "try-on",
            json!({"human_image": png, "cloth_image": "https://example.com/shirt.png"}),
        ),
        (
            "voice",
            json!({"voice_name": "Narrator", "voice_url": "https://example.com/voice.mp3"}),
        ),
        (
            "element",
            json!({"element_name": "Fox", "element_description": "a red fox", "reference_type": "image_refer",
            "element_image_list": {"frontal_image": "https://example.com/front.png", "refer_images": [{"image_url": "https://example.com/side.png"}]}}),
        ),
        (
            "ai-multi-shot",
            json!({"element_frontal_image": "https://example.com/front.png"}),
        ),
    ]
}

/// The sample a URL's extension stands for.
fn sample_of(url: &str) -> &'static [u8] {
    match url.rsplit_once('.').map(|(_, ext)| ext) {
        Some("mp4") => SAMPLE_MP4,
        Some("png") => SAMPLE_PNG,
        Some("mp3") => SAMPLE_MP3,
        Some("wav") => SAMPLE_WAV,
        _ => panic!("a URL of no known kind: {url}"),
    }
}

#[test]
fn every_url_the_mock_hands_out_downloads() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let files = mock.files_url.clone();
    let mut found = BTreeSet::new();
    let mut keep = |value: &Value| urls(value, &files, &mut found);

    // What later creates refer to: a finished video, a face session, a marked selection.
    let t2v = finished(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    keep(&t2v);
    let video = t2v["task_result"]["videos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let faces = post(
        &mock,
        "/v1/videos/identify-face",
        json!({"video_id": video}),
    );
    keep(&faces.1);
    let face_session = faces.1["data"]["session_id"].as_str().unwrap().to_owned();
    let selection = "/v1/videos/multi-elements";
    let init = post(
        &mock,
        &format!("{selection}/init-selection"),
        json!({"video_id": video}),
    );
    let edit_session = init.1["data"]["session_id"].as_str().unwrap().to_owned();
    let point =
        json!({"session_id": edit_session, "frame_index": 0, "points": [{"x": 0.5, "y": 0.4}]});
    keep(&post(&mock, &format!("{selection}/add-selection"), point).1);
    keep(
        &post(
            &mock,
            &format!("{selection}/preview-selection"),
            json!({"session_id": edit_session}),
        )
        .1,
    );

    // Every family of the table.
    let bodies = bodies(&video, &face_session, &edit_session);
    for family in FAMILIES {
        let body = bodies
            .iter()
            .find(|(name, _)| *name == family.name)
            .unwrap_or_else(|| panic!("no body for {}", family.name));
        keep(&finished(&mock, family.path, body.1.clone()));
    }

    // The synchronous calls, the presets, the new standard, RunBlob.
    keep(
        &post(
            &mock,
            "/v1/audio/tts",
            json!({"text": "hello", "voice_id": "genshin_vindi2", "voice_language": "en"}),
        )
        .1,
    );
    keep(
        &post(
            &mock,
            "/v1/videos/image-recognize",
            json!({"image": "https://example.com/a.png"}),
        )
        .1,
    );
    keep(&get(&mock, "/v1/general/presets-voices").1);
    keep(&get(&mock, "/v1/general/advanced-presets-elements").1);
    let key = |method, path: &str, body| call(&mock, method, path, Auth::Key, body);
    let standard = key(
        Method::Post,
        "/text-to-video/kling-3.0",
        Some(json!({"prompt": "a fox", "options": {"watermark_info": {"enabled": true}}})),
    );
    let id = standard.1["data"]["id"].as_str().unwrap().to_owned();
    keep(&key(Method::Get, &format!("/tasks?task_ids={id}"), None).1);
    for (product, body) in [
        ("", json!({"prompt": "a fox"})),
        ("o3-photo/", json!({"prompt": "a cat"})),
    ] {
        let created = key(
            Method::Post,
            &format!("/runblob/v1/kling/{product}generate"),
            Some(body),
        );
        assert_eq!(created.0, 201, "{}", created.1);
        let id = created.1["generation_id"].as_str().unwrap();
        keep(
            &key(
                Method::Get,
                &format!("/runblob/v1/kling/{product}generations/{id}"),
                None,
            )
            .1,
        );
    }

    // Videos, watermarked copies, images, series, views, audios, voices, elements, masks...
    assert!(found.len() > 60, "{}: {found:#?}", found.len());
    for url in &found {
        let (status, body) = download(url);
        assert_eq!(status, 200, "{url}");
        assert_eq!(body, sample_of(url), "{url}");
    }
}

#[test]
fn a_name_the_mock_never_handed_out_is_not_found() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let files = &mock.files_url;
    let image = finished(
        &mock,
        "/v1/images/generations",
        json!({"prompt": "a cat", "n": 2}),
    );
    let id = image["task_id"].as_str().unwrap();
    assert_eq!(download(&format!("{files}/files/{id}-1.png")).0, 200);
    for name in [
        "nonexist.mp4".to_owned(),
        "123.mp4".to_owned(),
        "sess-1-face.png".to_owned(),
        // Not among this task's files: a third image, a watermark not asked for, a video.
        format!("{id}-2.png"),
        format!("{id}-0-wm.png"),
        format!("{id}.mp4"),
    ] {
        let (status, _) = download(&format!("{files}/files/{name}"));
        assert_eq!(status, 404, "{name}");
    }

    // A task still running has handed out nothing yet.
    let slow =
        MockServer::start(MockConfig::instant().task_duration(Duration::from_secs(60))).unwrap();
    let created = post(&slow, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    let id = created.1["data"]["task_id"].as_str().unwrap();
    assert_eq!(
        download(&format!("{}/files/{id}.mp4", slow.files_url)).0,
        404
    );
    // The benchmark files stay.
    assert_eq!(
        download(&format!("{files}/files/large/1000.mp4")),
        (200, (0..1000).map(|i| (i % 251) as u8).collect())
    );
}
