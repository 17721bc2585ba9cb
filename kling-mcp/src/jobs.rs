//! A job of any API, the way a batch line is one (`kling_core::fleet::BatchJob`): the legacy
//! families, the new standard's kinds, RunBlob's products. Which API a stored job belongs to
//! is read from its family's name (the three name sets do not overlap).

use kling_client_async::{AsyncKling, Client};
use kling_core::WaitOptions;
use kling_core::fleet::{
    JobCreate, JobRecord, JobStore, RUNBLOB_PRODUCTS, RunBlobCreate, StoredJob, run_stored_job,
    wait_for_record,
};
use kling_errors::Error;
use kling_types::family::{Family, Group};
use kling_types::models::{self, Estimate};
use kling_types::runblob::{GetGeneration, Product};
use kling_types::standard::{GetTasks, KINDS};
use kling_types::{Endpoint, TaskRef};

/// The API of a stored job, and what its task is read with.
pub(crate) enum JobApi {
    Legacy(&'static Family),
    Standard,
    RunBlob(Product),
}

impl JobApi {
    /// The API of the family (or kind, or product) `name`, in `api` when given: `omni-video`
    /// and `motion-control` are a legacy family and a new-standard kind both (the legacy one
    /// when `api` says nothing).
    pub(crate) fn of(name: &str, api: Option<&str>) -> Option<Self> {
        let product = || match name {
            "o3-video" => Some(Product::O3Video),
            "o1-video" => Some(Product::O1Video),
            "o3-photo" => Some(Product::O3Photo),
            "o1-photo" => Some(Product::O1Photo),
            "generate" => Some(Product::Classic),
            _ => None,
        };
        match api {
            Some("legacy") => Family::named(name).map(Self::Legacy),
            Some("standard") => KINDS.contains(&name).then_some(Self::Standard),
            Some("runblob") => product().map(Self::RunBlob),
            Some(_) => None,
            None => Family::named(name)
                .map(Self::Legacy)
                .or_else(|| KINDS.contains(&name).then_some(Self::Standard))
                .or_else(|| product().map(Self::RunBlob)),
        }
    }

    /// The API of a stored job, from the family its record keeps ([`record_family`]).
    ///
    /// [`record_family`]: Self::record_family
    pub(crate) fn of_record(family: &str) -> Option<Self> {
        match family.split_once('/') {
            Some((api, name)) => Self::of(name, Some(api)),
            None => Self::of(family, None),
        }
    }

    /// What a job's record keeps as its family: the name, qualified by the API beyond the
    /// legacy one (`standard/omni-video`), so a wait after a restart reads the right API.
    pub(crate) fn record_family(&self, name: &str) -> String {
        match self {
            Self::Legacy(_) => name.to_owned(),
            other => format!("{}/{name}", other.name()),
        }
    }

    /// The `api` value of a batch line.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Legacy(_) => "legacy",
            Self::Standard => "standard",
            Self::RunBlob(_) => "runblob",
        }
    }

    /// The create tool's group it belongs to.
    pub(crate) fn group(&self) -> Group {
        match self {
            Self::Legacy(f) => f.group,
            Self::Standard => Group::Video,
            Self::RunBlob(Product::O1Photo | Product::O3Photo) => Group::Image,
            Self::RunBlob(_) => Group::Video,
        }
    }
}

/// The names of the new standard's kinds and RunBlob's products in `group`.
pub(crate) fn other_apis(group: Group) -> Vec<(&'static str, &'static str)> {
    let mut names: Vec<(&str, &str)> = KINDS
        .iter()
        .filter(|_| group == Group::Video)
        .map(|k| (*k, "standard"))
        .collect();
    names.extend(
        RUNBLOB_PRODUCTS
            .iter()
            .filter(|p| JobApi::of(p, Some("runblob")).is_some_and(|a| a.group() == group))
            .map(|p| (*p, "runblob")),
    );
    names
}

/// The JSON schema of the request of `name` (a family, kind or product of `api`), derived from
/// the request type: its fields, their types and docs.
pub(crate) fn request_schema(api: &JobApi, name: &str) -> Option<serde_json::Value> {
    use kling_types::runblob::{Generate, GenerateO1Video, GenerateO3Video, GeneratePhoto};
    use kling_types::standard::{
        CreateImageToVideo, CreateMotionControl, CreateOmniVideo, CreateTextToVideo,
    };
    fn of<R: schemars::JsonSchema>() -> serde_json::Value {
        schemars::schema_for!(R).to_value()
    }
    Some(match api {
        JobApi::Legacy(family) => family.request_schema(),
        JobApi::Standard => match name {
            "text-to-video" => of::<CreateTextToVideo>(),
            "image-to-video" => of::<CreateImageToVideo>(),
            "omni-video" => of::<CreateOmniVideo>(),
            "motion-control" => of::<CreateMotionControl>(),
            _ => return None,
        },
        JobApi::RunBlob(Product::O3Video) => of::<GenerateO3Video>(),
        JobApi::RunBlob(Product::O1Video) => of::<GenerateO1Video>(),
        JobApi::RunBlob(Product::O3Photo | Product::O1Photo) => of::<GeneratePhoto>(),
        JobApi::RunBlob(_) => of::<Generate>(),
    })
}

