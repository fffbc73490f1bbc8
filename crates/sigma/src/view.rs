//! The per-event field cache of a scan: each field a rule set refers to has a slot; the
//! first test that reads a field renders it (numbers, addresses and times to text) and
//! lowers it once, and every later test of every rule reuses that; the text as written
//! is copied only for the tests that read it (cased, `re`, numbers, CIDR). Keyword
//! searches get every text of the event lowered: joined into one buffer for the
//! prefilter (copied, then lowered in one pass), one by one for the rules it lets
//! through; a long text lowered for either is not lowered again for its field. Buffers
//! are kept across events, so a steady scan allocates nothing here.

use std::borrow::Cow;

use whoiswatch_event::digits::push_signed;
use whoiswatch_event::{Event, FieldId, FieldName, Value};

use crate::pattern::{lower_append_bytes, lower_ascii_in_place, lower_into};

#[derive(Default)]
struct Slot {
    /// `lower[..items]` holds the current event's texts when this is the generation.
    stamp: u32,
    /// `raw[..items]` too (filled only for tests that need the text as written).
    raw_stamp: u32,
    items: usize,
    raw: Vec<String>,
    lower: Vec<String>,
    /// When the lowered texts are `FieldCache::all`'s at this range instead of
    /// `lower`'s (a long text lowered once for keyword searches is not lowered again).
    shared: Option<(usize, usize)>,
}

impl Slot {
    fn push_lower(&mut self, text: &str) {
        if self.lower.len() <= self.items {
            self.lower.push(String::new());
        }
        lower_into(text, &mut self.lower[self.items]);
        self.items += 1;
    }

    /// Add a text lowered already.
    fn push_lowered(&mut self, lowered: &str) {
        set(&mut self.lower, self.items, lowered);
        self.items += 1;
    }

    /// The lowered texts: this slot's own, or the range of `all`'s it shares.
    fn lowered<'a>(&'a self, all: &'a Slot) -> &'a [String] {
        match self.shared {
            Some((start, end)) => &all.lower[start..end],
            None => &self.lower[..self.items],
        }
    }

    /// Copy the texts of the values as written into `raw`, once per generation (the
    /// values are looked up only then).
    fn fill_raw<V: std::ops::Deref<Target = Value>, I: IntoIterator<Item = V>>(
        &mut self,
        generation: u32,
        values: impl FnOnce() -> I,
        scratch: &mut String,
    ) {
        if self.raw_stamp == generation {
            return;
        }
        self.raw_stamp = generation;
        let mut i = 0;
        for value in values() {
            visit(&value, scratch, &mut |text| {
                set(&mut self.raw, i, text);
                i += 1;
            });
        }
    }
}

#[derive(Default)]
pub(crate) struct FieldCache {
    generation: u32,
    slots: Vec<Slot>,
    /// Every text value of the event, for keyword searches: filled on first use.
    all: Slot,
    /// For each long value in `all`: its address in the event and its items' range.
    all_long: Vec<(usize, usize, usize)>,
    /// The same texts lowered and joined by [`SEPARATOR`], when `joined_stamp` is the
    /// generation (built on its own: the prefilter needs only this).
    joined: Vec<u8>,
    joined_stamp: u32,
    /// For each long value in `joined`: its address in the event and its text's range.
    joined_long: Vec<(usize, usize, usize)>,
    /// Numbers and addresses rendered to text.
    scratch: String,
}

/// The text items of one field of the current event (several for list values).
pub(crate) struct Items<'a> {
    /// As written; the lowered texts again when the caller did not ask for them.
    pub raw: &'a [String],
    pub lower: &'a [String],
}

impl Items<'_> {
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }
}

