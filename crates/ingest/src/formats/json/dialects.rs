//! Which JSON dialect an object is written in, and how each becomes an event.

use std::borrow::Cow;

use whoiswatch_event::{Category, Event, FieldId, FieldType, LogSourceType, Position, Value};

use super::keys::{lookup_key, Marks, Signature};
use super::skim::{Kind, Member};
use super::tree::Json;
use crate::coerce::{coerce, derive_common, parse_time, time_from_number};
use crate::emit::{Emitter, Stop};
use crate::formats::windows::{normalize, WinRecord};
use crate::formats::zeek::zeek_event;

use super::nxlog::nxlog;
use crate::options::EventFilter;

pub(crate) const FORMAT_EVTX_JSON: &str = "evtx-json";
pub(crate) const FORMAT_NXLOG: &str = "nxlog-json";
pub(crate) const FORMAT_WINLOGBEAT: &str = "winlogbeat-json";
pub(crate) const FORMAT_ZEEK: &str = "zeek-json";
pub(crate) const FORMAT_QRADAR: &str = "qradar-json";
pub(crate) const FORMAT_GENERIC: &str = "json";
pub(crate) const FORMAT_WHOISWATCH: &str = "whoiswatch-json";

/// One parsed JSON value from a line or document element.
pub(crate) fn handle_value(
    value: &Json<'_>,
    text: &str,
    position: Position,
    emit: &mut Emitter<'_>,
) -> Result<(), Stop> {
    match value {
        Json::Object(_) => {
            if let Some(Json::Array(items)) = value.get("events") {
                for (index, item) in items.iter().enumerate() {
                    handle_object(item, &item.render(), Position::Item(index as u64 + 1), emit)?;
                }
                return Ok(());
            }
            handle_object(value, text, position, emit)
        }
        Json::Array(items) => {
            for item in items {
                handle_object(item, &item.render(), position, emit)?;
            }
            Ok(())
        }
        _ => emit.error(
            position,
            crate::ErrorKind::Unrecognized,
            "a JSON line that is not an object",
        ),
    }
}

fn handle_object(
    object: &Json<'_>,
    text: &str,
    position: Position,
    emit: &mut Emitter<'_>,
) -> Result<(), Stop> {
    let origin = emit.origin(position);
    if !matches!(object, Json::Object(_)) {
        return emit.error(
            position,
            crate::ErrorKind::Unrecognized,
            "an array element that is not an object",
        );
    }
    let keys = Signature::of(object);
    if let Some(record) = keys
        .event
        .then(|| windows_record_from_evtx_json(object))
        .flatten()
    {
        let linux = record.provider.as_deref() == Some("Linux-Sysmon");
        let event = normalize(&record, linux, origin, text);
        emit.event(FORMAT_EVTX_JSON, event);
    } else if let Some(winlog) = keys
        .winlog
        .then(|| object.get("winlog"))
        .flatten()
        .filter(|w| matches!(w, Json::Object(_)))
    {
        let event = winlogbeat(object, winlog, origin, text);
        emit.event(FORMAT_WINLOGBEAT, event);
    } else if keys.nxlog {
        let event = nxlog(object, origin, text);
        emit.event(FORMAT_NXLOG, event);
    } else if keys.file_and_position && is_whoiswatch(object) {
        emit.event(FORMAT_WHOISWATCH, whoiswatch(object, origin, text));
    } else if let Some(path) = keys.zeek.then(|| zeek_path(object)).flatten() {
        let mut fields = Vec::new();
        flatten(object, &mut String::new(), &mut |name, value| {
            fields.push((name.to_string(), value))
        });
        let fields: Vec<(&str, Value)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        let mut event = zeek_event(&path, fields, origin, text);
        if let Some(system) = object
            .get("@system")
            .or_else(|| object.get("_system"))
            .and_then(Json::as_str)
        {
            event.set(FieldId::Hostname, Value::text(system));
        }
        emit.event(FORMAT_ZEEK, event);
    } else {
        if let Some(filter) = emit.filter() {
            if let Some(partial) = generic_partial(object, keys.qradar, &origin, filter.reads()) {
                if !filter.wants(&partial) {
                    emit.rejected(generic_format(keys.qradar), partial);
                    return Ok(());
                }
            }
        }
        let (event, format) = generic(object, keys.qradar, origin, text);
        emit.event(format, event);
    }
    Ok(())
}

