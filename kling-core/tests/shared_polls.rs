//! Shared polls, sans-IO: many [`Wait`] machines of one engine driven on a simulated clock
//! against a simulated API (tasks that end at set times, requests that take a set time).
//! Nothing sleeps; every run is the same.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kling_auth::{Authenticator, Credentials};
use kling_core::time::FastRng;
use kling_core::{
    Config, Engine, HttpRequest, HttpResponse, Machine, Nudge, Step, Wait, WaitOptions,
};
use kling_errors::{Error, ErrorKind};
use kling_test_support::t0;
use kling_types::standard::GetTasks;
use kling_types::videos::GetText2VideoTask;
use serde_json::{Value, json};

const BASE: &str = "https://api.test";
const LEGACY: &str = "/v1/videos/text2video";

fn engine(shared: bool) -> Engine {
    let mut config = Config::with_base_url(BASE);
    config.poll.shared = shared;
    let credentials = Credentials::both("AKtest0123456789", "SKtest", "sk-test").unwrap();
    Engine::new(
        config,
        Authenticator::new(credentials),
        Arc::new(FastRng::seeded(7)),
    )
}

/// One simulated task: created, and done at a set time.
struct SimTask {
    created: SystemTime,
    ends: SystemTime,
}

/// The simulated API: answers the new standard's `GET /tasks` and `POST /tasks`, and a legacy
/// family's task and list pages, from the tasks' times; logs every request.
#[derive(Default)]
struct Api {
    tasks: BTreeMap<String, SimTask>,
    /// Never shown by the listing, a batch of several ids, or a list page.
    hidden: HashSet<String>,
    /// List pages show finished tasks without their results (only the task's own query has them).
    lean_pages: bool,
    log: Vec<Logged>,
}

#[derive(Debug, Clone)]
struct Logged {
    method: String,
    url: String,
    /// Ids a `GET /tasks` asked for.
    ids: Vec<String>,
    /// When it was answered.
    at: SystemTime,
}

fn ms(t: SystemTime) -> u128 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

impl Api {
    fn add(&mut self, id: &str, created: SystemTime, runs: Duration) {
        let task = SimTask {
            created,
            ends: created + runs,
        };
        self.tasks.insert(id.to_owned(), task);
    }

    fn standard(&self, id: &str, now: SystemTime) -> Value {
        let t = &self.tasks[id];
        if now >= t.ends {
            json!({"id": id, "status": "succeeded", "create_time": ms(t.created),
                "outputs": [{"type": "video", "url": format!("https://cdn.test/{id}.mp4")}]})
        } else {
            json!({"id": id, "status": "processing", "create_time": ms(t.created)})
        }
    }

    fn legacy(&self, id: &str, now: SystemTime) -> Value {
        let t = &self.tasks[id];
        if now >= t.ends {
            json!({"task_id": id, "task_status": "succeed", "created_at": ms(t.created),
                "task_result": {"videos": [{"id": format!("v-{id}"),
                    "url": format!("https://cdn.test/{id}.mp4"), "duration": "5"}]}})
        } else {
            json!({"task_id": id, "task_status": "processing", "created_at": ms(t.created)})
        }
    }

