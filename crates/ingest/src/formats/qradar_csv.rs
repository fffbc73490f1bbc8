//! QRadar CSV exports: a header row of QRadar column names (`sourceip`, `Log Source`,
//! `Start Time` …) resolved through the registry, then one event per row.

use std::io::BufRead;

use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Position, Value};

use crate::coerce::{coerce, derive_common};
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::options::Options;

pub(crate) const FORMAT: &str = "qradar-csv";

/// Header names that mark a QRadar export.
pub(crate) fn looks_like_header(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    line.contains(',')
        && [
            "sourceip",
            "destinationip",
            "source ip",
            "destination ip",
            "log source",
            "logsourceid",
            "qid",
            "event name",
            "devicetime",
            "starttime",
            "start time",
        ]
        .iter()
        .any(|name| lower.contains(name))
}

pub(crate) fn parse(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let headers: Vec<String> = match csv.headers() {
        Ok(headers) => headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(e) => {
            return emit.error(
                Position::Line(1),
                ErrorKind::BadField,
                format!("CSV header: {e}"),
            )
        }
    };
    let resolved: Vec<Option<FieldId>> = headers
        .iter()
        .map(|h| whoiswatch_event::registry::lookup(h))
        .collect();
    // A consumer's filter may see rows typed only in the columns it reads (not when the
    // payload is read, or rows may be PowerShell script block parts to join).
    let filter = emit.filter().cloned().filter(|f| {
        !f.reads().contains(&FieldId::Payload) && !resolved.contains(&Some(FieldId::ScriptBlockId))
    });
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                emit.error(
                    Position::Line(line),
                    ErrorKind::BadField,
                    format!("CSV: {e}"),
                )?;
                continue;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let length: usize = record.iter().map(|f| f.len() + 1).sum();
        emit.add_bytes(length as u64);
        if length > options.max_record_bytes {
            emit.error(
                Position::Line(line),
                ErrorKind::TooLong,
                format!("row of {length} bytes"),
            )?;
            continue;
        }
        if record.len() != headers.len() {
            emit.error(
                Position::Line(line),
                ErrorKind::HeaderMismatch,
                format!(
                    "row has {} columns, the header {}",
                    record.len(),
                    headers.len()
                ),
            )?;
            continue;
        }
        let origin = emit.origin(Position::Line(line));
        if let Some(filter) = &filter {
            let mut partial = Event::new(
                &LogSourceType::QRADAR_EXPORT,
                Category::default(),
                origin.clone(),
            );
            for (id, value) in resolved.iter().zip(record.iter()) {
                match id {
                    Some(id @ (FieldId::Protocol | FieldId::ProtocolId)) if !value.is_empty() => {
                        partial.set(*id, coerce(*id, value))
                    }
                    Some(id) if !value.is_empty() && filter.reads().contains(id) => {
                        partial.set(*id, coerce(*id, value))
                    }
                    _ => {}
                }
            }
            derive_common(&mut partial);
            if !filter.wants(&partial) {
                emit.rejected(FORMAT, partial);
                continue;
            }
        }
        let mut event = Event::new(&LogSourceType::QRADAR_EXPORT, Category::default(), origin);
        for ((name, id), value) in headers.iter().zip(&resolved).zip(record.iter()) {
            if value.is_empty() {
                continue;
            }
            match id {
                Some(id) => event.set(*id, coerce(*id, value)),
                None => event.push_extra(name.clone(), Value::text(value)),
            }
        }
        derive_common(&mut event);
        event.set(
            FieldId::Payload,
            Value::text(record.iter().collect::<Vec<_>>().join(",")),
        );
        emit.event(FORMAT, event);
    }
}
