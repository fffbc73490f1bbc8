//! NXLog flat JSON (OTRF): the Windows record's fields at the top level, beside fields
//! that describe the collection. Each key's role is found once, in one pass.

use whoiswatch_event::{Event, FieldId, Origin, Value};

use super::dialects::json_value;
use super::tree::Json;
use crate::coerce::parse_time;
use crate::formats::windows::{normalize, WinRecord};

/// What a top-level key of an NXLog line is.
#[derive(Clone, Copy)]
enum Role {
    /// Part of the record's header: read into the record, not kept under its name.
    Header(Header),
    /// Describes the collection: kept as an extra field under its name (known in
    /// advance, so not copied).
    Meta(&'static str),
    /// The user's SID: the record's, and kept as an extra field too.
    UserId,
    /// EventData: the record's data.
    Data,
}

/// The header fields, each read from the first member that has its key.
#[derive(Clone, Copy)]
enum Header {
    Provider,
    EventId,
    Channel,
    Computer,
    Received,
    RecordId,
    Message,
}

/// The name of a field that describes the collection, as a `'static` string: one
/// `match`, as for the header.
macro_rules! collection_field {
    ($($name:literal)|*) => {
        fn collection_field(key: &str) -> Option<&'static str> {
            match key {
                $($name => Some($name),)*
                _ => None,
            }
        }
    };
}

collection_field!(
    "ProviderGuid"
        | "@version"
        | "EventTime"
        | "EventReceivedTime"
        | "Severity"
        | "SeverityValue"
        | "EventType"
        | "Keywords"
        | "Task"
        | "Opcode"
        | "OpcodeValue"
        | "Version"
        | "SourceModuleName"
        | "SourceModuleType"
        | "ExecutionProcessID"
        | "ThreadID"
        | "port"
        | "host"
        | "tags"
        | "AccountName"
        | "Domain"
        | "AccountType"
        | "Category"
        | "Level"
);

/// One `match` on the key for the header (a length switch and a compare or two, on the
/// hot path of every NXLog line), then the collection's fields.
fn role(key: &str) -> Role {
    match key {
        "SourceName" => Role::Header(Header::Provider),
        "EventID" => Role::Header(Header::EventId),
        "Channel" => Role::Header(Header::Channel),
        "Hostname" => Role::Header(Header::Computer),
        "@timestamp" => Role::Header(Header::Received),
        "RecordNumber" => Role::Header(Header::RecordId),
        "Message" => Role::Header(Header::Message),
        "UserID" => Role::UserId,
        _ => match collection_field(key) {
            Some(name) => Role::Meta(name),
            None => Role::Data,
        },
    }
}

/// The event of an NXLog line.
pub(super) fn nxlog(object: &Json<'_>, origin: Origin, payload: &str) -> Event {
    let mut record = WinRecord {
        data: Vec::with_capacity(object.members().len()),
        ..WinRecord::default()
    };
    // Bit `1 << header` (and bit 7 for the SID) once the first member of that key is read.
    let mut seen = 0u8;
    let mut first = |bit: u8| {
        let new = seen & 1 << bit == 0;
        seen |= 1 << bit;
        new
    };
    // The 24 collection fields and the SID.
    let mut meta = Vec::with_capacity(32);
    for (key, value) in object.members() {
        match role(key) {
            Role::Data => {
                if let Some(text) = value.scalar_text() {
                    record
                        .data
                        .push((std::borrow::Cow::Borrowed(key.as_ref()), text));
                }
            }
            Role::Meta(name) => meta.push((name, value)),
            Role::UserId => {
                if first(7) {
                    record.user_sid = value.scalar_text();
                }
                meta.push(("UserID", value));
            }
            Role::Header(header) if first(header as u8) => match header {
                Header::Provider => record.provider = value.scalar_text(),
                Header::EventId => record.event_id = value.as_i64(),
                Header::Channel => record.channel = value.scalar_text(),
                Header::Computer => record.computer = value.scalar_text(),
                Header::Received => {
                    record.received = value.scalar_text().and_then(|t| parse_time(&t))
                }
                Header::RecordId => record.record_id = value.as_i64(),
                Header::Message => record.message = value.scalar_text(),
            },
            Role::Header(_) => {}
        }
    }
    record.more_extra = meta.len();
    let mut event = normalize(&record, false, origin, payload);
    if !event.has(FieldId::DeviceTime) {
        if let Some(t) = record.received {
            event.set(FieldId::DeviceTime, Value::Time(t));
        }
    }
    for (name, value) in meta {
        event.push_extra(name, json_value(value));
    }
    event
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use whoiswatch_event::Position;

    use super::*;
    use crate::formats::json::tree;

    fn event(line: &str) -> Event {
        let origin = Origin {
            file: Arc::from("t.json"),
            position: Position::Line(1),
        };
        nxlog(&tree::parse(line).unwrap(), origin, line)
    }

    #[test]
    fn header_fields_come_from_the_first_member_of_their_key() {
        let event = event(
            r#"{"EventID":"13","EventID":1,"SourceName":null,"SourceName":"Other","Channel":"Microsoft-Windows-Sysmon/Operational","UserID":"S-1-5-18","UserID":"S-2","Image":"C:\\w.exe","tags":["a"],"@timestamp":"2020-06-10T02:50:56.537Z","Hostname":"h1","Hostname":"h2"}"#,
        );
        assert_eq!(event.get_i64(FieldId::EventId), Some(13));
        // The first SourceName is null: no provider, as a lookup of the key would say.
        assert_eq!(event.get(FieldId::Provider), None);
        assert_eq!(event.get_str(FieldId::Hostname), Some("h1"));
        assert_eq!(event.get_str(FieldId::Image), Some("C:\\w.exe"));
        assert_eq!(event.category.category, Some("registry_set"));
        assert_eq!(
            event.device_time().map(|t| t.to_string()),
            Some("2020-06-10T02:50:56.537Z".to_string())
        );
        // The collection's fields stay under their names, in order; header keys do not.
        let extras: Vec<(&str, String)> = event
            .extra_fields()
            .map(|(name, value)| (name, value.to_string()))
            .collect();
        let user_ids: Vec<&str> = extras
            .iter()
            .filter(|(name, _)| *name == "UserID")
            .map(|(_, value)| value.as_str())
            .collect();
        assert_eq!(user_ids, ["S-1-5-18", "S-1-5-18", "S-2"]);
        assert!(extras.iter().any(|(name, _)| *name == "tags"));
        for header in ["EventID", "SourceName", "Channel", "Hostname", "@timestamp"] {
            assert!(!extras.iter().any(|(name, _)| *name == header), "{header}");
        }
    }
}
