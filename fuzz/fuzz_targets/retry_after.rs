//! Fuzz target `retry_after`: see `kling_test_support::fuzz::retry_after`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::retry_after(data));