/// whoiswatch's own event JSON (`whoiswatch events`): where the record came from, and
/// and the log source type, the Sigma log source or extra fields as objects.
fn is_whoiswatch(object: &Json<'_>) -> bool {
    let is_object = |key: &str| matches!(object.get(key), Some(Json::Object(_)));
    object.get("file").and_then(Json::as_str).is_some()
        && object.get("position").and_then(Json::as_str).is_some()
        && (is_object("sigma_logsource")
            || is_object("extra")
            || object.get("logsourcetypename").is_some())
}

/// Read back as the event it was: canonical fields by name, the log source type by its
/// name, the Sigma log source, extra fields under their own names, and the original
/// record's place as `original_file` and `original_position`.
fn whoiswatch(object: &Json<'_>, origin: whoiswatch_event::Origin, text: &str) -> Event {
    let source_type = object
        .get("logsourcetypename")
        .and_then(Json::as_str)
        .and_then(LogSourceType::by_name)
        .unwrap_or(&LogSourceType::JSON);
    let logsource = object.get("sigma_logsource");
    let name = |key: &str| {
        logsource
            .and_then(|l| l.get(key))
            .and_then(Json::as_str)
            .and_then(Category::name)
    };
    let category = Category {
        product: name("product"),
        category: name("category"),
        service: name("service"),
    };
    let mut event = Event::new(source_type, category, origin);
    let skip = ["sigma_logsource", "extra", "file", "position"];
    set_members(&mut event, object, &skip, false);
    if let Some(extra) = object.get("extra") {
        for (key, value) in extra.members() {
            if !matches!(value, Json::Null) {
                event.push_extra(key.to_string(), json_value(value));
            }
        }
    }
    for (key, name) in [("file", "original_file"), ("position", "original_position")] {
        if let Some(value) = object.get(key).and_then(Json::as_str) {
            event.push_extra(name, Value::text(value));
        }
    }
    event.set_default(FieldId::Payload, Value::text(text));
    event
}

/// A Zeek log's path: `_path`, `@stream`, or guessed from the fields it has.
fn zeek_path(object: &Json<'_>) -> Option<String> {
    if let Some(path) = object
        .get("_path")
        .or_else(|| object.get("@stream"))
        .and_then(Json::as_str)
    {
        return Some(path.to_string());
    }
    let has = |key: &str| object.get(key).is_some();
    if !(has("uid") && (has("id.orig_h") || has("id_orig_h"))) {
        return None;
    }
    let path = if has("conn_state") {
        "conn"
    } else if has("qtype_name") || has("query") {
        "dns"
    } else if has("server_name") || has("ssl_history") {
        "ssl"
    } else if has("method") && has("uri") {
        "http"
    } else {
        "unknown"
    };
    Some(path.to_string())
}

/// Every scalar of an object with its dotted path (`winlog.event_data.Image`).
fn flatten(value: &Json<'_>, prefix: &mut String, out: &mut dyn FnMut(&str, Value)) {
    for (key, item) in value.members() {
        let length = prefix.len();
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(key);
        match item {
            Json::Object(_) => flatten(item, prefix, out),
            Json::Null => {}
            _ => out(prefix, json_value(item)),
        }
        prefix.truncate(length);
    }
}

