//! Fuzz target `standard_task`: see `kling_test_support::fuzz::standard_task`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::standard_task(data));
