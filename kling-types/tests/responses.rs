//! Response fixtures decoded (success, each result variant, unknown status, numbers as
//! strings, nulls), and the examples of the spec's section 7 round-tripped.

use kling_types::callback::CallbackPayload;
use kling_types::runblob::{Balance, Generation, NewGeneration};
use kling_types::{Envelope, Task, TaskStatus, standard};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn decode<T: DeserializeOwned>(body: &str) -> T {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Decodes `body` as `T`, snapshots the result, and checks that encoding it again gives the
/// same JSON (for the bodies that use only canonical forms).
fn round_trip<T: DeserializeOwned + serde::Serialize + std::fmt::Debug>(
    name: &str,
    body: &str,
) -> T {
    let decoded: T = decode(body);
    let again = serde_json::to_value(&decoded).expect("serializes");
    let original: Value = serde_json::from_str(body).expect("json");
    assert_eq!(again, original, "{name} does not round-trip");
    decoded
}

const SPEC_CREATE: &str = r#"{"code":0,"message":"SUCCEED","request_id":"603e2a28-fb89-4146-ae33-412d74012a6d",
 "data":{"task_id":"831922345719271433","task_status":"submitted",
         "task_info":{"external_task_id":"job-42"},
         "created_at":1766374262370,"updated_at":1766374262370}}"#;

const SPEC_QUERY: &str = r#"{"code":0,"message":"SUCCEED","request_id":"...",
 "data":{"task_id":"831922345719271433","task_status":"succeed","task_status_msg":"",
   "task_info":{"external_task_id":"job-42"},
   "task_result":{"videos":[{"id":"831922345827123456","url":"https://.../output.mp4","duration":"5.1"}]},
   "watermark_info":{"enabled":false},
   "final_unit_deduction":"2","final_balance_deduction":{"quota":"0","list_price":"0"},
   "created_at":1766374262370,"updated_at":1766374351120}}"#;

const SPEC_CALLBACK: &str = r#"{"task_id":"831922345719271433","task_status":"succeed","task_status_msg":"",
 "created_at":1766374262370,"updated_at":1766374351120,"final_unit_deduction":"2",
 "task_info":{"external_task_id":"job-42"},
 "task_result":{"videos":[{"id":"831922345827123456","url":"https://.../output.mp4","duration":"5.1"}]}}"#;

const SPEC_STANDARD_CREATE: &str = r#"{"code":0,"message":"SUCCEED","request_id":"...","data":{"id":"913827032734642185","status":"submitted",
    "create_time":1781080778802,"update_time":1781080778802,"external_id":"job-43"}}"#;

#[test]
fn spec_section_7_responses_round_trip() {
    let created: Envelope<Task> = round_trip("create", SPEC_CREATE);
    let task = created.data.expect("data");
    assert_eq!(task.task_status, TaskStatus::Submitted);
    assert_eq!(task.external_task_id(), Some("job-42"));

    let queried: Envelope<Task> = round_trip("query", SPEC_QUERY);
    let task = queried.data.expect("data");
    assert_eq!(task.task_result.videos[0].duration.as_deref(), Some("5.1"));
    assert_eq!(task.failure_message(), None);
    insta::assert_debug_snapshot!("spec_query", task);

    let callback = CallbackPayload::parse(SPEC_CALLBACK.as_bytes()).expect("callback");
    assert!(matches!(callback, CallbackPayload::Legacy(_)));
    assert!(callback.is_terminal());
    let _: Task = round_trip("callback", SPEC_CALLBACK);

    let standard: Envelope<standard::Task> = round_trip("standard create", SPEC_STANDARD_CREATE);
    assert_eq!(
        standard.data.expect("data").external_id.as_deref(),
        Some("job-43")
    );
}

