//! Fuzz target `content_range`: see `kling_test_support::fuzz::content_range`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::content_range(data));
