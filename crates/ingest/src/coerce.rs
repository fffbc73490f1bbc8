//! Turning the text a record holds into the typed value its canonical field wants.

use std::net::IpAddr;

use whoiswatch_event::time::{parse_epoch_seconds, parse_iso8601};
use whoiswatch_event::{Event, FieldId, FieldType, Timestamp, Value};

/// An address as logs write it: bare, `[v6]`, or v4-mapped v6 (unwrapped to v4).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let ip: IpAddr = text.parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    })
}

/// Decimal or `0x` hexadecimal (Security events write process ids in hex).
pub fn parse_integer(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    text.parse().ok()
}

/// ISO 8601, epoch milliseconds (13 digits) or epoch seconds with a fraction.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Some(t) = parse_iso8601(text) {
        return Some(t);
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == text.len() && digits >= 12 {
        return text.parse().ok().map(Timestamp::from_millis);
    }
    parse_epoch_seconds(text)
}

/// A number read from JSON or CSV, for a time field: epoch milliseconds when it is that
/// large, else epoch seconds.
pub fn time_from_number(n: f64) -> Option<Timestamp> {
    if !n.is_finite() {
        return None;
    }
    if n.abs() >= 1.0e11 {
        Some(Timestamp::from_millis(n as i64))
    } else {
        whoiswatch_event::time::from_epoch_seconds_f64(n)
    }
}

/// Sysmon GUIDs: braces off, upper case, so every dialect compares equal.
pub fn normalize_guid(text: &str) -> Box<str> {
    let trimmed = text.trim().trim_start_matches('{').trim_end_matches('}');
    trimmed.to_ascii_uppercase().into_boxed_str()
}

pub fn protocol_number(name: &str) -> Option<i64> {
    match name.to_ascii_lowercase().as_str() {
        "tcp" => Some(6),
        "udp" => Some(17),
        "icmp" => Some(1),
        "icmpv6" | "ipv6-icmp" => Some(58),
        "gre" => Some(47),
        "esp" => Some(50),
        "sctp" => Some(132),
        _ => None,
    }
}

pub fn protocol_name(number: i64) -> Option<&'static str> {
    match number {
        6 => Some("tcp"),
        17 => Some("udp"),
        1 => Some("icmp"),
        58 => Some("icmpv6"),
        47 => Some("gre"),
        50 => Some("esp"),
        132 => Some("sctp"),
        _ => None,
    }
}

/// The value a canonical field holds for this text. Text that does not fit the field's
/// type is kept as text, so nothing a record says is lost.
pub fn coerce(id: FieldId, text: &str) -> Value {
    let typed = match id.ty() {
        FieldType::Integer => parse_integer(text).map(Value::Integer),
        FieldType::Ip => parse_ip(text).map(Value::Ip),
        FieldType::Time => parse_time(text).map(Value::Time),
        FieldType::Boolean => parse_bool(text).map(Value::Boolean),
        FieldType::Text | FieldType::TextList => None,
    };
    typed.unwrap_or_else(|| match id {
        FieldId::ProcessGuid | FieldId::ParentProcessGuid => Value::Text(normalize_guid(text)),
        FieldId::Protocol => Value::text(text.to_ascii_lowercase()),
        // A fully qualified name's root dot (`WHOIS.ARIN.NET.`) is not part of the name.
        FieldId::DnsQuery | FieldId::DestinationHostname | FieldId::HttpHost | FieldId::TlsSni => {
            Value::text(text.strip_suffix('.').unwrap_or(text))
        }
        FieldId::ScriptBlockId => Value::text(
            text.trim_matches(|c| c == '{' || c == '}')
                .to_ascii_lowercase(),
        ),
        _ => Value::text(text),
    })
}

pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") || t == "T" || t == "1" => Some(true),
        t if t.eq_ignore_ascii_case("false") || t == "F" || t == "0" => Some(false),
        _ => None,
    }
}

/// Set a canonical field from text, typed, unless the text is empty.
pub fn set_text(event: &mut Event, id: FieldId, text: &str) {
    if !text.is_empty() {
        event.set(id, coerce(id, text));
    }
}

/// After all fields are in: fill what can be derived (protocol number and name).
pub fn derive_common(event: &mut Event) {
    if !event.has(FieldId::ProtocolId) {
        if let Some(n) = event.get_str(FieldId::Protocol).and_then(protocol_number) {
            event.set(FieldId::ProtocolId, Value::Integer(n));
        }
    } else if !event.has(FieldId::Protocol) {
        if let Some(name) = event.get_i64(FieldId::ProtocolId).and_then(protocol_name) {
            event.set(FieldId::Protocol, Value::text(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips() {
        assert_eq!(
            parse_ip("::ffff:89.160.20.156").unwrap().to_string(),
            "89.160.20.156"
        );
        assert_eq!(
            parse_ip("[2001:db8::1]").unwrap().to_string(),
            "2001:db8::1"
        );
        assert!(parse_ip("-").is_none());
    }

    #[test]
    fn coercion_keeps_text_that_does_not_fit() {
        assert_eq!(coerce(FieldId::DestinationPort, "443"), Value::Integer(443));
        assert_eq!(
            coerce(FieldId::DestinationPort, "https"),
            Value::text("https")
        );
        assert_eq!(coerce(FieldId::ProcessId, "0x1a2c"), Value::Integer(0x1a2c));
        assert_eq!(
            coerce(
                FieldId::ProcessGuid,
                "{6a910b9d-4a9a-5ee0-0c04-000000000400}"
            ),
            Value::text("6A910B9D-4A9A-5EE0-0C04-000000000400")
        );
        assert_eq!(
            coerce(FieldId::DeviceTime, "1732436401000")
                .as_time()
                .unwrap()
                .to_string(),
            "2024-11-24T08:20:01Z"
        );
        assert_eq!(
            coerce(FieldId::DnsQuery, "whois.arin.net."),
            Value::text("whois.arin.net")
        );
    }
}