/// A JSON value as an event value, keeping its type.
pub(super) fn json_value(value: &Json<'_>) -> Value {
    match value {
        Json::Bool(b) => Value::Boolean(*b),
        Json::Integer(n) => Value::Integer(*n),
        Json::Float(f) => Value::Float(*f),
        Json::Text(t) => Value::text(t.as_ref()),
        Json::Array(items) => Value::List(
            items
                .iter()
                .filter_map(|i| i.scalar_text().map(|t| t.as_ref().into()))
                .collect(),
        ),
        Json::Null | Json::Object(_) => Value::text(""),
    }
}

/// A JSON value for a canonical field, typed as that field wants.
fn typed(id: FieldId, value: &Json<'_>) -> Option<Value> {
    Some(match (id.ty(), value) {
        (_, Json::Null) => return None,
        (FieldType::Time, Json::Integer(n)) => time_from_number(*n as f64).map(Value::Time)?,
        (FieldType::Time, Json::Float(f)) => time_from_number(*f).map(Value::Time)?,
        (FieldType::Integer, Json::Integer(n)) => Value::Integer(*n),
        (FieldType::TextList, Json::Array(_)) => json_value(value),
        (_, Json::Text(t)) => coerce(id, t),
        (_, other) => match other.scalar_text() {
            Some(t) => coerce(id, &t),
            None => json_value(other),
        },
    })
}

/// Set each member through the registry: canonical fields typed, the rest as extras.
fn set_members(event: &mut Event, object: &Json<'_>, skip: &[&str], only_new: bool) {
    flatten_typed(event, object, &mut String::new(), skip, only_new);
}

fn flatten_typed(
    event: &mut Event,
    value: &Json<'_>,
    prefix: &mut String,
    skip: &[&str],
    only_new: bool,
) {
    for (index, (key, item)) in value.members().iter().enumerate() {
        let length = prefix.len();
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(key);
        if skip.contains(&prefix.as_str()) {
            prefix.truncate(length);
            continue;
        }
        match item {
            Json::Object(_) => flatten_typed(event, item, prefix, skip, only_new),
            Json::Null => {}
            _ => match lookup_key(length == 0, index, prefix) {
                Some(id) if only_new && event.has(id) => {
                    event.push_extra(prefix.clone(), json_value(item))
                }
                Some(id) => {
                    if let Some(v) = typed(id, item) {
                        event.set(id, v);
                    }
                }
                None => event.push_extra(prefix.clone(), json_value(item)),
            },
        }
        prefix.truncate(length);
    }
}

fn text<'a>(value: Option<&'a Json<'a>>) -> Option<Cow<'a, str>> {
    value.and_then(Json::scalar_text)
}

/// evtx_dump / the evtx crate's JSON: `{"Event": {"System": …, "EventData": …}}`.
fn windows_record_from_evtx_json<'a>(object: &'a Json<'a>) -> Option<WinRecord<'a>> {
    let event = object.get("Event")?;
    let system = event.get("System")?;
    let attribute = |node: Option<&'a Json<'a>>, name: &str| {
        node.and_then(|n| n.get("#attributes"))
            .and_then(|a| a.get(name))
    };
    let event_id = system.get("EventID").and_then(|id| {
        id.as_i64()
            .or_else(|| id.get("#text").and_then(Json::as_i64))
    });
    let mut record = WinRecord {
        provider: text(attribute(system.get("Provider"), "Name")),
        event_id,
        channel: text(system.get("Channel")),
        computer: text(system.get("Computer")),
        time: text(attribute(system.get("TimeCreated"), "SystemTime")).and_then(|t| parse_time(&t)),
        record_id: system.get("EventRecordID").and_then(Json::as_i64),
        level: system.get("Level").and_then(Json::as_i64),
        user_sid: text(attribute(system.get("Security"), "UserID")),
        ..WinRecord::default()
    };
    for section in ["EventData", "UserData"] {
        if let Some(data) = event.get(section) {
            collect_data(data, &mut record.data);
        }
    }
    if let Some(message) = event
        .get("RenderingInfo")
        .and_then(|r| r.get("Message"))
        .and_then(Json::scalar_text)
    {
        record.message = Some(message);
    }
    Some(record)
}

