#![no_main]
use libfuzzer_sys::fuzz_target;

// EVTX files (a 4 KiB header, then 64 KiB chunks): the chunk reader, the record walk and
// the BinXML templates, programs and tree walk.
fuzz_target!(|data: &[u8]| whoiswatch_fuzz::parse(data, Some(whoiswatch_ingest::Format::Evtx)));
