//! The reliability table through the engine's machines, driven by both driver loops
//! (blocking and async) over a scripted transport with injected time.

use kling_test_support as support;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use kling_auth::{Authenticator, Credentials};
use kling_core::time::{FastRng, ManualClock, ManualSleep};
use kling_core::{
    Call, Config, Create, Created, Engine, Machine, Reply, Wait, run_async, run_blocking,
};
use kling_errors::Error;
use kling_types::Task;
use kling_types::videos::{CreateText2Video, GetText2VideoTask};
use support::table::TestClient;
use support::{Answer, Script, t0};

/// Polls a future that never waits on anything real (scripted transport, manual sleep).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

struct Harness<const ASYNC: bool> {
    engine: Engine,
    clock: ManualClock,
    sleep: ManualSleep,
    script: Script,
}

impl<const ASYNC: bool> Harness<ASYNC> {
    fn run<M: Machine + Send>(&self, machine: &mut M) -> Result<M::Output, Error> {
        if ASYNC {
            block_on(run_async(
                machine,
                &self.script,
                &self.clock,
                &self.sleep,
                None,
                &mut (),
            ))
        } else {
            // The engine alone: no request budget.
            run_blocking(
                machine,
                &self.script,
                &self.clock,
                &self.sleep,
                None,
                &mut (),
            )
        }
    }
}

impl<const ASYNC: bool> TestClient for Harness<ASYNC> {
    fn new(answers: Vec<Answer>) -> Self {
        let auth =
            Authenticator::new(Credentials::access_key("AKtest0123456789", "SKtest").unwrap());
        let engine = Engine::new(
            Config::with_base_url("https://api.test"),
            auth,
            Arc::new(FastRng::seeded(42)),
        );
        let clock = ManualClock::new(t0());
        Self {
            engine,
            sleep: ManualSleep::new(clock.clone()),
            clock,
            script: Script::new(answers),
        }
    }
    fn get(&self, id: &str) -> Result<Task, Error> {
        self.run(&mut Call::of(
            &self.engine,
            &GetText2VideoTask::by_task_id(id),
        )?)
        .map(Reply::into_value)
    }
    fn create(&self, request: CreateText2Video) -> Result<Created<CreateText2Video>, Error> {
        self.run(&mut Create::new(&self.engine, request)?)
    }
    fn wait(&self, id: &str, max_wait: Duration) -> Result<Task, Error> {
        self.run(
            &mut Wait::new(&self.engine, GetText2VideoTask::by_task_id(id))?.max_wait(max_wait),
        )
    }
    fn script(&self) -> &Script {
        &self.script
    }
    fn slept(&self) -> Vec<Duration> {
        self.sleep.slept()
    }
    fn mints(&self) -> u64 {
        self.engine.auth().mints()
    }
    fn skew_ms(&self) -> i64 {
        self.engine.auth().clock_skew_ms()
    }
}

mod blocking_loop {
    use super::*;
    kling_test_support::reliability_table!(Harness<false>);
}

mod async_loop {
    use super::*;
    kling_test_support::reliability_table!(Harness<true>);
}

/// The new standard's `GET /tasks` lists the task, then comes back empty (a list's lag), then
/// lists it done: a task seen once is never given up as not found for dropping out of a list.
#[test]
fn a_seen_task_that_drops_out_of_a_list_is_still_waited_for() {
    use kling_types::standard::GetTasks;
    let listed = |status: &str, outputs: &str| {
        format!(
            r#"{{"code":0,"message":"SUCCEED","request_id":"r","data":[{{"id":"7","status":"{status}"{outputs}}}]}}"#
        )
    };
    let empty = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":[]}"#;
    let done = listed(
        "succeeded",
        r#","outputs":[{"type":"video","url":"https://cdn.test/v.mp4"}]"#,
    );
    let h = Harness::<false>::new(vec![
        Answer::json(200, &listed("processing", "")),
        Answer::json(200, empty),
        Answer::json(200, empty),
        Answer::json(200, empty),
        Answer::json(200, &done),
    ]);
    let engine = Engine::new(
        Config::with_base_url("https://api.test"),
        Authenticator::new(Credentials::api_key("sk-test").unwrap()),
        Arc::new(FastRng::seeded(42)),
    );
    let task = h
        .run(&mut Wait::new(&engine, GetTasks::by_ids(["7".to_owned()])).unwrap())
        .unwrap();
    assert_eq!(task.id, "7");
    assert_eq!(h.script().count("GET"), 5);
}
