//! The normalized event.

use std::borrow::Cow;
use std::sync::Arc;

use crate::field::FieldId;
use crate::log_source::{Category, LogSourceType};
use crate::registry::FieldName;
use crate::time::Timestamp;
use crate::value::Value;

/// Where in its input an event was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Position {
    /// 1-based line number of the record's first line.
    Line(u64),
    /// An EVTX record, by its record id.
    Record(u64),
    /// The n-th (1-based) item of a JSON document that holds many events.
    Item(u64),
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Position::Line(line) => write!(f, "line {line}"),
            Position::Record(record) => write!(f, "record {record}"),
            Position::Item(item) => write!(f, "item {item}"),
        }
    }
}

/// The file (or archive member, or `-` for stdin) and the place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub position: Position,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.position)
    }
}

/// One normalized event.
///
/// Canonical fields live in a short vector, in the order they were set, with a bit per
/// field id that answers "is it there?" and a table of where each one is; everything
/// else in a list of extra fields under the name the record used.
#[derive(Debug, Clone)]
pub struct Event {
    pub source_type: &'static LogSourceType,
    pub category: Category,
    pub origin: Origin,
    fields: Vec<(FieldId, Value)>,
    /// Bit `id` is set when `fields` holds `id`.
    present: u64,
    /// Where `fields` holds each present field: a lookup is one load, not a search
    /// (rules and queries look fields up many times an event).
    at: [u8; 64],
    /// Names a reader knows in advance (a collector's own fields) are not copied.
    extra: Vec<(Cow<'static, str>, Value)>,
}

fn bit(id: FieldId) -> u64 {
    1 << (id as u8)
}

impl Event {
    pub fn new(source_type: &'static LogSourceType, category: Category, origin: Origin) -> Event {
        Event {
            source_type,
            category,
            origin,
            fields: Vec::with_capacity(16),
            present: 0,
            at: [0; 64],
            extra: Vec::new(),
        }
    }

    pub fn get(&self, id: FieldId) -> Option<&Value> {
        if self.present & bit(id) == 0 {
            return None;
        }
        self.fields
            .get(usize::from(self.at[id as usize]))
            .map(|(_, v)| v)
    }

    pub fn get_str(&self, id: FieldId) -> Option<&str> {
        self.get(id).and_then(Value::as_str)
    }

    pub fn get_i64(&self, id: FieldId) -> Option<i64> {
        self.get(id).and_then(Value::as_i64)
    }

    /// An extra field by name, compared without regard to ASCII case.
    pub fn get_extra(&self, name: &str) -> Option<&Value> {
        // One pass: the exact name wins, else the first in another case.
        let mut folded = None;
        for (n, v) in &self.extra {
            if n.len() != name.len() {
                continue;
            }
            if n.as_ref() == name {
                return Some(v);
            }
            if folded.is_none() && n.eq_ignore_ascii_case(name) {
                folded = Some(v);
            }
        }
        folded
    }

    /// A field by resolved name.
    pub fn get_name(&self, name: &FieldName) -> Option<&Value> {
        match name {
            FieldName::Canonical(id) => self.get(*id),
            FieldName::Extra(name) => self.get_extra(name),
        }
    }

    /// A field's value as queries and rules see it: stored values, plus the log source
    /// fields and `starttime`, which are derived when the record did not carry them.
    pub fn value(&self, name: &FieldName) -> Option<Cow<'_, Value>> {
        if let Some(value) = self.get_name(name) {
            return Some(Cow::Borrowed(value));
        }
        let FieldName::Canonical(id) = name else {
            return None;
        };
        Some(Cow::Owned(match id {
            FieldId::LogSourceName => Value::text(self.log_source_name()),
            FieldId::LogSourceTypeName => Value::text(self.log_source_type_name()),
            FieldId::DeviceType => Value::Integer(self.device_type()),
            FieldId::LogSourceId => Value::Integer(self.log_source_id()),
            FieldId::StartTime => Value::Time(self.start_time()?),
            _ => return None,
        }))
    }

    /// Set a canonical field, replacing any earlier value.
    pub fn set(&mut self, id: FieldId, value: Value) {
        if self.present & bit(id) != 0 {
            if let Some(slot) = self.fields.get_mut(usize::from(self.at[id as usize])) {
                slot.1 = value;
                return;
            }
        }
        self.add(id, value);
    }

