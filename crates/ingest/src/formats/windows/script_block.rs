//! PowerShell 4104 events split a long script over several records sharing one
//! ScriptBlockId (MessageNumber of MessageTotal). They are joined back into one event,
//! at the place of the first part, with the parts' text in order.

use rustc_hash::FxHashMap;
use whoiswatch_event::{Event, FieldId, Value};

/// Blocks waiting for parts beyond this many are given up (emitted incomplete), so memory
/// stays bounded on hostile input.
const MAX_PENDING: usize = 4096;

struct Pending {
    format: &'static str,
    parts: Vec<Option<Event>>,
    received: usize,
    sequence: u64,
}

#[derive(Default)]
pub(crate) struct ScriptBlockAssembler {
    pending: FxHashMap<Box<str>, Pending>,
    sequence: u64,
}

/// The number of a part and how many there are, when the event is one part of several.
fn part_of(event: &Event) -> Option<(usize, usize)> {
    let number = event.get_extra("MessageNumber")?.as_i64()?;
    let total = event.get_extra("MessageTotal")?.as_i64()?;
    (total > 1 && total <= 10_000 && number >= 1 && number <= total)
        .then_some((number as usize, total as usize))
}

impl ScriptBlockAssembler {
    /// Take an event; give back what is ready to emit: the event itself, a completed
    /// block, or (when too many blocks are pending) the oldest incomplete one.
    pub fn push(&mut self, format: &'static str, event: Event) -> Vec<(&'static str, Event, bool)> {
        let Some((number, total)) = part_of(&event) else {
            return vec![(format, event, true)];
        };
        let Some(id) = event.get_str(FieldId::ScriptBlockId).map(Box::<str>::from) else {
            return vec![(format, event, true)];
        };
        let sequence = self.sequence;
        self.sequence += 1;
        let pending = self.pending.entry(id.clone()).or_insert_with(|| Pending {
            format,
            parts: (0..total).map(|_| None).collect(),
            received: 0,
            sequence,
        });
        if pending.parts.len() != total || pending.parts[number - 1].is_some() {
            // A disagreeing or repeated part: pass it on as it is.
            return vec![(format, event, true)];
        }
        pending.parts[number - 1] = Some(event);
        pending.received += 1;
        let mut ready = Vec::new();
        if pending.received == total {
            let done = self.pending.remove(&id).expect("present");
            ready.push((done.format, join(done.parts), true));
        } else if self.pending.len() > MAX_PENDING {
            let oldest = self
                .pending
                .iter()
                .min_by_key(|(_, p)| p.sequence)
                .map(|(k, _)| k.clone())
                .expect("not empty");
            let done = self.pending.remove(&oldest).expect("present");
            ready.push((done.format, join(done.parts), false));
        }
        ready
    }

    /// Blocks still missing parts at the end of input, joined from what arrived.
    pub fn finish(&mut self) -> Vec<(&'static str, Event, bool)> {
        let mut rest: Vec<Pending> = self.pending.drain().map(|(_, p)| p).collect();
        rest.sort_by_key(|p| p.sequence);
        rest.into_iter()
            .map(|p| (p.format, join(p.parts), false))
            .collect()
    }
}

/// One event from the parts: the first part's fields with every part's text.
fn join(parts: Vec<Option<Event>>) -> Event {
    let total = parts.len();
    let mut text = String::new();
    let mut payloads = String::new();
    let mut missing = Vec::new();
    let mut first: Option<Event> = None;
    for (index, part) in parts.into_iter().enumerate() {
        let Some(part) = part else {
            missing.push((index + 1).to_string());
            continue;
        };
        text.push_str(part.get_str(FieldId::ScriptBlockText).unwrap_or(""));
        if !payloads.is_empty() {
            payloads.push('\n');
        }
        payloads.push_str(part.get_str(FieldId::Payload).unwrap_or(""));
        first.get_or_insert(part);
    }
    let mut event = first.expect("a block has at least one part");
    event.set(FieldId::ScriptBlockText, Value::text(text));
    event.set(FieldId::Payload, Value::text(payloads));
    event.push_extra("ScriptBlockParts", Value::Integer(total as i64));
    if !missing.is_empty() {
        event.push_extra("ScriptBlockPartsMissing", Value::text(missing.join(",")));
    }
    event
}
