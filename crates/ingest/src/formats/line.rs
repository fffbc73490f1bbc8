//! Line-oriented logs of the syslog family. Each line is looked at on its own, so one
//! file may mix them (a `/var/log/syslog` with Sysmon for Linux, netfilter and dnsmasq
//! lines): CEF, LEEF, BIND, Squid and kernel lines bare or behind a syslog header; Sysmon
//! for Linux XML; plain syslog as the fallback.

use std::io::BufRead;

use whoiswatch_event::{Event, Origin, Position};

use super::syslog::{apply_header, message_event, parse_header};
use super::windows::{normalize, parse_event_xml};
use super::{cef_leef, dns_server, netfilter, squid, syslog};
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::input::lines::for_each_line;
use crate::options::Options;

pub(crate) const FORMAT_SYSMON_LINUX: &str = "sysmon-linux";

pub(crate) fn parse(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    for_each_line(
        reader,
        emit,
        options.max_record_bytes,
        &mut |number, bytes, emit| {
            let text = String::from_utf8_lossy(bytes);
            if text.trim().is_empty() {
                return Ok(());
            }
            match parse_line(&text, emit.origin(Position::Line(number)), options) {
                Ok((format, event)) => {
                    emit.event(format, event);
                    Ok(())
                }
                Err((kind, reason)) => emit.error(Position::Line(number), kind, reason),
            }
        },
    )
}

type Parsed = Result<(&'static str, Event), (ErrorKind, String)>;

fn bad(format: &'static str) -> impl Fn(String) -> (ErrorKind, String) {
    move |reason| (ErrorKind::BadField, format!("{format}: {reason}"))
}

/// One line of any syslog-family format.
pub(crate) fn parse_line(line: &str, origin: Origin, options: &Options) -> Parsed {
    let line = line.trim_start_matches('\u{feff}');
    if line.starts_with("CEF:") {
        return cef_leef::parse_cef(line, origin, line)
            .map(|e| (cef_leef::FORMAT_CEF, e))
            .map_err(bad("CEF"));
    }
    if line.starts_with("LEEF:") {
        return cef_leef::parse_leef(line, origin, line)
            .map(|e| (cef_leef::FORMAT_LEEF, e))
            .map_err(bad("LEEF"));
    }
    if dns_server::starts_with_bind_time(line) {
        return dns_server::parse_bind_query(line, origin)
            .map(|e| (dns_server::FORMAT_BIND, e))
            .map_err(bad("BIND"));
    }
    if squid::looks_like(line) {
        return squid::parse(line, origin)
            .map(|e| (squid::FORMAT, e))
            .map_err(bad("Squid"));
    }
    if line.starts_with('[') && netfilter::looks_like(line) {
        return netfilter::parse(line, origin, line)
            .map(|e| (netfilter::FORMAT, e))
            .map_err(bad("netfilter"));
    }
    let Some(header) = parse_header(line, options.reference_time) else {
        let shown: String = line.chars().take(60).collect();
        return Err((
            ErrorKind::Unrecognized,
            format!("not a line of any known log format: {shown:?}"),
        ));
    };
    let body = header.message;
    let (format, result) = if let Some(at) = body
        .find("CEF:")
        .filter(|at| *at == 0 || body[..*at].ends_with(' '))
    {
        (
            cef_leef::FORMAT_CEF,
            cef_leef::parse_cef(&body[at..], origin, line).map_err(bad("CEF")),
        )
    } else if let Some(at) = body
        .find("LEEF:")
        .filter(|at| *at == 0 || body[..*at].ends_with(' '))
    {
        (
            cef_leef::FORMAT_LEEF,
            cef_leef::parse_leef(&body[at..], origin, line).map_err(bad("LEEF")),
        )
    } else if let Some(at) = body.find("<Event") {
        (FORMAT_SYSMON_LINUX, sysmon_linux(&body[at..], origin, line))
    } else if netfilter::looks_like(body) {
        (
            netfilter::FORMAT,
            netfilter::parse(body, origin, line).map_err(bad("netfilter")),
        )
    } else if header.program == Some("dnsmasq") && body.starts_with("query[")
        || body.starts_with("reply ") && header.program == Some("dnsmasq")
    {
        (
            dns_server::FORMAT_DNSMASQ,
            dns_server::parse_dnsmasq(body, origin, line).map_err(bad("dnsmasq")),
        )
    } else if body.contains("query: ") && body.contains("client ") {
        (
            dns_server::FORMAT_BIND,
            dns_server::parse_bind_query(body, origin).map_err(bad("BIND")),
        )
    } else {
        (syslog::FORMAT, Ok(message_event(&header, origin, line)))
    };
    let mut event = result?;
    apply_header(&mut event, &header);
    Ok((format, event))
}

/// Sysmon for Linux: the whole event XML in the syslog message.
fn sysmon_linux(xml: &str, origin: Origin, line: &str) -> Result<Event, (ErrorKind, String)> {
    if !xml.contains("</Event>") {
        return Err((
            ErrorKind::Truncated,
            format!(
                "Sysmon XML cut off after {} bytes (syslog line truncated?)",
                xml.len()
            ),
        ));
    }
    let record = parse_event_xml(xml).map_err(|reason| (ErrorKind::InvalidXml, reason))?;
    Ok(normalize(&record, true, origin, line))
}
