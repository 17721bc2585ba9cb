//! 7.6 Polling (P1-P9; P7, a dropped async future, is the async client's own test).

use std::time::Duration;

use kling_core::{CancelHandle, Config, WaitOptions};
use kling_errors::ErrorKind;

use super::MatrixClient;
use crate::{Answer, Script, kling_error, serve, serve_with_limit, task, task_done};

fn waiting<C: MatrixClient>(
    script: &Script,
    tweak: &dyn Fn(&mut Config),
) -> (C, crate::server::Server) {
    let server = serve_with_limit(script, 500);
    let c = C::real(&server.url, tweak);
    (c, server)
}

pub fn p1_the_whole_schedule<C: MatrixClient>() {
    let mut answers = vec![Answer::json(200, &task("1", "submitted"))];
    answers.extend((0..7).map(|_| Answer::json(200, &task("1", "processing"))));
    answers.push(Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")));
    let script = Script::new(answers);
    let (c, _s) = waiting::<C>(&script, &|_| {});
    // A task just created: the first poll after 5 s.
    let done = c.wait("1", WaitOptions::new().after_create()).unwrap();
    assert_eq!(done.task_result.videos.len(), 1);
    let slept = c.slept();
    assert_eq!(slept.len(), 9, "a sleep before each of the 9 polls");
    // 5 s, then each gap x1.5 but at most 9 % of the time waited (never below 1 s, never
    // above 30 s), shortened by up to 10 % of jitter: an end is noticed within
    // max(1 s, 10 % of the run time).
    let (mut nominal, mut waited) = (5.0f64, 0.0f64);
    for (i, d) in slept.iter().enumerate() {
        let d = d.as_secs_f64();
        assert!(
            d >= nominal * 0.9 - 1e-6 && d <= nominal + 1e-6,
            "poll {i}: {d} s, nominal {nominal} s: {slept:?}"
        );
        waited += d;
        nominal = (nominal * 1.5).min(waited * 0.09).clamp(1.0, 30.0);
    }
}

pub fn p1_a_task_of_unknown_age_is_looked_at_at_once<C: MatrixClient>() {
    // A finished task returns without a sleep; a running one is then polled on the schedule.
    let script = Script::new([Answer::json(200, &task_done("1", "https://cdn.test/v.mp4"))]);
    let (c, _s) = waiting::<C>(&script, &|_| {});
    c.wait("1", WaitOptions::new()).unwrap();
    assert!(c.slept().is_empty(), "{:?}", c.slept());
    let script = Script::new([
        Answer::json(200, &task("2", "processing")),
        Answer::json(200, &task_done("2", "https://cdn.test/v.mp4")),
    ]);
    let (c, _s) = waiting::<C>(&script, &|_| {});
    c.wait("2", WaitOptions::new()).unwrap();
    let slept = c.slept();
    assert_eq!(slept.len(), 1, "{slept:?}");
    assert!(slept[0] >= Duration::from_millis(4500), "{slept:?}");
}

pub fn p1_zero_first_delay_is_floored<C: MatrixClient>() {
    // `--poll-interval 0`: the first poll at once, then never less than a second apart (the
    // old schedule stayed at zero: a GET per round trip for 30 minutes).
    let script = Script::new([]).then_always(Answer::json(200, &task("1", "processing")));
    let server = serve_with_limit(&script, 500);
    let c = C::real(&server.url, &|c| c.poll.first_delay = Duration::ZERO);
    let e = c
        .wait("1", WaitOptions::new().max_wait(Duration::from_secs(300)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    let slept = c.slept();
    assert!(
        slept.iter().all(|d| *d >= Duration::from_secs(1)),
        "{slept:?}"
    );
    // At once, then 1 s apart for 10 s, then 10 % of the time waited: about 45 looks.
    let polls = script.count("GET");
    assert!((30..=60).contains(&polls), "{polls} polls in 5 minutes");
}

pub fn p2_failed_task_carries_message_and_request_id<C: MatrixClient>() {
    let failed = r#"{"code":0,"message":"SUCCEED","request_id":"r-fail","data":{"task_id":"1","task_status":"failed","task_status_msg":"Failure to pass the risk control system"}}"#;
    let script = Script::new([Answer::json(200, failed)]);
    let (c, _s) = waiting::<C>(&script, &|_| {});
    let e = c.wait("1", WaitOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TaskFailed);
    assert!(e.to_string().contains("risk control"), "{e}");
    assert_eq!(e.request_id(), Some("r-fail"));
}

pub fn p3_never_terminal_times_out<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(200, &task("1", "processing")));
    let (c, _s) = waiting::<C>(&script, &|_| {});
    let e = c
        .wait(
            "1",
            WaitOptions::new()
                .after_create()
                .max_wait(Duration::from_secs(120)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    let text = e.to_string();
    assert!(
        text.contains("last status: processing") && text.contains('1'),
        "{text}"
    );
    let total: Duration = c.slept().iter().sum();
    assert_eq!(total, Duration::from_secs(120), "to the deadline");
    assert_eq!(
        script.count("GET"),
        c.slept().len(),
        "a poll after every sleep, the last one at the deadline"
    );
}

pub fn p4_failed_polls_in_between<C: MatrixClient>() {
    let script = Script::new([
        Answer::json(200, &task("1", "processing")),
        Answer::json(503, &kling_error(5001)),
        Answer::json(503, &kling_error(5001)),
        Answer::json(200, &task("1", "processing")),
        Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")),
    ]);
    let (c, _s) = waiting::<C>(&script, &|_| {});
    c.wait("1", WaitOptions::new()).unwrap();
}

pub fn p5_ten_failed_polls_end_the_wait<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(503, &kling_error(5001)));
    let (c, _s) = waiting::<C>(&script, &|c| c.retry.max_read_attempts = 1);
    let e = c.wait("1", WaitOptions::new()).unwrap_err();
    assert_eq!(e.http_status(), Some(503), "the last error: {e}");
    assert_eq!(script.count("GET"), 10);
    let total: Duration = c.slept().iter().sum();
    assert!(total < Duration::from_secs(30 * 60), "before the deadline");
}

pub fn p6_succeed_without_results_is_invalid<C: MatrixClient>() {
    let empty = r#"{"code":0,"message":"SUCCEED","data":{"task_id":"1","task_status":"succeed","task_result":{"videos":[]}}}"#;
    let script = Script::new([Answer::json(200, empty)]);
    let (c, _s) = waiting::<C>(&script, &|_| {});
    let e = c.wait("1", WaitOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
}

pub fn p8_cancel_during_a_sleep<C: MatrixClient>() {
    // The real clock and sleep: the wait sleeps 5 s before its first poll; a cancel from
    // another thread wakes it at once, with the task named and nothing sent.
    let script = Script::new([]);
    let server = serve(&script);
    let c = C::real_time(&server.url, &|_| {});
    let cancel = CancelHandle::new();
    let canceller = cancel.clone();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        canceller.cancel();
        let _ = done.send(());
    });
    let e = c
        .wait("7", WaitOptions::new().after_create().cancel(cancel))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(e.to_string().contains("task 7"), "{e}");
    assert!(script.requests().is_empty(), "no request after the cancel");
    // Bounded: the canceller finished (a guard, not a timing assertion).
    finished.recv_timeout(Duration::from_secs(30)).unwrap();
}

