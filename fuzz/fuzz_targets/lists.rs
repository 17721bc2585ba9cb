//! Fuzz target `lists`: see `kling_test_support::fuzz::lists`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::lists(data));
