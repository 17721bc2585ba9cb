//! The cost of an auth header: a cached token (the hot path of every request) and a fresh
//! mint, each beside a raw baseline measured in the same run (an `Arc<str>` clone under a read
//! lock; one HMAC-SHA256 of a token-sized input).
//!
//! Run with `cargo xtask bench` or `cargo bench -p kling-auth`.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use divan::{Bencher, black_box};
use hmac::{Hmac, Mac};
use kling_auth::{AccessKeyPair, Authenticator, Credentials, mint};
use sha2::Sha256;

fn main() {
    divan::main();
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_781_080_000)
}

/// The hot path: a cached token, shared through an `Arc`.
#[divan::bench]
fn cached_header(bencher: Bencher<'_, '_>) {
    let auth = Authenticator::new(
        Credentials::access_key("AKbenchmark000001", "SKbenchmark-secret").unwrap(),
    );
    auth.header(now()).unwrap();
    bencher.bench(|| auth.header(black_box(now())).unwrap());
}

/// Baseline for the hot path: clone an `Arc<str>` out of a read lock.
#[divan::bench]
fn cached_header_baseline(bencher: Bencher<'_, '_>) {
    let slot: RwLock<Option<Arc<str>>> =
        RwLock::new(Some(Arc::from("Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig")));
    bencher.bench(|| black_box(&slot).read().unwrap().clone());
}

/// A fresh HS256 mint (what a client without a cache pays per request).
#[divan::bench]
fn fresh_mint(bencher: Bencher<'_, '_>) {
    let pair = AccessKeyPair::new("AKbenchmark000001", "SKbenchmark-secret").unwrap();
    bencher.bench(|| mint(black_box(&pair), black_box(now())).unwrap());
}

/// Baseline for the mint: one HMAC-SHA256 over a token-sized input.
#[divan::bench]
fn fresh_mint_baseline(bencher: Bencher<'_, '_>) {
    let input = [b'x'; 110];
    bencher.bench(|| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"SKbenchmark-secret").unwrap();
        mac.update(black_box(&input));
        mac.finalize().into_bytes()
    });
}
