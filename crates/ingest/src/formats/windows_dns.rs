//! The Windows DNS server debug log: `6/5/2013 10:00:32 AM 0E70 PACKET  00000000033397A0
//! UDP Rcv 10.161.60.71    5b47   Q [0001   D   NOERROR] A      (12)somecomputer(6)domain(3)com(0)`.
//! Dates follow the server's locale; header lines carry no packet and are passed over.
//!
//! With "Details" logging on, each packet line is followed by its decoded message
//! (`UDP response info at …`, `Remote addr …`, `ANSWER SECTION:` with `TYPE`/`DATA`
//! lines); the answers (addresses, and CNAME targets) become the event's `dnsanswers`,
//! the other detail lines are passed over.

use std::io::BufRead;

use whoiswatch_event::time::{parse_iso8601, parse_windows_locale};
use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Position, Timestamp, Value};

use crate::coerce::parse_ip;
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::input::lines::for_each_line;
use crate::options::Options;

pub(crate) const FORMAT: &str = "windows-dns";

/// `(12)somecomputer(6)domain(3)com(0)` → `somecomputer.domain.com`.
pub(crate) fn decode_name(encoded: &str) -> String {
    let mut labels = Vec::new();
    let mut rest = encoded;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let after = &rest[close + 1..];
        let next = after.find('(').unwrap_or(after.len());
        if next > 0 {
            labels.push(&after[..next]);
        }
        rest = &after[next..];
    }
    if labels.is_empty() {
        return encoded.to_string();
    }
    labels.join(".")
}

fn parse_time(
    date: &str,
    clock: &str,
    meridiem: Option<&str>,
    day_first: bool,
) -> Option<Timestamp> {
    let text = match meridiem {
        Some(m) => format!("{date} {clock} {m}"),
        None => format!("{date} {clock}"),
    };
    parse_windows_locale(&text, day_first)
        .or_else(|| parse_windows_locale(&text, !day_first))
        .or_else(|| parse_iso8601(&format!("{date} {clock}")))
}

pub(crate) fn parse_packet_line(
    line: &str,
    emit: &Emitter<'_>,
    number: u64,
    day_first: bool,
) -> Result<Option<Event>, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some(packet_at) = words.iter().position(|w| *w == "PACKET") else {
        return Ok(None);
    };
    if packet_at < 3 || words.len() < packet_at + 6 {
        return Err("PACKET line with too few fields".into());
    }
    let meridiem = words
        .get(2)
        .copied()
        .filter(|w| w.eq_ignore_ascii_case("AM") || w.eq_ignore_ascii_case("PM"));
    let time = parse_time(words[0], words[1], meridiem, day_first)
        .ok_or_else(|| format!("bad date {} {}", words[0], words[1]))?;
    let protocol = words[packet_at + 2];
    let direction = words[packet_at + 3];
    let remote = parse_ip(words[packet_at + 4])
        .ok_or_else(|| format!("bad address {}", words[packet_at + 4]))?;
    let mut event = Event::new(
        &LogSourceType::WINDOWS_DNS,
        Category {
            product: Some("windows"),
            category: Some("dns"),
            service: Some("dns-server"),
        },
        emit.origin(Position::Line(number)),
    );
    event.set(FieldId::DeviceTime, Value::Time(time));
    event.set(
        FieldId::Protocol,
        Value::text(protocol.to_ascii_lowercase()),
    );
    if direction.eq_ignore_ascii_case("Rcv") {
        event.set(FieldId::SourceIp, Value::Ip(remote));
    } else {
        event.set(FieldId::DestinationIp, Value::Ip(remote));
    }
    event.push_extra("packet_direction", Value::text(direction));
    let rest = &words[packet_at + 5..];
    event.push_extra("xid", Value::text(rest[0]));
    let response = rest.get(1) == Some(&"R");
    event.push_extra("response", Value::Boolean(response));
    // After the xid: optional R, opcode, [flags hex, flag letters…, rcode], type, name.
    let line_rest = line.split_once('[').map(|(_, r)| r).unwrap_or("");
    if let Some((flags, after)) = line_rest.split_once(']') {
        if let Some(rcode) = flags.split_whitespace().last() {
            event.set(FieldId::DnsStatus, Value::text(rcode));
        }
        let mut tail = after.split_whitespace();
        if let Some(qtype) = tail.next() {
            event.set(FieldId::DnsQueryType, Value::text(qtype));
        }
        if let Some(name) = tail.next() {
            event.set(FieldId::DnsQuery, Value::text(decode_name(name)));
        }
    }
    event.set(
        FieldId::DeviceAction,
        Value::text(if response { "response" } else { "query" }),
    );
    crate::coerce::derive_common(&mut event);
    event.set(FieldId::Payload, Value::text(line));
    Ok(Some(event))
}