pub fn p10_an_unknown_task_fails_after_the_grace<C: MatrixClient>() {
    // Not found at once and through the grace (10 s after the first look): the server's
    // answer is kept (its code and request id); no 30-minute wait.
    let script = Script::new([]).then_always(Answer::json(404, &kling_error(1203)));
    let (c, _s) = waiting::<C>(&script, &|c| c.retry.max_read_attempts = 1);
    let e = c.wait("999", WaitOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(matches!(e, kling_errors::Error::TaskNotFound(_)), "{e:?}");
    assert_eq!(e.request_id(), Some("req-1203"));
    assert!(e.to_string().contains("999"), "{e}");
    let total: Duration = c.slept().iter().sum();
    assert_eq!(total, Duration::from_secs(10), "{:?}", c.slept());
    assert_eq!(
        script.count("GET"),
        3,
        "at once, at 5 s, at the grace's end"
    );
    // Seen once, then not found: the wait ends at once.
    let script = Script::new([
        Answer::json(200, &task("1", "processing")),
        Answer::json(404, &kling_error(1203)),
    ]);
    let (c, _s) = waiting::<C>(&script, &|c| c.retry.max_read_attempts = 1);
    let e = c.wait("1", WaitOptions::new()).unwrap_err();
    assert_eq!(
        e.code(),
        Some(&kling_errors::ErrorCode::Kling(
            kling_errors::KlingCode::ResourceNotFound
        )),
        "{e}"
    );
    assert_eq!(script.count("GET"), 2);
}

pub fn p9_retry_after_on_a_poll<C: MatrixClient>() {
    let script = Script::new([
        Answer::json_with(503, &kling_error(5001), &[("Retry-After", "7")]),
        Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")),
    ]);
    let (c, _s) = waiting::<C>(&script, &|c| c.poll.first_delay = Duration::ZERO);
    c.wait("1", WaitOptions::new()).unwrap();
    assert!(
        c.slept().iter().any(|d| *d >= Duration::from_secs(7)),
        "{:?}",
        c.slept()
    );
}
