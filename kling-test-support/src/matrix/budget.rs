//! 7.9 Deadlines and budgets (B1-B3; B4, the wire format, is pinned by each client's
//! request-sequence snapshot and kling-types' snapshots), and settings at their extremes.

use std::time::Duration;

use kling_core::{Config, WaitOptions};

use super::{MatrixClient, create_request};
use crate::{Answer, Script, kling_error, serve, task, task_done};

pub fn b1_deadline_bounds_sleeps_and_timeouts<C: MatrixClient>() {
    // Retry-After 50 s, again and again: the call stops before its 120 s budget, and every
    // attempt's timeout fits in what is left of it.
    let script = Script::new([]).then_always(Answer::json_with(
        503,
        &kling_error(5001),
        &[("Retry-After", "50")],
    ));
    let c = C::over(&script, &|c| {
        c.retry.max_read_attempts = 100;
        c.request_timeout = Duration::from_secs(60);
    });
    let e = c.get("1").unwrap_err();
    assert_eq!(e.http_status(), Some(503));
    let slept: Duration = c.slept().iter().sum();
    assert!(slept <= Duration::from_secs(120), "{slept:?}");
    let requests = script.requests();
    assert_eq!(
        requests.len(),
        3,
        "0 s, 50 s, 100 s; 150 s is past the budget"
    );
    let mut elapsed = Duration::ZERO;
    for (i, r) in requests.iter().enumerate() {
        let timeout = r.timeout.unwrap();
        assert!(
            timeout
                <= Duration::from_secs(120)
                    .saturating_sub(elapsed)
                    .max(Duration::from_secs(1)),
            "attempt {i}: timeout {timeout:?} after {elapsed:?}"
        );
        elapsed += c.slept().get(i).copied().unwrap_or_default();
    }
    assert_eq!(
        requests[2].timeout,
        Some(Duration::from_secs(20)),
        "the last attempt's timeout shrunk to what was left"
    );
}

pub fn b2_backoff_bounds<C: MatrixClient>() {
    let script = Script::new([]).then_always(Answer::json(503, &kling_error(5001)));
    let c = C::over(&script, &|c| c.retry.max_read_attempts = 8);
    let _ = c.get("1");
    let slept = c.slept();
    assert_eq!(slept.len(), 7);
    let backoff = Config::default().retry.transient;
    for (n, d) in slept.iter().enumerate() {
        let nominal = backoff.delay(u32::try_from(n).unwrap() + 1, 1.0);
        assert!(*d <= backoff.cap && *d <= nominal, "{n}: {d:?}");
        assert!(*d >= nominal.mul_f64(backoff.jitter_min), "{n}: {d:?}");
    }
}

pub fn b3_seeded_jitter<C: MatrixClient>() {
    // The matrix's clients share one seed: the same failures give the same delays.
    let run = || {
        let script = Script::new([
            Answer::json(503, &kling_error(5001)),
            Answer::json(429, &kling_error(1302)),
            Answer::json(200, &task("1", "processing")),
        ]);
        let c = C::over(&script, &|_| {});
        c.get("1").unwrap();
        c.slept()
    };
    assert_eq!(run(), run());
}

pub fn b6_extreme_settings_never_panic<C: MatrixClient>() {
    // Every duration at its maximum, growth absurd, a wait of "forever": nothing overflows.
    let script = Script::new([
        Answer::json(503, &kling_error(5001)),
        Answer::json(200, &task("1", "submitted")),
        Answer::json(200, &task("1", "processing")),
        Answer::json(200, &task_done("1", "https://cdn.test/v.mp4")),
    ]);
    let server = serve(&script);
    let c = C::real(&server.url, &|c| {
        c.request_timeout = Duration::MAX;
        c.create_timeout = Duration::MAX;
        c.retry.operation_deadline = Duration::MAX;
        c.retry.max_retry_after = Duration::MAX;
        c.retry.transient.cap = Duration::MAX;
        c.retry.transient.factor = f64::MAX;
        c.poll.first_delay = Duration::MAX;
        c.poll.cap = Duration::MAX;
        c.poll.factor = f64::INFINITY;
        c.poll.jitter = f64::NAN;
        c.poll.max_wait = Duration::MAX;
        c.download.timeout = Duration::MAX;
    });
    let created = c.create(create_request()).unwrap();
    assert!(
        created.reconciled,
        "the 503 on the create was settled by a lookup"
    );
    let done = c
        .wait("1", WaitOptions::new().max_wait(Duration::MAX))
        .unwrap();
    assert_eq!(done.task_status.as_str(), "succeed");
    assert!(c.slept().iter().all(|d| *d <= Config::LONGEST));
}
