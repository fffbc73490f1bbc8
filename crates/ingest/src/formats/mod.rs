//! One module per log format, format sniffing, and the dispatch from a format to its
//! parser.

pub(crate) mod auditd;
pub(crate) mod cef_leef;
pub(crate) mod dns_server;
pub(crate) mod json;
pub(crate) mod line;
pub(crate) mod netfilter;
pub(crate) mod qradar_csv;
pub(crate) mod squid;
pub(crate) mod syslog;
pub(crate) mod windows;
pub(crate) mod windows_dns;
mod xml;
pub(crate) mod zeek;

use std::io::BufRead;

use crate::emit::{Emitter, Stop};
use crate::options::Options;

/// A file format. The syslog family is one format: each line finds its own parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Evtx,
    WindowsXml,
    Json,
    QradarCsv,
    Auditd,
    ZeekTsv,
    WindowsDns,
    /// Syslog-family lines: syslog, Sysmon for Linux, CEF, LEEF, netfilter, BIND,
    /// dnsmasq, Squid.
    Lines,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &[
        "evtx",
        "xml",
        "json",
        "csv",
        "auditd",
        "zeek",
        "windows-dns",
        "syslog",
        "cef",
        "leef",
        "squid",
        "bind",
        "dnsmasq",
        "netfilter",
        "sysmon-linux",
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Evtx => "evtx",
            Format::WindowsXml => "windows-xml",
            Format::Json => "json",
            Format::QradarCsv => "qradar-csv",
            Format::Auditd => "auditd",
            Format::ZeekTsv => "zeek-tsv",
            Format::WindowsDns => "windows-dns",
            Format::Lines => "syslog-family",
        }
    }

    /// A `--format` name; the syslog-family names all mean [`Format::Lines`].
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "evtx" => Format::Evtx,
            "xml" | "windows-xml" => Format::WindowsXml,
            "json" | "ndjson" => Format::Json,
            "csv" | "qradar-csv" => Format::QradarCsv,
            "auditd" => Format::Auditd,
            "zeek" | "zeek-tsv" => Format::ZeekTsv,
            "windows-dns" | "windns" => Format::WindowsDns,
            "syslog" | "cef" | "leef" | "squid" | "bind" | "dnsmasq" | "netfilter"
            | "sysmon-linux" | "syslog-family" => Format::Lines,
            _ => return None,
        })
    }
}

/// Decide a format from the first bytes of a (decompressed) stream.
pub fn sniff(head: &[u8]) -> Format {
    if head.starts_with(b"ElfFile\0") {
        return Format::Evtx;
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("# ") && *l != "#")
        .unwrap_or("");
    if text.starts_with("#separator") || text.starts_with("#fields") {
        return Format::ZeekTsv;
    }
    if text.starts_with("<?xml") || text.starts_with("<Event") {
        return Format::WindowsXml;
    }
    if text.starts_with('{') || text.starts_with('[') {
        return Format::Json;
    }
    if first_line.contains("audit(")
        && (first_line.starts_with("type=") || first_line.starts_with("node="))
    {
        return Format::Auditd;
    }
    if text.contains("DNS Server log file")
        || text
            .lines()
            .take(30)
            .any(|l| l.contains(" PACKET ") && l.as_bytes().first().is_some_and(u8::is_ascii_digit))
    {
        return Format::WindowsDns;
    }
    if qradar_csv::looks_like_header(first_line)
        && !first_line.starts_with("CEF:")
        && !first_line.starts_with("LEEF:")
        && syslog::parse_header(first_line, whoiswatch_event::Timestamp(0)).is_none()
    {
        return Format::QradarCsv;
    }
    Format::Lines
}

/// Run the parser of a text format over a stream.
pub(crate) fn parse_text(
    format: Format,
    reader: &mut dyn BufRead,
    head: &[u8],
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    match format {
        Format::WindowsXml => windows::xml_events::parse(reader, emit, options),
        Format::Json => json::parse(reader, head, emit, options),
        Format::QradarCsv => qradar_csv::parse(reader, emit, options),
        Format::Auditd => auditd::parse(reader, emit, options),
        Format::ZeekTsv => zeek::parse_tsv(reader, emit, options),
        Format::WindowsDns => windows_dns::parse(reader, emit, options),
        Format::Lines | Format::Evtx => line::parse(reader, emit, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"ElfFile\0...."), Format::Evtx);
        assert_eq!(
            sniff(b"#separator \\x09\n#set_separator\t,"),
            Format::ZeekTsv
        );
        assert_eq!(
            sniff(b"\xef\xbb\xbf<?xml version='1.0'?><Events>"),
            Format::WindowsXml
        );
        assert_eq!(sniff(b"{\"EventID\":3}\n"), Format::Json);
        assert_eq!(
            sniff(b"type=SYSCALL msg=audit(1.2:3): arch=c000003e"),
            Format::Auditd
        );
        assert_eq!(
            sniff(b"node=x type=EXECVE msg=audit(1.2:3): argc=1"),
            Format::Auditd
        );
        assert_eq!(sniff(b"6/5/2013 10:00:32 AM 0E70 PACKET  00000000033397A0 UDP Rcv 10.1.1.1 5b47   Q [0001   D   NOERROR] A (1)a(0)"), Format::WindowsDns);
        assert_eq!(
            sniff(b"starttime,sourceip,destinationport\n1,2,3"),
            Format::QradarCsv
        );
        assert_eq!(
            sniff(b"<134>Nov 24 08:30:01 fw CEF:0|a|b|c|d|e|1|"),
            Format::Lines
        );
        assert_eq!(
            sniff(b"1729879108.361   2812 172.17.0.1 TCP_TUNNEL/200"),
            Format::Lines
        );
    }
}
