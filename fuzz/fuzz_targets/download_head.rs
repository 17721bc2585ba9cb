//! Fuzz target `download_head`: see `kling_test_support::fuzz::download_head`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::download_head(data));
