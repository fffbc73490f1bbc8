//! ArcSight CEF and IBM LEEF 1.0/2.0 records, bare or behind a syslog header.

use whoiswatch_event::java_time::DatePattern;
use whoiswatch_event::time::{month_from_abbreviation, Civil};
use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Timestamp, Value};

use crate::coerce::{coerce, derive_common, parse_time};

pub(crate) const FORMAT_CEF: &str = "cef";
pub(crate) const FORMAT_LEEF: &str = "leef";

/// Split on `|` not escaped by a backslash, at most `parts` pieces (the last takes the rest).
fn split_header(text: &str, parts: usize) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() && out.len() + 1 < parts {
        match bytes[i] {
            b'\\' => i += 1,
            b'|' => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start.min(text.len())..]);
    out
}

fn unescape_header(text: &str) -> String {
    text.replace("\\|", "|").replace("\\\\", "\\")
}

fn unescape_value(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']')
}

/// CEF extension `k=v k2=v with spaces`: a key is a word right before an unescaped `=`
/// that starts the text or follows a space.
fn parse_extension(text: &str) -> Vec<(&str, String)> {
    let bytes = text.as_bytes();
    let mut keys: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == b'=' {
            let mut start = i;
            while start > 0 && is_key_byte(bytes[start - 1]) {
                start -= 1;
            }
            if start < i && (start == 0 || bytes[start - 1] == b' ') {
                keys.push((start, i));
            }
        }
        i += 1;
    }
    let mut pairs = Vec::with_capacity(keys.len());
    for (index, &(start, eq)) in keys.iter().enumerate() {
        let end = keys
            .get(index + 1)
            .map(|&(next, _)| next)
            .unwrap_or(bytes.len());
        let value = text[eq + 1..end].trim_end_matches(' ');
        pairs.push((&text[start..eq], unescape_value(value)));
    }
    pairs
}

/// The times CEF `rt` and LEEF `devTime` hold: epoch milliseconds, ISO 8601, or
/// `MMM dd yyyy HH:mm:ss[.SSS][ zone]` (the zone, if any, is taken as UTC).
pub(crate) fn parse_device_time(text: &str) -> Option<Timestamp> {
    if let Some(t) = parse_time(text) {
        return Some(t);
    }
    let mut words = text.split_whitespace();
    let month = month_from_abbreviation(words.next()?.as_bytes())?;
    let day: u32 = words.next()?.parse().ok()?;
    let third = words.next()?;
    let (year, clock) = match third.parse::<i64>() {
        Ok(year) => (year, words.next()?),
        Err(_) => (1970, third),
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let mut parts = clock.split(':').map(|p| p.parse::<u32>().ok());
    let (hour, minute, second) = (
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    );
    let millis: u32 = fraction.get(..fraction.len().min(3))?.parse().ok()?;
    Timestamp::from_civil(Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanosecond: millis * 1_000_000,
    })
}

thread_local! {
    /// The last `devTimeFormat` seen and its compiled pattern: a source writes the same
    /// one on every line.
    static LAST_FORMAT: std::cell::RefCell<Option<(String, Option<DatePattern>)>> =
        const { std::cell::RefCell::new(None) };
}

/// LEEF 2.0 `devTime` in the Java `SimpleDateFormat` pattern `devTimeFormat` gives
/// (`MMM dd yyyy HH:mm:ss.SSS zzz`, `yyyy-MM-dd'T'HH:mm:ssZ`, …); `None` when the
/// pattern is not one we read or the time does not follow it.
fn time_in_format(format: &str, text: &str) -> Option<Timestamp> {
    LAST_FORMAT.with(|last| {
        let mut last = last.borrow_mut();
        if last.as_ref().is_none_or(|(f, _)| f != format) {
            *last = Some((format.to_string(), DatePattern::compile(format).ok()));
        }
        let pattern = last.as_ref()?.1.as_ref()?;
        pattern.parse(text.trim()).map(Timestamp::from_millis)
    })
}

/// `cs1=… cs1Label=Name` → the value under `Name`.
fn custom_labels<'a>(pairs: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .filter_map(|(key, value)| key.strip_suffix("Label").map(|base| (base, value.as_str())))
        .collect()
}

