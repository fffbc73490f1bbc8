//! EVTX records read straight from their BinXML: the record's template (parsed once, see
//! `template`) run as a compiled program over the record's substitution values (see
//! `program` and `values`), or, where it does not compile, walked as a tree (`walk`). Both
//! give the record and the event's XML as Windows renders it, for the payload, and both
//! mean what the Event XML reader means (its `RecordBuilder` decides). This skips the
//! `evtx` crate's rendering and our reading back of it; a record in a shape neither
//! handles answers `None` and is rendered by the crate instead.

mod program;
mod template;
mod values;
mod walk;

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use super::record::{RawNumbers, WinRecord};
pub(crate) use template::Chunk;
use template::Template;
use values::{read_values, u32_at, Value};

/// Nested BinXML (a value that is itself a template instance) deeper than this is left to
/// the slow path.
const MAX_DEPTH: usize = 8;

/// The XML and the value texts of a record, as bytes (each piece valid UTF-8, checked
/// once per record).
#[derive(Default)]
struct Output {
    xml: Vec<u8>,
    texts: Vec<u8>,
}

/// The buffers one record is read into, kept from record to record on each thread.
#[derive(Default)]
struct Scratch {
    out: Output,
    walk: walk::Buffers,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

#[cfg(test)]
thread_local! {
    /// Tests set it to check the tree walk on records the programs would read.
    static WALK_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether records are walked even where their template compiled (tests only).
fn walk_only() -> bool {
    #[cfg(test)]
    return WALK_ONLY.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// Reads the record whose BinXML is `chunk.data[binxml]` and hands `use_record` the
/// record and its XML text; `None` (without calling it) to render the record the slow way.
pub(crate) fn read_record<R>(
    chunk: Chunk<'_>,
    binxml: Range<usize>,
    use_record: impl FnOnce(&WinRecord<'_>, &str) -> R,
) -> Option<R> {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.try_borrow_mut().ok()?;
        let Scratch { out, walk } = &mut *scratch;
        out.xml.clear();
        out.texts.clear();
        let (template, values) = single_instance(chunk, binxml)?;
        let program = template::program_in(&template, &[]).filter(|_| !walk_only());
        if let Some(program) = program {
            if let Some(frame) = program.emit(chunk, &values, out, 0) {
                let texts = std::str::from_utf8(&out.texts).ok()?;
                let xml = std::str::from_utf8(&out.xml).ok()?;
                let mut record = WinRecord::default();
                let mut numbers = RawNumbers::default();
                if program
                    .fields(&frame, texts, &mut record, &mut numbers, &mut 0)
                    .is_some()
                {
                    numbers.parse_into(&mut record);
                    return Some(use_record(&record, xml));
                }
            }
            out.xml.clear();
            out.texts.clear();
        }
        let (record, xml) = walk::read(chunk, out, walk, &template, &values)?;
        Some(use_record(&record, xml))
    })
}

/// Where the template instance of a BinXML stream that is one instance (after a fragment
/// header or not) begins, after its token.
fn instance_body(stream: &[u8]) -> Option<usize> {
    match stream {
        [0x0f, _, _, _, 0x0c, ..] => Some(5),
        [0x0c, ..] => Some(1),
        _ => None,
    }
}

/// The one template instance the BinXML stream `chunk.data[stream]` holds, followed by
/// nothing or the end-of-stream token: its template and values.
fn single_instance(
    chunk: Chunk<'_>,
    stream: Range<usize>,
) -> Option<(Rc<Template>, Vec<Value<'_>>)> {
    let body = instance_body(chunk.data.get(stream.clone())?)?;
    let (template, values, end) = instance(chunk, stream.start + body)?;
    let rest = chunk.data.get(end..stream.end)?;
    matches!(rest, [] | [0x00, ..]).then_some((template, values))
}

/// The template instance whose token is just before `at`: its template, its values, and
/// where it ends.
fn instance(chunk: Chunk<'_>, at: usize) -> Option<(Rc<Template>, Vec<Value<'_>>, usize)> {
    let data = chunk.data;
    // Unknown byte, template id (u32), definition offset (u32).
    let def = u32_at(data, at + 5)? as usize;
    let mut pos = at + 9;
    if def == pos {
        // The definition is stored here, the first time it is used in the chunk.
        pos += 24 + u32_at(data, def + 20)? as usize;
    }
    let template = template::template(chunk, def)?;
    let (values, end) = read_values(data, pos)?;
    Some((template, values, end))
}

/// XML-escapes `text` onto `out` (quotes too inside an attribute value).
pub(super) fn escape(out: &mut Vec<u8>, text: &[u8], attribute: bool) {
    let mut run = 0;
    let mut put = |i: usize, with: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(&text[run..i]);
        out.extend_from_slice(with);
        run = i + 1;
    };
    if attribute {
        for (i, &b) in text.iter().enumerate() {
            match b {
                b'&' => put(i, b"&amp;", out),
                b'<' => put(i, b"&lt;", out),
                b'>' => put(i, b"&gt;", out),
                b'\'' => put(i, b"&apos;", out),
                b'"' => put(i, b"&quot;", out),
                _ => {}
            }
        }
    } else {
        for i in memchr::memchr3_iter(b'&', b'<', b'>', text) {
            match text[i] {
                b'&' => put(i, b"&amp;", out),
                b'<' => put(i, b"&lt;", out),
                _ => put(i, b"&gt;", out),
            }
        }
    }
    out.extend_from_slice(&text[run..]);
}

/// ` name='value'`, the value escaped: a fixed attribute as the XML writes it.
fn attribute_xml(name: &str, value: &str) -> String {
    let mut escaped = Vec::new();
    escape(&mut escaped, value.as_bytes(), true);
    format!(" {name}='{}'", String::from_utf8_lossy(&escaped))
}

/// Fixed element text, escaped.
fn text_xml(text: &str) -> String {
    let mut escaped = Vec::new();
    escape(&mut escaped, text.as_bytes(), false);
    String::from_utf8_lossy(&escaped).into_owned()
}

#[cfg(test)]
mod tests;