#[test]
fn spec_section_7_requests_serialize_to_the_documented_json() {
    use kling_types::common::{CameraConfig, CameraControl};
    use kling_types::videos::{CreateImage2Video, CreateText2Video};
    use kling_types::{AspectRatio, Endpoint, Mode, Model, Sound};

    let t2v = CreateText2Video::new("A red fox trotting through fresh snow at dawn")
        .model(Model::KlingV2_6)
        .mode(Mode::Pro)
        .sound(Sound::On)
        .aspect_ratio(AspectRatio::Landscape16x9)
        .duration(5)
        .callback_url("https://example.com/kling/cb")
        .external_task_id("job-42");
    t2v.validate().expect("the documented request is valid");
    assert_eq!(
        serde_json::to_value(&t2v).unwrap(),
        json!({"model_name":"kling-v2-6","prompt":"A red fox trotting through fresh snow at dawn",
               "mode":"pro","sound":"on","aspect_ratio":"16:9","duration":"5",
               "callback_url":"https://example.com/kling/cb","external_task_id":"job-42"})
    );

    let i2v = CreateImage2Video::new("iVBORw0KGgoAAAANSUhEUg")
        .model(Model::KlingV1_5)
        .prompt("slow push through the forest")
        .mode(Mode::Pro)
        .duration(5)
        .camera_control(CameraControl::simple(CameraConfig::zoom(5.0)));
    i2v.validate().expect("the documented request is valid");
    assert_eq!(
        serde_json::to_value(&i2v).unwrap(),
        json!({"model_name":"kling-v1-5","image":"iVBORw0KGgoAAAANSUhEUg","prompt":"slow push through the forest",
               "mode":"pro","duration":"5",
               "camera_control":{"type":"simple","config":{"horizontal":0,"vertical":0,"pan":0,"tilt":0,"roll":0,"zoom":5}}})
    );

    use kling_types::standard::{Audio, Content, CreateImageToVideo, Resolution, StandardModel};
    let mut std_i2v = CreateImageToVideo::new(StandardModel::Kling3_0, "https://example.com/a.png")
        .resolution(Resolution::P1080)
        .duration(10)
        .audio(Audio::Native)
        .multi_shot(false)
        .external_task_id("job-43")
        .watermark_info(kling_types::common::WatermarkInfo::new(false));
    std_i2v
        .contents
        .insert(0, Content::prompt("she turns and smiles"));
    std_i2v.validate().expect("the documented request is valid");
    assert_eq!(std_i2v.path(), "/image-to-video/kling-3.0");
    assert_eq!(
        serde_json::to_value(&std_i2v).unwrap(),
        json!({"contents":[{"type":"prompt","text":"she turns and smiles"},
                           {"type":"first_frame","url":"https://example.com/a.png"}],
               "settings":{"resolution":"1080p","duration":10,"audio":"native","multi_shot":false},
               "options":{"external_task_id":"job-43","watermark_info":{"enabled":false}}})
    );
}

#[test]
fn legacy_result_variants() {
    let cases: &[(&str, &str)] = &[
        (
            "images",
            r#"{"task_id":"1","task_status":"succeed","task_result":{"images":[{"index":0,"url":"https://x/0.png","watermark_url":"https://x/0w.png"},{"index":1,"url":"https://x/1.png"}]}}"#,
        ),
        (
            "omni_image_series",
            r#"{"task_id":"2","task_status":"succeed","task_result":{"result_type":"series","series_images":[{"index":0,"url":"https://x/s0.png"}]}}"#,
        ),
        (
            "text_to_audio",
            r#"{"task_id":"3","task_status":"succeed","task_result":{"audios":[{"id":"a1","url_mp3":"https://x/a.mp3","url_wav":"https://x/a.wav","duration_mp3":"3.5","duration_wav":"3.5"}]}}"#,
        ),
        (
            "video_to_audio",
            r#"{"task_id":"4","task_status":"succeed","task_info":{"parent_video":{"id":"v0","url":"https://x/in.mp4","duration":"5"}},"task_result":{"videos":[{"id":"v1","url":"https://x/out.mp4","duration":"5"}],"audios":[{"id":"a2","url_mp3":"https://x/b.mp3"}]}}"#,
        ),
        (
            "tts",
            r#"{"task_id":"5","task_status":"succeed","task_result":{"audios":[{"id":"a3","url":"https://x/t.mp3","duration":"2.1"}]}}"#,
        ),
        (
            "voices",
            r#"{"task_id":"6","task_status":"succeed","task_result":{"voices":[{"voice_id":"v-1","voice_name":"narrator","trial_url":"https://x/v.mp3","owned_by":"kling"},{"voice_id":77,"owned_by":12345}]}}"#,
        ),
        (
            "elements",
            r#"{"task_id":"7","task_status":"succeed","task_result":{"elements":[{"element_id":839123456789012345,"element_name":"Mia","reference_type":"image_refer","element_image_list":{"frontal_image":"https://x/f.png"},"element_voice_info":{"voice_id":"v-1"},"tag_list":[{"tag_id":"o_101"}],"owned_by":"kling","status":"succeed"}]}}"#,
        ),
        (
            "image_recognize",
            r#"{"task_id":"8","task_status":"succeed","task_result":{"images":[{"type":"head_seg","is_contain":true,"url":"https://x/h.png"},{"type":"cloth_seg","is_contain":"false","url":""}]}}"#,
        ),
        (
            "failed",
            r#"{"task_id":"9","task_status":"failed","task_status_msg":"Failure to pass the risk control system","created_at":1,"updated_at":2}"#,
        ),
        (
            "unknown_status_and_fields",
            r#"{"task_id":"10","task_status":"queued_v2","brand_new_field":{"x":1},"task_result":{"videos":[{"id":"v","url":"u","new":true}],"holograms":[1]}}"#,
        ),
        (
            "numbers_as_strings",
            r#"{"task_id":867283741759111202,"task_status":"processing","created_at":"1766374262370","final_unit_deduction":2,"task_result":{"videos":[{"id":831922345827123456,"url":"u","duration":5}]}}"#,
        ),
        (
            "nulls",
            r#"{"task_id":"11","task_status":"submitted","task_status_msg":null,"task_info":{},"task_result":null,"watermark_info":null,"final_balance_deduction":null,"created_at":null}"#,
        ),
        (
            "null_videos",
            r#"{"task_id":"12","task_status":"succeed","task_result":{"videos":null,"images":null}}"#,
        ),
    ];
    for (name, body) in cases {
        let task: Task = decode(body);
        insta::assert_debug_snapshot!(format!("legacy_{name}"), task);
    }
    let unknown: Task = decode(cases[9].1);
    assert_eq!(unknown.task_status, TaskStatus::Unknown("queued_v2".into()));
    assert!(!unknown.task_status.is_terminal());
    let big: Task = decode(cases[10].1);
    assert_eq!(
        big.task_id, "867283741759111202",
        "ids above 2^53 keep every digit"
    );
}

