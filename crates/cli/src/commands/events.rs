//! `whoiswatch events`: parse and normalize, print the events, summarize on stderr.

use std::io::Write;
use std::sync::Mutex;

use whoiswatch_event::{registry, Event, FieldName};
use whoiswatch_ingest::{Consumer, ParseError};
use whoiswatch_output::{event_to_json, Table};

use super::input::{exit_code, inputs, options, ErrorPrinter};
use crate::args::{EventsArgs, EventsOutput};

const DEFAULT_TABLE_FIELDS: &[&str] = &[
    "devicetime",
    "logsourcetypename",
    "hostname",
    "eventid",
    "username",
    "sourceip",
    "destinationip",
    "destinationport",
    "destinationhostname",
    "dnsquery",
    "image",
    "commandline",
];
const FLUSH_BYTES: usize = 64 * 1024;
/// Rows a table holds before the rest are only counted.
const MAX_TABLE_ROWS: usize = 100_000;

/// Where workers' output meets: stdout behind a lock, and the JSON array's comma state.
struct Shared {
    first: bool,
}

struct EventsConsumer<'a> {
    output: EventsOutput,
    fields: Option<&'a [(String, FieldName)]>,
    payload: bool,
    buffer: Vec<u8>,
    shared: &'a Mutex<Shared>,
    rows: Vec<Vec<String>>,
    dropped_rows: u64,
    errors: ErrorPrinter,
    table_fields: &'a [(String, FieldName)],
}

impl EventsConsumer<'_> {
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let _shared = self.shared.lock().expect("writer lock");
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) ends output quietly; the summary still prints.
        let _ = stdout.write_all(&self.buffer);
        self.buffer.clear();
    }
}

impl Consumer for EventsConsumer<'_> {
    fn event(&mut self, event: Event) {
        match self.output {
            EventsOutput::None => {}
            EventsOutput::Ndjson => {
                let json = event_to_json(&event, self.fields, self.payload);
                let _ = serde_json::to_writer(&mut self.buffer, &json);
                self.buffer.push(b'\n');
            }
            EventsOutput::Json => {
                let json = event_to_json(&event, self.fields, self.payload);
                let mut shared = self.shared.lock().expect("writer lock");
                let mut stdout = std::io::stdout().lock();
                let _ = stdout.write_all(if shared.first { b"[\n" } else { b",\n" });
                shared.first = false;
                let _ = serde_json::to_writer(&mut stdout, &json);
            }
            EventsOutput::Table => {
                if self.rows.len() >= MAX_TABLE_ROWS {
                    self.dropped_rows += 1;
                    return;
                }
                let row = self
                    .table_fields
                    .iter()
                    .map(|(_, name)| event.value(name).map(|v| v.to_string()).unwrap_or_default())
                    .collect();
                self.rows.push(row);
            }
        }
        if self.buffer.len() >= FLUSH_BYTES {
            self.flush();
        }
    }

    fn error(&mut self, error: &ParseError) {
        self.errors.print(error);
    }
}

fn resolve_fields(names: &[String]) -> Vec<(String, FieldName)> {
    names
        .iter()
        .map(|n| (n.clone(), registry::resolve(n)))
        .collect()
}

pub fn run(args: &EventsArgs) -> anyhow::Result<u8> {
    let options = options(&args.input.read)?;
    let (inputs, listing_failed) = inputs(&args.input.paths);
    let chosen = resolve_fields(&args.fields);
    let default_table: Vec<String> = DEFAULT_TABLE_FIELDS.iter().map(|s| s.to_string()).collect();
    let table_fields = if chosen.is_empty() {
        resolve_fields(&default_table)
    } else {
        chosen.clone()
    };
    let fields = (!chosen.is_empty()).then_some(chosen.as_slice());
    let shared = Mutex::new(Shared { first: true });
    let (summary, consumers) = whoiswatch_ingest::read_all(&inputs, &options, || EventsConsumer {
        output: args.output,
        fields,
        payload: args.payload,
        buffer: Vec::with_capacity(FLUSH_BYTES * 2),
        shared: &shared,
        rows: Vec::new(),
        dropped_rows: 0,
        errors: ErrorPrinter::new(args.input.read.quiet),
        table_fields: &table_fields,
    });
    let mut table = Table::new(
        table_fields
            .iter()
            .map(|(label, _)| label.clone())
            .collect(),
    );
    let mut dropped = 0;
    for mut consumer in consumers {
        consumer.flush();
        dropped += consumer.dropped_rows;
        for row in std::mem::take(&mut consumer.rows) {
            table.push(row);
        }
    }
    let mut stdout = std::io::stdout().lock();
    match args.output {
        EventsOutput::Json => {
            let first = shared.lock().expect("writer lock").first;
            let _ = stdout.write_all(if first { b"[]\n" } else { b"\n]\n" });
        }
        EventsOutput::Table => {
            let _ = table.write(&mut stdout);
            if dropped > 0 {
                eprintln!(
                    "table shows the first {MAX_TABLE_ROWS} events; {dropped} more were read"
                );
            }
        }
        _ => {}
    }
    let _ = stdout.flush();
    crate::summary::print(&summary);
    Ok(exit_code(&summary, listing_failed))
}
