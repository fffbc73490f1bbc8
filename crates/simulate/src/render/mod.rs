//! Steps → the files each log source would write.

mod linux;
mod network;
mod windows;

use crate::activity::{Os, Process, Step};
use crate::rng::Rng;
use crate::settings::Settings;

/// Text for an XML attribute or element: `& < > "` and line breaks escaped.
fn escape_xml(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// `<Data Name="…">…</Data>` for each field.
fn push_data(data: &[(&str, String)], out: &mut String) {
    for (name, value) in data {
        out.push_str("<Data Name=\"");
        out.push_str(name);
        out.push_str("\">");
        escape_xml(value, out);
        out.push_str("</Data>");
    }
}

/// The fields every Sysmon event (Windows and Linux) starts with.
fn sysmon_head(step: &Step, p: &Process) -> Vec<(&'static str, String)> {
    vec![
        ("RuleName", "-".into()),
        ("UtcTime", crate::timefmt::sql(step.time, true)),
        ("ProcessGuid", p.guid.clone()),
        ("ProcessId", p.pid.to_string()),
    ]
}

/// One log file of one source.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// File name, e.g. `windows-events.xml`.
    pub name: &'static str,
    /// What wrote it, for people.
    pub source: &'static str,
    pub text: String,
}

/// Every source's file for these steps; sources that saw nothing are left out.
pub fn render(steps: &[Step], settings: &Settings, rng: &mut Rng) -> Vec<SourceFile> {
    let mut xml = String::new();
    let mut nxlog = String::new();
    let mut winlogbeat = String::new();
    let mut linux_sysmon = String::new();
    let mut audit = String::new();
    let mut network = network::Network::new(settings.dns_server, settings.start);
    let mut record_id = 52_000 + rng.range(0, 1000);
    let mut serial = 7_000 + rng.range(0, 1000);
    for step in steps {
        match step.host.os {
            Os::Windows => {
                for record in windows::records(step, &mut record_id) {
                    windows::xml(&record, &mut xml);
                    windows::nxlog(&record, &mut nxlog);
                    windows::winlogbeat(&record, &mut winlogbeat);
                }
            }
            Os::Linux => {
                linux::sysmon(step, &mut record_id, &mut linux_sysmon);
                linux::auditd(step, &mut serial, &mut audit);
            }
            Os::Appliance => {}
        }
        network.observe(step, rng);
    }
    let opened = steps.first().map_or(settings.start, |s| s.time);
    let files = [
        (
            "windows-events.xml",
            "Windows Event XML (Sysmon, PowerShell, Security)",
            xml,
        ),
        (
            "windows-nxlog.json",
            "Windows events through NXLog (JSON)",
            nxlog,
        ),
        (
            "windows-winlogbeat.json",
            "Windows events through Winlogbeat (ECS JSON)",
            winlogbeat,
        ),
        (
            "linux-sysmon.log",
            "Sysmon for Linux (syslog)",
            linux_sysmon,
        ),
        ("linux-audit.log", "Linux auditd", audit),
        (
            "zeek-conn.log",
            "Zeek conn.log",
            network.conn.render(opened),
        ),
        ("zeek-dns.log", "Zeek dns.log", network.dns.render(opened)),
        ("zeek-ssl.log", "Zeek ssl.log", network.ssl.render(opened)),
        (
            "zeek-http.log",
            "Zeek http.log",
            network.http.render(opened),
        ),
        ("dns-bind.log", "BIND query log", network.bind),
        ("dns-dnsmasq.log", "dnsmasq (syslog)", network.dnsmasq),
        ("proxy-squid.log", "Squid access.log", network.squid),
        (
            "firewall-netfilter.log",
            "netfilter kernel log (syslog)",
            network.netfilter,
        ),
        ("firewall-cef.log", "Firewall CEF (syslog)", network.cef),
        ("firewall-leef.log", "Firewall LEEF (syslog)", network.leef),
    ];
    let mut out: Vec<SourceFile> = files
        .into_iter()
        .filter(|(_, _, text)| !text.is_empty())
        .map(|(name, source, text)| SourceFile { name, source, text })
        .collect();
    // The Windows DNS log has a header even when empty: keep it only with packets.
    if network.windows_dns.contains(" PACKET ") {
        out.push(SourceFile {
            name: "dns-windows.log",
            source: "Windows DNS server debug log",
            text: network.windows_dns,
        });
    }
    out
}
