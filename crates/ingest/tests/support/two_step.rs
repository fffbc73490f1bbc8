//! Reading JSON in full and in two steps, compared: shared by
//! `tests/two_step_reading.rs` and the `json_two_step` fuzz target (which includes this
//! file by path).

use std::sync::Arc;

use whoiswatch_event::{Event, FieldId, Value};
use whoiswatch_ingest::{read_reader, Consumer, EventFilter, Format, Options, ParseError};

/// Port 43 or nothing, reading the fields the seed query reads.
#[derive(Debug)]
struct Port43;

const READS: &[FieldId] = &[
    FieldId::StartTime,
    FieldId::DeviceTime,
    FieldId::DestinationPort,
    FieldId::DestinationHostname,
    FieldId::DeviceType,
    FieldId::LogSourceTypeName,
];

impl EventFilter for Port43 {
    fn reads(&self) -> &[FieldId] {
        READS
    }

    fn wants(&self, partial: &Event) -> bool {
        partial.get(FieldId::DestinationPort) == Some(&Value::Integer(43))
    }
}

#[derive(Default)]
struct Collect {
    /// Each event, and whether it came as rejected.
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

fn read(text: &[u8], filter: Option<Arc<dyn EventFilter>>) -> Collect {
    let options = Options {
        format: Some(Format::Json),
        threads: 1,
        filter,
        ..Options::default()
    };
    let mut collect = Collect::default();
    read_reader("lines.json", Box::new(text), &options, &mut collect);
    collect
}

/// Reads `text` as JSON lines in full and in two steps and asserts they agree: the same
/// errors and events, rejected events equal to the full ones in the fields read.
/// Returns how many events came rejected.
pub fn same_reading(text: &[u8]) -> usize {
    let full = read(text, None);
    let two_step = read(text, Some(Arc::new(Port43)));
    assert_eq!(full.errors, two_step.errors);
    assert_eq!(full.events.len(), two_step.events.len());
    let mut rejected = 0;
    for ((whole, _), (event, was_rejected)) in full.events.iter().zip(&two_step.events) {
        assert_eq!(whole.origin, event.origin);
        assert_eq!(whole.source_type.name, event.source_type.name, "{whole:?}");
        if *was_rejected {
            rejected += 1;
            assert!(
                !Port43.wants(whole),
                "rejected, yet wanted in full: {whole:?}"
            );
            for id in READS {
                assert_eq!(whole.get(*id), event.get(*id), "{id:?} of {whole:?}");
            }
        } else {
            assert_eq!(format!("{whole:?}"), format!("{event:?}"));
        }
    }
    rejected
}
