//! The legacy task families, in one table. The SDK's typed requests, the `kling` command's
//! `task` commands and kling-mock's routes all read it, so a family exists once.

use kling_errors::{KlingCode, ValidationError};
use serde::de::DeserializeOwned;

use crate::endpoint::{CreateEndpoint, Endpoint, Method, TaskQuery};
use crate::models::{self, Estimate};
use crate::query::TaskRef;
use crate::task::Task;
use crate::{audio, general, images, multi_elements, videos};

/// Which command group a family belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Group {
    /// `/v1/videos/...`.
    Video,
    /// `/v1/images/...`.
    Image,
    /// `/v1/audio/...`.
    Audio,
    /// `/v1/general/...`: custom voices, elements and AI Multi-Shot.
    General,
}

/// What a family's finished task holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Produces {
    /// Videos (and, for video-to-audio, the audio beside them).
    Video,
    /// Images (AI Multi-Shot: sets of three views, [`ImageResult::views`](crate::task::ImageResult::views)).
    Image,
    /// Audio files (MP3 and WAV).
    Audio,
    /// A custom voice.
    Voice,
    /// A custom element.
    Element,
}

/// One legacy task family: where its tasks are created, read and listed, and how the server
/// checks a create.
#[derive(Debug)]
#[non_exhaustive]
pub struct Family {
    /// The short name commands use (`text2video`).
    pub name: &'static str,
    /// What it makes, in words (`text-to-video`).
    pub title: &'static str,
    /// The path of its creates, queries (`/{id}`) and lists.
    pub path: &'static str,
    /// The largest `pageSize` its list accepts (500; 1000 for custom voices).
    pub max_page_size: u32,
    /// Its command group.
    pub group: Group,
    /// What its finished tasks hold.
    pub produces: Produces,
    check: fn(&[u8]) -> Result<(), ValidationError>,
    estimate: fn(&[u8]) -> Option<Estimate>,
    #[cfg(feature = "schemars")]
    schema: fn() -> serde_json::Value,
}

/// The JSON schema of request type `R` (its fields, their types and docs).
#[cfg(feature = "schemars")]
fn schema<R: schemars::JsonSchema>() -> serde_json::Value {
    schemars::schema_for!(R).to_value()
}

/// Decodes `body` as `R` and prices it from the models data (`None`: not a valid request, or
/// not priced).
fn estimate<R: DeserializeOwned + Endpoint>(body: &[u8]) -> Option<Estimate> {
    let request: R = serde_json::from_slice(body).ok()?;
    models::estimate(&request.facts()?)
}

/// Decodes `body` as `R` and runs its preflight checks: what the server checks of a create.
fn check<R: DeserializeOwned + Endpoint>(body: &[u8]) -> Result<(), ValidationError> {
    let request: R = serde_json::from_slice(body).map_err(|e| {
        ValidationError::new(
            "body",
            KlingCode::InvalidParameter,
            &format!("the request body is not a valid request: {e}"),
        )
    })?;
    request.validate()
}

macro_rules! families {
    ($( $name:literal, $title:literal, $path:literal, $max:literal, $group:ident, $produces:ident, $create:ty; )*) => {
        /// Every legacy task family, in the order of the API reference.
        pub static FAMILIES: &[Family] = &[
            $(Family {
                name: $name,
                title: $title,
                path: $path,
                max_page_size: $max,
                group: Group::$group,
                produces: Produces::$produces,
                check: check::<$create>,
                estimate: estimate::<$create>,
                #[cfg(feature = "schemars")]
                schema: schema::<$create>,
            },)*
        ];
    };
}

