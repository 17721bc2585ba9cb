//! The job model end to end, against kling-mock in process: one generic user function runs a
//! legacy, a new-standard and a RunBlob job on both clients, each downloading the mock's real
//! files byte for byte; image and audio jobs download every file; request ids reach successes
//! and task failures; the new standard takes an API key only; an ambiguous RunBlob create is
//! reported, never posted again.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kling_mock::{
    DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY, Fault, FaultAction, MockConfig, MockServer,
    SAMPLE_MP3, SAMPLE_MP4, SAMPLE_PNG, SAMPLE_WAV,
};

mod blocking_user {
    //! The acceptance program of the job-model issue, as a user writes it (blocking).
    use kling_client_blocking::{CreateTask, Error, Kling, WaitOptions};
    pub(super) fn job<C: Kling, R: CreateTask>(
        c: &C,
        request: R,
        dir: &std::path::Path,
    ) -> Result<usize, Error> {
        let (_task, files) = c.create_and_wait_and_download(request, dir, WaitOptions::new())?;
        Ok(files.len()) // each file has `.path` and `.bytes`
    }
}

mod async_user {
    //! The same program with the async client.
    use kling_client_async::{AsyncKling, CreateTask, Error, WaitOptions};
    pub(super) async fn job<C: AsyncKling, R: CreateTask>(
        c: &C,
        request: R,
        dir: &std::path::Path,
    ) -> Result<usize, Error> {
        let (_task, files) = c
            .create_and_wait_and_download(request, dir, WaitOptions::new())
            .await?;
        Ok(files.len())
    }
}

use kling_client_blocking::types::runblob::GenerateO3Video;
use kling_client_blocking::types::standard::{CreateTextToVideo, StandardModel};
use kling_client_blocking::types::videos::CreateText2Video;

/// A fresh, empty folder for one job.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kling-jobs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The files of `dir`, by name, with their bytes.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Three clients per flavour: legacy (an access key pair), new standard (an API key),
/// RunBlob (an API key, under `/runblob`). A manual clock: polls need no real sleep.
struct Targets<C> {
    legacy: C,
    standard: C,
    runblob: C,
}

fn blocking_client(
    base: &str,
    credentials: kling_client_blocking::Credentials,
) -> kling_client_blocking::Client {
    use kling_client_blocking::time::{ManualClock, ManualSleep};
    let clock = ManualClock::new(SystemTime::now());
    kling_client_blocking::Client::builder()
        .credentials(credentials)
        .base_url(base)
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .build()
        .unwrap()
}

fn async_client(
    base: &str,
    credentials: kling_client_async::Credentials,
) -> kling_client_async::Client {
    use kling_client_async::time::{ManualClock, ManualSleep};
    let clock = ManualClock::new(SystemTime::now());
    kling_client_async::Client::builder()
        .credentials(credentials)
        .base_url(base)
        .clock(clock.clone())
        .sleep(ManualSleep::new(clock))
        .build()
        .unwrap()
}

fn pair() -> kling_client_blocking::Credentials {
    kling_client_blocking::Credentials::access_key(DEMO_ACCESS_KEY, DEMO_SECRET_KEY).unwrap()
}

fn key() -> kling_client_blocking::Credentials {
    kling_client_blocking::Credentials::api_key(DEMO_API_KEY).unwrap()
}

fn targets<C>(
    mock: &MockServer,
    make: impl Fn(&str, kling_client_blocking::Credentials) -> C,
) -> Targets<C> {
    Targets {
        legacy: make(&mock.api_url, pair()),
        standard: make(&mock.api_url, key()),
        runblob: make(&format!("{}/runblob", mock.api_url), key()),
    }
}

fn t2v() -> CreateText2Video {
    CreateText2Video::new("a red fox in fresh snow")
}

fn std_t2v() -> CreateTextToVideo {
    CreateTextToVideo::new(StandardModel::Kling3_0, "a red fox in fresh snow")
}

fn o3() -> GenerateO3Video {
    GenerateO3Video::new("a red fox in fresh snow")
}

