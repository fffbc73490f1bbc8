#![no_main]
use libfuzzer_sys::fuzz_target;
use whoiswatch_ingest::Format;

fuzz_target!(|data: &[u8]| whoiswatch_fuzz::parse(data, Some(Format::Auditd)));
