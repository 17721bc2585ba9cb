//! How each create is found again: the query that polls it, the lookup that settles an
//! ambiguous failure (none for RunBlob), which task of an answer a query asked for, and
//! which credentials each API takes.

use kling_types::images::CreateImageGeneration;
use kling_types::runblob::{GenerateO3Video, GeneratePhoto, Generation, NewGeneration};
use kling_types::standard::{self, CreateTextToVideo, GetTasks, StandardModel};
use kling_types::videos::{CreateText2Video, GetText2VideoTask};
use kling_types::{AuthScheme, CreateEndpoint, Endpoint, Task, TaskQuery, TaskRef};

fn legacy(id: &str, external: Option<&str>) -> Task {
    let mut json = serde_json::json!({"task_id": id, "task_status": "processing"});
    if let Some(e) = external {
        json["task_info"] = serde_json::json!({"external_task_id": e});
    }
    serde_json::from_value(json).unwrap()
}

fn standard_task(id: &str, external: Option<&str>) -> standard::Task {
    let mut json = serde_json::json!({"id": id, "status": "processing"});
    if let Some(e) = external {
        json["external_id"] = serde_json::json!(e);
    }
    serde_json::from_value(json).unwrap()
}

#[test]
fn legacy_creates_poll_and_look_up_their_own_family() {
    let mut create = CreateText2Video::new("a fox");
    assert_eq!(CreateEndpoint::external_task_id(&create), None);
    create.set_external_task_id("job-1".to_owned());
    assert_eq!(CreateEndpoint::external_task_id(&create), Some("job-1"));
    let lookup = create.lookup("job-1").unwrap();
    assert_eq!(lookup.path(), "/v1/videos/text2video/job-1");
    assert_eq!(lookup.task_ref(), TaskRef::ExternalTaskId("job-1".into()));
    let poll = create.poll_query(&legacy("77", None));
    assert_eq!(poll.path(), "/v1/videos/text2video/77");
    let images = CreateImageGeneration::new("a lighthouse");
    assert_eq!(
        images.poll_query(&legacy("5", None)).path(),
        "/v1/images/generations/5"
    );
    assert_eq!(create.auth_scheme(), AuthScheme::TokenOrApiKey);
    assert_eq!(poll.auth_scheme(), AuthScheme::TokenOrApiKey);
}

#[test]
fn a_query_takes_only_the_task_it_asked_for() {
    let by_id = GetText2VideoTask::by_task_id("7");
    assert!(by_id.task(legacy("7", None)).is_some());
    assert!(by_id.task(legacy("8", None)).is_none(), "another task");
    let by_external = GetText2VideoTask::by_external_task_id("job-1");
    assert!(by_external.task(legacy("7", Some("job-1"))).is_some());
    assert!(
        by_external.task(legacy("7", None)).is_some(),
        "a task that does not echo the id is taken at its word"
    );
    assert!(by_external.task(legacy("7", Some("job-2"))).is_none());

    let tasks = GetTasks::by_ids(["b".to_owned()]);
    let picked = tasks.task(vec![standard_task("a", None), standard_task("b", None)]);
    assert_eq!(picked.unwrap().id, "b");
    assert!(tasks.task(Vec::new()).is_none(), "not visible yet");
    let by_external = GetTasks::by_external_ids(["job-1".to_owned()]);
    let picked = by_external.task(vec![
        standard_task("a", Some("job-0")),
        standard_task("b", None),
        standard_task("c", Some("job-1")),
    ]);
    assert_eq!(picked.unwrap().id, "c", "the echoed id first");
    let picked = by_external.task(vec![
        standard_task("a", Some("job-0")),
        standard_task("b", None),
    ]);
    assert_eq!(picked.unwrap().id, "b");
}

#[test]
fn new_standard_creates_poll_tasks_by_id_with_an_api_key() {
    let mut create = CreateTextToVideo::new(StandardModel::Kling3_0, "a fox");
    create.set_external_task_id("job-9".to_owned());
    assert_eq!(CreateEndpoint::external_task_id(&create), Some("job-9"));
    let body = serde_json::to_value(create.body().unwrap()).unwrap();
    assert_eq!(body["options"]["external_task_id"], "job-9");
    let lookup = create.lookup("job-9").unwrap();
    assert_eq!(lookup.query(), [("external_task_ids", "job-9".to_owned())]);
    let poll = create.poll_query(&standard_task("s1", None));
    assert_eq!(poll.query(), [("task_ids", "s1".to_owned())]);
    for scheme in [
        create.auth_scheme(),
        poll.auth_scheme(),
        standard::ListTasks::new().auth_scheme(),
    ] {
        assert_eq!(scheme, AuthScheme::ApiKey);
    }
}

#[test]
fn runblob_has_no_lookup_and_polls_its_own_product() {
    let mut create = GenerateO3Video::new("a fox");
    create.set_external_task_id("job-1".to_owned());
    assert_eq!(
        CreateEndpoint::external_task_id(&create),
        None,
        "RunBlob takes none"
    );
    assert!(create.lookup("job-1").is_none());
    let created: NewGeneration =
        serde_json::from_str(r#"{"generation_id":"g-1","status":"pending"}"#).unwrap();
    assert_eq!(
        create.poll_query(&created).path(),
        "/v1/kling/o3-video/generations/g-1"
    );
    assert_eq!(
        GeneratePhoto::o1("a cat").poll_query(&created).path(),
        "/v1/kling/o1-photo/generations/g-1"
    );
    assert_eq!(
        GeneratePhoto::o3("a cat").poll_query(&created).path(),
        "/v1/kling/o3-photo/generations/g-1"
    );
    assert_eq!(create.auth_scheme(), AuthScheme::ApiKey);
    let generation: Generation =
        serde_json::from_str(r#"{"generation_id":"g-2","status":"completed"}"#).unwrap();
    assert!(
        create.poll_query(&created).task(generation).is_none(),
        "another generation"
    );
}

#[test]
fn ids_from_a_server_never_climb_the_path() {
    assert_eq!(
        GetText2VideoTask::by_task_id("..").path(),
        "/v1/videos/text2video/%2E%2E"
    );
    assert_eq!(
        GetText2VideoTask::by_task_id("../../account/costs").path(),
        "/v1/videos/text2video/..%2F..%2Faccount%2Fcosts"
    );
}

#[test]
fn callback_bodies_are_bounded_before_parsing() {
    use kling_types::callback::{CallbackPayload, MAX_CALLBACK_BYTES};
    let mut huge = br#"{"task_id":"1","task_status":"succeed","pad":""#.to_vec();
    huge.resize(10 << 20, b'x');
    huge.extend_from_slice(b"\"}");
    let e = CallbackPayload::parse(&huge).unwrap_err();
    assert!(e.to_string().contains("limit"), "{e}");
    assert!(huge.len() > MAX_CALLBACK_BYTES);
    for bad in [
        &b""[..],
        b"{",
        b"[1,2]",
        b"\xff\xfe",
        b"{\"task_id\":\"..\"}",
    ] {
        assert!(CallbackPayload::parse(bad).is_err(), "{bad:?}");
    }
    let ok = CallbackPayload::parse(br#"{"task_id":"..","task_status":"succeed"}"#).unwrap();
    assert_eq!(
        GetText2VideoTask::by_task_id(ok.task_id()).path(),
        "/v1/videos/text2video/%2E%2E",
        "a callback's id never climbs the path"
    );
}