/// Each job left exactly one file in its folder: the mock's MP4, byte for byte.
fn assert_one_mp4(dir: &Path, count: usize) {
    assert_eq!(count, 1);
    let files = files_in(dir);
    assert_eq!(
        files.len(),
        1,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert!(files[0].0.ends_with(".mp4"), "{}", files[0].0);
    assert!(
        files[0].1 == SAMPLE_MP4,
        "the mock's fixture, byte for byte"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn three_apis_one_job_function_blocking() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let t = targets(&mock, blocking_client);
    let dir = fresh_dir("b-legacy");
    assert_one_mp4(&dir, blocking_user::job(&t.legacy, t2v(), &dir).unwrap());
    let dir = fresh_dir("b-standard");
    assert_one_mp4(
        &dir,
        blocking_user::job(&t.standard, std_t2v(), &dir).unwrap(),
    );
    let dir = fresh_dir("b-runblob");
    assert_one_mp4(&dir, blocking_user::job(&t.runblob, o3(), &dir).unwrap());
    let requests = mock.requests();
    for wanted in [
        "POST /v1/videos/text2video",
        "GET /v1/videos/text2video/",
        "POST /text-to-video/kling-3.0",
        "GET /tasks",
        "POST /runblob/v1/kling/o3-video/generate",
        "GET /runblob/v1/kling/o3-video/generations/",
    ] {
        assert!(
            requests.iter().any(|r| r.starts_with(wanted)),
            "{wanted} in {requests:?}"
        );
    }
}

#[test]
fn three_apis_one_job_function_async() {
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let t = targets(&mock, async_client);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = fresh_dir("a-legacy");
    let n = runtime.block_on(async_user::job(&t.legacy, t2v(), &dir));
    assert_one_mp4(&dir, n.unwrap());
    let dir = fresh_dir("a-standard");
    let n = runtime.block_on(async_user::job(&t.standard, std_t2v(), &dir));
    assert_one_mp4(&dir, n.unwrap());
    let dir = fresh_dir("a-runblob");
    let n = runtime.block_on(async_user::job(&t.runblob, o3(), &dir));
    assert_one_mp4(&dir, n.unwrap());
}

#[test]
fn image_and_audio_jobs_download_every_file() {
    use kling_client_blocking::types::audio::CreateTextToAudio;
    use kling_client_blocking::types::images::CreateImageGeneration;
    use kling_client_blocking::{Kling, TaskView, WaitOptions};
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let blocking = blocking_client(&mock.api_url, pair());
    let dir = fresh_dir("image");
    let (task, files) = blocking
        .create_and_wait_and_download(
            CreateImageGeneration::new("a lighthouse at night"),
            &dir,
            WaitOptions::new(),
        )
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].path.file_name().unwrap().to_string_lossy(),
        format!("{}-0.png", task.task_id())
    );
    assert_eq!(std::fs::read(&files[0].path).unwrap(), SAMPLE_PNG);
    assert_eq!(files[0].bytes, SAMPLE_PNG.len() as u64);
    std::fs::remove_dir_all(&dir).unwrap();

    // Audio through the async client: both the MP3 and the WAV.
    use kling_client_async::AsyncKling;
    let client = async_client(&mock.api_url, pair());
    let dir = fresh_dir("audio");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_, files) = runtime
        .block_on(client.create_and_wait_and_download(
            CreateTextToAudio::new("rain on a tin roof", 5.0),
            &dir,
            kling_client_async::WaitOptions::new(),
        ))
        .unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.len() == 2 && names[0].ends_with(".mp3") && names[1].ends_with(".wav"),
        "{names:?}"
    );
    assert_eq!(std::fs::read(&files[0].path).unwrap(), SAMPLE_MP3);
    assert_eq!(std::fs::read(&files[1].path).unwrap(), SAMPLE_WAV);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn request_ids_reach_successes_and_task_failures() {
    use kling_client_blocking::{ErrorKind, Kling, WaitOptions};
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let client = blocking_client(&mock.api_url, pair());
    let created = client.create(t2v()).unwrap();
    assert_eq!(created.request_id.as_deref(), Some("mock-1"));
    let reply = client.send(&created.query).unwrap();
    assert_eq!(reply.request_id.as_deref(), Some("mock-2"));
    // A task that fails: the error names the poll that saw it.
    let e = client
        .create_and_wait(CreateText2Video::new("a doomed fox"), WaitOptions::new())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TaskFailed);
    assert_eq!(e.request_id(), Some("mock-4"), "{e}");
    assert!(
        e.external_task_id()
            .is_some_and(|id| id.starts_with("kling-rs-"))
    );
}

#[test]
fn the_new_standard_takes_an_api_key_only() {
    use kling_client_blocking::{Credentials, ErrorKind, Kling};
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    // Only an access key pair: refused before anything is sent, with the reason.
    let e = blocking_client(&mock.api_url, pair())
        .create(std_t2v())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("only an API key"), "{e}");
    assert!(mock.requests().is_empty(), "nothing was sent");
    // Both: the legacy request carries the JWT, the new-standard one the key (the mock
    // refuses a JWT there, as Kling does).
    let both = Credentials::both(DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_API_KEY).unwrap();
    let client = blocking_client(&mock.api_url, both);
    client.create(std_t2v()).unwrap();
    client.create(t2v()).unwrap();
    assert_eq!(
        client.prepare_auth_of(&std_t2v()),
        format!("Bearer {DEMO_API_KEY}")
    );
    assert!(
        client.prepare_auth_of(&t2v()).starts_with("Bearer ey"),
        "a JWT"
    );
}

