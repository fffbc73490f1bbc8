//! DNS server query logs: ISC BIND and dnsmasq.

use whoiswatch_event::time::parse_bind;
use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Value};

use crate::coerce::{parse_integer, parse_ip};

pub(crate) const FORMAT_BIND: &str = "bind";
pub(crate) const FORMAT_DNSMASQ: &str = "dnsmasq";

const DNS: Category = Category {
    product: None,
    category: Some("dns"),
    service: None,
};

/// True when a line starts with BIND's own `18-May-2021 16:34:13.003` stamp.
pub(crate) fn starts_with_bind_time(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 24
        && b[2] == b'-'
        && b[6] == b'-'
        && b[..2].iter().all(u8::is_ascii_digit)
        && b[11] == b' '
}

/// `[time] queries: info: client @0x… 45.231.61.2#80 (name): [view v: ]query: name IN A +E(0) (server)`.
/// `message` is the text from `client` on (or the whole line with BIND's own time first).
pub(crate) fn parse_bind_query(line: &str, origin: Origin) -> Result<Event, String> {
    let mut event = Event::new(&LogSourceType::BIND, DNS, origin);
    if let Some(t) = line
        .get(..24)
        .filter(|_| starts_with_bind_time(line))
        .and_then(|stamp| parse_bind(stamp.trim_end()))
    {
        event.set(FieldId::DeviceTime, Value::Time(t));
    }
    let client_at = line
        .find("client ")
        .ok_or("no `client` in a BIND query line")?;
    let mut words = line[client_at + 7..].split_whitespace();
    let mut client = words.next().ok_or("nothing after `client`")?;
    if client.starts_with("@0x") {
        client = words.next().ok_or("no client address")?;
    }
    let (address, port) = client
        .rsplit_once('#')
        .ok_or("client address has no #port")?;
    event.set(
        FieldId::SourceIp,
        parse_ip(address)
            .map(Value::Ip)
            .ok_or(format!("bad client address {address}"))?,
    );
    if let Some(port) = parse_integer(port.trim_end_matches(':')) {
        event.set(FieldId::SourcePort, Value::Integer(port));
    }
    let query_at = line
        .find("query: ")
        .ok_or("no `query:` in a BIND query line")?;
    let mut words = line[query_at + 7..].split_whitespace();
    let name = words.next().ok_or("no query name")?;
    event.set(
        FieldId::DnsQuery,
        Value::text(name.strip_suffix('.').unwrap_or(name)),
    );
    let _class = words.next();
    if let Some(qtype) = words.next() {
        event.set(FieldId::DnsQueryType, Value::text(qtype));
    }
    if let Some(flags) = words.next() {
        event.push_extra("flags", Value::text(flags));
    }
    if let Some(server) = words
        .next()
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.strip_suffix(')'))
        .and_then(parse_ip)
    {
        event.set(FieldId::DestinationIp, Value::Ip(server));
    }
    event.set(FieldId::DestinationPort, Value::Integer(53));
    event.set(FieldId::DeviceAction, Value::text("query"));
    event.set(FieldId::Payload, Value::text(line));
    Ok(event)
}

/// dnsmasq: `query[A] name from 172.17.0.1`, `reply name is 1.2.3.4`, `forwarded name to
/// 8.8.8.8`, `cached name is …`. Only `query` lines carry the query name as `dnsquery`;
/// the others keep the name as `reply_name` so a lookup is not counted thrice.
pub(crate) fn parse_dnsmasq(message: &str, origin: Origin, line: &str) -> Result<Event, String> {
    let mut event = Event::new(&LogSourceType::DNSMASQ, DNS, origin);
    let mut words = message.split_whitespace();
    let action = words.next().ok_or("empty dnsmasq message")?;
    let name = words.next().ok_or("no name in a dnsmasq line")?;
    let preposition = words.next();
    let other = words.next();
    if let Some(qtype) = action
        .strip_prefix("query[")
        .and_then(|t| t.strip_suffix(']'))
    {
        event.set(
            FieldId::DnsQuery,
            Value::text(name.strip_suffix('.').unwrap_or(name)),
        );
        event.set(FieldId::DnsQueryType, Value::text(qtype));
        event.set(FieldId::DeviceAction, Value::text("query"));
        if preposition == Some("from") {
            if let Some(ip) = other.and_then(parse_ip) {
                event.set(FieldId::SourceIp, Value::Ip(ip));
            }
        }
    } else if matches!(
        action,
        "reply" | "cached" | "forwarded" | "config" | "/etc/hosts"
    ) {
        event.set(FieldId::DeviceAction, Value::text(action));
        event.push_extra("reply_name", Value::text(name));
        if let Some(other) = other {
            match (action, parse_ip(other)) {
                ("forwarded", Some(ip)) => event.set(FieldId::DestinationIp, Value::Ip(ip)),
                _ => event.set(FieldId::DnsAnswers, Value::List(vec![other.into()])),
            }
        }
    } else {
        return Err(format!(
            "dnsmasq message `{action}` is not a query log line"
        ));
    }
    event.set(FieldId::Message, Value::text(message));
    event.set(FieldId::Payload, Value::text(line));
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whoiswatch_event::Position;

    fn origin() -> Origin {
        Origin {
            file: "d".into(),
            position: Position::Line(1),
        }
    }

    #[test]
    fn bind_query_line() {
        let line = "18-May-2021 16:34:13.003 queries: info: client @0x55adcc672cc0 45.231.61.2#80 (pizzaseo.com): query: pizzaseo.com IN ANY +E(0) (172.20.101.44)";
        let e = parse_bind_query(line, origin()).unwrap();
        assert_eq!(
            e.device_time().unwrap().to_string(),
            "2021-05-18T16:34:13.003Z"
        );
        assert_eq!(e.get_str(FieldId::DnsQuery), Some("pizzaseo.com"));
        assert_eq!(e.get_str(FieldId::DnsQueryType), Some("ANY"));
        assert_eq!(e.get(FieldId::SourceIp).unwrap().to_string(), "45.231.61.2");
        assert_eq!(
            e.get(FieldId::DestinationIp).unwrap().to_string(),
            "172.20.101.44"
        );
    }

    #[test]
    fn dnsmasq_lines() {
        let e = parse_dnsmasq("query[A] docs.docker.com from 172.17.0.1", origin(), "").unwrap();
        assert_eq!(e.get_str(FieldId::DnsQuery), Some("docs.docker.com"));
        assert_eq!(e.get(FieldId::SourceIp).unwrap().to_string(), "172.17.0.1");
        let e = parse_dnsmasq("reply whois.arin.net is 199.5.26.46", origin(), "").unwrap();
        assert!(e.get(FieldId::DnsQuery).is_none());
        assert_eq!(
            e.get(FieldId::DnsAnswers).unwrap().to_string(),
            "199.5.26.46"
        );
        assert!(parse_dnsmasq("started, version 2.85", origin(), "").is_err());
    }
}