/// EventData/UserData members: leaves by name (nested UserData elements flattened),
/// unnamed `Data` arrays as `param1`…
fn collect_data<'a>(value: &'a Json<'a>, out: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>) {
    for (key, item) in value.members() {
        if key.starts_with('#') {
            continue;
        }
        match item {
            Json::Object(_) => collect_data(item, out),
            Json::Array(items) if key == "Data" => {
                for (index, element) in items.iter().enumerate() {
                    if let Some(t) = element
                        .scalar_text()
                        .or_else(|| element.get("#text").and_then(Json::scalar_text))
                    {
                        out.push((
                            Cow::Owned(format!("param{}", index + 1)),
                            Cow::Owned(t.into_owned()),
                        ));
                    }
                }
            }
            Json::Null => out.push((Cow::Borrowed(key.as_ref()), Cow::Borrowed(""))),
            _ => {
                if let Some(t) = item.scalar_text() {
                    out.push((Cow::Borrowed(key.as_ref()), t));
                }
            }
        }
    }
}

/// Winlogbeat / Elastic Agent: `winlog.*` holds the Windows record, the rest is ECS.
fn winlogbeat(
    object: &Json<'_>,
    winlog: &Json<'_>,
    origin: whoiswatch_event::Origin,
    payload: &str,
) -> Event {
    let mut record = WinRecord {
        provider: text(winlog.get("provider_name")),
        event_id: winlog.get("event_id").and_then(Json::as_i64),
        channel: text(winlog.get("channel")),
        computer: text(winlog.get("computer_name")),
        time: text(object.get("@timestamp")).and_then(|t| parse_time(&t)),
        record_id: winlog.get("record_id").and_then(Json::as_i64),
        message: text(object.get("message")),
        ..WinRecord::default()
    };
    if let Some(data) = winlog.get("event_data") {
        collect_data(data, &mut record.data);
    }
    if let Some(data) = winlog.get("user_data") {
        collect_data(data, &mut record.data);
    }
    let mut event = normalize(&record, false, origin, payload);
    set_members(
        &mut event,
        object,
        &["winlog", "message", "@timestamp", "event.original"],
        true,
    );
    event
}

fn generic_format(qradar: bool) -> &'static str {
    if qradar {
        FORMAT_QRADAR
    } else {
        FORMAT_GENERIC
    }
}

fn generic_source_type(qradar: bool) -> &'static LogSourceType {
    if qradar {
        &LogSourceType::QRADAR_EXPORT
    } else {
        &LogSourceType::JSON
    }
}

/// The event [`generic`] builds, with only the fields of `reads` (and what
/// `derive_common` fills in): for a consumer's [`crate::EventFilter`]. `None` where two
/// steps would not give the same fields: nested objects (their dotted names), the
/// payload asked for, or a PowerShell script block (the emitter joins those).
fn generic_partial(
    object: &Json<'_>,
    qradar: bool,
    origin: &whoiswatch_event::Origin,
    reads: &[FieldId],
) -> Option<Event> {
    let wanted = Wanted::of(reads);
    let mut event = partial_event(qradar, origin, wanted)?;
    for (index, (key, item)) in object.members().iter().enumerate() {
        match item {
            Json::Object(_) => return None,
            Json::Null => continue,
            _ => {}
        }
        let id = lookup_key(true, index, key);
        if !set_partial(&mut event, wanted, id, |id| typed(id, item)) {
            return None;
        }
    }
    derive_common(&mut event);
    Some(event)
}

/// The fields a partial event is typed in, as a set of bits: those the filter reads,
/// and the protocol fields `derive_common` completes from one another.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted(u64);

impl Wanted {
    pub fn of(reads: &[FieldId]) -> Wanted {
        let protocol = [FieldId::Protocol, FieldId::ProtocolId];
        Wanted(
            reads
                .iter()
                .chain(&protocol)
                .fold(0, |bits, id| bits | 1 << *id as u8),
        )
    }

