//! JSON and NDJSON in the dialects real pipelines write: evtx_dump (`Event.System`,
//! `Event.EventData`), NXLog flat (OTRF), Winlogbeat / Elastic Agent (`winlog.*` + ECS),
//! Zeek JSON (`id.orig_h` or `id_orig_h`), QRadar exports (Ariel `{"events": [...]}`),
//! and any other object, whose keys resolve through the field registry.

mod dialects;
mod document;
pub(crate) mod keys;
mod nxlog;
mod skim;
mod string_run;
mod strings;
pub(crate) mod tree;

use std::io::BufRead;
use std::sync::Arc;

use whoiswatch_event::{FieldId, Position};

use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::input::lines::for_each_line_after;
use crate::options::{EventFilter, Options};

pub(crate) use dialects::{handle_value, Skimmed, Wanted};

/// True when the stream is one JSON document (an array, or an object over several
/// lines) rather than one object per line.
pub(crate) fn is_document(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        return true;
    }
    match trimmed.split_once('\n') {
        Some((first, _)) => tree::parse(first.trim_end()).is_err(),
        None => false,
    }
}

pub(crate) fn parse(
    reader: &mut dyn BufRead,
    head: &[u8],
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    if is_document(head) {
        return document::parse_document(reader, emit);
    }
    parse_lines(reader, emit, options, 0)
}

/// NDJSON whose first line is line `after + 1` of its file.
pub(crate) fn parse_lines(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
    after: u64,
) -> Result<(), Stop> {
    // A filter that reads the payload wants the whole line typed: nothing to skim for.
    let filter = emit
        .filter()
        .filter(|f| !f.reads().contains(&FieldId::Payload))
        .cloned();
    // With a filter, known keys are recognised without scanning them (see `skim`).
    let strings = match filter {
        Some(_) => strings::Strings::adaptive(),
        None => strings::Strings::default(),
    };
    let mut skimmer = Skimmer {
        wanted: Wanted::of(filter.as_ref().map_or(&[], |f| f.reads())),
        filter,
        members: Vec::new(),
        keys: keys::KeyCache::default(),
        strings,
        pause: 0,
        filter_pause: 0,
    };
    for_each_line_after(
        reader,
        emit,
        options.max_record_bytes,
        after,
        &mut |number, bytes, emit| parse_line(bytes, number, emit, &mut skimmer),
    )
}

/// What the skim of flat lines keeps from line to line.
struct Skimmer {
    filter: Option<Arc<dyn EventFilter>>,
    wanted: Wanted,
    members: Vec<skim::Member>,
    keys: keys::KeyCache,
    strings: strings::Strings,
    /// Lines still to read with serde_json without trying the skim: after a line the
    /// skim could not take (nested, or not valid), its neighbours likely cannot either.
    pause: u32,
    /// Lines still to read in full without offering them to the filter: after a line
    /// of a dialect the partial events cannot hold.
    filter_pause: u32,
}

/// Lines read without the skim, or without the filter, after one that could not take it.
const SKIM_PAUSE: u32 = 1024;

/// One NDJSON line.
fn parse_line(
    bytes: &[u8],
    number: u64,
    emit: &mut Emitter<'_>,
    skimmer: &mut Skimmer,
) -> Result<(), Stop> {
    let position = Position::Line(number);
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    // Checked with SIMD (a line of a Windows record is some 2 KB); the standard
    // library's check runs again only to say where the bad byte is.
    let checked = simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes));
    let text = match checked {
        Ok(text) => text,
        Err(e) => {
            return emit.error(
                position,
                ErrorKind::InvalidJson,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            )
        }
    };
    let skimmed = if skimmer.pause > 0 {
        skimmer.pause -= 1;
        false
    } else {
        // Keys are looked up only for the filter's partial events.
        let keys = skimmer.filter.is_some().then_some(&mut skimmer.keys);
        let taken = skim::skim(text, keys, &mut skimmer.strings, &mut skimmer.members);
        if !taken {
            skimmer.pause = SKIM_PAUSE;
        }
        taken
    };
    if !skimmed {
        return match tree::parse(text) {
            Ok(value) => handle_value(&value, text, position, emit),
            Err(e) => {
                let kind = if e.is_eof() {
                    ErrorKind::Truncated
                } else {
                    ErrorKind::InvalidJson
                };
                emit.error(position, kind, format!("{e}"))
            }
        };
    }
    if let Some(filter) = &skimmer.filter {
        if skimmer.filter_pause > 0 {
            skimmer.filter_pause -= 1;
        } else {
            let (members, wanted) = (&skimmer.members, skimmer.wanted);
            match dialects::skimmed(text, members, position, &**filter, wanted, emit) {
                Skimmed::Rejected => return Ok(()),
                Skimmed::Wanted => {}
                Skimmed::OtherDialect => skimmer.filter_pause = SKIM_PAUSE,
            }
        }
    }
    let value = skim::object(text, &skimmer.members, &skimmer.strings);
    handle_value(&value, text, position, emit)
}