/// The `Authorization` a request would carry (a dry run).
trait AuthOf {
    fn prepare_auth_of<E: kling_client_blocking::types::Endpoint>(&self, e: &E) -> String;
}

impl AuthOf for kling_client_blocking::Client {
    fn prepare_auth_of<E: kling_client_blocking::types::Endpoint>(&self, e: &E) -> String {
        self.prepare(e)
            .unwrap()
            .header_value("authorization")
            .unwrap()
            .to_owned()
    }
}

#[test]
fn an_ambiguous_runblob_create_is_reported_never_posted_again() {
    use kling_client_blocking::{ErrorKind, Kling};
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    mock.add_fault(Fault::new(
        Some("POST"),
        "/runblob/v1/kling/o3-video/generate",
        1,
        FaultAction::Html502,
    ));
    let client = blocking_client(&format!("{}/runblob", mock.api_url), key());
    let e = client.create(o3()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AmbiguousCreate);
    assert_eq!(e.external_task_id(), None, "RunBlob has none");
    let text = e.to_string();
    assert!(
        text.contains("POST /runblob/v1/kling/o3-video/generate")
            && text.contains("cannot look a task up"),
        "{text}"
    );
    assert_eq!(mock.requests().len(), 1, "one POST, no lookup, no re-post");
}

/// `GET /tasks` takes at most 20 ids (the mock refuses a 21st with 1201, as Kling does): a
/// query for 45 is sent as three calls by both clients, and the caller sees one answer.
#[test]
fn get_tasks_with_more_than_twenty_ids_is_split_and_merged() {
    use kling_client_blocking::Kling as _;
    use kling_client_blocking::types::standard::GetTasks;
    let mock = MockServer::start(MockConfig::instant()).unwrap();
    let blocking = targets(&mock, blocking_client).standard;
    let ids: Vec<String> = (0..45)
        .map(|i| {
            let created = blocking
                .create(std_t2v().external_task_id(format!("split-{i}")))
                .unwrap();
            created.task.id
        })
        .collect();
    let before = mock.stats().requests;
    let tasks = blocking.send(&GetTasks::by_ids(ids.clone())).unwrap();
    let got: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(mock.stats().requests - before, 3, "20 + 20 + 5");
    assert_eq!(mock.stats().codes.get("1201"), None, "no part was refused");

    let asynchronous = targets(&mock, async_client).standard;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let external: Vec<String> = (0..45).map(|i| format!("split-{i}")).collect();
    let before = mock.stats().requests;
    let tasks = runtime
        .block_on(kling_client_async::AsyncKling::send(
            &asynchronous,
            &GetTasks::by_external_ids(external),
        ))
        .unwrap();
    assert_eq!(tasks.len(), 45);
    assert_eq!(mock.stats().requests - before, 3);
}

/// The first POST creates the task but its answer is cut; two lookups by external id miss (an
/// index that lags); the re-post is refused because the id exists: the server's proof. Both
/// clients end with the task, one task on the server, its file downloaded.
#[test]
fn a_duplicate_refusal_proves_the_task_and_the_job_goes_on() {
    let run = |blocking: bool| {
        let mock = MockServer::start(MockConfig::instant()).unwrap();
        mock.add_fault(Fault::new(
            Some("POST"),
            "/v1/videos/text2video",
            1,
            FaultAction::Truncate,
        ));
        mock.add_fault(Fault::new(
            Some("GET"),
            "/v1/videos/text2video/",
            2,
            FaultAction::Status {
                status: 404,
                code: 1203,
            },
        ));
        let dir = fresh_dir(if blocking { "proof-b" } else { "proof-a" });
        let request = t2v().external_task_id("job-proof");
        let count = if blocking {
            use kling_client_blocking::Kling;
            let client = blocking_client(&mock.api_url, pair());
            let (_task, files) = client
                .create_and_wait_and_download(request, &dir, Default::default())
                .unwrap();
            files.len()
        } else {
            use kling_client_async::AsyncKling;
            let client = async_client(&mock.api_url, pair());
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let (_task, files) = runtime
                .block_on(client.create_and_wait_and_download(request, &dir, Default::default()))
                .unwrap();
            files.len()
        };
        let stats = mock.stats();
        assert_eq!(stats.tasks, 1, "one task on the server");
        assert_eq!(stats.creates_by_external_id.get("job-proof"), Some(&2));
        assert_eq!(stats.codes.get("1201"), Some(&1), "the refused re-post");
        assert_one_mp4(&dir, count);
    };
    run(true);
    run(false);
}