#[test]
fn envelopes_lists_and_errors() {
    let list: Envelope<Vec<Task>> = decode(
        r#"{"code":0,"message":"SUCCEED","request_id":"r","data":[{"task_id":"1","task_status":"succeed"},{"task_id":"2","task_status":"failed","task_status_msg":"x"}]}"#,
    );
    assert_eq!(list.data.map(|d| d.len()), Some(2));
    let error: Envelope<Task> =
        decode(r#"{"code":1201,"message":"bad","request_id":"r","data":null}"#);
    assert_eq!(error.code, kling_errors::KlingCode::InvalidParameter);
    assert!(error.data.is_none());
    let string_code: Envelope<Task> = decode(
        r#"{"code":"0","message":"SUCCEED","data":{"task_id":"1","task_status":"submitted"}}"#,
    );
    assert_eq!(string_code.code, kling_errors::KlingCode::Success);
}

#[test]
fn new_standard_tasks() {
    let task: standard::Task = decode(
        r#"{"id":"913827032734642185","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151,"external_id":"job-43",
            "outputs":[{"type":"video","id":"v1","url":"https://x/v.mp4","watermark_url":"https://x/vw.mp4","duration":"10"},
                       {"type":"image","url":"https://x/i.png","group_id":"g1"},
                       {"type":"audio","id":"a1","mp3_url":"https://x/a.mp3","wav_url":"https://x/a.wav","mp3_duration":"3","wav_duration":"3"},
                       {"type":"voice","id":"vo1","name":"narrator","url":"https://x/t.mp3","owned_by":"kling","status":"succeeded"},
                       {"type":"element","id":"e1","name":"Mia","description":"girl","element_type":"multi_image_elements","materials":[{"type":"image","role":"frontal","url":"https://x/f.png"}],"owned_by":"123","status":"succeeded","tags":[{"id":1,"name":"Hottest"}]},
                       {"type":"hologram","url":"https://x/h.holo"}],
            "billing":[{"charge_type":"unit","amount":"10","package_type":"video"},{"charge_type":"cash","cash_type":"balance","amount":"1.40","currency":"USD","list_price":"1.40"}]}"#,
    );
    insta::assert_debug_snapshot!("standard_task", task);
    let page: standard::TaskPage = decode(
        r#"{"result":[{"id":"1","status":"processing"}],"count":1,"next_cursor":"c2","has_more":true}"#,
    );
    assert!(page.has_more);
    let unknown: standard::Task =
        decode(r#"{"id":"1","status":"paused","outputs":null,"billing":null}"#);
    assert_eq!(
        unknown.status,
        standard::TaskStatus::Unknown("paused".into())
    );
    // The console's test callback and the official webhook test vector's body.
    for body in [
        r#"{"id":"...","status":"submitted","outputs":[],"message":"","create_time":1781080778802,"update_time":1781080778802}"#,
        r#"{"id":"1234567890","status":"succeeded","message":"","create_time":1781080778802,"update_time":1781080794151}"#,
    ] {
        let payload = CallbackPayload::parse(body.as_bytes()).expect("callback");
        assert!(matches!(payload, CallbackPayload::Standard(_)), "{body}");
    }
}

#[test]
fn runblob_bodies() {
    let created: NewGeneration = round_trip(
        "runblob created",
        r#"{"generation_id":"8f7c2a10-5b1e-4f7e-9d3a-1c2b3d4e5f60","status":"pending","price":"0.1500"}"#,
    );
    assert_eq!(created.price.as_deref(), Some("0.1500"));
    let cases: &[(&str, &str)] = &[
        (
            "classic_completed",
            r#"{"generation_id":"g1","status":"completed","prompt":"a fox","video_url":"https://x/v.mp4","model":"kling_2.6","created_at":"2026-01-01T00:00:00Z","completed_at":"2026-01-01T00:03:00Z","version":"2.6","duration":"5"}"#,
        ),
        (
            "o3_failed_webhook",
            r#"{"generation_id":"g2","status":"failed","video_url":null,"mode":"pro","message":"TIMEOUT"}"#,
        ),
        (
            "o1_photo_failed",
            r#"{"generation_id":"photo-3c9a","status":"failed","image_url":null,"model":"kling-o1-photo","message":"CONTENT_POLICY_VIOLATION"}"#,
        ),
        (
            "unknown_status",
            r#"{"generation_id":"g3","status":"queued","video_url":null,"message":null}"#,
        ),
    ];
    for (name, body) in cases {
        let generation: Generation = decode(body);
        insta::assert_debug_snapshot!(format!("runblob_{name}"), generation);
    }
    let webhook = CallbackPayload::parse(cases[1].1.as_bytes()).expect("webhook");
    assert!(matches!(webhook, CallbackPayload::RunBlob(_)));
    assert_eq!((webhook.task_id(), webhook.status()), ("g2", "failed"));
    let balance: Balance = decode(r#"{"balance":"12.50"}"#);
    assert_eq!(balance.balance, "12.50");
    let balance: Balance = decode(r#"{"balance":12.5}"#);
    assert_eq!(balance.balance, "12.5");
}

#[test]
fn synchronous_responses() {
    use kling_types::account::AccountCosts;
    use kling_types::multi_elements::SelectionSession;
    use kling_types::videos::FaceIdentification;
    let faces: FaceIdentification = decode(
        r#"{"session_id":"s1","final_unit_deduction":"0.5","face_data":[{"face_id":"f1","face_image":"https://x/f.png","start_time":0,"end_time":5200}]}"#,
    );
    insta::assert_debug_snapshot!("identify_face", faces);
    let session: SelectionSession = decode(
        r#"{"session_id":"s2","res":{"frame_index":0,"rle_mask_list":[{"object_id":0,"rle_mask":{"size":[720,1280],"counts":"abc"}}]}}"#,
    );
    assert!(session.details.contains_key("res"));
    let costs: AccountCosts = decode(
        r#"{"code":0,"msg":"success","resource_pack_subscribe_infos":[{"resource_pack_name":"Video Pack","resource_pack_id":"p1","resource_pack_type":"decreasing_total","total_quantity":200.0,"remaining_quantity":"118.5","purchase_time":1726124664368,"effective_time":1726124664368,"invalid_time":1727366400000,"status":"online"}]}"#,
    );
    insta::assert_debug_snapshot!("account_costs", costs);
}

#[test]
fn ledgers_and_ai_multi_shot_results() {
    use kling_types::account::{BalanceRow, BillingPage};
    // The balance ledger as documented (kling-api.md 10.5): times and durations as text,
    // amounts as numbers; a row missing fields still reads.
    let page: BillingPage<BalanceRow> = decode(
        r#"{"result":{"detail":[
            {"task_id":"831922345719271433","api_key_name":"prod","product_function":"text2video",
             "model_name":"kling-v3","resolution":"1080p","duration":"5","refer_video_input":false,
             "video_sound":"native","voice_control":false,"deduction_time":"1766374351120",
             "cash_type":"balance","balance_before_deduction":100.5,"deduction_amount":0.84,
             "balance_after_deduction":99.66,"list_price":0.84,"currency":"USD"},
            {"task_id":831922345719271434}],"count":2},
           "next_cursor":"c-2","has_more":true}"#,
    );
    let row = &page.result.detail[0];
    assert_eq!(row.deduction_time, Some(1_766_374_351_120));
    assert_eq!(row.deduction_amount, Some(0.84));
    assert_eq!(row.currency.as_deref(), Some("USD"));
    assert_eq!(
        page.result.detail[1].task_id.as_deref(),
        Some("831922345719271434")
    );
    assert_eq!(page.next(), Some("c-2"));
    // An empty ledger: `result` null, no cursor to follow.
    let empty: BillingPage<BalanceRow> =
        decode(r#"{"result":null,"next_cursor":"","has_more":false}"#);
    assert!(empty.result.detail.is_empty() && empty.next().is_none());

    // AI Multi-Shot: each image is a set of three views, not `url`.
    let task: Task = decode(
        r#"{"task_id":"9","task_status":"succeed","task_result":{"images":[
            {"index":0,"url_1":"https://c/a.png","url_2":"https://c/b.png","url_3":"https://c/c.png"}]}}"#,
    );
    let views: Vec<&str> = task.task_result.images[0].views().collect();
    assert_eq!(
        views,
        ["https://c/a.png", "https://c/b.png", "https://c/c.png"]
    );
    assert!(task.task_result.images[0].url.is_empty());
}
