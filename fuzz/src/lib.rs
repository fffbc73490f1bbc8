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

#[path = "../../crates/ingest/tests/support/two_step.rs"]
mod two_step;

/// JSON lines read in full and in two steps (as queries read) give the same events and
/// errors.
pub fn two_step_agrees(data: &[u8]) {
    two_step::same_reading(data);
}
