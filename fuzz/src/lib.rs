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

/// Reads in two steps, as queries do: accepts events whose destination port is 43.
#[derive(Debug)]
struct Port43;

const READS: &[whoiswatch_event::FieldId] = &[
    whoiswatch_event::FieldId::StartTime,
    whoiswatch_event::FieldId::DeviceTime,
    whoiswatch_event::FieldId::DestinationPort,
    whoiswatch_event::FieldId::DestinationHostname,
    whoiswatch_event::FieldId::DeviceType,
];

impl whoiswatch_ingest::EventFilter for Port43 {
    fn reads(&self) -> &[whoiswatch_event::FieldId] {
        READS
    }
    fn wants(&self, partial: &Event) -> bool {
        partial.get(whoiswatch_event::FieldId::DestinationPort)
            == Some(&whoiswatch_event::Value::Integer(43))
    }
}

#[derive(Default)]
struct Collect {
    events: Vec<(Event, bool)>,
    errors: Vec<String>,
}

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.events.push((event, false));
    }
    fn rejected(&mut self, event: Event) {
        self.events.push((event, true));
    }
    fn error(&mut self, error: &ParseError) {
        self.errors.push(error.to_string());
    }
}

/// JSON lines read in full and in two steps give the same events and errors; events
/// rejected on the few fields equal the full ones in those fields.
pub fn two_step_agrees(data: &[u8]) {
    let read = |filter: Option<std::sync::Arc<dyn whoiswatch_ingest::EventFilter>>| {
        let options = Options {
            format: Some(Format::Json),
            threads: 1,
            max_record_bytes: 1 << 20,
            filter,
            ..Options::default()
        };
        let mut collect = Collect::default();
        read_reader("fuzz", Box::new(data), &options, &mut collect);
        collect
    };
    let full = read(None);
    let two_step = read(Some(std::sync::Arc::new(Port43)));
    assert_eq!(full.errors, two_step.errors);
    assert_eq!(full.events.len(), two_step.events.len());
    for ((whole, _), (event, rejected)) in full.events.iter().zip(&two_step.events) {
        if *rejected {
            for id in READS {
                assert_eq!(whole.get(*id), event.get(*id), "{id:?}");
            }
        } else {
            assert_eq!(format!("{whole:?}"), format!("{event:?}"));
        }
    }
}