    fn has(self, id: FieldId) -> bool {
        self.0 & 1 << id as u8 != 0
    }
}

fn partial_event(qradar: bool, origin: &whoiswatch_event::Origin, wanted: Wanted) -> Option<Event> {
    if wanted.has(FieldId::Payload) {
        return None;
    }
    Some(Event::new(
        generic_source_type(qradar),
        Category::default(),
        origin.clone(),
    ))
}

/// One non-null member of a partial event, typed only when `reads` holds its field;
/// false when the object must be read in full (a PowerShell script block).
#[inline(always)]
fn set_partial(
    event: &mut Event,
    wanted: Wanted,
    id: Option<FieldId>,
    value: impl FnOnce(FieldId) -> Option<Value>,
) -> bool {
    let Some(id) = id else {
        return true;
    };
    if id == FieldId::ScriptBlockId {
        return false;
    }
    if wanted.has(id) {
        if let Some(value) = value(id) {
            event.set(id, value);
        }
    }
    true
}

/// A skimmed member's value for a canonical field: what [`typed`] gives for the value
/// the tree would hold, without building that value for the common kinds.
#[inline(always)]
fn skimmed_value(id: FieldId, member: &Member, text: &str) -> Option<Value> {
    match (member.kind, id.ty()) {
        (Kind::Null, _) => None,
        (Kind::SmallInteger, FieldType::Integer) => Some(Value::Integer(member.integer(text))),
        (Kind::SmallInteger, FieldType::Time) => {
            time_from_number(member.integer(text) as f64).map(Value::Time)
        }
        (Kind::Text { escaped: false }, _) => Some(coerce(id, member.text(text))),
        _ => typed(id, &member.json(text)),
    }
}

/// What became of a skimmed line.
pub(crate) enum Skimmed {
    /// Delivered as the partial event the filter rejected.
    Rejected,
    /// To be read in full: the filter wants it, or reads the payload.
    Wanted,
    /// To be read in full: not of the generic dialect, or a script block part.
    OtherDialect,
}

/// A flat JSON line whose members [`super::skim`] found, delivered as the partial event
/// when `filter` rejects it. The skim looked the members' keys up (see `skim`).
pub(crate) fn skimmed(
    text: &str,
    members: &[Member],
    position: Position,
    filter: &dyn EventFilter,
    wanted: Wanted,
    emit: &mut Emitter<'_>,
) -> Skimmed {
    // Built before the dialect is known: a line of another dialect turns the skim off
    // for a while (see `parse_line`).
    let Some(mut event) = partial_event(false, &emit.origin(position), wanted) else {
        return Skimmed::Wanted;
    };
    let mut marks = Marks::default();
    for member in members {
        marks = marks.union(member.info.marks);
        if member.kind == Kind::Null {
            continue;
        }
        let value = |id| skimmed_value(id, member, text);
        if !set_partial(&mut event, wanted, member.info.id, value) {
            return Skimmed::OtherDialect;
        }
    }
    let signature = Signature::of_marks(marks);
    if !signature.only_generic() {
        return Skimmed::OtherDialect;
    }
    event.source_type = generic_source_type(signature.qradar);
    derive_common(&mut event);
    if filter.wants(&event) {
        return Skimmed::Wanted;
    }
    emit.rejected(generic_format(signature.qradar), event);
    Skimmed::Rejected
}

/// Any other object: keys resolved through the registry. QRadar's own column names make
/// it a QRadar event (times in epoch milliseconds, log source ids and type ids).
fn generic(
    object: &Json<'_>,
    qradar: bool,
    origin: whoiswatch_event::Origin,
    payload: &str,
) -> (Event, &'static str) {
    let mut event = Event::new(generic_source_type(qradar), Category::default(), origin);
    set_members(&mut event, object, &[], false);
    derive_common(&mut event);
    event.set_default(FieldId::Payload, Value::text(payload));
    (event, generic_format(qradar))
}
