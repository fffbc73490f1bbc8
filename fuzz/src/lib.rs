//! Shared driver of the fuzz targets: feed bytes through the ingest front door, with or
//! without a forced format, and check the one invariant that matters — it returns.

use whoiswatch_event::Event;
use whoiswatch_ingest::{read_reader, Consumer, Format, Options, ParseError};

struct Discard;

impl Consumer for Discard {
    fn event(&mut self, _event: Event) {}
    fn error(&mut self, _error: &ParseError) {}
}

pub fn parse(data: &[u8], format: Option<Format>) {
    let options = Options {
        format,
        threads: 1,
        max_record_bytes: 1 << 20,
        ..Options::default()
    };
    let (_summaries, _stop) = read_reader("fuzz", Box::new(data), &options, &mut Discard);
}
