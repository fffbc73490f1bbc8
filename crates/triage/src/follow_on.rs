//! Activity that follows reconnaissance (the playbook's T2 actions 1 and 2), gathered in
//! the same pass as detection: connections to internal hosts on lateral-movement ports,
//! DNS zone-transfer attempts, active-scanning tools, and many distinct ports from one
//! source. Memory is bounded: at most [`PER_SOURCE`] records and [`PORTS_PER_SOURCE`]
//! distinct (address, port) pairs per source, at most [`SOURCES`] sources.

use std::net::IpAddr;

use rustc_hash::{FxHashMap, FxHashSet};
use whoiswatch_event::{Event, FieldId, Origin, Timestamp};
use whoiswatch_reference::is_private;

use crate::alert::is_host_telemetry;
use crate::allowlist::{basename, short_host};

pub const PER_SOURCE: usize = 50;
pub const PORTS_PER_SOURCE: usize = 2_000;
pub const SOURCES: usize = 100_000;

/// Ports of remote administration and file sharing.
pub const LATERAL_PORTS: &[(i64, &str)] = &[
    (22, "SSH"),
    (135, "RPC endpoint mapper"),
    (445, "SMB"),
    (3389, "RDP"),
    (5985, "WinRM"),
    (5986, "WinRM over TLS"),
];

