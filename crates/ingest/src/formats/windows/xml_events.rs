//! Files of Windows Event XML: one event, one per line, or many inside `<Events>`, with or
//! without line breaks. Events are cut out of the byte stream by their tags, so neither
//! layout nor size of the file matters.

use std::io::BufRead;

use memchr::memmem;
use whoiswatch_event::Position;

use super::{normalize, parse_event_xml};
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::options::Options;

pub(crate) const FORMAT: &str = "windows-xml";

/// Where the next `<Event` start tag (not `<Events>`, `<EventData>` …) begins.
fn find_event_start(buffer: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = memmem::find(&buffer[at..], b"<Event") {
        let start = at + found;
        match buffer.get(start + 6) {
            Some(b' ' | b'>' | b'\t' | b'\r' | b'\n' | b'/') => return Some(start),
            Some(_) => at = start + 6,
            None => return None,
        }
    }
    None
}

pub(crate) fn parse(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 20);
    // Line number of buffer[0], and how far into the buffer newlines were counted.
    let mut line: u64 = 1;
    let mut eof = false;
    loop {
        let start = find_event_start(&buffer, 0);
        let end = start.and_then(|s| memmem::find(&buffer[s..], b"</Event>").map(|e| s + e + 8));
        match (start, end) {
            (Some(start), Some(end)) => {
                line += memchr::memchr_iter(b'\n', &buffer[..start]).count() as u64;
                let position = Position::Line(line);
                emit.add_bytes((end - start) as u64);
                handle_record(&buffer[start..end], position, emit)?;
                line += memchr::memchr_iter(b'\n', &buffer[start..end]).count() as u64;
                buffer.drain(..end);
                continue;
            }
            (Some(start), None) if eof => {
                line += memchr::memchr_iter(b'\n', &buffer[..start]).count() as u64;
                let reason = format!(
                    "XML event starting here never ends ({} bytes to end of file)",
                    buffer.len() - start
                );
                return emit.error(Position::Line(line), ErrorKind::Truncated, reason);
            }
            (Some(start), None) if buffer.len() - start > options.max_record_bytes => {
                line += memchr::memchr_iter(b'\n', &buffer[..start]).count() as u64;
                emit.error(
                    Position::Line(line),
                    ErrorKind::TooLong,
                    format!("XML event longer than {} bytes", options.max_record_bytes),
                )?;
                // Skip past this start tag and look for the next event.
                line += memchr::memchr_iter(b'\n', &buffer[start..start + 6]).count() as u64;
                buffer.drain(..start + 6);
                continue;
            }
            (None, _) if eof => return Ok(()),
            (None, _) => {
                // Keep a tail that may hold the beginning of a start tag.
                let keep = buffer.len().min(6);
                let cut = buffer.len() - keep;
                line += memchr::memchr_iter(b'\n', &buffer[..cut]).count() as u64;
                buffer.drain(..cut);
            }
            _ => {}
        }
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) => {
                return emit.error(
                    Position::Line(line),
                    ErrorKind::Io,
                    format!("read failed: {e}"),
                )
            }
        };
        if available.is_empty() {
            eof = true;
            continue;
        }
        let n = available.len();
        buffer.extend_from_slice(available);
        reader.consume(n);
    }
}

fn handle_record(bytes: &[u8], position: Position, emit: &mut Emitter<'_>) -> Result<(), Stop> {
    let text = String::from_utf8_lossy(bytes);
    match parse_event_xml(&text) {
        Ok(record) => {
            let event = normalize(&record, false, emit.origin(position), &text);
            emit.event(FORMAT, event);
            Ok(())
        }
        Err(reason) => emit.error(position, ErrorKind::InvalidXml, reason),
    }
}
