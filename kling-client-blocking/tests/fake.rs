//! The client trait is implementable outside kling-rs: a user's fake, standing in for the real
//! client in the user's own tests, with no HTTP at all. The composites (`create_and_wait`,
//! `create_and_wait_and_download`) come with the four primitives.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kling_client_blocking::types::Endpoint;
use kling_client_blocking::types::videos::CreateText2Video;
use kling_client_blocking::{
    CreateTask, Created, Downloaded, Error, Kling, Pollable, Reply, TaskView, WaitOptions,
};

/// The user's code under test: generic over the client.
fn make_video(client: &impl Kling, prompt: &str, dir: &Path) -> Result<PathBuf, Error> {
    let request = CreateText2Video::new(prompt).external_task_id("user-42");
    let (task, files) = client.create_and_wait_and_download(request, dir, WaitOptions::new())?;
    assert_eq!(task.task_id(), "fake-1");
    Ok(files.into_iter().next().expect("one video").path)
}

/// A finished task of every shape the fake serves, as the server would send it.
const DONE: &str = r#"{"task_id":"fake-1","task_status":"succeed","task_info":{"external_task_id":"user-42"},
    "task_result":{"videos":[{"id":"video-1","url":"https://cdn.invalid/v.mp4"}]}}"#;

/// The user's fake: records what it was asked, answers from memory.
#[derive(Default)]
struct Fake {
    log: Mutex<Vec<String>>,
}

impl Fake {
    fn note(&self, what: String) {
        self.log.lock().unwrap().push(what);
    }
}

impl Kling for Fake {
    fn send<E: Endpoint>(&self, endpoint: &E) -> Result<Reply<E::Response>, Error> {
        self.note(format!("send {}", endpoint.path()));
        let value = serde_json::from_str(DONE).expect("a task");
        Ok(Reply::new(value, Some("fake-request".to_owned())))
    }

    fn create<E: CreateTask>(&self, request: E) -> Result<Created<E>, Error> {
        self.note(format!(
            "create {} as {:?}",
            request.path(),
            request.external_task_id()
        ));
        let task: E::Response = serde_json::from_str(DONE).expect("a task");
        let query = request.poll_query(&task);
        Ok(Created::new(task, query).with_external_task_id("user-42"))
    }

    fn wait<Q: Pollable>(&self, query: &Q, _options: WaitOptions<'_>) -> Result<Q::Task, Error> {
        let reply = self.send(query)?;
        Ok(query.task(reply.value).expect("the task asked for"))
    }

    fn download(&self, url: &str, dest: impl AsRef<Path>) -> Result<Downloaded, Error> {
        self.note(format!("download {url}"));
        Ok(Downloaded::new(dest.as_ref(), 3))
    }
}

#[test]
fn user_code_runs_on_a_fake_client() {
    let fake = Fake::default();
    let path = make_video(&fake, "a fox", Path::new("out")).unwrap();
    assert_eq!(path, Path::new("out").join("video-1.mp4"));
    assert_eq!(
        *fake.log.lock().unwrap(),
        [
            "create /v1/videos/text2video as Some(\"user-42\")",
            "send /v1/videos/text2video/fake-1",
            "download https://cdn.invalid/v.mp4",
        ]
    );
}
