//! Scalar functions. Arguments arrive evaluated; constant arguments that need building
//! (date patterns, regexes, networks) arrive prepared. A NULL or unusable argument gives
//! NULL, never an error at run time.

use std::borrow::Cow;

use whoiswatch_event::LogSourceType;
use whoiswatch_reference::Network;

use super::dateformat::DatePattern;
use super::Scalar;
use crate::compiled::{Env, Prepared, Scope};
use crate::datum::Datum;

pub fn call<'a>(
    function: Scalar,
    mut args: Vec<Datum<'a>>,
    prepared: &'a Prepared,
    scope: &Scope<'a>,
    env: &Env<'a>,
) -> Datum<'a> {
    let text = |index: usize| -> Option<Cow<'_, str>> { args.get(index)?.to_text() };
    let int = |index: usize| args.get(index).and_then(Datum::as_i64);
    match function {
        Scalar::DateFormat => {
            let Some(millis) = int(0) else {
                return Datum::Null;
            };
            match prepared {
                Prepared::Date(pattern) => Datum::text(pattern.format(millis)),
                _ => text(1)
                    .and_then(|p| DatePattern::compile(&p).ok())
                    .map_or(Datum::Null, |p| Datum::text(p.format(millis))),
            }
        }
        Scalar::ParseDateTime => text(0)
            .and_then(|t| relative_time(&t, env.now_millis))
            .map_or(Datum::Null, Datum::Integer),
        Scalar::ParseTimestamp => {
            let Some(value) = text(1) else {
                return Datum::Null;
            };
            let parsed = match prepared {
                Prepared::Date(pattern) => pattern.parse(&value),
                _ => text(0)
                    .and_then(|p| DatePattern::compile(&p).ok())
                    .and_then(|p| p.parse(&value)),
            };
            parsed.map_or(Datum::Null, Datum::Integer)
        }
        Scalar::Now => Datum::Integer(env.now_millis),
        Scalar::Lower => match args.swap_remove(0) {
            Datum::Text(t) if !t.chars().any(char::is_uppercase) => Datum::Text(t),
            other => other
                .to_text()
                .map_or(Datum::Null, |t| Datum::text(t.to_lowercase())),
        },
        Scalar::Upper => match args.swap_remove(0) {
            Datum::Text(t) if !t.chars().any(char::is_lowercase) => Datum::Text(t),
            other => other
                .to_text()
                .map_or(Datum::Null, |t| Datum::text(t.to_uppercase())),
        },
        Scalar::StrLen => text(0).map_or(Datum::Null, |t| Datum::Integer(t.chars().count() as i64)),
        Scalar::StrPos => {
            let (Some(haystack), Some(needle)) = (text(0), text(1)) else {
                return Datum::Null;
            };
            let from = int(2).unwrap_or(0).max(0) as usize;
            let start = haystack
                .char_indices()
                .nth(from)
                .map_or(haystack.len(), |(i, _)| i);
            Datum::Integer(match haystack[start..].find(needle.as_ref()) {
                Some(at) => (from + haystack[start..start + at].chars().count()) as i64,
                None => -1,
            })
        }
        Scalar::Substring => {
            let (Some(value), Some(start), Some(length)) = (text(0), int(1), int(2)) else {
                return Datum::Null;
            };
            let start = start.max(0) as usize;
            let length = length.max(0) as usize;
            Datum::text(value.chars().skip(start).take(length).collect::<String>())
        }
        Scalar::Concat => Datum::text(
            args.iter()
                .filter_map(Datum::to_text)
                .collect::<Vec<_>>()
                .concat(),
        ),
        Scalar::ReplaceAll | Scalar::ReplaceFirst => {
            let (Some(replacement), Some(value)) = (text(1), text(2)) else {
                return Datum::Null;
            };
            let dynamic;
            let regex = match prepared {
                Prepared::Regex(regex) => regex,
                _ => match text(0).and_then(|p| regex::Regex::new(&p).ok()) {
                    Some(regex) => {
                        dynamic = regex;
                        &dynamic
                    }
                    None => return Datum::Null,
                },
            };
            let replaced = if function == Scalar::ReplaceAll {
                regex.replace_all(&value, replacement.as_ref())
            } else {
                regex.replace(&value, replacement.as_ref())
            };
            Datum::text(replaced.into_owned())
        }
        Scalar::Str => text(0).map_or(Datum::Null, |t| Datum::text(t.into_owned())),
        Scalar::Long => match &args[0] {
            Datum::Ip(std::net::IpAddr::V4(ip)) => Datum::Integer(i64::from(u32::from(*ip))),
            _ => int(0).map_or(Datum::Null, Datum::Integer),
        },
        Scalar::Double => args[0].as_f64().map_or(Datum::Null, Datum::Float),
        Scalar::Base64 => text(0).map_or(Datum::Null, |t| Datum::text(base64(t.as_bytes()))),
        Scalar::Utf8 => args.swap_remove(0),
        Scalar::InCidr => {
            let ip = match &args[1] {
                Datum::Ip(ip) => Some(*ip),
                Datum::Text(t) => t.trim().parse().ok(),
                _ => None,
            };
            let Some(ip) = ip else {
                return Datum::Boolean(false);
            };
            let contains = match prepared {
                Prepared::Network(network) => network.contains(ip),
                _ => text(0)
                    .and_then(|t| Network::parse(&t))
                    .is_some_and(|n| n.contains(ip)),
            };
            Datum::Boolean(contains)
        }
        Scalar::LogSourceName => match (scope.event, int(0)) {
            (Some(event), Some(id)) if id == event.log_source_id() => {
                Datum::text(event.log_source_name())
            }
            _ => Datum::Null,
        },
        Scalar::LogSourceTypeName => match (scope.event, int(0)) {
            (Some(event), Some(id)) if id == event.device_type() => {
                Datum::text(event.log_source_type_name())
            }
            (_, Some(id)) => LogSourceType::by_id(id).map_or(Datum::Null, |t| Datum::text(t.name)),
            _ => Datum::Null,
        },
        Scalar::ProtocolName => int(0)
            .and_then(protocol_name)
            .map_or(Datum::Null, Datum::text),
        Scalar::LogSourceGroupName
        | Scalar::QidName
        | Scalar::CategoryName
        | Scalar::NetworkName
        | Scalar::AssetHostname
        | Scalar::GeoLookup => Datum::Null,
        Scalar::ReferenceSetContains => match (text(0), text(1)) {
            (Some(set), Some(value)) => {
                Datum::Boolean(env.reference.set_contains(&set, &value).unwrap_or(false))
            }
            _ => Datum::Boolean(false),
        },
        Scalar::ReferenceMap => match (text(0), text(1)) {
            (Some(map), Some(key)) => env
                .reference
                .map_get(&map, &key)
                .map_or(Datum::Null, Datum::text),
            _ => Datum::Null,
        },
        Scalar::ReferenceTable => match (text(0), text(1), text(2)) {
            (Some(table), Some(column), Some(key)) => env
                .reference
                .table_get(&table, &column, &key)
                .map_or(Datum::Null, Datum::text),
            _ => Datum::Null,
        },
    }
}

