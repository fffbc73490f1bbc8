//! Zeek logs: TSV driven by the `#fields`/`#types` header (any log), and the common
//! normalization shared with Zeek JSON.

use std::io::BufRead;

use whoiswatch_event::time::parse_epoch_seconds;
use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Position, Value};

use crate::coerce::{coerce, derive_common, parse_ip, time_from_number};
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::input::lines::for_each_line;
use crate::options::Options;

pub(crate) const FORMAT_TSV: &str = "zeek-tsv";

/// Build the event of one Zeek log row from its typed fields.
pub(crate) fn zeek_event(
    path: &str,
    fields: Vec<(&str, Value)>,
    origin: Origin,
    payload: &str,
) -> Event {
    let service: &'static str = match path {
        "conn" => "conn",
        "dns" => "dns",
        "http" => "http",
        "ssl" => "ssl",
        "x509" => "x509",
        "files" => "files",
        "smtp" => "smtp",
        "ssh" => "ssh",
        "ftp" => "ftp",
        "kerberos" => "kerberos",
        "notice" => "notice",
        "weird" => "weird",
        "rdp" => "rdp",
        "smb_files" => "smb_files",
        "smb_mapping" => "smb_mapping",
        "dce_rpc" => "dce_rpc",
        "ntlm" => "ntlm",
        _ => "other",
    };
    let mut event = Event::new(
        &LogSourceType::ZEEK,
        Category::new("zeek", None, Some(service)),
        origin,
    );
    let mut local_orig = None;
    let mut local_resp = None;
    for (name, value) in fields {
        let id = match (path, name) {
            ("http", "host") => {
                event.set_default(FieldId::DestinationHostname, value.clone());
                Some(FieldId::HttpHost)
            }
            ("ssl", "server_name") => {
                event.set_default(FieldId::DestinationHostname, value.clone());
                Some(FieldId::TlsSni)
            }
            ("conn", "conn_state") => Some(FieldId::DeviceAction),
            ("conn", "local_orig") => {
                local_orig = Some(value == Value::Boolean(true));
                None
            }
            ("conn", "local_resp") => {
                local_resp = Some(value == Value::Boolean(true));
                None
            }
            (_, "_path" | "@stream" | "_write_ts" | "@proc") => None,
            (_, "ts") => Some(FieldId::DeviceTime),
            _ => whoiswatch_event::registry::lookup(name),
        };
        match id {
            Some(id) => event.set(id, retype(id, value)),
            None => event.push_extra(name.to_string(), value),
        }
    }
    match (local_orig, local_resp) {
        (Some(true), Some(false)) => event.set(FieldId::NetworkDirection, Value::text("outbound")),
        (Some(false), Some(true)) => event.set(FieldId::NetworkDirection, Value::text("inbound")),
        _ => {}
    }
    if let Some(query) = event.get_str(FieldId::DnsQuery) {
        if let Some(stripped) = query.strip_suffix('.') {
            let stripped = stripped.to_string();
            event.set(FieldId::DnsQuery, Value::text(stripped));
        }
    }
    derive_common(&mut event);
    event.set(FieldId::Payload, Value::text(payload));
    event
}

/// Give a typed value the type its canonical field wants (JSON `ts` numbers become
/// times, text addresses become IPs).
fn retype(id: FieldId, value: Value) -> Value {
    match (id.ty(), value) {
        (whoiswatch_event::FieldType::Time, Value::Float(f)) => time_from_number(f)
            .map(Value::Time)
            .unwrap_or(Value::Float(f)),
        (whoiswatch_event::FieldType::Time, Value::Integer(n)) => time_from_number(n as f64)
            .map(Value::Time)
            .unwrap_or(Value::Integer(n)),
        (whoiswatch_event::FieldType::TextList, Value::Text(t)) => Value::List(vec![t]),
        (_, Value::Text(t)) => coerce(id, &t),
        (_, other) => other,
    }
}