fn render_into(value: &Value, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    match value {
        Value::Text(text) => out.push_str(text),
        // Event ids and ports are rendered for every event: without `fmt`.
        Value::Integer(n) => push_signed(out, *n),
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// Each text item of a value: a list's items, a text, anything else rendered.
fn visit(value: &Value, scratch: &mut String, each: &mut impl FnMut(&str)) {
    match value {
        Value::Text(text) => each(text),
        Value::List(items) => items.iter().for_each(|i| each(i)),
        other => {
            render_into(other, scratch);
            each(scratch);
        }
    }
}

/// The values keyword searches look at: texts, lists, numbers and addresses (not
/// times), without a payload that is the record serialized as JSON or XML.
fn keyword_values(event: &Event) -> impl Iterator<Item = &Value> {
    event
        .fields()
        .filter(|(id, value)| *id != FieldId::Payload || !is_serialized_record(value))
        .map(|(_, v)| v)
        .chain(event.extra_fields().map(|(_, v)| v))
        .filter(|v| {
            matches!(
                v,
                Value::Text(_) | Value::List(_) | Value::Integer(_) | Value::Ip(_)
            )
        })
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
            ..FieldCache::default()
        }
    }

    /// Forget the previous event.
    pub fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            for slot in self.slots.iter_mut().chain([&mut self.all]) {
                slot.stamp = 0;
                slot.raw_stamp = 0;
            }
            self.joined_stamp = 0;
            self.generation = 1;
        }
    }

    /// The field's text items, lowered.
    pub fn lowered(&mut self, slot: u32, field: &SlotField, event: &Event) -> &[String] {
        let generation = self.generation;
        let Self {
            slots,
            scratch,
            all,
            all_long,
            joined,
            joined_stamp,
            joined_long,
            ..
        } = self;
        let slot = &mut slots[slot as usize];
        if slot.stamp != generation {
            slot.stamp = generation;
            slot.items = 0;
            slot.shared = None;
            if let Some(value) = field.value(event) {
                // A long text the keyword searches lowered already: shared, or copied.
                let address = match &value {
                    Cow::Borrowed(value) if is_long(value) => {
                        Some(std::ptr::from_ref(*value) as usize)
                    }
                    _ => None,
                };
                let find = |long: &[(usize, usize, usize)], stamp: u32| {
                    let address = address.filter(|_| stamp == generation)?;
                    long.iter()
                        .find(|(a, _, _)| *a == address)
                        .map(|&(_, start, end)| start..end)
                };
                if let Some(range) = find(all_long, all.stamp) {
                    slot.items = range.len();
                    slot.shared = Some((range.start, range.end));
                } else if let Some(lowered) = find(joined_long, *joined_stamp)
                    .and_then(|range| std::str::from_utf8(&joined[range]).ok())
                {
                    slot.push_lowered(lowered);
                } else {
                    visit(&value, scratch, &mut |text| slot.push_lower(text));
                }
            }
        }
        slot.lowered(all)
    }

    /// The field's text items lowered, and as written when `as_written` (only cased,
    /// `re`, numeric and CIDR tests read them: the others do not copy the text).
    pub fn items(
        &mut self,
        slot: u32,
        field: &SlotField,
        event: &Event,
        as_written: bool,
    ) -> Items<'_> {
        if !as_written {
            let lowered = self.lowered(slot, field, event);
            return Items {
                raw: lowered,
                lower: lowered,
            };
        }
        self.lowered(slot, field, event);
        let generation = self.generation;
        let Self {
            slots,
            scratch,
            all,
            ..
        } = self;
        let slot = &mut slots[slot as usize];
        slot.fill_raw(generation, || field.value(event), scratch);
        Items {
            raw: &slot.raw[..slot.items],
            lower: slot.lowered(all),
        }
    }

    /// Every text, number and address value of the event (not times), lowered, for
    /// keyword searches; rendered and lowered once per event. A payload that is the
    /// record serialized as JSON or XML is left out: its values are the event's fields
    /// (escaped besides), and searching it again tripled the cost of keyword rules.
    pub fn all_lowered(&mut self, event: &Event) -> &[String] {
        let generation = self.generation;
        let Self {
            all,
            all_long,
            scratch,
            ..
        } = self;
        if all.stamp != generation {
            all.stamp = generation;
            all.items = 0;
            all_long.clear();
            for value in keyword_values(event) {
                let start = all.items;
                visit(value, scratch, &mut |text| all.push_lower(text));
                if is_long(value) {
                    let address = std::ptr::from_ref(value) as usize;
                    all_long.push((address, start, all.items));
                }
            }
        }
        &all.lower[..all.items]
    }

    /// [`FieldCache::all_lowered`]'s texts in one string, each followed by
    /// [`SEPARATOR`]: one search over it instead of one per text (an event has dozens,
    /// most of them short), for texts that do not hold the separator. Built once per
    /// event.
    pub fn all_joined(&mut self, event: &Event) -> &[u8] {
        if self.joined_stamp != self.generation {
            self.joined_stamp = self.generation;
            let Self {
                joined,
                joined_long,
                scratch,
                ..
            } = self;
            // Most events are ASCII: the texts copied as they are and lowered in one
            // pass over the whole (copying dozens of short texts costs less than
            // lowering each on its own); the others lowered text by text.
            join(event, joined, joined_long, scratch, false);
            if !lower_ascii_in_place(joined) {
                join(event, joined, joined_long, scratch, true);
            }
        }
        &self.joined
    }

    /// [`FieldCache::all_lowered`]'s texts, lowered and, when `as_written`, as written.
    pub fn all_texts(&mut self, event: &Event, as_written: bool) -> Items<'_> {
        if !as_written {
            let lowered = self.all_lowered(event);
            return Items {
                raw: lowered,
                lower: lowered,
            };
        }
        self.all_lowered(event);
        let generation = self.generation;
        let Self { all, scratch, .. } = self;
        all.fill_raw(generation, || keyword_values(event), scratch);
        Items {
            raw: &all.raw[..all.items],
            lower: &all.lower[..all.items],
        }
    }
}