    /// Set a canonical field unless it already has a value.
    pub fn set_default(&mut self, id: FieldId, value: Value) {
        if self.present & bit(id) == 0 {
            self.add(id, value);
        }
    }

    /// A field not present yet.
    fn add(&mut self, id: FieldId, value: Value) {
        self.at[id as usize] = self.fields.len() as u8;
        self.fields.push((id, value));
        self.present |= bit(id);
    }

    pub fn has(&self, id: FieldId) -> bool {
        self.present & bit(id) != 0
    }

    pub fn remove(&mut self, id: FieldId) -> Option<Value> {
        if self.present & bit(id) == 0 {
            return None;
        }
        self.present &= !bit(id);
        let index = usize::from(self.at[id as usize]);
        let (_, value) = self.fields.swap_remove(index);
        // The last field took the removed one's place.
        if let Some((moved, _)) = self.fields.get(index) {
            self.at[*moved as usize] = index as u8;
        }
        Some(value)
    }

    /// Room for `additional` more extra fields (a reader that knows how many a record
    /// holds grows the list once).
    pub fn reserve_extra(&mut self, additional: usize) {
        self.extra.reserve(additional);
    }

    /// Add an extra (non-canonical) field. Duplicate names are kept in order. A name
    /// known in advance (`&'static str`) is kept without a copy.
    pub fn push_extra(&mut self, name: impl Into<Cow<'static, str>>, value: Value) {
        self.extra.push((name.into(), value));
    }

    /// Store a value under a name from a record: a canonical field when the registry
    /// knows the name, an extra field otherwise.
    pub fn set_named(&mut self, name: &str, value: Value) {
        match crate::registry::lookup(name) {
            Some(id) => self.set(id, value),
            None => self.push_extra(name.to_string(), value),
        }
    }

    pub fn fields(&self) -> impl Iterator<Item = (FieldId, &Value)> {
        self.fields.iter().map(|(f, v)| (*f, v))
    }

