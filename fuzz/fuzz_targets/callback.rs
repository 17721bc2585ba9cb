//! Fuzz target `callback`: see `kling_test_support::fuzz::callback`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::callback(data));
