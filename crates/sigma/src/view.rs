//! The per-event field cache of a scan: each field a rule set refers to has a slot; the
//! first test that reads a field renders it (numbers, addresses and times to text) and
//! lowers it once, and every later test of every rule reuses that. Buffers are kept
//! across events, so a steady scan allocates nothing here.

use std::borrow::Cow;

use whoiswatch_event::{Event, FieldId, FieldName, Value};

use crate::pattern::lower_into;

#[derive(Default)]
struct Slot {
    stamp: u32,
    items: usize,
    raw: Vec<String>,
    lower: Vec<String>,
}

#[derive(Default)]
pub(crate) struct FieldCache {
    generation: u32,
    slots: Vec<Slot>,
    /// Every text value of the event, for keyword searches: filled on first use.
    all: Slot,
}

/// The text items of one field of the current event (several for list values).
pub(crate) struct Items<'a> {
    pub raw: &'a [String],
    pub lower: &'a [String],
}

impl Items<'_> {
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

fn render_into(value: &Value, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    match value {
        Value::Text(text) => out.push_str(text),
        Value::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn set(buffers: &mut Vec<String>, index: usize, text: &str) {
    if buffers.len() <= index {
        buffers.push(String::new());
    }
    let buffer = &mut buffers[index];
    buffer.clear();
    buffer.push_str(text);
}

impl FieldCache {
    pub fn new(slots: usize) -> FieldCache {
        FieldCache {
            generation: 1,
            slots: (0..slots).map(|_| Slot::default()).collect(),
            all: Slot::default(),
        }
    }

    /// Forget the previous event.
    pub fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            for slot in &mut self.slots {
                slot.stamp = 0;
            }
            self.all.stamp = 0;
            self.generation = 1;
        }
    }

    pub fn items(&mut self, slot: u32, field: &SlotField, event: &Event) -> Items<'_> {
        let generation = self.generation;
        let slot = &mut self.slots[slot as usize];
        if slot.stamp != generation {
            slot.stamp = generation;
            slot.items = 0;
            if let Some(value) = field.value(event) {
                match value.as_ref() {
                    Value::List(items) => {
                        for (i, item) in items.iter().enumerate() {
                            set(&mut slot.raw, i, item);
                        }
                        slot.items = items.len();
                    }
                    value => {
                        if slot.raw.is_empty() {
                            slot.raw.push(String::new());
                        }
                        render_into(value, &mut slot.raw[0]);
                        slot.items = 1;
                    }
                }
                lower_items(slot);
            }
        }
        Items {
            raw: &slot.raw[..slot.items],
            lower: &slot.lower[..slot.items],
        }
    }
}

fn lower_items(slot: &mut Slot) {
    while slot.lower.len() < slot.items {
        slot.lower.push(String::new());
    }
    for i in 0..slot.items {
        lower_into(&slot.raw[i], &mut slot.lower[i]);
    }
}

impl FieldCache {
    /// Every text, number and address value of the event (not times), for keyword
    /// searches; rendered and lowered once per event. A payload that is the record
    /// serialized as JSON or XML is left out: its values are the event's fields (escaped
    /// besides), and searching it again tripled the cost of keyword rules.
    pub fn all_texts(&mut self, event: &Event) -> Items<'_> {
        let generation = self.generation;
        let slot = &mut self.all;
        if slot.stamp != generation {
            slot.stamp = generation;
            let mut n = 0;
            let mut push = |text: &str, slot: &mut Slot| {
                set(&mut slot.raw, n, text);
                n += 1;
            };
            let mut scratch = String::new();
            let values = event
                .fields()
                .filter(|(id, value)| *id != FieldId::Payload || !is_serialized_record(value))
                .map(|(_, v)| v)
                .chain(event.extra_fields().map(|(_, v)| v));
            for value in values {
                match value {
                    Value::Text(text) => push(text, slot),
                    Value::List(items) => items.iter().for_each(|i| push(i, slot)),
                    Value::Integer(_) | Value::Ip(_) => {
                        render_into(value, &mut scratch);
                        push(&scratch, slot);
                    }
                    _ => {}
                }
            }
            slot.items = n;
            lower_items(slot);
        }
        Items {
            raw: &slot.raw[..slot.items],
            lower: &slot.lower[..slot.items],
        }
    }
}

/// A JSON object or XML element: a record whose values the reader put into fields. (A
/// syslog line's `<PRI>` is not an element: a digit follows its `<`.)
fn is_serialized_record(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    match text.trim_start().as_bytes() {
        [b'{', ..] => true,
        [b'<', next, ..] => next.is_ascii_alphabetic() || *next == b'?',
        _ => false,
    }
}

/// A field a rule names: the record's own name first (an extra field of that exact
/// name), then the canonical field the registry resolves it to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SlotField {
    pub resolved: FieldName,
    /// The name as the rule wrote it, when it resolved to a canonical field of another
    /// name (`SubjectUserName` → `username`).
    pub raw: Option<Box<str>>,
}

impl SlotField {
    pub fn new(name: &str) -> SlotField {
        let resolved = whoiswatch_event::resolve(name);
        let raw = match &resolved {
            FieldName::Canonical(id) if !id.name().eq_ignore_ascii_case(name) => Some(name.into()),
            _ => None,
        };
        SlotField { resolved, raw }
    }

    pub fn value<'e>(&self, event: &'e Event) -> Option<Cow<'e, Value>> {
        if let Some(raw) = &self.raw {
            if let Some(value) = event.get_extra(raw) {
                return Some(Cow::Borrowed(value));
            }
        }
        event.value(&self.resolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use whoiswatch_event::{Category, LogSourceType, Origin, Position};

    #[test]
    fn renders_once_per_event() {
        let mut event = Event::new(
            &LogSourceType::WINDOWS,
            Category::default(),
            Origin {
                file: Arc::from("t"),
                position: Position::Line(1),
            },
        );
        event.set(
            whoiswatch_event::FieldId::DestinationPort,
            Value::Integer(43),
        );
        let mut cache = FieldCache::new(1);
        let field = SlotField::new("DestinationPort");
        assert_eq!(cache.items(0, &field, &event).raw, ["43"]);
        cache.reset();
        let empty = Event::new(
            &LogSourceType::WINDOWS,
            Category::default(),
            Origin {
                file: Arc::from("t"),
                position: Position::Line(2),
            },
        );
        assert!(cache.items(0, &field, &empty).is_empty());
    }
}
