//! The acceptance matrix of `reliability.md` section 7 through the async client and its real
//! reqwest transport, on 127.0.0.1 (the rows: `kling_test_support::matrix`; the map of rows
//! to tests: `RELIABILITY.md`). P7, a dropped wait future, is this client's own
//! (`table::progress_is_reported_and_dropping_the_future_stops_polling`).

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use kling_client_async::time::{FastRng, ManualClock, ManualSleep};
use kling_client_async::types::Task;
use kling_client_async::types::callback::CallbackPayload;
use kling_client_async::types::runblob::{GenerateO3Video, Generation, GetGeneration};
use kling_client_async::types::videos::{CreateText2Video, GetText2VideoTask};
use kling_client_async::{
    AsyncKling, Client, Config, Created, Credentials, Downloaded, Error, Reply, WaitOptions,
};
use kling_core::Engine;
use kling_test_support::Script;
use kling_test_support::matrix::{ACCESS_KEY, API_KEY, MatrixClient, SECRET_KEY, matrix_config};

struct Async {
    client: Client,
    clock: ManualClock,
    sleep: ManualSleep,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Async {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Async")
            .field("client", &self.client)
            .finish()
    }
}

fn credentials() -> Credentials {
    Credentials::both(ACCESS_KEY, SECRET_KEY, API_KEY).unwrap()
}

fn config(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Config {
    let mut config = matrix_config(base_url);
    tweak(&mut config);
    config
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

impl Async {
    fn build(base_url: &str, tweak: &dyn Fn(&mut Config), script: Option<&Script>) -> Self {
        let clock = ManualClock::new(kling_test_support::t0());
        let sleep = ManualSleep::new(clock.clone());
        let runtime = runtime();
        let _enter = runtime.enter();
        let mut builder = Client::builder()
            .credentials(credentials())
            .config(config(base_url, tweak))
            .clock(clock.clone())
            .sleep(sleep.clone())
            .rng(FastRng::seeded(42));
        if let Some(script) = script {
            builder = builder.transport(script.clone());
        }
        let client = builder.build().unwrap();
        drop(_enter);
        Self {
            client,
            clock,
            sleep,
            runtime,
        }
    }

    fn run<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl MatrixClient for Async {
    fn real(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Self {
        Self::build(base_url, tweak, None)
    }
    fn over(script: &Script, tweak: &dyn Fn(&mut Config)) -> Self {
        Self::build("https://api.test", tweak, Some(script))
    }
    fn real_time(base_url: &str, tweak: &dyn Fn(&mut Config)) -> Self {
        let clock = ManualClock::new(kling_test_support::t0());
        let runtime = runtime();
        let client = Client::builder()
            .credentials(credentials())
            .config(config(base_url, tweak))
            .build()
            .unwrap();
        Self {
            client,
            sleep: ManualSleep::new(clock.clone()),
            clock,
            runtime,
        }
    }
    fn get(&self, id: &str) -> Result<Task, Error> {
        self.run(self.client.send(&GetText2VideoTask::by_task_id(id)))
            .map(Reply::into_value)
    }
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error> {
        self.run(self.client.create(request))
    }
    fn runblob_create(&self, request: GenerateO3Video) -> Result<Created<GenerateO3Video>, Error> {
        self.run(self.client.create(request))
    }
    fn runblob_get(&self, query: &GetGeneration) -> Result<Generation, Error> {
        self.run(self.client.send(query)).map(Reply::into_value)
    }
    fn runblob_wait(&self, query: &GetGeneration) -> Result<Generation, Error> {
        self.run(self.client.wait(query, WaitOptions::new()))
    }
    fn wait(&self, id: &str, options: WaitOptions<'static>) -> Result<Task, Error> {
        self.run(
            self.client
                .wait(&GetText2VideoTask::by_task_id(id), options),
        )
    }
    fn download(&self, url: &str, dest: &Path) -> Result<Downloaded, Error> {
        self.run(self.client.download(url, dest))
    }
    fn job(&self, request: CreateText2Video, dir: &Path) -> Result<(Task, Vec<Downloaded>), Error> {
        self.run(
            self.client
                .create_and_wait_and_download(request, dir, WaitOptions::new()),
        )
    }
    fn reconcile(&self, payload: &CallbackPayload) -> Result<Task, Error> {
        self.run(
            self.client
                .reconcile_callback(payload, GetText2VideoTask::by_task_id),
        )
    }
    fn gets_at_once(&self, id: &str, n: usize) -> Vec<Result<Task, Error>> {
        // n tasks, each with a clone of the client.
        self.run(async {
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    let client = self.client.clone();
                    let id = id.to_owned();
                    tokio::spawn(async move {
                        client
                            .send(&GetText2VideoTask::by_task_id(id))
                            .await
                            .map(Reply::into_value)
                    })
                })
                .collect();
            let mut results = Vec::with_capacity(n);
            for handle in handles {
                results.push(handle.await.unwrap());
            }
            results
        })
    }
    fn slept(&self) -> Vec<Duration> {
        self.sleep.slept()
    }
    fn clock(&self) -> ManualClock {
        self.clock.clone()
    }
    fn engine(&self) -> &Engine {
        &kling_core::AsyncKlingBackend::parts(&self.client).engine
    }
}

kling_test_support::reliability_matrix!(Async);