    /// The tasks created by `now`, newest first.
    fn newest_first(&self, now: SystemTime) -> Vec<&String> {
        let mut ids: Vec<(&String, SystemTime)> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.created <= now)
            .map(|(id, t)| (id, t.created))
            .collect();
        ids.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        ids.into_iter().map(|(id, _)| id).collect()
    }

    fn answer(&mut self, request: &HttpRequest, now: SystemTime) -> HttpResponse {
        let url = request.url.strip_prefix(BASE).unwrap().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .map(|v| v.replace("%2C", ","))
        };
        let method = request.method.as_str().to_owned();
        let mut logged = Logged {
            method: method.clone(),
            url: url.clone(),
            ids: Vec::new(),
            at: now,
        };
        let data = match (method.as_str(), path) {
            ("GET", "/tasks") => {
                let ids: Vec<String> = param("task_ids")
                    .unwrap()
                    .split(',')
                    .map(str::to_owned)
                    .collect();
                logged.ids.clone_from(&ids);
                let several = ids.len() > 1;
                let tasks: Vec<Value> = ids
                    .iter()
                    .filter(|id| self.tasks.contains_key(*id))
                    .filter(|id| !(several && self.hidden.contains(*id)))
                    .map(|id| self.standard(id, now))
                    .collect();
                json!(tasks)
            }
            ("POST", "/tasks") => {
                let body: Value = serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
                let statuses: Vec<&str> = body["filters"][0]["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                let limit = body["limit"].as_u64().unwrap() as usize;
                let offset: usize = body["cursor"].as_str().map_or(0, |c| c.parse().unwrap());
                let matching: Vec<Value> = self
                    .newest_first(now)
                    .into_iter()
                    .filter(|id| !self.hidden.contains(*id))
                    .map(|id| self.standard(id, now))
                    .filter(|t| statuses.contains(&t["status"].as_str().unwrap()))
                    .collect();
                let page: Vec<Value> = matching.iter().skip(offset).take(limit).cloned().collect();
                let next = offset + page.len();
                json!({"result": page, "count": matching.len(),
                    "next_cursor": next.to_string(), "has_more": next < matching.len()})
            }
            ("GET", LEGACY) => {
                let page: usize = param("pageNum").unwrap().parse().unwrap();
                let size: usize = param("pageSize").unwrap().parse().unwrap();
                let tasks: Vec<Value> = self
                    .newest_first(now)
                    .into_iter()
                    .filter(|id| !self.hidden.contains(*id))
                    .skip((page - 1) * size)
                    .take(size)
                    .map(|id| {
                        let mut task = self.legacy(id, now);
                        if self.lean_pages {
                            task.as_object_mut().unwrap().remove("task_result");
                        }
                        task
                    })
                    .collect();
                json!(tasks)
            }
            ("GET", p) if p.starts_with(LEGACY) => {
                let id = p.rsplit('/').next().unwrap();
                self.legacy(id, now)
            }
            other => panic!("unexpected request {other:?}"),
        };
        self.log.push(logged);
        HttpResponse::json(
            200,
            json!({"code": 0, "message": "SUCCEED", "request_id": "r-1", "data": data}).to_string(),
        )
    }
}

/// One simulated wait: its machine, when it runs next, the request it waits on.
struct Runner<M> {
    machine: Option<M>,
    wake: SystemTime,
    in_flight: Option<HttpRequest>,
    /// Dropped (cancelled) at this time.
    drop_at: Option<SystemTime>,
}

/// How a wait ended, and when.
type Ended<T> = Option<(Result<T, Error>, SystemTime)>;

/// Runs the waits, each starting at its time, until all have ended; each request takes
/// `latency`.
fn simulate<M: Machine>(
    api: &mut Api,
    waits: Vec<(M, SystemTime, Option<SystemTime>)>,
    latency: Duration,
) -> Vec<Ended<M::Output>> {
    simulate_with_rings(api, waits, latency, Vec::new())
}

/// As [`simulate`], ringing each nudge at its time (a callback's arrival).
fn simulate_with_rings<M: Machine>(
    api: &mut Api,
    waits: Vec<(M, SystemTime, Option<SystemTime>)>,
    latency: Duration,
    mut rings: Vec<(SystemTime, Nudge)>,
) -> Vec<Ended<M::Output>> {
    rings.sort_by_key(|(at, _)| *at);
    let mut rings = rings.into_iter().peekable();
    let mut runners: Vec<Runner<M>> = waits
        .into_iter()
        .map(|(machine, start, drop_at)| Runner {
            machine: Some(machine),
            wake: start,
            in_flight: None,
            drop_at,
        })
        .collect();
    let mut ended: Vec<Ended<M::Output>> = runners.iter().map(|_| None).collect();
    for _ in 0..1_000_000 {
        let next = runners
            .iter()
            .enumerate()
            .filter(|(_, r)| r.machine.is_some())
            .min_by_key(|(i, r)| (r.wake, *i))
            .map(|(i, _)| i);
        let Some(i) = next else {
            return ended;
        };
        if let Some((at, _)) = rings.peek()
            && *at <= runners[i].wake
        {
            let (at, nudge) = rings.next().unwrap();
            nudge.ring(at);
            continue;
        }
        let runner = &mut runners[i];
        let now = runner.wake;
        if runner.drop_at.is_some_and(|t| t <= now) {
            runner.machine = None;
            continue;
        }
        let machine = runner.machine.as_mut().unwrap();
        if let Some(request) = runner.in_flight.take() {
            let answer = api.answer(&request, now);
            machine.on_response(Ok(answer), now);
        }
        match machine.step(now) {
            Step::Send(request) => {
                runner.in_flight = Some(request);
                runner.wake = now + latency;
            }
            Step::Sleep(d) => runner.wake = now + d,
            Step::Done(v) => {
                ended[i] = Some((Ok(v), now));
                runner.machine = None;
            }
            Step::Failed(e) => {
                ended[i] = Some((Err(e), now));
                runner.machine = None;
            }
            _ => panic!("a step this simulation does not know"),
        }
    }
    panic!("the simulation did not end");
}

