//! Squid's native access.log: `%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt`.

use whoiswatch_event::time::parse_epoch_seconds;
use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Value};

use crate::coerce::{coerce, parse_ip};

pub(crate) const FORMAT: &str = "squid";

/// `1729879108.361   2812 …`: epoch seconds with milliseconds, then the elapsed time.
pub(crate) fn looks_like(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 20
        && b[..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'.'
        && b[11..14].iter().all(u8::is_ascii_digit)
        && b[14] == b' '
}

/// Host and port of a request URL: `host:443` (CONNECT) or `http://host:8080/path`.
pub(crate) fn url_host_port(url: &str) -> (Option<&str>, Option<i64>) {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority
        .rsplit_once('@')
        .map(|(_, host)| host)
        .unwrap_or(authority);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (authority, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()),
            None => (authority, None),
        }
    };
    let port = port.or(match scheme {
        Some("http") => Some(80),
        Some("https") => Some(443),
        Some("ftp") => Some(21),
        _ => None,
    });
    ((!host.is_empty()).then_some(host), port)
}

pub(crate) fn parse(line: &str, origin: Origin) -> Result<Event, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 7 {
        return Err(format!(
            "a Squid line has at least 7 fields, this one {}",
            fields.len()
        ));
    }
    let mut event = Event::new(
        &LogSourceType::SQUID,
        Category {
            product: None,
            category: Some("proxy"),
            service: Some("squid"),
        },
        origin,
    );
    event.set(
        FieldId::DeviceTime,
        Value::Time(parse_epoch_seconds(fields[0]).ok_or("bad timestamp")?),
    );
    event.push_extra(
        "elapsed_ms",
        fields[1]
            .parse()
            .map(Value::Integer)
            .unwrap_or_else(|_| Value::text(fields[1])),
    );
    event.set(
        FieldId::SourceIp,
        parse_ip(fields[2])
            .map(Value::Ip)
            .unwrap_or_else(|| Value::text(fields[2])),
    );
    let (code, status) = fields[3].split_once('/').unwrap_or((fields[3], ""));
    event.set(FieldId::DeviceAction, Value::text(fields[3]));
    event.push_extra("result_code", Value::text(code));
    if let Ok(status) = status.parse() {
        event.set(FieldId::HttpStatus, Value::Integer(status));
    }
    event.push_extra(
        "bytes",
        fields[4]
            .parse()
            .map(Value::Integer)
            .unwrap_or_else(|_| Value::text(fields[4])),
    );
    event.set(FieldId::HttpMethod, Value::text(fields[5]));
    event.set(FieldId::Url, Value::text(fields[6]));
    let (host, port) = url_host_port(fields[6]);
    if let Some(host) = host {
        event.set(FieldId::HttpHost, coerce(FieldId::HttpHost, host));
        event.set(
            FieldId::DestinationHostname,
            coerce(FieldId::DestinationHostname, host),
        );
        if let Some(ip) = parse_ip(host) {
            event.set(FieldId::DestinationIp, Value::Ip(ip));
        }
    }
    if let Some(port) = port {
        event.set(FieldId::DestinationPort, Value::Integer(port));
    }
    if let Some(user) = fields.get(7).filter(|u| **u != "-") {
        event.set(FieldId::Username, Value::text(*user));
    }
    if let Some(hierarchy) = fields.get(8) {
        let (code, peer) = hierarchy.split_once('/').unwrap_or((hierarchy, ""));
        event.push_extra("hierarchy", Value::text(code));
        if let Some(ip) = parse_ip(peer) {
            event.set(FieldId::DestinationIp, Value::Ip(ip));
        }
    }
    if let Some(mime) = fields.get(9).filter(|m| **m != "-") {
        event.push_extra("content_type", Value::text(*mime));
    }
    event.set(FieldId::Payload, Value::text(line));
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whoiswatch_event::Position;

    #[test]
    fn connect_line() {
        let line = "1729879108.361   2812 172.17.0.1 TCP_TUNNEL/200 5435 CONNECT rdap.arin.net:443 - HIER_DIRECT/199.71.0.63 -";
        assert!(looks_like(line));
        let e = parse(
            line,
            Origin {
                file: "s".into(),
                position: Position::Line(1),
            },
        )
        .unwrap();
        assert_eq!(
            e.get_str(FieldId::DestinationHostname),
            Some("rdap.arin.net")
        );
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(443));
        assert_eq!(
            e.get(FieldId::DestinationIp).unwrap().to_string(),
            "199.71.0.63"
        );
        assert_eq!(e.get_i64(FieldId::HttpStatus), Some(200));
        assert_eq!(
            url_host_port("http://whois.arin.net/rest/ip/1.2.3.4"),
            (Some("whois.arin.net"), Some(80))
        );
    }
}
