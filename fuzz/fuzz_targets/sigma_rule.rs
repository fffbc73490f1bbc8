#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whoiswatch_fuzz::sigma_paths_agree(data));