/// `n` tasks created 50 ms apart, running 10 s to 40 s.
fn fleet(api: &mut Api, n: usize) -> Vec<(String, SystemTime)> {
    (0..n)
        .map(|i| {
            let id = format!("{}", 800_000 + i);
            let created = t0() + Duration::from_millis(50 * i as u64);
            let runs = Duration::from_millis(10_000 + (i as u64 * 7_919) % 30_000);
            api.add(&id, created, runs);
            (id, created)
        })
        .collect()
}

fn standard_waits(
    engine: &Engine,
    tasks: &[(String, SystemTime)],
) -> Vec<(Wait<GetTasks>, SystemTime, Option<SystemTime>)> {
    tasks
        .iter()
        .map(|(id, created)| {
            let query = GetTasks::by_ids([id.clone()]);
            let wait =
                Wait::with_options(engine, query, &WaitOptions::new().after_create()).unwrap();
            (wait, *created, None)
        })
        .collect()
}

fn legacy_waits(
    engine: &Engine,
    tasks: &[(String, SystemTime)],
) -> Vec<(Wait<GetText2VideoTask>, SystemTime, Option<SystemTime>)> {
    tasks
        .iter()
        .map(|(id, created)| {
            let query = GetText2VideoTask::by_task_id(id.clone());
            let wait =
                Wait::with_options(engine, query, &WaitOptions::new().after_create()).unwrap();
            (wait, *created, None)
        })
        .collect()
}

/// Each wait returned its own task, succeeded, within max(1 s, 10 % of its run time) (plus
/// the time of a request or two) of its end.
fn assert_noticed(api: &Api, ended: &[(String, SystemTime, SystemTime)], slack: Duration) {
    for (id, done_at, _) in ended {
        let t = &api.tasks[id];
        let late = done_at.duration_since(t.ends).expect("not before the end");
        let ran = t.ends.duration_since(t.created).unwrap();
        let bound = Duration::from_secs(1).max(ran / 10) + slack;
        assert!(
            late <= bound,
            "task {id}: noticed {late:?} after its end ({ran:?} run)"
        );
    }
}

fn requests_of(api: &Api, method: &str, path: &str) -> Vec<Logged> {
    api.log
        .iter()
        .filter(|l| l.method == method && l.url.split('?').next() == Some(path))
        .cloned()
        .collect()
}

#[test]
fn standard_waits_share_their_polls_in_batches_of_at_most_20() {
    let latency = Duration::from_millis(200);
    let mut alone = Api::default();
    let tasks = fleet(&mut alone, 300);
    let ended = simulate(&mut alone, standard_waits(&engine(false), &tasks), latency);
    assert!(ended.iter().all(|e| matches!(e, Some((Ok(_), _)))));

    let mut api = Api::default();
    let tasks = fleet(&mut api, 300);
    let ended = simulate(&mut api, standard_waits(&engine(true), &tasks), latency);
    let mut done = Vec::new();
    for ((id, created), end) in tasks.iter().zip(&ended) {
        let (result, at) = end.as_ref().expect("every wait ended");
        let task = result.as_ref().expect("succeeded");
        assert_eq!(&task.id, id, "each wait gets its own task");
        done.push((id.clone(), *at, *created));
    }
    assert_noticed(&api, &done, 2 * latency + Duration::from_millis(100));
    let batches = requests_of(&api, "GET", "/tasks");
    assert!(
        batches
            .iter()
            .all(|b| b.ids.len() <= GetTasks::MAX_IDS && !b.ids.is_empty())
    );
    assert!(
        batches.iter().any(|b| b.ids.len() > 1),
        "some batches share"
    );
    let listings = requests_of(&api, "POST", "/tasks");
    assert!(
        !listings.is_empty(),
        "many due at once: the listing of tasks in flight"
    );
    let (shared, single) = (api.log.len(), alone.log.len());
    assert!(
        shared * 4 <= single,
        "shared polls: {shared} requests for 300 tasks; alone: {single}"
    );
}

