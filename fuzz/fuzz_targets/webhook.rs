//! Fuzz target `webhook`: see `kling_test_support::fuzz::webhook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::webhook(data));