/// Where in a packet's detail lines the reader is.
#[derive(Default)]
struct Details {
    in_answers: bool,
    record_type: String,
    answers: Vec<Box<str>>,
}

impl Details {
    /// Read one detail line (already trimmed).
    fn line(&mut self, line: &str) {
        if let Some(section) = line.strip_suffix(" SECTION:") {
            self.in_answers = section == "ANSWER";
            return;
        }
        if !self.in_answers {
            return;
        }
        if let Some(rest) = line.strip_prefix("TYPE") {
            self.record_type = rest.split_whitespace().next().unwrap_or("").to_string();
        } else if let Some(data) = line.strip_prefix("DATA") {
            let data = data.trim();
            let answer = match self.record_type.as_str() {
                "A" | "AAAA" => parse_ip(data).map(|ip| ip.to_string()),
                // Compression pointers (`[C026]`) are the server's notes, not labels.
                "CNAME" => Some(decode_name(&strip_pointers(data))),
                _ => None,
            };
            if let Some(answer) = answer.filter(|a| !a.is_empty()) {
                self.answers.push(answer.into());
            }
        }
    }
}

fn strip_pointers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        rest = rest[open..]
            .find(']')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    out.push_str(rest);
    out
}

/// A packet line waiting for its detail lines.
fn flush(pending: &mut Option<(Event, Details)>, emit: &mut Emitter<'_>) {
    if let Some((mut event, details)) = pending.take() {
        if !details.answers.is_empty() {
            event.set(FieldId::DnsAnswers, Value::List(details.answers));
        }
        emit.event(FORMAT, event);
    }
}

pub(crate) fn parse(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    let mut pending: Option<(Event, Details)> = None;
    let result = for_each_line(
        reader,
        emit,
        options.max_record_bytes,
        &mut |number, bytes, emit| {
            let text = String::from_utf8_lossy(bytes);
            // Detail lines are indented or start with the packet's protocol summary.
            let detail =
                text.starts_with(' ') || text.starts_with('\t') || text.contains(" info at ");
            if detail {
                if let Some((_, details)) = pending.as_mut() {
                    details.line(text.trim());
                }
                return Ok(());
            }
            match parse_packet_line(&text, emit, number, options.day_first_dates) {
                Ok(Some(event)) => {
                    flush(&mut pending, emit);
                    pending = Some((event, Details::default()));
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(reason) => emit.error(Position::Line(number), ErrorKind::BadField, reason),
            }
        },
    );
    flush(&mut pending, emit);
    result
}

#[cfg(test)]
mod tests {
    use super::{decode_name, Details};

    #[test]
    fn detail_lines_give_the_answers() {
        // As the server writes them (Details on): the answer section of a response.
        let lines = [
            "UDP response info at 00000005D8F8BC40",
            "Remote addr 10.1.4.27, port 53009",
            "QUESTION SECTION:",
            "Name      \"(4)rdap(4)arin(3)net(0)\"",
            "QTYPE   A (1)",
            "ANSWER SECTION:",
            "Offset = 0x0025, RR count = 0",
            "Name      \"[C00C](4)rdap(4)arin(3)net(0)\"",
            "TYPE   CNAME  (5)",
            "DATA   (4)rdap(4)arin[C026](3)net(0)",
            "TYPE   A  (1)",
            "DATA   199.71.0.63",
            "TYPE   AAAA  (28)",
            "DATA   2001:500:13::63",
            "AUTHORITY SECTION:",
            "TYPE   A  (1)",
            "DATA   192.0.2.1",
        ];
        let mut details = Details::default();
        for line in lines {
            details.line(line);
        }
        let answers: Vec<&str> = details.answers.iter().map(|a| a.as_ref()).collect();
        assert_eq!(answers, ["rdap.arin.net", "199.71.0.63", "2001:500:13::63"]);
    }

    #[test]
    fn names() {
        assert_eq!(
            decode_name("(12)somecomputer(6)domain(3)com(0)"),
            "somecomputer.domain.com"
        );
        assert_eq!(decode_name("(5)whois(4)arin(3)net(0)"), "whois.arin.net");
    }
}
