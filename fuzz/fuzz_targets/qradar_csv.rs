#![no_main]
use whoiswatch_ingest::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| whoiswatch_fuzz::parse(data, Some(Format::QradarCsv)));
