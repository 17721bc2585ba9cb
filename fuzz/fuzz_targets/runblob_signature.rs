//! Fuzz target `runblob_signature`: see `kling_test_support::fuzz::runblob_signature`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::runblob_signature(data));
