//! Windows EVTX files, through the `evtx` crate. Records are rendered to JSON and
//! normalized on the crate's worker threads; a chunk or record the crate rejects is
//! reported with the crate's reason and reading goes on.

use std::fs::File;
use std::sync::Arc;

use evtx::{EvtxParser, ParserSettings};
use whoiswatch_event::{Event, Origin, Position};

use super::normalize;
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::formats::json::{tree, windows_record_from_evtx_json};

pub(crate) const FORMAT: &str = "evtx";

/// Where the EVTX bytes are.
pub(crate) enum EvtxSource {
    File(File),
    Buffer(Vec<u8>),
}

enum Outcome {
    Event(Box<Event>),
    Bad(u64, String),
}

fn convert(record_id: u64, json: &[u8], file: &Arc<str>) -> Outcome {
    let text = match std::str::from_utf8(json) {
        Ok(text) => text,
        Err(e) => return Outcome::Bad(record_id, format!("rendered record is not UTF-8: {e}")),
    };
    let value = match tree::parse(text) {
        Ok(value) => value,
        Err(e) => return Outcome::Bad(record_id, format!("rendered record is not JSON: {e}")),
    };
    let Some(record) = windows_record_from_evtx_json(&value) else {
        return Outcome::Bad(record_id, "record has no Event/System element".into());
    };
    let linux = record.provider.as_deref() == Some("Linux-Sysmon");
    let origin = Origin {
        file: file.clone(),
        position: Position::Record(record_id),
    };
    Outcome::Event(Box::new(normalize(&record, linux, origin, text)))
}

pub(crate) fn parse(
    source: EvtxSource,
    emit: &mut Emitter<'_>,
    threads: usize,
) -> Result<(), Stop> {
    let settings = ParserSettings::new().num_threads(threads.max(1));
    match source {
        EvtxSource::File(file) => match EvtxParser::from_read_seek(file) {
            Ok(parser) => read_records(parser.with_configuration(settings), emit),
            Err(e) => emit.error(
                Position::Record(0),
                ErrorKind::EvtxRecord,
                format!("not a readable EVTX file: {e}"),
            ),
        },
        EvtxSource::Buffer(buffer) => {
            emit.add_bytes(buffer.len() as u64);
            match EvtxParser::from_buffer(buffer) {
                Ok(parser) => read_records(parser.with_configuration(settings), emit),
                Err(e) => emit.error(
                    Position::Record(0),
                    ErrorKind::EvtxRecord,
                    format!("not a readable EVTX file: {e}"),
                ),
            }
        }
    }
}

fn read_records<T: std::io::Read + std::io::Seek>(
    mut parser: EvtxParser<T>,
    emit: &mut Emitter<'_>,
) -> Result<(), Stop> {
    let file = emit.file().clone();
    let mut last_record = 0;
    let records = parser.serialized_records(move |record| {
        let record = record?;
        let id = record.event_record_id;
        let rendered = record.into_json_bytes()?;
        Ok(convert(id, &rendered.data, &file))
    });
    for outcome in records {
        match outcome {
            Ok(Outcome::Event(event)) => {
                if let Position::Record(id) = event.origin.position {
                    last_record = id;
                }
                emit.event(FORMAT, *event);
            }
            Ok(Outcome::Bad(id, reason)) => {
                emit.error(Position::Record(id), ErrorKind::EvtxRecord, reason)?
            }
            Err(e) => {
                let mut reason = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(inner) = source {
                    reason.push_str(": ");
                    reason.push_str(&inner.to_string());
                    source = inner.source();
                }
                emit.error(
                    Position::Record(last_record + 1),
                    ErrorKind::EvtxRecord,
                    format!("after record {last_record}: {reason}"),
                )?
            }
        }
    }
    Ok(())
}