fn set_pair(event: &mut Event, key: &str, value: &str, labels: &[(&str, &str)]) {
    if key.ends_with("Label")
        && labels
            .iter()
            .any(|(base, _)| key.strip_suffix("Label") == Some(base))
    {
        return;
    }
    let name = labels
        .iter()
        .find(|(base, _)| *base == key)
        .map(|(_, label)| *label)
        .unwrap_or(key);
    match whoiswatch_event::registry::lookup(name) {
        Some(FieldId::DeviceTime) => match parse_device_time(value) {
            Some(t) => event.set(FieldId::DeviceTime, Value::Time(t)),
            None => event.push_extra(name.to_string(), Value::text(value)),
        },
        Some(id) if !value.is_empty() => event.set(id, coerce(id, value)),
        _ => event.push_extra(name.to_string(), Value::text(value)),
    }
}

fn severity(text: &str) -> Option<i64> {
    text.trim()
        .parse()
        .ok()
        .or(match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(3),
            "medium" => Some(6),
            "high" => Some(8),
            "very-high" | "very high" => Some(10),
            _ => None,
        })
}

fn category_for(event: &Event) -> Category {
    let category = if event.has(FieldId::Url) {
        Some("proxy")
    } else if event.has(FieldId::DestinationPort) || event.has(FieldId::DestinationIp) {
        Some("firewall")
    } else {
        None
    };
    Category {
        product: None,
        category,
        service: None,
    }
}

/// `body` starts at `CEF:`.
pub(crate) fn parse_cef(body: &str, origin: Origin, line: &str) -> Result<Event, String> {
    let parts = split_header(body, 8);
    if parts.len() < 8 {
        return Err(format!(
            "CEF header has {} of its 7 `|`-separated fields",
            parts.len().saturating_sub(1)
        ));
    }
    let mut event = Event::new(&LogSourceType::CEF, Category::default(), origin);
    event.push_extra("deviceVendor", Value::text(unescape_header(parts[1])));
    event.push_extra("deviceProduct", Value::text(unescape_header(parts[2])));
    event.push_extra("deviceVersion", Value::text(unescape_header(parts[3])));
    event.set(
        FieldId::EventId,
        coerce(FieldId::EventId, &unescape_header(parts[4])),
    );
    event.set(FieldId::Message, Value::text(unescape_header(parts[5])));
    if let Some(level) = severity(parts[6]) {
        event.set(FieldId::Severity, Value::Integer(level));
    }
    let pairs = parse_extension(parts[7]);
    let labels = custom_labels(&pairs);
    for (key, value) in &pairs {
        set_pair(&mut event, key, value, &labels);
    }
    event.category = category_for(&event);
    derive_common(&mut event);
    event.set(FieldId::Payload, Value::text(line));
    Ok(event)
}

/// LEEF 2.0's delimiter field: a character, `0x5E`/`x5E` hex, or `\t`.
fn leef_delimiter(field: &str) -> Option<char> {
    let hex = field
        .strip_prefix("0x")
        .or_else(|| field.strip_prefix("x"))
        .or_else(|| field.strip_prefix("0X"));
    match (field, hex) {
        ("\\t", _) => Some('\t'),
        (_, Some(hex)) if !hex.is_empty() => {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        }
        _ => field.chars().next(),
    }
}