    pub fn extra_fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.extra.iter().map(|(n, v)| (n.as_ref(), v))
    }

    pub fn device_time(&self) -> Option<Timestamp> {
        self.get(FieldId::DeviceTime).and_then(Value::as_time)
    }

    /// When the event was received; for files, the device time unless the record says.
    pub fn start_time(&self) -> Option<Timestamp> {
        self.get(FieldId::StartTime)
            .and_then(Value::as_time)
            .or_else(|| self.device_time())
    }

    pub fn hostname(&self) -> Option<&str> {
        self.get_str(FieldId::Hostname)
    }

    /// QRadar-style log source name: an explicit one (QRadar exports), else
    /// `<type label> @ <host>`, else the type label alone.
    pub fn log_source_name(&self) -> String {
        if let Some(name) = self.get_str(FieldId::LogSourceName) {
            return name.to_string();
        }
        match self.hostname() {
            Some(host) => format!("{} @ {}", self.source_type.label, host),
            None => self.source_type.label.to_string(),
        }
    }

    /// Log source type id (`devicetype`): an explicit one (QRadar exports) or the parser's.
    pub fn device_type(&self) -> i64 {
        self.get_i64(FieldId::DeviceType)
            .or_else(|| {
                self.get_str(FieldId::LogSourceTypeName)
                    .and_then(LogSourceType::by_name)
                    .map(|t| t.id)
            })
            .unwrap_or(self.source_type.id)
    }

    /// Log source type name: an explicit one (QRadar exports), else the name of the
    /// explicit id, else the parser's.
    pub fn log_source_type_name(&self) -> &str {
        if let Some(name) = self.get_str(FieldId::LogSourceTypeName) {
            return name;
        }
        match self
            .get_i64(FieldId::DeviceType)
            .and_then(LogSourceType::by_id)
        {
            Some(t) => t.name,
            None => self.source_type.name,
        }
    }

    /// Log source id: an explicit one, else a stable number (FNV-1a, 31 bits) of the name.
    pub fn log_source_id(&self) -> i64 {
        if let Some(id) = self.get_i64(FieldId::LogSourceId) {
            return id;
        }
        let mut hash: u32 = 0x811c_9dc5;
        for byte in self.log_source_name().bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        i64::from(hash & 0x7fff_ffff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event::new(
            &LogSourceType::LINUX,
            Category::default(),
            Origin {
                file: "x.log".into(),
                position: Position::Line(1),
            },
        )
    }

    #[test]
    fn presence_bits_follow_set_and_remove() {
        assert!(
            crate::field::FIELDS.len() <= 64,
            "one presence bit per field id"
        );
        let mut e = event();
        assert!(!e.has(FieldId::Image));
        e.set_default(FieldId::Image, Value::text("a"));
        e.set_default(FieldId::Image, Value::text("b"));
        e.set(FieldId::CommandLine, Value::text("c"));
        assert_eq!(e.get_str(FieldId::Image), Some("a"));
        assert_eq!(e.remove(FieldId::Image), Some(Value::text("a")));
        assert!(!e.has(FieldId::Image) && e.get(FieldId::Image).is_none());
        assert_eq!(e.remove(FieldId::Image), None);
        e.set(FieldId::Image, Value::text("d"));
        assert_eq!(e.get_str(FieldId::Image), Some("d"));
        assert_eq!(e.fields().count(), 2);
    }

    #[test]
    fn fields_are_found_where_they_are_after_removals() {
        // Removing a field moves the last one into its place: every field is still
        // found, with its own value, whatever is removed and set again.
        let ids = [
            FieldId::Image,
            FieldId::CommandLine,
            FieldId::Hostname,
            FieldId::DestinationPort,
            FieldId::EventId,
        ];
        let mut e = event();
        let mut expected: Vec<Option<i64>> = vec![None; ids.len()];
        let mut state = 7u32;
        for round in 0..200 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let pick = (state >> 16) as usize % ids.len();
            if state & 1 == 0 {
                e.set(ids[pick], Value::Integer(round));
                expected[pick] = Some(round);
            } else {
                assert_eq!(e.remove(ids[pick]).is_some(), expected[pick].is_some());
                expected[pick] = None;
            }
            for (id, value) in ids.iter().zip(&expected) {
                assert_eq!(e.get_i64(*id), *value, "{round} {id:?}");
            }
            assert_eq!(e.fields().count(), expected.iter().flatten().count());
        }
    }

    #[test]
    fn set_replaces_and_named_resolves() {
        let mut e = event();
        e.set_named("DestinationPort", Value::Integer(43));
        e.set_named("dpt", Value::Integer(44));
        e.set_named("Hashes", Value::text("SHA1=00"));
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(44));
        assert_eq!(e.get_extra("hashes"), Some(&Value::text("SHA1=00")));
    }

    #[test]
    fn an_extra_field_is_found_by_its_exact_name_first() {
        let mut e = event();
        e.push_extra("ContextINFO", Value::text("upper"));
        e.push_extra("ContextInfo", Value::text("exact"));
        assert_eq!(e.get_extra("ContextInfo"), Some(&Value::text("exact")));
        assert_eq!(e.get_extra("contextinfo"), Some(&Value::text("upper")));
        assert_eq!(e.get_extra("ContextInf"), None);
    }

    #[test]
    fn extra_fields_named_in_advance_or_by_the_record_read_alike() {
        let mut e = event();
        e.push_extra("EventTime", Value::text("2020-06-09 22:50:54"));
        e.push_extra(String::from("RuleName"), Value::text("-"));
        assert_eq!(
            e.get_extra("eventtime"),
            Some(&Value::text("2020-06-09 22:50:54"))
        );
        let names: Vec<&str> = e.extra_fields().map(|(name, _)| name).collect();
        assert_eq!(names, ["EventTime", "RuleName"]);
    }

    #[test]
    fn log_source_defaults_and_overrides() {
        let mut e = event();
        assert_eq!(e.log_source_name(), "LinuxServer");
        e.set(FieldId::Hostname, Value::text("web01"));
        assert_eq!(e.log_source_name(), "LinuxServer @ web01");
        assert_eq!(e.log_source_type_name(), "Linux OS");
        e.set(FieldId::DeviceType, Value::Integer(105));
        assert_eq!(e.log_source_type_name(), "SIM Audit");
        assert_eq!(e.log_source_id(), e.log_source_id());
    }
}
