//! What the tasks hand back: as many images as asked (an omni image series, `n`), deleted
//! voices and elements gone from gets and lists, task ids that no restart hands out again.

mod common;

use common::{get, post, verdict};
use kling_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

/// A legacy create of `path`, polled once (the mock is instant): the finished task.
fn finished(mock: &MockServer, path: &str, body: Value) -> Value {
    let created = post(mock, path, body);
    assert_eq!(created.0, 200, "{path}: {}", created.1);
    let id = created.1["data"]["task_id"].as_str().unwrap().to_owned();
    get(mock, &format!("{path}/{id}")).1["data"].clone()
}

fn count(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

#[test]
fn an_omni_image_series_has_series_amount_images() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let omni = "/v1/images/omni-image";
    let series = |amount: Option<&str>| {
        let mut body = json!({"prompt": "a fox in four seasons", "model_name": "kling-v3-omni",
            "result_type": "series"});
        if let Some(a) = amount {
            body["series_amount"] = json!(a);
        }
        finished(&mock, omni, body)
    };
    let three = series(Some("3"));
    let result = &three["task_result"];
    assert_eq!(result["result_type"], "series", "{three}");
    assert_eq!(count(&result["series_images"]), 3, "{three}");
    assert_eq!(three["final_unit_deduction"], "3", "a unit per image");
    // The documented default, and `auto` (the server's pick: the mock takes the default).
    for amount in [None, Some("auto")] {
        let task = series(amount);
        assert_eq!(count(&task["task_result"]["series_images"]), 4, "{task}");
    }
    // Single images: `n` of them.
    let single = finished(
        &mock,
        omni,
        json!({"prompt": "a fox", "model_name": "kling-v3-omni", "n": 3}),
    );
    assert_eq!(single["task_result"]["result_type"], "single");
    assert_eq!(count(&single["task_result"]["images"]), 3, "{single}");
}

#[test]
fn every_image_create_makes_n_images() {
    let mock = MockServer::start(MockConfig::instant().max_concurrency(9)).unwrap();
    let png = "iVBORw0KGgo=";
    for (path, body) in [
        ("/v1/images/generations", json!({"prompt": "a cat"})),
        (
            "/v1/images/multi-image2image",
            json!({"prompt": "together", "model_name": "kling-v2-1",
                "subject_image_list": [{"subject_image": png}, {"subject_image": png}]}),
        ),
        (
            "/v1/images/editing/expand",
            json!({"image": png, "up_expansion_ratio": 0.5, "down_expansion_ratio": 0.0,
                "left_expansion_ratio": 0.0, "right_expansion_ratio": 0.0}),
        ),
    ] {
        for n in [1, 4] {
            let mut body = body.clone();
            body["n"] = json!(n);
            let task = finished(&mock, path, body);
            assert_eq!(count(&task["task_result"]["images"]), n, "{path}: {task}");
        }
    }
}

#[test]
fn a_deleted_voice_or_element_is_gone_from_gets_and_lists() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let voices = "/v1/general/custom-voices";
    let voice = finished(
        &mock,
        voices,
        json!({"voice_name": "mine", "voice_url": "https://example.com/v.mp3", "external_task_id": "my-voice"}),
    );
    let kept = finished(
        &mock,
        voices,
        json!({"voice_name": "kept", "voice_url": "https://example.com/k.mp3"}),
    );
    let task = voice["task_id"].as_str().unwrap();
    let voice_id = voice["task_result"]["voices"][0]["voice_id"]
        .as_str()
        .unwrap();
    let listed = |path: &str| -> Vec<String> {
        get(&mock, &format!("{path}?pageNum=1&pageSize=100")).1["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["task_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed(voices).len(), 2);
    let deleted = post(
        &mock,
        "/v1/general/delete-voices",
        json!({"voice_id": voice_id}),
    );
    assert_eq!(deleted.0, 200, "{}", deleted.1);
    assert_eq!(
        listed(voices),
        [kept["task_id"].as_str().unwrap()],
        "only the voice kept"
    );
    for gone in [
        format!("{voices}/{task}"),
        format!("{voices}/my-voice"),
        format!("{voices}/my-voice?external_task_id=true"),
    ] {
        let answer = verdict(&get(&mock, &gone));
        assert_eq!((answer.0, answer.1), (404, 1203), "{gone}: {answer:?}");
    }

    let elements = "/v1/general/advanced-custom-elements";
    let element = finished(
        &mock,
        elements,
        json!({"element_name": "Fox", "element_description": "a red fox", "reference_type": "image_refer",
            "element_image_list": {"frontal_image": "https://example.com/front.png",
                "refer_images": [{"image_url": "https://example.com/side.png"}]}}),
    );
    let element_id = element["task_result"]["elements"][0]["element_id"].to_string();
    assert_eq!(listed(elements).len(), 1);
    let delete = |path: &str| post(&mock, path, json!({"element_id": element_id}));
    let deleted = delete("/v1/general/delete-advanced-elements");
    assert_eq!(deleted.1["data"]["task_status"], "succeed", "{}", deleted.1);
    assert!(listed(elements).is_empty());
    let answer = verdict(&get(&mock, &format!("{elements}/{element_id}")));
    assert_eq!((answer.0, answer.1), (404, 1203));
    // Kling answers a second delete of an element with 1201 (kling-api.md 10), on either path.
    let again = verdict(&delete("/v1/general/delete-elements"));
    assert_eq!(again.1, 1201, "{again:?}");
    assert!(again.2.contains("already be deleted"), "{again:?}");
}

/// The id of one text-to-video task of a fresh mock.
fn first_task_id() -> String {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let created = post(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"}));
    created.1["data"]["task_id"].as_str().unwrap().to_owned()
}

#[test]
fn task_ids_are_never_handed_out_again_after_a_restart() {
    // Mocks started one after the other, as a restarted `kling mock serve` is: the files of
    // one run (named for their task ids) never meet those of another.
    let ids: Vec<String> = (0..3).map(|_| first_task_id()).collect();
    for id in &ids {
        assert!(
            id.len() >= 18 && id.bytes().all(|b| b.is_ascii_digit()),
            "a long numeric id like Kling's: {id}"
        );
        // Element ids are int64 on Kling: a task id must fit.
        assert!(id.parse::<i64>().is_ok(), "{id}");
    }
    let numbers: Vec<u64> = ids.iter().map(|id| id.parse().unwrap()).collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "each run's ids after the last's: {ids:?}"
    );
    // Within a run, ids still count up one by one.
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let [a, b]: [u64; 2] = std::array::from_fn(|_| {
        post(&mock, "/v1/videos/text2video", json!({"prompt": "a fox"})).1["data"]["task_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    });
    assert_eq!(b, a + 1);
}
