//! Fuzz target `jwt`: see `kling_test_support::fuzz::jwt`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::jwt(data));
