//! From the records of one auditd event to a normalized event: the command line from
//! EXECVE (hex and split arguments decoded), the address from SOCKADDR, names from the
//! enriched fields.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Value as EventValue};

use super::record::{Record, Value};

/// Decode an EXECVE/PROCTITLE value: quoted text as is; bare even-length hex decoded.
pub(crate) fn decode_argument(value: &Value) -> String {
    match value {
        Value::Quoted(text) => text.clone(),
        Value::Bare(text) => decode_hex(text)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|| text.clone()),
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2)
        || text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The arguments of EXECVE records: `aN`, or `aN_len` with `aN[i]` parts over records.
fn execve_arguments(records: &[&Record]) -> Vec<String> {
    let mut args: Vec<(usize, String)> = Vec::new();
    let mut parts: Vec<(usize, usize, String)> = Vec::new();
    for record in records {
        for (key, value) in &record.fields {
            let Some(rest) = key.strip_prefix('a') else {
                continue;
            };
            if let Ok(index) = rest.parse::<usize>() {
                args.push((index, decode_argument(value)));
            } else if let Some((index, part)) = rest.split_once('[') {
                if let (Ok(index), Ok(part)) = (
                    index.parse::<usize>(),
                    part.trim_end_matches(']').parse::<usize>(),
                ) {
                    // Parts are hex (or quoted) pieces of one argument: join the raw text first.
                    parts.push((index, part, value.raw().to_string()));
                }
            }
        }
    }
    parts.sort();
    let mut joined: Vec<(usize, String)> = Vec::new();
    for (index, _, text) in parts {
        match joined.last_mut() {
            Some((last, buffer)) if *last == index => buffer.push_str(&text),
            _ => joined.push((index, text)),
        }
    }
    for (index, raw) in joined {
        args.push((index, decode_argument(&Value::Bare(raw))));
    }
    args.sort_by_key(|(index, _)| *index);
    args.into_iter().map(|(_, arg)| arg).collect()
}

/// A SOCKADDR `saddr` in hex: family (little-endian), then for inet the port
/// (big-endian) and address.
pub(crate) fn decode_sockaddr(hex: &str) -> Option<(String, Option<IpAddr>, Option<u16>)> {
    let bytes = decode_hex(hex)?;
    let family = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
    match family {
        2 if bytes.len() >= 8 => {
            let port = u16::from_be_bytes([bytes[2], bytes[3]]);
            let ip = Ipv4Addr::new(bytes[4], bytes[5], bytes[6], bytes[7]);
            Some(("inet".into(), Some(IpAddr::V4(ip)), Some(port)))
        }
        10 if bytes.len() >= 24 => {
            let port = u16::from_be_bytes([bytes[2], bytes[3]]);
            let octets: [u8; 16] = bytes[8..24].try_into().ok()?;
            let ip = Ipv6Addr::from(octets);
            let ip = ip
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(ip));
            Some(("inet6".into(), Some(ip), Some(port)))
        }
        1 => {
            let path = bytes[2..].split(|b| *b == 0).next().unwrap_or(&[]);
            Some((
                format!("local {}", String::from_utf8_lossy(path)),
                None,
                None,
            ))
        }
        16 => Some(("netlink".into(), None, None)),
        other => Some((format!("family {other}"), None, None)),
    }
}

/// Syscall names by architecture, for the calls detections care about.
fn syscall_name(arch: &str, number: &str) -> Option<&'static str> {
    let number: u32 = number.parse().ok()?;
    let table: &[(u32, &str)] = match arch {
        "c000003e" => &[
            (0, "read"),
            (1, "write"),
            (2, "open"),
            (41, "socket"),
            (42, "connect"),
            (43, "accept"),
            (44, "sendto"),
            (46, "sendmsg"),
            (49, "bind"),
            (56, "clone"),
            (57, "fork"),
            (58, "vfork"),
            (59, "execve"),
            (62, "kill"),
            (101, "ptrace"),
            (257, "openat"),
            (288, "accept4"),
            (322, "execveat"),
            (435, "clone3"),
        ],
        "c00000b7" => &[
            (56, "openat"),
            (63, "read"),
            (64, "write"),
            (117, "ptrace"),
            (198, "socket"),
            (200, "bind"),
            (202, "accept"),
            (203, "connect"),
            (206, "sendto"),
            (211, "sendmsg"),
            (220, "clone"),
            (221, "execve"),
            (242, "accept4"),
            (281, "execveat"),
            (435, "clone3"),
        ],
        "40000003" => &[
            (11, "execve"),
            (102, "socketcall"),
            (120, "clone"),
            (358, "execveat"),
            (362, "connect"),
        ],
        _ => return None,
    };
    table
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, name)| *name)
}

fn field<'r>(record: &'r Record, key: &str) -> Option<&'r Value> {
    record.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn enriched<'r>(records: &[&'r Record], key: &str) -> Option<&'r str> {
    records.iter().find_map(|r| {
        r.enriched
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.raw())
    })
}

