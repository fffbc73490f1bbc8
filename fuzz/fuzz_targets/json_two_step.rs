#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whoiswatch_fuzz::two_step_agrees(data));
