//! netfilter/iptables kernel log lines: `[ 1156.246182] PREFIX IN= OUT=eth0 SRC=… DPT=43 …`.
//! The prefix may be glued to `IN=`; key=value pairs are read wherever they are.

use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Value};

use crate::coerce::{derive_common, parse_integer, parse_ip};

pub(crate) const FORMAT: &str = "netfilter";

/// True when a message looks like a netfilter record.
pub(crate) fn looks_like(message: &str) -> bool {
    message.contains("IN=")
        && message.contains("OUT=")
        && (message.contains(" SRC=") || message.contains(" DST="))
}

pub(crate) fn parse(message: &str, origin: Origin, line: &str) -> Result<Event, String> {
    let start = message.find("IN=").ok_or("no IN= field")?;
    let prefix = message[..start].trim();
    // The kernel's `[ 1156.246182]` uptime stamp is not part of the rule's prefix.
    let prefix = match prefix.strip_prefix('[').and_then(|p| p.split_once(']')) {
        Some((_, after)) => after.trim(),
        None => prefix,
    };
    let mut event = Event::new(
        &LogSourceType::FIREWALL,
        Category {
            product: Some("linux"),
            category: Some("firewall"),
            service: Some("netfilter"),
        },
        origin,
    );
    let mut interface_in = "";
    let mut interface_out = "";
    for pair in message[start..].split_ascii_whitespace() {
        let Some((key, value)) = pair.split_once('=') else {
            // Bare flags such as `SYN` or `DF`.
            event.push_extra(pair.to_string(), Value::Boolean(true));
            continue;
        };
        match key {
            "IN" => interface_in = value,
            "OUT" => interface_out = value,
            "SRC" => match parse_ip(value) {
                Some(ip) => event.set(FieldId::SourceIp, Value::Ip(ip)),
                None => return Err(format!("SRC={value} is not an address")),
            },
            "DST" => match parse_ip(value) {
                Some(ip) => event.set(FieldId::DestinationIp, Value::Ip(ip)),
                None => return Err(format!("DST={value} is not an address")),
            },
            "SPT" => event.set(
                FieldId::SourcePort,
                parse_integer(value)
                    .map(Value::Integer)
                    .ok_or(format!("SPT={value} is not a port"))?,
            ),
            "DPT" => event.set(
                FieldId::DestinationPort,
                parse_integer(value)
                    .map(Value::Integer)
                    .ok_or(format!("DPT={value} is not a port"))?,
            ),
            "PROTO" => event.set(FieldId::Protocol, Value::text(value.to_ascii_lowercase())),
            _ => {}
        }
        event.push_extra(key.to_string(), Value::text(value));
    }
    let direction = match (interface_in.is_empty(), interface_out.is_empty()) {
        (true, false) => Some("outbound"),
        (false, true) => Some("inbound"),
        (false, false) => Some("forward"),
        (true, true) => None,
    };
    if let Some(direction) = direction {
        event.set(FieldId::NetworkDirection, Value::text(direction));
    }
    if !prefix.is_empty() {
        event.set(FieldId::DeviceAction, Value::text(prefix));
    }
    event.set(FieldId::Message, Value::text(message));
    derive_common(&mut event);
    event.set(FieldId::Payload, Value::text(line));
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whoiswatch_event::Position;

    #[test]
    fn glued_prefix_and_ports() {
        let msg = "[ 1156.246182] OUTBOUND-WHOISIN= OUT=eth0 SRC=10.0.2.15 DST=192.0.47.59 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4242 DF PROTO=TCP SPT=56248 DPT=43 WINDOW=64240 RES=0x00 SYN URGP=0";
        assert!(looks_like(msg));
        let e = parse(
            msg,
            Origin {
                file: "k".into(),
                position: Position::Line(1),
            },
            msg,
        )
        .unwrap();
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(43));
        assert_eq!(e.get_str(FieldId::DeviceAction), Some("OUTBOUND-WHOIS"));
        assert_eq!(e.get_str(FieldId::NetworkDirection), Some("outbound"));
        assert_eq!(e.get_i64(FieldId::ProtocolId), Some(6));
    }
}