pub(crate) fn build_event(records: &[Record], origin: Origin) -> Event {
    let all: Vec<&Record> = records.iter().collect();
    let of_kind = |kind: &str| {
        all.iter()
            .copied()
            .filter(|r| r.kind == kind)
            .collect::<Vec<_>>()
    };
    let syscall = of_kind("SYSCALL").into_iter().next();
    let arch = syscall
        .and_then(|s| field(s, "arch"))
        .map(Value::raw)
        .unwrap_or("");
    let syscall_number = syscall.and_then(|s| field(s, "syscall")).map(Value::raw);
    let call =
        enriched(&all, "SYSCALL").or_else(|| syscall_number.and_then(|n| syscall_name(arch, n)));
    let category = match call {
        Some("execve" | "execveat") => Some("process_creation"),
        Some("connect") => Some("network_connection"),
        _ => None,
    };
    let mut event = Event::new(
        &LogSourceType::LINUX,
        Category::new("linux", category, Some("auditd")),
        origin,
    );
    event.set(FieldId::DeviceTime, EventValue::Time(records[0].time));
    if let Some(node) = &records[0].node {
        event.set(FieldId::Hostname, EventValue::text(node.as_str()));
    }
    let kinds: Vec<Box<str>> = records.iter().map(|r| r.kind.as_str().into()).collect();
    event.push_extra("type", EventValue::List(kinds));
    event.push_extra("serial", EventValue::Integer(records[0].serial as i64));
    if let Some(call) = call {
        event.push_extra("SYSCALL", EventValue::text(call));
    }
    // Every raw field once (the first record that has it wins), SYSCALL's first.
    let mut ordered: Vec<&Record> = syscall.into_iter().collect();
    ordered.extend(
        all.iter()
            .copied()
            .filter(|r| r.kind != "SYSCALL" && r.kind != "EXECVE"),
    );
    let mut seen: Vec<&str> = Vec::new();
    for record in &ordered {
        for (key, value) in &record.fields {
            if seen.contains(&key.as_str()) || key == "saddr" || key == "proctitle" {
                continue;
            }
            seen.push(key);
            event.push_extra(key.clone(), EventValue::text(value.raw()));
        }
    }
    let number = |key: &str| {
        ordered
            .iter()
            .find_map(|r| field(r, key))
            .and_then(|v| v.raw().parse::<i64>().ok())
    };
    if let Some(pid) = number("pid") {
        event.set(FieldId::ProcessId, EventValue::Integer(pid));
    }
    if let Some(ppid) = number("ppid") {
        event.set(FieldId::ParentProcessId, EventValue::Integer(ppid));
    }
    if let Some(exe) = ordered.iter().find_map(|r| field(r, "exe")) {
        event.set(FieldId::Image, EventValue::text(decode_argument(exe)));
    }
    let user = enriched(&all, "AUID")
        .filter(|u| *u != "unset")
        .or_else(|| enriched(&all, "UID"))
        .or_else(|| {
            ordered
                .iter()
                .find_map(|r| field(r, "acct"))
                .map(Value::raw)
        });
    if let Some(user) = user {
        event.set(FieldId::Username, EventValue::text(user));
    }
    for (key, value) in records.iter().flat_map(|r| r.enriched.iter()) {
        if !seen.contains(&key.as_str()) {
            seen.push(key);
            event.push_extra(key.clone(), EventValue::text(value.raw()));
        }
    }
    let execve = of_kind("EXECVE");
    let arguments = execve_arguments(&execve);
    for (index, argument) in arguments.iter().enumerate() {
        event.push_extra(format!("a{index}"), EventValue::text(argument.as_str()));
    }
    let proctitle = all
        .iter()
        .find_map(|r| field(r, "proctitle"))
        .map(|v| decode_argument(v).replace('\0', " "));
    if !arguments.is_empty() {
        event.set(FieldId::CommandLine, EventValue::text(arguments.join(" ")));
    } else if let Some(title) = &proctitle {
        event.set(FieldId::CommandLine, EventValue::text(title.as_str()));
    }
    if let Some(title) = proctitle {
        event.push_extra("proctitle", EventValue::text(title));
    }
    if let Some(cwd) = all
        .iter()
        .find(|r| r.kind == "CWD")
        .and_then(|r| field(r, "cwd"))
    {
        event.set(
            FieldId::CurrentDirectory,
            EventValue::text(decode_argument(cwd)),
        );
    }
    if let Some((family, ip, port)) = all
        .iter()
        .find_map(|r| field(r, "saddr"))
        .and_then(|v| decode_sockaddr(v.raw()))
    {
        event.push_extra("saddr_family", EventValue::text(family));
        let (ip_field, port_field) = match call {
            Some("bind" | "accept" | "accept4") => (FieldId::SourceIp, FieldId::SourcePort),
            _ => (FieldId::DestinationIp, FieldId::DestinationPort),
        };
        if let Some(ip) = ip {
            event.set(ip_field, EventValue::Ip(ip));
        }
        if let Some(port) = port {
            event.set(port_field, EventValue::Integer(i64::from(port)));
        }
        if call == Some("connect") {
            event.set(FieldId::NetworkDirection, EventValue::text("outbound"));
        }
    }
    let payload: Vec<&str> = records.iter().map(|r| r.line.as_str()).collect();
    event.set(FieldId::Payload, EventValue::text(payload.join("\n")));
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_v4_v6() {
        let (family, ip, port) = decode_sockaddr("0200002BC0002F3B0000000000000000").unwrap();
        assert_eq!(
            (family.as_str(), ip.unwrap().to_string(), port),
            ("inet", "192.0.47.59".into(), Some(43))
        );
        let (family, ip, port) =
            decode_sockaddr("0A002BCB000000000000000000000000000000000000000100000000").unwrap();
        assert_eq!(
            (family.as_str(), ip.unwrap().to_string(), port),
            ("inet6", "::1".into(), Some(11211))
        );
    }

    #[test]
    fn hex_arguments() {
        assert_eq!(
            decode_argument(&Value::Bare("77686F6973206578616D706C652E636F6D".into())),
            "whois example.com"
        );
        assert_eq!(decode_argument(&Value::Quoted("whois".into())), "whois");
    }
}
