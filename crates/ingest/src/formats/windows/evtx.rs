//! Windows EVTX files. The chunks are read in the `evtx` crate's order (`evtx_file`); each
//! chunk's records are found (`evtx_records`) and read straight from their BinXML
//! (`binxml`), the payload being the event's XML as Windows shows it. A chunk with a
//! record in a shape those readers do not handle is left to the crate: it renders each
//! record as XML, which the Event XML reader reads. Several threads share a file's chunks in batches, in order; a chunk or
//! record the crate rejects is reported with the crate's reason and reading goes on.

use std::cell::RefCell;
use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::sync::Arc;

use evtx::err::EvtxError;
use evtx::{EvtxChunkData, ParserSettings};
use whoiswatch_event::{Event, Origin, Position};

use super::binxml::{read_record, Chunk};
use super::evtx_file::{EvtxFile, RawChunk};
use super::evtx_records::live_records;
use super::normalize;
use super::record::{parse_event_xml, WinRecord};
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;

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

/// A record the crate rendered as XML, read by the Event XML reader.
fn convert(record_id: u64, xml: &[u8], file: &Arc<str>) -> Outcome {
    let text = match std::str::from_utf8(xml) {
        Ok(text) => text,
        Err(e) => return Outcome::Bad(record_id, format!("rendered record is not UTF-8: {e}")),
    };
    match parse_event_xml(text) {
        Ok(record) => event(record_id, &record, text, file),
        Err(e) => Outcome::Bad(record_id, format!("rendered record is not Event XML: {e}")),
    }
}

fn event(record_id: u64, record: &WinRecord<'_>, payload: &str, file: &Arc<str>) -> Outcome {
    let linux = record.provider.as_deref() == Some("Linux-Sysmon");
    let origin = Origin {
        file: file.clone(),
        position: Position::Record(record_id),
    };
    Outcome::Event(Box::new(normalize(record, linux, origin, payload)))
}

/// Files up to this size are read into memory in one go (fewer system calls); larger
/// ones a chunk at a time.
const READ_WHOLE_UP_TO: u64 = 32 << 20;

pub(crate) fn parse(
    source: EvtxSource,
    emit: &mut Emitter<'_>,
    threads: usize,
) -> Result<(), Stop> {
    let threads = threads.max(1);
    match source {
        EvtxSource::File(mut file) => {
            let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
            if size > READ_WHOLE_UP_TO {
                return read_file(file, emit, threads);
            }
            let mut bytes = Vec::with_capacity(size as usize);
            match file.read_to_end(&mut bytes) {
                Ok(_) => read_file(Cursor::new(bytes), emit, threads),
                Err(e) => emit.error(
                    Position::Record(0),
                    ErrorKind::EvtxRecord,
                    format!("not a readable EVTX file: {e}"),
                ),
            }
        }
        EvtxSource::Buffer(buffer) => {
            emit.add_bytes(buffer.len() as u64);
            read_file(Cursor::new(buffer), emit, threads)
        }
    }
}

fn read_file<R: Read + Seek>(
    reader: R,
    emit: &mut Emitter<'_>,
    threads: usize,
) -> Result<(), Stop> {
    match EvtxFile::open(reader) {
        Ok(file) => read_chunks(file, emit, threads),
        Err(e) => emit.error(
            Position::Record(0),
            ErrorKind::EvtxRecord,
            format!("not a readable EVTX file: {e}"),
        ),
    }
}

/// Chunks read at a time when several threads share them.
const CHUNKS_PER_THREAD: usize = 8;

/// What one chunk gave: its records' outcomes, and its buffer back for the next chunk.
type ChunkResult = (Vec<Result<Outcome, EvtxError>>, Option<Vec<u8>>);

fn read_chunks<R: Read + Seek>(
    mut file: EvtxFile<R>,
    emit: &mut Emitter<'_>,
    threads: usize,
) -> Result<(), Stop> {
    let name = emit.file().clone();
    let settings = Arc::new(ParserSettings::new().num_threads(1));
    let mut last_record = 0;
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut batch = Vec::new();
        while batch.len() < threads * CHUNKS_PER_THREAD {
            match file.next_chunk(buffers.pop().unwrap_or_default()) {
                Some(chunk) => batch.push(chunk),
                None => break,
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let results: Vec<ChunkResult> = if threads == 1 {
            batch
                .into_iter()
                .map(|chunk| read_chunk(chunk, &settings, &name))
                .collect()
        } else {
            // Contiguous shares of the batch, one per thread, joined in order.
            let share = batch.len().div_ceil(threads);
            let mut shares = Vec::new();
            while !batch.is_empty() {
                let rest = batch.split_off(share.min(batch.len()));
                shares.push(std::mem::replace(&mut batch, rest));
            }
            std::thread::scope(|scope| {
                let workers: Vec<_> = shares
                    .into_iter()
                    .map(|share| {
                        let (settings, name) = (&settings, &name);
                        scope.spawn(move || {
                            share
                                .into_iter()
                                .map(|chunk| read_chunk(chunk, settings, name))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|worker| match worker.join() {
                        Ok(results) => results,
                        Err(panic) => std::panic::resume_unwind(panic),
                    })
                    .collect()
            })
        };
        for (outcomes, buffer) in results {
            buffers.extend(buffer);
            for outcome in outcomes {
                report(outcome, emit, &mut last_record)?;
            }
        }
    }
}

/// The records of one chunk: read from their BinXML where every record allows it, else
/// by the `evtx` crate (rendered to XML).
fn read_chunk(
    chunk: Result<RawChunk, EvtxError>,
    settings: &Arc<ParserSettings>,
    file: &Arc<str>,
) -> ChunkResult {
    let chunk = match chunk {
        Ok(chunk) => chunk,
        Err(e) => return (vec![Err(e)], None),
    };
    let templates = RefCell::default();
    let view = Chunk {
        data: &chunk.data,
        header: &chunk.header,
        templates: &templates,
    };
    let fast = live_records(view).and_then(|records| {
        records
            .into_iter()
            .map(|r| {
                read_record(view, r.binxml, |record, xml| {
                    Ok(event(r.id, record, xml, file))
                })
            })
            .collect::<Option<Vec<_>>>()
    });
    if let Some(outcomes) = fast {
        return (outcomes, Some(chunk.data));
    }
    let mut data = EvtxChunkData {
        header: chunk.header,
        data: chunk.data,
        number: Some(chunk.number),
    };
    let outcomes = match data.parse(settings.clone()) {
        Err(e) => vec![Err(EvtxError::FailedToParseChunk {
            chunk_id: chunk.number,
            source: Box::new(e),
        })],
        Ok(mut parsed) => parsed
            .iter()
            .map(|record| {
                let record = record?;
                let id = record.event_record_id;
                let rendered = record.into_xml_bytes()?;
                Ok(convert(id, &rendered.data, file))
            })
            .collect(),
    };
    (outcomes, Some(data.data))
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