/// The header of a Zeek TSV log.
struct Header {
    separator: u8,
    set_separator: String,
    empty: String,
    unset: String,
    path: String,
    fields: Vec<String>,
    types: Vec<String>,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            separator: b'\t',
            set_separator: ",".into(),
            empty: "(empty)".into(),
            unset: "-".into(),
            path: String::new(),
            fields: Vec::new(),
            types: Vec::new(),
        }
    }
}

/// `\x09` → tab, as Zeek writes separators and escapes bytes.
fn unescape_zeek(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\x") {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() && bytes[i + 1] == b'x' {
            if let Some(byte) = std::str::from_utf8(&bytes[i + 2..i + 4])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn typed(ty: &str, text: &str, header: &Header) -> Option<Value> {
    if text == header.unset {
        return None;
    }
    if ty.starts_with("set[") || ty.starts_with("vector[") {
        if text == header.empty {
            return Some(Value::List(Vec::new()));
        }
        return Some(Value::List(
            text.split(header.set_separator.as_str())
                .map(|item| unescape_zeek(item).into())
                .collect(),
        ));
    }
    if text == header.empty {
        return Some(Value::text(""));
    }
    Some(match ty {
        "time" => parse_epoch_seconds(text)
            .map(Value::Time)
            .unwrap_or_else(|| Value::text(text)),
        "addr" => parse_ip(text)
            .map(Value::Ip)
            .unwrap_or_else(|| Value::text(text)),
        "port" | "count" | "int" => text
            .parse()
            .map(Value::Integer)
            .unwrap_or_else(|_| Value::text(text)),
        "double" | "interval" => text
            .parse()
            .map(Value::Float)
            .unwrap_or_else(|_| Value::text(text)),
        "bool" => match text {
            "T" => Value::Boolean(true),
            "F" => Value::Boolean(false),
            _ => Value::text(text),
        },
        _ => Value::text(unescape_zeek(text)),
    })
}

fn read_header_line(header: &mut Header, line: &str) {
    let (key, value) = match line.split_once([' ', header.separator as char]) {
        Some(parts) => parts,
        None => (line, ""),
    };
    let split = |value: &str| {
        value
            .split(header.separator as char)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    match key {
        "#separator" => {
            let value = unescape_zeek(value.trim());
            if let Some(&b) = value.as_bytes().first() {
                header.separator = b;
            }
        }
        "#set_separator" => header.set_separator = value.to_string(),
        "#empty_field" => header.empty = value.to_string(),
        "#unset_field" => header.unset = value.to_string(),
        "#path" => header.path = value.to_string(),
        "#fields" => header.fields = split(value),
        "#types" => header.types = split(value),
        _ => {}
    }
}

pub(crate) fn parse_tsv(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    let mut header = Header::default();
    for_each_line(
        reader,
        emit,
        options.max_record_bytes,
        &mut |number, bytes, emit| {
            let text = String::from_utf8_lossy(bytes);
            if text.is_empty() {
                return Ok(());
            }
            if text.starts_with('#') {
                read_header_line(&mut header, &text);
                return Ok(());
            }
            if header.fields.is_empty() {
                return emit.error(
                    Position::Line(number),
                    ErrorKind::HeaderMismatch,
                    "row before any #fields header",
                );
            }
            let columns: Vec<&str> = text.split(header.separator as char).collect();
            if columns.len() != header.fields.len() {
                let reason = format!(
                    "row has {} columns, the #fields header names {}",
                    columns.len(),
                    header.fields.len()
                );
                return emit.error(Position::Line(number), ErrorKind::HeaderMismatch, reason);
            }
            let mut fields = Vec::with_capacity(columns.len());
            for (index, column) in columns.iter().enumerate() {
                let ty = header
                    .types
                    .get(index)
                    .map(String::as_str)
                    .unwrap_or("string");
                if let Some(value) = typed(ty, column, &header) {
                    fields.push((header.fields[index].as_str(), value));
                }
            }
            let event = zeek_event(
                &header.path,
                fields,
                emit.origin(Position::Line(number)),
                &text,
            );
            emit.event(FORMAT_TSV, event);
            Ok(())
        },
    )
}
