//! Fuzz target `legacy_task`: see `kling_test_support::fuzz::legacy_task`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::legacy_task(data));