families! {
    "text2video", "text-to-video", "/v1/videos/text2video", 500, Video, Video, videos::CreateText2Video;
    "image2video", "image-to-video", "/v1/videos/image2video", 500, Video, Video, videos::CreateImage2Video;
    "multi-image2video", "multi-image-to-video", "/v1/videos/multi-image2video", 500, Video, Video, videos::CreateMultiImage2Video;
    "extend", "video extension", "/v1/videos/video-extend", 500, Video, Video, videos::CreateVideoExtend;
    "omni-video", "omni video", "/v1/videos/omni-video", 500, Video, Video, videos::CreateOmniVideo;
    "motion-control", "motion control", "/v1/videos/motion-control", 500, Video, Video, videos::CreateMotionControl;
    "lip-sync", "lip-sync", "/v1/videos/lip-sync", 500, Video, Video, videos::CreateLipSync;
    "advanced-lip-sync", "advanced lip-sync", "/v1/videos/advanced-lip-sync", 500, Video, Video, videos::CreateAdvancedLipSync;
    "avatar", "avatar", "/v1/videos/avatar/image2video", 500, Video, Video, videos::CreateAvatar;
    "effects", "video effect", "/v1/videos/effects", 500, Video, Video, videos::CreateEffect;
    "multi-elements", "multi-element edit", "/v1/videos/multi-elements", 500, Video, Video, multi_elements::CreateMultiElements;
    "video-to-audio", "video-to-audio", "/v1/audio/video-to-audio", 500, Audio, Video, audio::CreateVideoToAudio;
    "text-to-audio", "text-to-audio", "/v1/audio/text-to-audio", 500, Audio, Audio, audio::CreateTextToAudio;
    "image", "image generation", "/v1/images/generations", 500, Image, Image, images::CreateImageGeneration;
    "multi-image", "multi-image-to-image", "/v1/images/multi-image2image", 500, Image, Image, images::CreateMultiImage2Image;
    "omni-image", "omni image", "/v1/images/omni-image", 500, Image, Image, images::CreateOmniImage;
    "expand", "image expansion", "/v1/images/editing/expand", 500, Image, Image, images::CreateImageExpand;
    "try-on", "virtual try-on", "/v1/images/kolors-virtual-try-on", 500, Image, Image, images::CreateVirtualTryOn;
    "voice", "custom voice", "/v1/general/custom-voices", 1000, General, Voice, general::CreateCustomVoice;
    "element", "custom element", "/v1/general/advanced-custom-elements", 500, General, Element, general::CreateElement;
    "ai-multi-shot", "AI multi-shot", "/v1/general/ai-multi-shot", 500, General, Image, general::CreateAiMultiShot;
}

impl Family {
    /// What a create of this family with `body` will cost, by the models data's price
    /// tables; `None` when the body is no valid create or the data has no price for it.
    pub fn estimate_create(&self, body: &[u8]) -> Option<Estimate> {
        (self.estimate)(body)
    }

    /// The JSON schema of this family's create request: its fields, their types and what
    /// each means (from the request type's docs). With the `schemars` feature.
    #[cfg(feature = "schemars")]
    pub fn request_schema(&self) -> serde_json::Value {
        (self.schema)()
    }

    /// The family named `name` (its [`name`](Self::name)).
    pub fn named(name: &str) -> Option<&'static Family> {
        FAMILIES.iter().find(|f| f.name == name)
    }

    /// The family whose create and list path is `path`.
    pub fn at_path(path: &str) -> Option<&'static Family> {
        FAMILIES.iter().find(|f| f.path == path)
    }

    /// What the server checks of a create posted to this family: the body decodes as its
    /// request and passes the same preflight validation the SDK runs (a failure is what Kling
    /// answers with 1201).
    ///
    /// # Errors
    ///
    /// The [`ValidationError`] naming the field that is wrong.
    pub fn check_create(&self, body: &[u8]) -> Result<(), ValidationError> {
        (self.check)(body)
    }

    /// A query of one task of this family.
    pub fn task(&'static self, id: TaskRef) -> FamilyTask {
        FamilyTask { family: self, id }
    }

    /// A create of this family with `body` as its request (a JSON object, such as one line of
    /// a batch file). Checked as the server would before it is sent
    /// ([`check_create`](Self::check_create)).
    ///
    /// # Errors
    ///
    /// A [`ValidationError`] when `body` is not a JSON object.
    pub fn create(&'static self, body: serde_json::Value) -> Result<FamilyCreate, ValidationError> {
        match body {
            serde_json::Value::Object(body) => Ok(FamilyCreate { family: self, body }),
            _ => Err(ValidationError::new(
                "body",
                KlingCode::InvalidParameter,
                "a request is a JSON object",
            )),
        }
    }

    /// The first page of this family's tasks (30 per page).
    pub fn tasks(&'static self) -> FamilyTasks {
        FamilyTasks {
            family: self,
            page_num: 1,
            page_size: 30,
        }
    }
}

