//! Fuzz target `runblob_generation`: see `kling_test_support::fuzz::runblob_generation`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kling_test_support::fuzz::runblob_generation(data));