#[test]
fn a_task_no_shared_poll_shows_is_polled_alone() {
    let mut api = Api::default();
    let tasks = fleet(&mut api, 80);
    let hidden = tasks[17].0.clone();
    api.hidden.insert(hidden.clone());
    let ended = simulate(
        &mut api,
        standard_waits(&engine(true), &tasks),
        Duration::from_millis(100),
    );
    assert!(
        ended.iter().all(|e| matches!(e, Some((Ok(_), _)))),
        "every wait succeeded"
    );
    let alone: Vec<_> = requests_of(&api, "GET", "/tasks")
        .into_iter()
        .filter(|b| b.ids == [hidden.clone()])
        .collect();
    assert!(!alone.is_empty(), "the hidden task is asked for on its own");
    let (_, done_at) = ended[17].as_ref().unwrap();
    let t = &api.tasks[&hidden];
    assert!(*done_at >= t.ends);
}

#[test]
fn legacy_waits_read_their_family_list_pages() {
    let engine = engine(true);
    let mut api = Api::default();
    let tasks = fleet(&mut api, 120);
    api.hidden.insert(tasks[5].0.clone());
    let waits = legacy_waits(&engine, &tasks);
    let latency = Duration::from_millis(200);
    let ended = simulate(&mut api, waits, latency);
    let mut done = Vec::new();
    for ((id, created), end) in tasks.iter().zip(&ended) {
        let (result, at) = end.as_ref().expect("every wait ended");
        assert_eq!(&result.as_ref().expect("succeeded").task_id, id);
        done.push((id.clone(), *at, *created));
    }
    assert_noticed(&api, &done, 2 * latency + Duration::from_millis(100));
    let pages = requests_of(&api, "GET", LEGACY);
    assert!(!pages.is_empty());
    assert!(
        pages.iter().all(|p| p.url.contains("pageSize=500")),
        "{pages:?}"
    );
    let hidden_alone = format!("{LEGACY}/{}", tasks[5].0);
    assert!(
        api.log.iter().any(|l| l.url == hidden_alone),
        "the task no page shows, alone"
    );
    let per_task = api.log.len() as f64 / tasks.len() as f64;
    assert!(per_task < 1.0, "{per_task} polls per task");
}

#[test]
fn a_list_page_without_results_is_confirmed_by_the_tasks_own_query() {
    let engine = engine(true);
    let mut api = Api {
        lean_pages: true,
        ..Api::default()
    };
    let tasks = fleet(&mut api, 30);
    let waits = legacy_waits(&engine, &tasks);
    let ended = simulate(&mut api, waits, Duration::from_millis(100));
    for ((id, _), end) in tasks.iter().zip(&ended) {
        let (result, _) = end.as_ref().expect("every wait ended");
        let task = result.as_ref().expect("succeeded, not a decode error");
        assert_eq!(&task.task_id, id);
        assert_eq!(task.task_result.videos.len(), 1, "with its results");
    }
    let alone = api
        .log
        .iter()
        .filter(|l| l.url.starts_with(&format!("{LEGACY}/")))
        .count();
    assert!(
        alone >= tasks.len(),
        "each end confirmed by its own query: {alone}"
    );
}

