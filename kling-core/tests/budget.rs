//! Deadlines, budgets and jitter as properties of the engine (`reliability.md` B1-B3): any
//! sequence of failures fed to a call keeps its sleeps and attempt timeouts inside the
//! operation deadline; backoff delays stay in bounds; seeded jitter is reproducible.

use std::sync::Arc;
use std::time::Duration;

use kling_auth::{Authenticator, Credentials};
use kling_core::time::{Clock, FastRng, ManualClock, Rng};
use kling_core::{Backoff, Call, Config, Engine, Machine, Step};
use kling_errors::{Operation, TransportError, TransportFailure, TransportPhase};
use kling_test_support::{kling_error, t0};
use kling_types::videos::GetText2VideoTask;
use proptest::prelude::*;

fn engine(rng: Arc<dyn Rng>) -> Engine {
    Engine::new(
        Config::with_base_url("https://api.test"),
        Authenticator::new(Credentials::access_key("AKtest0123456789", "SKtest").unwrap()),
        rng,
    )
}

/// One failed attempt, as a server or a network would give it.
fn outcome(kind: u8, retry_after: u8) -> Result<kling_core::HttpResponse, TransportError> {
    let with = |status: u16, code: i64| {
        let mut r = kling_core::HttpResponse::json(status, kling_error(code));
        if retry_after.is_multiple_of(3) {
            r.headers
                .push("Retry-After", &(retry_after / 3).to_string());
        }
        Ok(r)
    };
    match kind % 5 {
        0 => with(503, 5001),
        1 => with(429, 1302),
        2 => with(500, 5000),
        3 => Err(TransportError::new(
            TransportFailure::Timeout,
            TransportPhase::AfterSend,
            Operation::Read,
            "timeout",
        )),
        _ => with(504, 5002),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// B1: whatever fails and whatever `Retry-After` asks, the call ends inside its budget,
    /// and no attempt is given more time than is left (but for the one-second floor).
    #[test]
    fn b1_sleeps_and_timeouts_stay_inside_the_deadline(
        failures in proptest::collection::vec((any::<u8>(), any::<u8>()), 1..40),
        seed in any::<u64>(),
        max_attempts in 1u32..30,
    ) {
        let mut config = Config::with_base_url("https://api.test");
        config.retry.max_read_attempts = max_attempts;
        let engine = Engine::new(
            config,
            Authenticator::new(Credentials::access_key("AKtest0123456789", "SKtest").unwrap()),
            Arc::new(FastRng::seeded(seed)),
        );
        let deadline = engine.config().retry.operation_deadline;
        let clock = ManualClock::new(t0());
        let mut call: Call<kling_types::Task> =
            Call::of(&engine, &GetText2VideoTask::by_task_id("1")).unwrap();
        let mut slept = Duration::ZERO;
        let mut next = failures.iter().cycle();
        let mut attempts = 0u32;
        loop {
            match call.step(clock.now()) {
                Step::Send(request) => {
                    attempts += 1;
                    let timeout = request.timeout.unwrap();
                    prop_assert!(
                        slept + timeout <= deadline + Duration::from_secs(1),
                        "attempt {attempts}: {timeout:?} after {slept:?}"
                    );
                    let (kind, retry_after) = next.next().unwrap();
                    call.on_response(outcome(*kind, *retry_after), clock.now());
                }
                Step::Sleep(d) => {
                    slept += d;
                    clock.advance(d);
                }
                Step::Done(_) => prop_assert!(false, "every answer failed"),
                Step::Failed(_) => break,
                _ => prop_assert!(false, "unknown step"),
            }
        }
        prop_assert!(slept <= deadline, "slept {slept:?}");
        prop_assert!(attempts <= max_attempts);
    }

    /// B2: every delay is in `[0, cap]`, and the nominal delay (jitter at its top) never
    /// shrinks from one retry to the next.
    #[test]
    fn b2_backoff_delays_are_bounded_and_grow(
        base_ms in 0u64..100_000,
        factor in 0.5f64..10.0,
        cap_ms in 0u64..1_000_000,
        n in 1u32..200,
        u in 0.0f64..1.0,
    ) {
        let b = Backoff::new(
            Duration::from_millis(base_ms),
            factor,
            Duration::from_millis(cap_ms),
        );
        let d = b.delay(n, u);
        prop_assert!(d <= b.cap, "{d:?}");
        if factor >= 1.0 {
            prop_assert!(b.delay(n + 1, 1.0) >= b.delay(n, 1.0));
        }
    }
}

/// A random source that always says `value`.
struct Stub(f64);

impl Rng for Stub {
    fn next_u64(&self) -> u64 {
        0
    }
    fn next_f64(&self) -> f64 {
        self.0
    }
}

#[test]
fn b3_jitter_bounds_and_seeded_reproducibility() {
    let b = Config::default().retry.throttle;
    // Equal jitter: the lowest draw waits half the delay, the highest all of it.
    assert_eq!(b.delay(1, Stub(0.0).next_f64()), Duration::from_millis(500));
    assert_eq!(b.delay(1, Stub(0.5).next_f64()), Duration::from_millis(750));
    assert_eq!(
        b.delay(1, Stub(1.0).next_f64()),
        Duration::from_secs(1),
        "the top of the range"
    );
    let draws = |seed| {
        let rng = FastRng::seeded(seed);
        (0..8).map(|_| rng.next_f64()).collect::<Vec<_>>()
    };
    assert_eq!(draws(7), draws(7), "one seed, one sequence");
    assert_ne!(draws(7), draws(8));
    let e = engine(Arc::new(Stub(0.0)));
    assert_eq!(
        e.rng().next_f64(),
        0.0,
        "the engine draws from what it was given"
    );
}