/// What the create will cost, from the models data, where the data prices it.
pub(crate) fn estimate(create: &JobCreate) -> Option<Estimate> {
    let facts = match create {
        // A family's body is read as its typed request, which knows its facts.
        JobCreate::Legacy(c) => {
            return c
                .family()
                .estimate_create(&serde_json::to_vec(c.body()).unwrap_or_default());
        }
        JobCreate::Standard(c) => c.facts(),
        JobCreate::RunBlob(c) => match c.as_ref() {
            RunBlobCreate::O3Video(c) => c.facts(),
            RunBlobCreate::O1Video(c) => c.facts(),
            RunBlobCreate::Photo(c) => c.facts(),
            RunBlobCreate::Classic(c) => c.facts(),
            _ => None,
        },
        _ => None,
    }?;
    models::estimate(&facts)
}

/// The clients a job may need: Kling's (legacy and new standard), and RunBlob's when given.
pub(crate) struct Clients<'a> {
    pub(crate) kling: &'a Client,
    pub(crate) runblob: Option<&'a Client>,
}

impl Clients<'_> {
    fn runblob(&self) -> Result<&Client, Error> {
        self.runblob.ok_or_else(|| {
            kling_errors::ValidationError::new(
                "api",
                kling_errors::KlingCode::InvalidParameter,
                "a RunBlob job, and this server has no RunBlob client (set KLING_RUNBLOB_API_KEY)",
            )
            .into()
        })
    }
}

/// Runs `job` on `client` up to its task's creation.
async fn create_only<E: kling_core::CreateTask>(
    client: &Client,
    store: &dyn JobStore,
    job: StoredJob<E>,
) -> Result<JobRecord, Error> {
    run_stored_job(client, store, job.create_only(), WaitOptions::new()).await
}

/// Posts the job (or finds it: it may exist) and records it as created, without waiting.
pub(crate) async fn create(
    clients: &Clients<'_>,
    store: &dyn JobStore,
    create: JobCreate,
    family: &str,
    key: &str,
) -> Result<JobRecord, Error> {
    match create {
        JobCreate::Legacy(c) => create_only(clients.kling, store, StoredJob::new(c, family)).await,
        JobCreate::Standard(c) => {
            create_only(clients.kling, store, StoredJob::new(c, family)).await
        }
        JobCreate::RunBlob(c) => {
            let rb = clients.runblob()?;
            // No `external_task_id` on RunBlob: the job's key keys its record.
            match *c {
                RunBlobCreate::O3Video(c) => {
                    create_only(rb, store, StoredJob::new(c, family).key(key)).await
                }
                RunBlobCreate::O1Video(c) => {
                    create_only(rb, store, StoredJob::new(c, family).key(key)).await
                }
                RunBlobCreate::Photo(c) => {
                    create_only(rb, store, StoredJob::new(c, family).key(key)).await
                }
                RunBlobCreate::Classic(c) => {
                    create_only(rb, store, StoredJob::new(c, family).key(key)).await
                }
                _ => Err(unknown_create()),
            }
        }
        _ => Err(unknown_create()),
    }
}

fn unknown_create() -> Error {
    kling_errors::InternalError::new("a create of an API this server does not know").into()
}

/// The task id of a created job, or why there is none.
fn task_id(record: &JobRecord) -> Result<String, Error> {
    record.task_id.clone().ok_or_else(|| {
        kling_errors::ValidationError::new(
            "external_task_id",
            kling_errors::KlingCode::InvalidParameter,
            &format!(
                "the job has no task yet (state {}): create it again with the same request",
                record.state.as_str()
            ),
        )
        .into()
    })
}

fn api_of(record: &JobRecord) -> Result<JobApi, Error> {
    JobApi::of_record(&record.family).ok_or_else(|| {
        kling_errors::InternalError::new(&format!(
            "the job's family {:?} is not one this server knows",
            record.family
        ))
        .into()
    })
}

/// Waits for a created job's task and records how it ended.
pub(crate) async fn wait(
    clients: &Clients<'_>,
    store: &dyn JobStore,
    record: JobRecord,
    options: WaitOptions<'_>,
) -> Result<JobRecord, Error> {
    let id = task_id(&record)?;
    match api_of(&record)? {
        JobApi::Legacy(f) => {
            wait_for_record(
                clients.kling,
                store,
                record,
                f.task(TaskRef::TaskId(id)),
                options,
            )
            .await
        }
        JobApi::Standard => {
            wait_for_record(
                clients.kling,
                store,
                record,
                GetTasks::by_ids([id]),
                options,
            )
            .await
        }
        JobApi::RunBlob(p) => {
            let query = GetGeneration::new(p, id);
            wait_for_record(clients.runblob()?, store, record, query, options).await
        }
    }
}

/// The status of a created job's task now, as the API says it.
pub(crate) async fn status(clients: &Clients<'_>, record: &JobRecord) -> Result<String, Error> {
    let id = task_id(record)?;
    Ok(match api_of(record)? {
        JobApi::Legacy(f) => {
            let task = clients.kling.task(&f.task(TaskRef::TaskId(id))).await?;
            task.value.task_status.as_str().to_owned()
        }
        JobApi::Standard => {
            let task = clients.kling.task(&GetTasks::by_ids([id])).await?;
            task.value.status.as_str().to_owned()
        }
        JobApi::RunBlob(p) => {
            let task = clients.runblob()?.task(&GetGeneration::new(p, id)).await?;
            task.value.status.as_str().to_owned()
        }
    })
}
