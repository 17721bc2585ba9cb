//! The acceptance matrix of `reliability.md` section 7 through the blocking client and its
//! real ureq transport, on 127.0.0.1 (the rows: `kling_test_support::matrix`; the map of
//! rows to tests: `RELIABILITY.md`).

use std::path::Path;
use std::time::Duration;

use kling_client_blocking::time::{FastRng, ManualClock, ManualSleep};
use kling_client_blocking::types::Task;
use kling_client_blocking::types::callback::CallbackPayload;
use kling_client_blocking::types::runblob::{GenerateO3Video, Generation, GetGeneration};
use kling_client_blocking::types::videos::{CreateText2Video, GetText2VideoTask};
use kling_client_blocking::{
    Client, Config, Created, Credentials, Downloaded, Error, Kling, Reply, WaitOptions,
};
use kling_core::Engine;
use kling_test_support::Script;
use kling_test_support::matrix::{ACCESS_KEY, API_KEY, MatrixClient, SECRET_KEY, matrix_config};

#[derive(Debug)]
struct Blocking {
    client: Client,
    clock: ManualClock,
    sleep: ManualSleep,
}

fn credentials() -> Credentials {
    Credentials::both(ACCESS_KEY, SECRET_KEY, API_KEY).unwrap()
}

fn config(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Config {
    let mut config = matrix_config(base_url);
    tweak(&mut config);
    config
}

impl Blocking {
    fn build(base_url: &str, tweak: &dyn Fn(&mut Config), script: Option<&Script>) -> Self {
        let clock = ManualClock::new(kling_test_support::t0());
        let sleep = ManualSleep::new(clock.clone());
        let mut builder = Client::builder()
            .credentials(credentials())
            .config(config(base_url, tweak))
            .clock(clock.clone())
            .sleep(sleep.clone())
            .rng(FastRng::seeded(42));
        if let Some(script) = script {
            builder = builder.transport(script.clone());
        }
        Self {
            client: builder.build().unwrap(),
            clock,
            sleep,
        }
    }
}

impl MatrixClient for Blocking {
    fn real(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Self {
        Self::build(base_url, tweak, None)
    }
    fn over(script: &Script, tweak: &dyn Fn(&mut Config)) -> Self {
        Self::build("https://api.test", tweak, Some(script))
    }
    fn real_time(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Self {
        let clock = ManualClock::new(kling_test_support::t0());
        let client = Client::builder()
            .credentials(credentials())
            .config(config(base_url, tweak))
            .build()
            .unwrap();
        Self {
            client,
            sleep: ManualSleep::new(clock.clone()),
            clock,
        }
    }
    fn get(&self, id: &str) -> Result<Task, Error> {
        self.client
            .send(&GetText2VideoTask::by_task_id(id))
            .map(Reply::into_value)
    }
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error> {
        self.client.create(request)
    }
    fn runblob_create(&self, request: GenerateO3Video) -> Result<Created<GenerateO3Video>, Error> {
        self.client.create(request)
    }
    fn runblob_get(&self, query: &GetGeneration) -> Result<Generation, Error> {
        self.client.send(query).map(Reply::into_value)
    }
    fn runblob_wait(&self, query: &GetGeneration) -> Result<Generation, Error> {
        self.client.wait(query, WaitOptions::new())
    }
    fn wait(&self, id: &str, options: WaitOptions<'static>) -> Result<Task, Error> {
        self.client
            .wait(&GetText2VideoTask::by_task_id(id), options)
    }
    fn download(&self, url: &str, dest: &Path) -> Result<Downloaded, Error> {
        self.client.download(url, dest)
    }
    fn job(&self, request: CreateText2Video, dir: &Path) -> Result<(Task, Vec<Downloaded>), Error> {
        self.client
            .create_and_wait_and_download(request, dir, WaitOptions::new())
    }
    fn reconcile(&self, payload: &CallbackPayload) -> Result<Task, Error> {
        self.client
            .reconcile_callback(payload, GetText2VideoTask::by_task_id)
    }
    fn gets_at_once(&self, id: &str, n: usize) -> Vec<Result<Task, Error>> {
        // Up to 64 threads, each with a clone of the client.
        let threads = n.clamp(1, 64);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let client = self.client.clone();
                    let calls = n / threads + usize::from(t < n % threads);
                    scope.spawn(move || {
                        (0..calls)
                            .map(|_| {
                                client
                                    .send(&GetText2VideoTask::by_task_id(id))
                                    .map(Reply::into_value)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        })
    }
    fn slept(&self) -> Vec<Duration> {
        self.sleep.slept()
    }
    fn clock(&self) -> ManualClock {
        self.clock.clone()
    }
    fn engine(&self) -> &Engine {
        &kling_core::KlingBackend::parts(&self.client).engine
    }
}

kling_test_support::reliability_matrix!(Blocking);
