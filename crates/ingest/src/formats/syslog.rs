//! Syslog headers (RFC 3164, RFC 5424, and the ISO-timestamp form rsyslog writes) and the
//! plain message event they make when no more specific parser claims the body.

use whoiswatch_event::time::{parse_iso8601, parse_rfc3164};
use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Timestamp, Value};

pub(crate) const FORMAT: &str = "syslog";

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyslogHeader<'a> {
    pub time: Option<Timestamp>,
    pub host: Option<&'a str>,
    pub program: Option<&'a str>,
    pub pid: Option<&'a str>,
    pub severity: Option<i64>,
    pub message: &'a str,
}

fn split_word(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches(' ');
    let end = text.find(' ')?;
    Some((&text[..end], &text[end + 1..]))
}

/// An RFC 3164 date has no year: take the year that puts it at most a day after the
/// reference time.
fn rfc3164_time(text: &str, reference: Timestamp) -> Option<Timestamp> {
    let year = reference.civil().year;
    let time = parse_rfc3164(text, year)?;
    if time.0 > reference.0 + 86_400 * 1_000_000_000 {
        parse_rfc3164(text, year - 1)
    } else {
        Some(time)
    }
}

/// `prog[pid]: message` or `prog: message`; no tag when the first word has no colon.
fn split_tag(text: &str) -> (Option<&str>, Option<&str>, &str) {
    let Some((word, rest)) = text.split_once(' ').or(Some((text, ""))) else {
        return (None, None, text);
    };
    let Some(tag) = word.strip_suffix(':') else {
        return (None, None, text);
    };
    if tag.is_empty() || tag.len() > 64 {
        return (None, None, text);
    }
    match tag.split_once('[') {
        Some((program, pid)) => (Some(program), pid.strip_suffix(']'), rest),
        None => (Some(tag), None, rest),
    }
}

/// Parse a syslog header; `None` when the line does not start with one.
pub(crate) fn parse_header(line: &str, reference: Timestamp) -> Option<SyslogHeader<'_>> {
    let mut rest = line;
    let mut severity = None;
    if let Some(after) = rest.strip_prefix('<') {
        let close = after.find('>').filter(|c| *c <= 3)?;
        let pri: i64 = after[..close].parse().ok()?;
        severity = Some(pri & 7);
        rest = &after[close + 1..];
        if let Some(after_version) = rest.strip_prefix("1 ") {
            return parse_5424(after_version, severity);
        }
    }
    let bytes = rest.as_bytes();
    let (time, after_time) =
        if bytes.len() >= 16 && bytes[0].is_ascii_alphabetic() && bytes[3] == b' ' {
            (rfc3164_time(rest.get(..15)?, reference)?, rest.get(15..)?)
        } else if bytes.len() > 19 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-'
        {
            let (stamp, after) = split_word(rest)?;
            (parse_iso8601(stamp)?, after)
        } else {
            return None;
        };
    let (host, after_host) = split_word(after_time)?;
    let (program, pid, message) = split_tag(after_host);
    Some(SyslogHeader {
        time: Some(time),
        host: Some(host),
        program,
        pid,
        severity,
        message,
    })
}

fn nil(text: &str) -> Option<&str> {
    (text != "-").then_some(text)
}

fn parse_5424(rest: &str, severity: Option<i64>) -> Option<SyslogHeader<'_>> {
    let (stamp, rest) = split_word(rest)?;
    let (host, rest) = split_word(rest)?;
    let (app, rest) = split_word(rest)?;
    let (pid, rest) = split_word(rest)?;
    let (_msgid, rest) = split_word(rest).unwrap_or((rest, ""));
    let message = skip_structured_data(rest);
    Some(SyslogHeader {
        time: nil(stamp).and_then(parse_iso8601),
        host: nil(host),
        program: nil(app),
        pid: nil(pid),
        severity,
        message: message.strip_prefix('\u{feff}').unwrap_or(message),
    })
}

/// Past `-` or `[id k="v"]…` to the message.
fn skip_structured_data(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("- ") {
        return rest;
    }
    if text == "-" {
        return "";
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] == b'[' {
        let mut in_quote = false;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'"' => in_quote = !in_quote,
                b']' if !in_quote => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    text.get(i..).unwrap_or("").trim_start_matches(' ')
}

/// Fill in what the header knows and the event does not.
pub(crate) fn apply_header(event: &mut Event, header: &SyslogHeader<'_>) {
    if let Some(t) = header.time {
        event.set_default(FieldId::DeviceTime, Value::Time(t));
    }
    if let Some(host) = header.host {
        event.set_default(FieldId::Hostname, Value::text(host));
    }
    if let Some(program) = header.program {
        event.set_default(FieldId::Program, Value::text(program));
    }
    if let Some(pid) = header.pid.and_then(|p| p.parse().ok()) {
        event.set_default(FieldId::ProcessId, Value::Integer(pid));
    }
    if let Some(severity) = header.severity {
        event.set_default(FieldId::Severity, Value::Integer(severity));
    }
}

/// A plain syslog message.
pub(crate) fn message_event(header: &SyslogHeader<'_>, origin: Origin, line: &str) -> Event {
    let mut event = Event::new(
        &LogSourceType::SYSLOG,
        Category {
            product: Some("linux"),
            category: None,
            service: Some("syslog"),
        },
        origin,
    );
    apply_header(&mut event, header);
    event.set(FieldId::Message, Value::text(header.message));
    event.set(FieldId::Payload, Value::text(line));
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Timestamp {
        parse_iso8601("2026-11-24T12:00:00Z").unwrap()
    }

    #[test]
    fn rfc3164_with_and_without_pri() {
        let h = parse_header(
            "<30>Nov 24 08:30:01 web01 sshd[812]: Accepted key",
            reference(),
        )
        .unwrap();
        assert_eq!(h.time.unwrap().to_string(), "2026-11-24T08:30:01Z");
        assert_eq!(
            (h.host, h.program, h.pid, h.severity, h.message),
            (
                Some("web01"),
                Some("sshd"),
                Some("812"),
                Some(6),
                "Accepted key"
            )
        );
        let h = parse_header("Dec 31 23:59:59 host kernel: [ 1.0] x", reference()).unwrap();
        assert_eq!(h.time.unwrap().to_string(), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn rfc5424_and_iso() {
        let h = parse_header(
            r#"<165>1 2026-11-24T08:30:01.5Z fw01 app 42 ID7 [ex@1 a="]"] the message"#,
            reference(),
        )
        .unwrap();
        assert_eq!(
            (h.host, h.program, h.pid, h.message),
            (Some("fw01"), Some("app"), Some("42"), "the message")
        );
        let h = parse_header(
            "2026-11-24T08:30:01.123456+00:00 host sysmon: <Event>",
            reference(),
        )
        .unwrap();
        assert_eq!((h.program, h.message), (Some("sysmon"), "<Event>"));
        assert!(parse_header("just text", reference()).is_none());
    }
}