/// A create of a family chosen at run time, its request a JSON object: `POST {path}`. It runs
/// through the same create flow as the typed requests (an `external_task_id` always, a lookup
/// by it before any re-post).
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyCreate {
    family: &'static Family,
    body: serde_json::Map<String, serde_json::Value>,
}

impl FamilyCreate {
    /// The family the create is posted to (`POST {path}`).
    pub fn family(&self) -> &'static Family {
        self.family
    }

    /// The request body, a JSON object sent as given (the create flow adds an `external_task_id`
    /// when absent).
    pub fn body(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.body
    }
}

impl Endpoint for FamilyCreate {
    type Response = Task;
    type Body = serde_json::Map<String, serde_json::Value>;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        self.family.path.to_owned()
    }
    fn body(&self) -> Option<&Self::Body> {
        Some(&self.body)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        let bytes = serde_json::to_vec(&self.body).map_err(|e| {
            ValidationError::new("body", KlingCode::InvalidParameter, &e.to_string())
        })?;
        self.family.check_create(&bytes)
    }
}

impl CreateEndpoint for FamilyCreate {
    type Query = FamilyTask;
    fn external_task_id(&self) -> Option<&str> {
        self.body.get("external_task_id")?.as_str()
    }
    fn set_external_task_id(&mut self, id: String) {
        self.body
            .insert("external_task_id".into(), serde_json::Value::String(id));
    }
    fn set_callback_url(&mut self, url: String) -> bool {
        self.body
            .insert("callback_url".into(), serde_json::Value::String(url));
        true
    }
    fn lookup(&self, external_task_id: &str) -> Option<FamilyTask> {
        Some(
            self.family
                .task(TaskRef::ExternalTaskId(external_task_id.to_owned())),
        )
    }
    fn poll_query(&self, created: &Task) -> FamilyTask {
        self.family.task(TaskRef::TaskId(created.task_id.clone()))
    }
    fn found(task: Task) -> Option<Task> {
        Some(task)
    }
}

/// One task of a family chosen at run time: `GET {path}/{id}` (the typed queries, such as
/// `videos::GetText2VideoTask`, are the same request for a family known when compiling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyTask {
    family: &'static Family,
    id: TaskRef,
}

impl PartialEq for Family {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Family {}

impl FamilyTask {
    /// The family whose path the query reads (`GET {path}/{id}`).
    pub fn family(&self) -> &'static Family {
        self.family
    }
}

impl Endpoint for FamilyTask {
    type Response = Task;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        let mut out = String::with_capacity(self.family.path.len() + 1 + self.id.as_str().len());
        self.write_path(&mut out);
        out
    }
    fn write_path(&self, out: &mut String) {
        out.push_str(self.family.path);
        out.push('/');
        crate::endpoint::push_segment(out, self.id.as_str());
    }
    fn body(&self) -> Option<&()> {
        None
    }
    fn validate(&self) -> Result<(), ValidationError> {
        crate::validate::ensure(
            !self.id.as_str().trim().is_empty(),
            self.id.field(),
            "is required",
        )
    }
}

impl TaskQuery for FamilyTask {
    type Task = Task;
    fn task_ref(&self) -> TaskRef {
        self.id.clone()
    }
    fn task(&self, task: Task) -> Option<Task> {
        // The same rule as the typed queries: an answer about another task is no answer.
        let ours = match &self.id {
            TaskRef::TaskId(id) => task.task_id == *id,
            TaskRef::ExternalTaskId(id) => {
                task.external_task_id().is_none_or(|echoed| echoed == id)
            }
        };
        ours.then_some(task)
    }
    fn poll_group(&self) -> Option<crate::endpoint::PollGroup> {
        match &self.id {
            TaskRef::TaskId(id) => Some(crate::endpoint::PollGroup::Legacy {
                family: self.family,
                task_id: id.clone(),
            }),
            TaskRef::ExternalTaskId(_) => None,
        }
    }
}

/// A page of a family's tasks: `GET {path}?pageNum=&pageSize=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyTasks {
    family: &'static Family,
    /// The page number, sent as `pageNum`: 1-1000 (1 by default).
    pub page_num: u32,
    /// Tasks per page (at most the family's [`max_page_size`](Family::max_page_size)).
    pub page_size: u32,
}

impl FamilyTasks {
    /// Asks for page `page_num` (1-1000).
    #[must_use]
    pub fn page(mut self, page_num: u32) -> Self {
        self.page_num = page_num;
        self
    }

