//! Windows EVTX files. The `evtx` crate reads the file header and the chunks; each chunk's
//! records are found (`evtx_records`) and read straight from their BinXML (`binxml`), the
//! payload being the event's XML as Windows shows it. A chunk with a record in a shape
//! those readers do not handle is left to the crate: it renders each record to JSON, which
//! is read back. Several threads share a file's chunks in batches, in order; a chunk or
//! record the crate rejects is reported with the crate's reason and reading goes on.

use std::fs::File;
use std::sync::Arc;

use evtx::err::EvtxError;
use evtx::{EvtxChunkData, EvtxParser, ParserSettings};
use whoiswatch_event::{Event, Origin, Position};

use super::binxml::{read_record, Chunk};
use super::evtx_records::live_records;
use super::normalize;
use super::record::WinRecord;
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
    event(record_id, &record, text, file)
}

fn event(record_id: u64, record: &WinRecord<'_>, payload: &str, file: &Arc<str>) -> Outcome {
    let linux = record.provider.as_deref() == Some("Linux-Sysmon");
    let origin = Origin {
        file: file.clone(),
        position: Position::Record(record_id),
    };
    Outcome::Event(Box::new(normalize(record, linux, origin, payload)))
}

pub(crate) fn parse(
    source: EvtxSource,
    emit: &mut Emitter<'_>,
    threads: usize,
) -> Result<(), Stop> {
    let threads = threads.max(1);
    let settings = ParserSettings::new().num_threads(1);
    match source {
        EvtxSource::File(file) => match EvtxParser::from_read_seek(file) {
            Ok(parser) => read_chunks(parser.with_configuration(settings), emit, threads),
            Err(e) => emit.error(
                Position::Record(0),
                ErrorKind::EvtxRecord,
                format!("not a readable EVTX file: {e}"),
            ),
        },
        EvtxSource::Buffer(buffer) => {
            emit.add_bytes(buffer.len() as u64);
            match EvtxParser::from_buffer(buffer) {
                Ok(parser) => read_chunks(parser.with_configuration(settings), emit, threads),
                Err(e) => emit.error(
                    Position::Record(0),
                    ErrorKind::EvtxRecord,
                    format!("not a readable EVTX file: {e}"),
                ),
            }
        }
    }
}

/// Chunks read at a time when several threads share them.
const CHUNKS_PER_THREAD: usize = 8;

fn read_chunks<T: std::io::Read + std::io::Seek>(
    mut parser: EvtxParser<T>,
    emit: &mut Emitter<'_>,
    threads: usize,
) -> Result<(), Stop> {
    let file = emit.file().clone();
    let settings = Arc::new(ParserSettings::new().num_threads(1));
    let mut last_record = 0;
    let mut chunks = parser.chunks().enumerate();
    loop {
        let batch: Vec<_> = chunks
            .by_ref()
            .take(threads * CHUNKS_PER_THREAD)
            .collect();
        if batch.is_empty() {
            return Ok(());
        }
        let outcomes: Vec<Vec<Result<Outcome, EvtxError>>> = if threads == 1 {
            batch
                .into_iter()
                .map(|(number, chunk)| read_chunk(number, chunk, &settings, &file))
                .collect()
        } else {
            // Contiguous shares of the batch, one per thread, joined in order.
            let share = batch.len().div_ceil(threads);
            let mut batch = batch;
            let mut shares = Vec::new();
            while !batch.is_empty() {
                let rest = batch.split_off(share.min(batch.len()));
                shares.push(std::mem::replace(&mut batch, rest));
            }
            std::thread::scope(|scope| {
                let workers: Vec<_> = shares
                    .into_iter()
                    .map(|share| {
                        let (settings, file) = (&settings, &file);
                        scope.spawn(move || {
                            share
                                .into_iter()
                                .map(|(number, chunk)| read_chunk(number, chunk, settings, file))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|worker| match worker.join() {
                        Ok(outcomes) => outcomes,
                        Err(panic) => std::panic::resume_unwind(panic),
                    })
                    .collect()
            })
        };
        for outcome in outcomes.into_iter().flatten() {
            report(outcome, emit, &mut last_record)?;
        }
    }
}

/// The records of one chunk: read from their BinXML where every record allows it, else
/// by the `evtx` crate (rendered to JSON).
fn read_chunk(
    number: usize,
    chunk: evtx::err::Result<EvtxChunkData>,
    settings: &Arc<ParserSettings>,
    file: &Arc<str>,
) -> Vec<Result<Outcome, EvtxError>> {
    let mut chunk = match chunk {
        Ok(chunk) => chunk,
        Err(e) => return vec![Err(e)],
    };
    let view = Chunk {
        data: &chunk.data,
        header: &chunk.header,
    };
    let fast = live_records(view).and_then(|records| {
        records
            .into_iter()
            .map(|r| read_record(view, r.binxml, |record, xml| Ok(event(r.id, record, xml, file))))
            .collect::<Option<Vec<_>>>()
    });
    if let Some(outcomes) = fast {
        return outcomes;
    }
    match chunk.parse(settings.clone()) {
        Err(e) => vec![Err(EvtxError::FailedToParseChunk {
            chunk_id: number as u64,
            source: Box::new(e),
        })],
        Ok(mut parsed) => parsed
            .iter()
            .map(|record| {
                let record = record?;
                let id = record.event_record_id;
                let rendered = record.into_json_bytes()?;
                Ok(convert(id, &rendered.data, file))
            })
            .collect(),
    }
}

fn report(
    outcome: Result<Outcome, EvtxError>,
    emit: &mut Emitter<'_>,
    last_record: &mut u64,
) -> Result<(), Stop> {
    match outcome {
        Ok(Outcome::Event(event)) => {
            if let Position::Record(id) = event.origin.position {
                *last_record = id;
            }
            emit.event(FORMAT, *event);
            Ok(())
        }
        Ok(Outcome::Bad(id, reason)) => {
            emit.error(Position::Record(id), ErrorKind::EvtxRecord, reason)
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
                Position::Record(*last_record + 1),
                ErrorKind::EvtxRecord,
                format!("after record {last_record}: {reason}"),
            )
        }
    }
}