/// `now`, or `N second|minute|hour|day|week|month|year[s] ago` (months are 30 days,
/// years 365), relative to `now`.
pub fn relative_time(text: &str, now: i64) -> Option<i64> {
    let text = text.trim().to_ascii_lowercase();
    if text == "now" {
        return Some(now);
    }
    let mut words = text.split_whitespace();
    let amount: i64 = words.next()?.parse().ok()?;
    let unit = words.next()?;
    if words.next() != Some("ago") || words.next().is_some() {
        return None;
    }
    let unit = unit.strip_suffix('s').unwrap_or(unit);
    let millis = match unit {
        "second" | "sec" => 1_000,
        "minute" | "min" => 60_000,
        "hour" => 3_600_000,
        "day" => 86_400_000,
        "week" => 7 * 86_400_000,
        "month" => 30 * 86_400_000,
        "year" => 365 * 86_400_000,
        _ => return None,
    };
    Some(now - amount.checked_mul(millis)?)
}

/// QRadar's protocol names (`TCP.tcp.ip`) for the IANA numbers logs carry.
fn protocol_name(number: i64) -> Option<String> {
    let name = match number {
        1 => "ICMP",
        2 => "IGMP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "IPv6-ICMP",
        132 => "SCTP",
        _ => return None,
    };
    Some(format!("{name}.{}.ip", name.to_ascii_lowercase()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        assert_eq!(relative_time("1 day ago", 100_000_000), Some(13_600_000));
        assert_eq!(relative_time("NOW", 5), Some(5));
        assert_eq!(relative_time("2 hours", 5), None);
        assert_eq!(relative_time("3 minutes ago", 180_000), Some(0));
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"whois"), "d2hvaXM=");
        assert_eq!(base64(b"rdap"), "cmRhcA==");
        assert_eq!(base64(b"arin"), "YXJpbg==");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn protocol_names() {
        assert_eq!(protocol_name(6).as_deref(), Some("TCP.tcp.ip"));
        assert_eq!(protocol_name(300), None);
    }
}