    /// Sets `pageSize`, tasks per page (30 by default).
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }
}

impl Endpoint for FamilyTasks {
    type Response = Vec<Task>;
    type Body = ();
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        self.family.path.to_owned()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        vec![
            ("pageNum", self.page_num.to_string()),
            ("pageSize", self.page_size.to_string()),
        ]
    }
    fn body(&self) -> Option<&()> {
        None
    }
    fn validate(&self) -> Result<(), ValidationError> {
        crate::validate::int_range("pageNum", Some(self.page_num), 1, 1000)?;
        crate::validate::int_range(
            "pageSize",
            Some(self.page_size),
            1,
            self.family.max_page_size,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_unique() {
        for (i, a) in FAMILIES.iter().enumerate() {
            for b in &FAMILIES[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.path, b.path);
            }
            assert_eq!(Family::named(a.name), Some(a));
            assert_eq!(Family::at_path(a.path), Some(a));
        }
        assert_eq!(FAMILIES.len(), 21);
    }

    #[test]
    fn the_table_agrees_with_the_typed_requests() {
        use crate::Endpoint as _;
        let typed: &[(&str, String, String)] = &[
            (
                "text2video",
                videos::CreateText2Video::new("x").path(),
                videos::GetText2VideoTask::by_task_id("1").path(),
            ),
            (
                "image",
                images::CreateImageGeneration::new("x").path(),
                images::GetImageGenerationTask::by_task_id("1").path(),
            ),
            (
                "text-to-audio",
                audio::CreateTextToAudio::new("x", 5.0).path(),
                audio::GetTextToAudioTask::by_task_id("1").path(),
            ),
            (
                "ai-multi-shot",
                general::CreateAiMultiShot::new("https://e.com/a.png").path(),
                general::GetAiMultiShotTask::by_task_id("1").path(),
            ),
        ];
        for (name, create, get) in typed {
            let family = Family::named(name).unwrap();
            assert_eq!(family.path, create);
            assert_eq!(family.task(TaskRef::TaskId("1".into())).path(), *get);
        }
    }

    #[test]
    fn creates_are_checked_as_the_server_would() {
        let t2v = Family::named("text2video").unwrap();
        let good = serde_json::to_vec(&videos::CreateText2Video::new("a fox")).unwrap();
        assert!(t2v.check_create(&good).is_ok());
        let e = t2v
            .check_create(br#"{"prompt":"a fox","model_name":"kling-v1","duration":"7"}"#)
            .unwrap_err();
        assert_eq!(
            *e.code(),
            kling_errors::ErrorCode::Kling(KlingCode::InvalidParameter),
            "{e}"
        );
        assert!(t2v.check_create(b"not json").is_err());
        assert!(t2v.check_create(br#"{"prompt":""}"#).is_err());
    }

    #[test]
    fn creates_by_family_are_checked_and_carry_the_external_id() {
        use crate::Endpoint as _;
        let t2v = Family::named("text2video").unwrap();
        let mut create = t2v
            .create(serde_json::json!({"prompt": "a fox", "duration": "5"}))
            .unwrap();
        assert_eq!(create.path(), "/v1/videos/text2video");
        assert!(create.validate().is_ok());
        assert_eq!(create.external_task_id(), None);
        create.set_external_task_id("job-1".into());
        assert_eq!(create.external_task_id(), Some("job-1"));
        assert_eq!(
            create.lookup("job-1").unwrap().path(),
            "/v1/videos/text2video/job-1"
        );
        let bad = t2v
            .create(serde_json::json!({"prompt": "a fox", "duration": "7"}))
            .unwrap();
        assert!(bad.validate().is_err());
        assert!(t2v.create(serde_json::json!(["a fox"])).is_err());
    }

    #[test]
    fn queries_and_lists_by_family() {
        let family = Family::named("try-on").unwrap();
        let q = family.task(TaskRef::ExternalTaskId("a b".into()));
        assert_eq!(q.path(), "/v1/images/kolors-virtual-try-on/a%20b");
        assert!(family.task(TaskRef::TaskId(" ".into())).validate().is_err());
        let list = family.tasks().page(2).page_size(500);
        assert_eq!(list.query()[0], ("pageNum", "2".to_owned()));
        assert!(list.validate().is_ok());
        assert!(family.tasks().page_size(501).validate().is_err());
    }
}