/// Tools of active scanning and other reconnaissance (T1595, T1590, T1592).
const RECON_TOOLS: &[&str] = &[
    "nmap",
    "nmap.exe",
    "masscan",
    "masscan.exe",
    "zmap",
    "rustscan",
    "naabu",
    "dnsrecon",
    "dnsenum",
    "fierce",
    "amass",
    "subfinder",
    "theharvester",
    "recon-ng",
    "spiderfoot",
    "nikto",
    "gobuster",
    "advanced_ip_scanner.exe",
    "angryip.exe",
    "netscan.exe",
    "adfind.exe",
    "nbtscan",
    "nbtscan.exe",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowOnKind {
    Lateral { port: i64, service: &'static str },
    ZoneTransfer,
    ReconTool,
}

#[derive(Debug, Clone)]
pub struct FollowOn {
    pub time: Option<Timestamp>,
    pub kind: FollowOnKind,
    pub summary: String,
    pub origin: Origin,
}

#[derive(Debug, Default)]
struct SourceRecord {
    records: Vec<FollowOn>,
    dropped: usize,
    ports: FxHashSet<(IpAddr, i64)>,
}

/// One per reader thread; merged at the end.
#[derive(Debug, Default)]
pub struct FollowOnCollector {
    sources: FxHashMap<String, SourceRecord>,
    /// Address → host name, learned from host telemetry that names both.
    pub host_ips: FxHashMap<IpAddr, String>,
}

/// The key an event's activity is filed under, as triage names sources: the host for
/// host telemetry, else the source address, else the host that logged it.
fn source_key(event: &Event, host_side: bool, source_ip: Option<IpAddr>) -> Option<String> {
    let host = || {
        event
            .hostname()
            .map(|h| short_host(&h.to_lowercase()).to_string())
    };
    match (host_side, source_ip) {
        (true, _) => host().or_else(|| source_ip.map(|ip| ip.to_string())),
        (false, Some(ip)) => Some(ip.to_string()),
        (false, None) => host(),
    }
}

fn is_zone_transfer(event: &Event) -> bool {
    event.get(FieldId::DnsQueryType).is_some_and(|v| {
        v.as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("AXFR") || t.eq_ignore_ascii_case("IXFR"))
            || matches!(v.as_i64(), Some(251 | 252))
    })
}

impl FollowOnCollector {
    /// The record of `key`, unless the collector is full of other sources.
    fn entry(&mut self, key: String) -> Option<&mut SourceRecord> {
        if self.sources.len() >= SOURCES && !self.sources.contains_key(&key) {
            return None;
        }
        Some(self.sources.entry(key).or_default())
    }

    fn add(&mut self, key: String, record: FollowOn) {
        if let Some(entry) = self.entry(key) {
            if entry.records.len() < PER_SOURCE {
                entry.records.push(record);
            } else {
                entry.dropped += 1;
            }
        }
    }

    /// Look at one event. It runs on every event read, so it decides whether the event
    /// is of interest before it builds a key or allocates anything.
    pub fn observe(&mut self, event: &Event) {
        let host_side = is_host_telemetry(event);
        let source_ip = event.get(FieldId::SourceIp).and_then(|v| v.as_ip());
        if let (true, Some(ip)) = (host_side, source_ip) {
            if is_private(ip)
                && !ip.is_loopback()
                && self.host_ips.len() < SOURCES
                && !self.host_ips.contains_key(&ip)
            {
                if let Some(host) = event.hostname() {
                    self.host_ips
                        .insert(ip, short_host(&host.to_lowercase()).to_string());
                }
            }
        }
        let inbound = || {
            event
                .get_str(FieldId::NetworkDirection)
                .is_some_and(|d| d.eq_ignore_ascii_case("inbound"))
        };
        let internal = match (
            event.get_i64(FieldId::DestinationPort),
            event.get(FieldId::DestinationIp).and_then(|v| v.as_ip()),
        ) {
            (Some(port), Some(ip)) if is_private(ip) && !inbound() => Some((ip, port)),
            _ => None,
        };
        let zone_transfer = is_zone_transfer(event);
        let recon_tool = event.category.category == Some("process_creation")
            && event.get_str(FieldId::Image).is_some_and(|image| {
                let name = basename(image);
                RECON_TOOLS.iter().any(|t| t.eq_ignore_ascii_case(name))
            });
        if internal.is_none() && !zone_transfer && !recon_tool {
            return;
        }
        let Some(key) = source_key(event, host_side, source_ip) else {
            return;
        };
        let record = |kind, summary| FollowOn {
            time: event.device_time(),
            kind,
            summary,
            origin: event.origin.clone(),
        };
        if let Some((destination, port)) = internal {
            if let Some(entry) = self.entry(key.clone()) {
                if entry.ports.len() < PORTS_PER_SOURCE {
                    entry.ports.insert((destination, port));
                }
            }
            if let Some((port, service)) = LATERAL_PORTS.iter().find(|(p, _)| *p == port) {
                let image = event.get_str(FieldId::Image).map(basename).unwrap_or("");
                let summary = format!("{service} connection to {destination}:{port} {image}");
                let kind = FollowOnKind::Lateral {
                    port: *port,
                    service,
                };
                self.add(key.clone(), record(kind, summary.trim_end().to_string()));
            }
        }
        if zone_transfer {
            let kind = event.get(FieldId::DnsQueryType).map(|v| v.to_string());
            let name = event.get_str(FieldId::DnsQuery).unwrap_or("?");
            let summary = format!("zone transfer ({}) of {name}", kind.unwrap_or_default());
            self.add(key.clone(), record(FollowOnKind::ZoneTransfer, summary));
        }
        if recon_tool {
            let image = event.get_str(FieldId::Image).unwrap_or("");
            let command = event.get_str(FieldId::CommandLine).unwrap_or(image);
            let command: String = command.chars().take(200).collect();
            let summary = format!("reconnaissance tool: {command}");
            self.add(key, record(FollowOnKind::ReconTool, summary));
        }
    }

    pub fn merge(&mut self, other: FollowOnCollector) {
        for (key, record) in other.sources {
            let Some(entry) = self.entry(key) else {
                continue;
            };
            for r in record.records {
                if entry.records.len() < PER_SOURCE {
                    entry.records.push(r);
                } else {
                    entry.dropped += 1;
                }
            }
            entry.dropped += record.dropped;
            for p in record.ports {
                if entry.ports.len() < PORTS_PER_SOURCE {
                    entry.ports.insert(p);
                }
            }
        }
        for (ip, host) in other.host_ips {
            if self.host_ips.len() < SOURCES {
                self.host_ips.entry(ip).or_insert(host);
            }
        }
    }

    /// The activity of any of `keys` at or after `since`, in time order, and how many
    /// distinct internal (address, port) pairs those keys touched.
    pub fn after(
        &self,
        keys: &[String],
        since: Option<Timestamp>,
    ) -> (Vec<FollowOn>, usize, usize) {
        let mut out = Vec::new();
        let mut dropped = 0;
        let mut ports = FxHashSet::default();
        for key in keys {
            if let Some(record) = self.sources.get(key) {
                out.extend(
                    record
                        .records
                        .iter()
                        .filter(|r| since.is_none_or(|s| r.time.is_none_or(|t| t >= s)))
                        .cloned(),
                );
                dropped += record.dropped;
                ports.extend(record.ports.iter().copied());
            }
        }
        out.sort_by_key(|r| r.time);
        (out, dropped, ports.len())
    }
}