/// The keyword texts of `event` into `joined`, each followed by [`SEPARATOR`], lowered
/// when `lower`; `long` gets where each long one lies.
fn join(
    event: &Event,
    joined: &mut Vec<u8>,
    long: &mut Vec<(usize, usize, usize)>,
    scratch: &mut String,
    lower: bool,
) {
    joined.clear();
    long.clear();
    for value in keyword_values(event) {
        let start = joined.len();
        let mut end = start;
        visit(value, scratch, &mut |text| {
            if lower {
                lower_append_bytes(text, joined);
            } else {
                joined.extend_from_slice(text.as_bytes());
            }
            end = joined.len();
            joined.push(SEPARATOR);
        });
        if is_long(value) {
            let address = std::ptr::from_ref(value) as usize;
            long.push((address, start, end));
        }
    }
}

/// A text worth finding among the keyword texts rather than lowering again (for a
/// short one, lowering costs less than the search).
fn is_long(value: &Value) -> bool {
    matches!(value, Value::Text(text) if text.len() >= 256)
}

/// What [`FieldCache::all_joined`] puts between texts.
pub(crate) const SEPARATOR: u8 = 0;

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
    /// name (`SubjectUserName` → `username`), or to the canonical payload.
    pub raw: Option<Box<str>>,
}

