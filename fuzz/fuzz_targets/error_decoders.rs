//! Fuzz target `error_decoders`: see `kling_test_support::fuzz::error_decoders`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::error_decoders(data));