#[test]
fn deadlines_and_drops_hold_per_wait() {
    let engine = engine(true);
    let mut api = Api::default();
    let tasks = fleet(&mut api, 40);
    let mut waits = standard_waits(&engine, &tasks);
    // Wait 3 gives up after 12 s (its task runs longer); wait 4 is dropped at 8 s.
    let (_, created3) = &tasks[3];
    let query = GetTasks::by_ids([tasks[3].0.clone()]);
    let options = WaitOptions::new()
        .after_create()
        .max_wait(Duration::from_secs(12));
    waits[3].0 = Wait::with_options(&engine, query, &options).unwrap();
    assert!(api.tasks[&tasks[3].0].ends > *created3 + Duration::from_secs(12));
    waits[4].2 = Some(tasks[4].1 + Duration::from_secs(8));
    let dropped = tasks[4].0.clone();
    let ended = simulate(&mut api, waits, Duration::from_millis(300));
    let (e, at) = ended[3].as_ref().unwrap();
    let e = e.as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    let deadline = *created3 + Duration::from_secs(12);
    assert!(
        *at >= deadline && *at <= deadline + Duration::from_secs(1),
        "a last look at its own deadline, then the end: {at:?}"
    );
    assert!(ended[4].is_none(), "dropped");
    for (i, end) in ended.iter().enumerate() {
        if i != 3 && i != 4 {
            assert!(
                matches!(end, Some((Ok(_), _))),
                "wait {i}: {:?}",
                end.as_ref().map(|e| e.1)
            );
        }
    }
    // Once a request under way at the drop is answered, none asks for the dropped wait's task.
    let after = tasks[4].1 + Duration::from_secs(8) + Duration::from_millis(300);
    let asked_after = requests_of(&api, "GET", "/tasks")
        .into_iter()
        .filter(|b| b.at > after && b.ids.contains(&dropped))
        .count();
    assert_eq!(asked_after, 0, "no batch asks for a dropped wait's task");
    assert!(
        requests_of(&api, "GET", "/tasks")
            .iter()
            .any(|b| b.at > after),
        "batches went on after the drop"
    );
}

#[test]
fn callbacks_ring_waits_that_otherwise_poll_on_the_slow_fallback() {
    let engine = engine(true);
    let mut api = Api::default();
    // 40 tasks created 50 ms apart, all ending within the same second or so but task 9,
    // whose callback is lost: it ends later, alone.
    let tasks: Vec<(String, SystemTime)> = (0..40)
        .map(|i| {
            let id = format!("{}", 900_000 + i);
            let created = t0() + Duration::from_millis(50 * i as u64);
            let ends_at = if i == 9 {
                t0() + Duration::from_secs(45)
            } else {
                t0() + Duration::from_secs(30) + Duration::from_millis(10 * i as u64)
            };
            api.add(&id, created, ends_at.duration_since(created).unwrap());
            (id, created)
        })
        .collect();
    let nudges: Vec<Nudge> = tasks.iter().map(|_| Nudge::new()).collect();
    let waits = tasks
        .iter()
        .zip(&nudges)
        .map(|((id, created), nudge)| {
            let options = WaitOptions::new().after_create().nudge(nudge.clone());
            let wait =
                Wait::with_options(&engine, GetTasks::by_ids([id.clone()]), &options).unwrap();
            (wait, *created, None)
        })
        .collect();
    // Each callback comes 300 ms after its task's end; task 9's is lost.
    let rings: Vec<(SystemTime, Nudge)> = tasks
        .iter()
        .zip(&nudges)
        .enumerate()
        .filter(|(i, _)| *i != 9)
        .map(|(_, ((id, _), nudge))| {
            (
                api.tasks[id].ends + Duration::from_millis(300),
                nudge.clone(),
            )
        })
        .collect();
    let latency = Duration::from_millis(100);
    let ended = simulate_with_rings(&mut api, waits, latency, rings);
    for (i, ((id, _), end)) in tasks.iter().zip(&ended).enumerate() {
        let (result, at) = end.as_ref().expect("every wait ended");
        assert_eq!(&result.as_ref().expect("succeeded").id, id);
        let late = at.duration_since(api.tasks[id].ends).unwrap();
        if i == 9 {
            // Lost: the fallback look (60 s after the create) finds it.
            assert!(
                late <= Duration::from_secs(61),
                "lost callback found after {late:?}"
            );
            assert!(
                late > Duration::from_secs(2),
                "found by the fallback: {late:?}"
            );
        } else {
            // Rung: a look within the next quarter second, plus a request or two.
            assert!(
                late <= Duration::from_millis(300 + 250 + 400),
                "task {id}: {late:?}"
            );
        }
    }
    // No look before the callbacks (a nudged wait's first is the 60 s fallback); the looks
    // the callbacks asked for, rung close together, are shared (a listing and batches of
    // 20); task 9's fallback look is one more.
    let polls = api.log.len();
    assert!(polls <= 4, "{polls} requests for 40 waits: {:?}", api.log);
    assert!(
        api.log
            .iter()
            .all(|l| l.at >= t0() + Duration::from_secs(30)),
        "{:?}",
        api.log
    );
    let batches = requests_of(&api, "GET", "/tasks");
    assert!(batches.iter().all(|b| b.ids.len() <= GetTasks::MAX_IDS));
}