impl SlotField {
    pub fn new(name: &str) -> SlotField {
        let resolved = whoiswatch_event::resolve(name);
        let raw = match &resolved {
            FieldName::Canonical(id) if !id.name().eq_ignore_ascii_case(name) => Some(name.into()),
            // Sigma's `Payload` is an event data field (PowerShell 4103's), which readers
            // keep under its own name; the canonical payload (the record as read, its
            // message for Windows) is read only when the record has no such field.
            FieldName::Canonical(FieldId::Payload) => Some(name.into()),
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

    fn windows_event(line: u64) -> Event {
        Event::new(
            &LogSourceType::WINDOWS,
            Category::default(),
            Origin {
                file: Arc::from("t"),
                position: Position::Line(line),
            },
        )
    }

    #[test]
    fn renders_once_per_event() {
        let mut event = windows_event(1);
        event.set(
            whoiswatch_event::FieldId::DestinationPort,
            Value::Integer(43),
        );
        let mut cache = FieldCache::new(1);
        let field = SlotField::new("DestinationPort");
        assert_eq!(cache.items(0, &field, &event, true).raw, ["43"]);
        cache.reset();
        let empty = windows_event(2);
        assert!(cache.items(0, &field, &empty, true).is_empty());
    }

    #[test]
    fn lowered_first_then_as_written() {
        let mut event = windows_event(1);
        event.set(FieldId::CommandLine, Value::text("WHOIS -h Whois.ARIN.net"));
        event.push_extra("Tags", Value::List(vec!["A".into(), "b".into()]));
        event.set(FieldId::DestinationPort, Value::Integer(43));
        let mut cache = FieldCache::new(2);
        let command = SlotField::new("CommandLine");
        let tags = SlotField::new("Tags");
        assert_eq!(
            cache.lowered(0, &command, &event),
            ["whois -h whois.arin.net"]
        );
        let items = cache.items(0, &command, &event, true);
        assert_eq!(items.raw, ["WHOIS -h Whois.ARIN.net"]);
        assert_eq!(items.lower, ["whois -h whois.arin.net"]);
        assert_eq!(cache.items(1, &tags, &event, true).raw, ["A", "b"]);
        assert_eq!(cache.items(1, &tags, &event, false).raw, ["a", "b"]);
        assert_eq!(cache.lowered(1, &tags, &event), ["a", "b"]);
        let lowered = cache.all_lowered(&event).to_vec();
        let joined: Vec<&str> = lowered.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            cache.all_joined(&event),
            (joined.join("\0") + "\0").as_bytes()
        );
        let all = cache.all_texts(&event, true);
        assert_eq!(all.lower, lowered);
        assert_eq!(all.raw.len(), lowered.len());
        assert!(all.raw.contains(&"43".to_string()));
        assert!(all.raw.contains(&"WHOIS -h Whois.ARIN.net".to_string()));
    }

    #[test]
    fn integers_render_as_display_writes_them() {
        for n in [0, 7, -7, 10, 43, 4688, -100, i64::MAX, i64::MIN] {
            let mut out = String::from("x");
            render_into(&Value::Integer(n), &mut out);
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn long_texts_lowered_for_keywords_serve_their_field() {
        let long = format!("Invoke-WebRequest {}", "A".repeat(300));
        let mut event = windows_event(1);
        event.set(FieldId::CommandLine, Value::text(long.as_str()));
        let mut cache = FieldCache::new(2);
        let payload = SlotField::new("Payload");
        event.push_extra("Payload", Value::text(long.as_str()));
        cache.all_lowered(&event);
        assert_eq!(cache.lowered(0, &payload, &event), [long.to_lowercase()]);
        let items = cache.items(0, &payload, &event, true);
        assert_eq!(
            (items.raw, items.lower),
            (&[long.clone()][..], &[long.to_lowercase()][..])
        );
        // The next event's field is its own, whatever the previous one shared.
        cache.reset();
        let mut other = windows_event(2);
        other.push_extra("Payload", Value::text("short"));
        cache.all_lowered(&other);
        assert_eq!(cache.lowered(0, &payload, &other), ["short"]);
    }

    #[test]
    fn long_texts_lowered_into_the_joined_keyword_text_serve_their_field() {
        // Non-ASCII, and the separator inside: the field gets exactly its own text.
        let long = format!("Ünïcode\0Invoke-WebRequest {}", "A".repeat(300));
        let mut event = windows_event(1);
        event.set(FieldId::CommandLine, Value::text("Short ONE"));
        event.push_extra("Payload", Value::text(long.as_str()));
        event.push_extra("Tags", Value::List(vec!["X".into(), "y".into()]));
        let mut cache = FieldCache::new(3);
        let payload = SlotField::new("Payload");
        let command = SlotField::new("CommandLine");
        let joined = String::from_utf8(cache.all_joined(&event).to_vec()).unwrap();
        assert_eq!(
            joined,
            format!("short one\0{}\0x\0y\0", long.to_lowercase())
        );
        assert_eq!(cache.lowered(0, &payload, &event), [long.to_lowercase()]);
        assert_eq!(cache.lowered(1, &command, &event), ["short one"]);
        let items = cache.items(0, &payload, &event, true);
        assert_eq!(items.raw, std::slice::from_ref(&long));
        // Built on its own, the joined text is what the texts one by one make.
        let lowered = cache.all_lowered(&event).to_vec();
        assert_eq!(joined, lowered.join("\0") + "\0");
        // The next event's field is its own, whatever the previous one shared.
        cache.reset();
        let mut other = windows_event(2);
        other.push_extra("Payload", Value::text("Short"));
        cache.all_joined(&other);
        assert_eq!(cache.lowered(0, &payload, &other), ["short"]);
    }

    #[test]
    fn sigma_payload_is_the_event_data_field_not_the_record() {
        // PowerShell 4103: the record's message holds the context and the payload; a rule
        // on `Payload` must not match text that is only in the context.
        let mut event = windows_event(1);
        event.set(
            FieldId::Payload,
            Value::text("CommandInvocation(Get-Date)\r\nHost Name = ISE\r\n"),
        );
        event.push_extra("Payload", Value::text("CommandInvocation(Get-Date)"));
        let mut cache = FieldCache::new(1);
        let payload = SlotField::new("Payload");
        assert_eq!(
            cache.lowered(0, &payload, &event),
            ["commandinvocation(get-date)"]
        );
        // A record without the field (an NXLog line with the message only): the message.
        cache.reset();
        let mut message_only = windows_event(2);
        message_only.set(FieldId::Payload, Value::text("CommandInvocation(Get-Date)"));
        assert_eq!(
            cache.lowered(0, &payload, &message_only),
            ["commandinvocation(get-date)"]
        );
    }
}