/// `body` starts at `LEEF:`.
pub(crate) fn parse_leef(body: &str, origin: Origin, line: &str) -> Result<Event, String> {
    let version2 = body.starts_with("LEEF:2");
    let parts = split_header(body, if version2 { 7 } else { 6 });
    if parts.len() < if version2 { 7 } else { 6 } {
        return Err("LEEF header is missing fields (vendor|product|version|event id|)".into());
    }
    let (delimiter, attributes) = if version2 {
        (leef_delimiter(parts[5]).unwrap_or('\t'), parts[6])
    } else {
        (if parts[5].contains('\t') { '\t' } else { '^' }, parts[5])
    };
    let mut event = Event::new(&LogSourceType::LEEF, Category::default(), origin);
    event.push_extra("deviceVendor", Value::text(parts[1]));
    event.push_extra("deviceProduct", Value::text(parts[2]));
    event.push_extra("deviceVersion", Value::text(parts[3]));
    event.set(FieldId::EventId, coerce(FieldId::EventId, parts[4]));
    let pairs: Vec<(&str, String)> = attributes
        .split(delimiter)
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    let format = pairs
        .iter()
        .find(|(key, _)| *key == "devTimeFormat")
        .map(|(_, value)| value.as_str());
    for (key, value) in &pairs {
        if *key == "devTimeFormat" {
            event.push_extra("devTimeFormat", Value::text(value.as_str()));
            continue;
        }
        if *key == "devTime" {
            if let Some(t) = format.and_then(|f| time_in_format(f, value)) {
                event.set(FieldId::DeviceTime, Value::Time(t));
                continue;
            }
        }
        set_pair(&mut event, key, value, &[]);
    }
    event.category = category_for(&event);
    derive_common(&mut event);
    event.set(FieldId::Payload, Value::text(line));
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whoiswatch_event::Position;

    fn origin() -> Origin {
        Origin {
            file: "t".into(),
            position: Position::Line(1),
        }
    }

    #[test]
    fn cef_extension_with_spaces_escapes_and_labels() {
        let line = r"CEF:0|Palo\|Alto|PAN-OS|10|traffic|Allowed flow|3|src=10.0.0.5 dst=192.0.47.59 spt=50123 dpt=43 proto=TCP act=allow msg=port 43 a\=b cs1=Outbound-Allow cs1Label=Rule rt=1732436401000";
        let e = parse_cef(line, origin(), line).unwrap();
        assert_eq!(
            e.get_extra("deviceVendor").unwrap().to_string(),
            "Palo|Alto"
        );
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(43));
        assert_eq!(e.get_str(FieldId::Message), Some("port 43 a=b"));
        assert_eq!(e.get_extra("Rule").unwrap().to_string(), "Outbound-Allow");
        assert_eq!(e.get_i64(FieldId::ProtocolId), Some(6));
        assert_eq!(e.device_time().unwrap().to_string(), "2024-11-24T08:20:01Z");
        assert!(parse_cef("CEF:0|only|three", origin(), "").is_err());
    }

    #[test]
    fn leef_one_and_two() {
        let line = "LEEF:1.0|QRadar|QRM|1.0|NEW_PORT_DISCOVERED|src=172.5.6.67\tdst=172.50.123.1\tsev=5\tcat=anomaly\tdstPort=43\tusrName=joe\tdevTime=Nov 24 2026 08:30:01";
        let e = parse_leef(line, origin(), line).unwrap();
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(43));
        assert_eq!(e.get_str(FieldId::Username), Some("joe"));
        assert_eq!(e.device_time().unwrap().to_string(), "2026-11-24T08:30:01Z");
        let line = "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^dstPort=43";
        let e = parse_leef(line, origin(), line).unwrap();
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(43));
        let line = "LEEF:2.0|V|P|1|41|0x7c|src=10.0.1.8|dstPort=4343";
        let e = parse_leef(line, origin(), line).unwrap();
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(4343));
    }

    #[test]
    fn leef_dev_time_follows_dev_time_format() {
        let time = |attributes: &str| {
            let line = format!("LEEF:2.0|V|P|1|41|^|src=10.0.1.8^dstPort=43^{attributes}");
            parse_leef(&line, origin(), &line)
                .unwrap()
                .device_time()
                .map(|t| t.to_string())
        };
        // Day first: only the pattern tells 03/04 apart from 04/03.
        assert_eq!(
            time("devTime=03/04/2026 08:30:01^devTimeFormat=dd/MM/yyyy HH:mm:ss").as_deref(),
            Some("2026-04-03T08:30:01Z")
        );
        // The pattern may come before the time, with milliseconds and a zone offset.
        assert_eq!(
            time("devTimeFormat=yyyy.MM.dd HH:mm:ss.SSS Z^devTime=2026.11.24 09:30:01.250 +0100")
                .as_deref(),
            Some("2026-11-24T08:30:01.250Z")
        );
        // A time that does not follow its pattern is read as without one.
        assert_eq!(
            time("devTime=Nov 24 2026 08:30:01^devTimeFormat=dd/MM/yyyy").as_deref(),
            Some("2026-11-24T08:30:01Z")
        );
    }
}
