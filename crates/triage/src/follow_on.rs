//! Activity that follows reconnaissance (the playbook's T2 actions 1 and 2), gathered in
//! the same pass as detection: connections to internal hosts on lateral-movement ports,
//! DNS zone-transfer attempts, active-scanning tools, and many distinct ports from one
//! source. Memory is bounded: at most [`PER_SOURCE`] records and [`PORTS_PER_SOURCE`]
//! distinct (address, port) pairs per source, at most [`SOURCES`] sources.

use std::net::IpAddr;

use rustc_hash::{FxHashMap, FxHashSet};
use whoiswatch_event::{Event, FieldId, Origin, Timestamp};
use whoiswatch_reference::is_private;

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

/// The keys an event's activity is filed under: its host and its source address.
fn keys(event: &Event) -> (Option<String>, Option<IpAddr>) {
    let host = event
        .hostname()
        .map(|h| short_host(&h.to_lowercase()).to_string());
    (host, event.get(FieldId::SourceIp).and_then(|v| v.as_ip()))
}

impl FollowOnCollector {
    fn add(&mut self, key: String, record: FollowOn) {
        if self.sources.len() >= SOURCES && !self.sources.contains_key(&key) {
            return;
        }
        let entry = self.sources.entry(key).or_default();
        if entry.records.len() < PER_SOURCE {
            entry.records.push(record);
        } else {
            entry.dropped += 1;
        }
    }

    /// Look at one event; cheap when it is not of interest.
    pub fn observe(&mut self, event: &Event) {
        let port = event.get_i64(FieldId::DestinationPort);
        let destination = event.get(FieldId::DestinationIp).and_then(|v| v.as_ip());
        let category = event.category.category;
        let host_side = matches!(
            category,
            Some("network_connection" | "process_creation" | "dns_query")
        ) && event.category.product != Some("zeek");
        let (host, source_ip) = keys(event);
        if host_side {
            if let (Some(host), Some(ip)) = (&host, source_ip) {
                if is_private(ip) && !ip.is_loopback() && self.host_ips.len() < SOURCES {
                    self.host_ips.entry(ip).or_insert_with(|| host.clone());
                }
            }
        }
        let key = if host_side { host.clone() } else { None }
            .or_else(|| source_ip.map(|ip| ip.to_string()))
            .or(host);
        let Some(key) = key else { return };
        let inbound = event
            .get_str(FieldId::NetworkDirection)
            .is_some_and(|d| d.eq_ignore_ascii_case("inbound"));
        if let (Some(port), Some(destination), false) = (port, destination, inbound) {
            if is_private(destination) {
                let entry = self.sources.entry(key.clone()).or_default();
                if entry.ports.len() < PORTS_PER_SOURCE {
                    entry.ports.insert((destination, port));
                }
                if let Some((port, service)) = LATERAL_PORTS.iter().find(|(p, _)| *p == port) {
                    let image = event.get_str(FieldId::Image).map(basename).unwrap_or("");
                    let summary = format!("{service} connection to {destination}:{port} {image}")
                        .trim_end()
                        .to_string();
                    self.add(
                        key.clone(),
                        FollowOn {
                            time: event.device_time(),
                            kind: FollowOnKind::Lateral {
                                port: *port,
                                service,
                            },
                            summary,
                            origin: event.origin.clone(),
                        },
                    );
                }
            }
        }
        if let Some(kind) = event.get(FieldId::DnsQueryType).map(|v| v.to_string()) {
            if matches!(
                kind.to_ascii_uppercase().as_str(),
                "AXFR" | "IXFR" | "252" | "251"
            ) {
                let name = event.get_str(FieldId::DnsQuery).unwrap_or("?");
                self.add(
                    key.clone(),
                    FollowOn {
                        time: event.device_time(),
                        kind: FollowOnKind::ZoneTransfer,
                        summary: format!("zone transfer ({kind}) of {name}"),
                        origin: event.origin.clone(),
                    },
                );
            }
        }
        if category == Some("process_creation") {
            if let Some(image) = event.get_str(FieldId::Image) {
                let name = basename(image).to_ascii_lowercase();
                if RECON_TOOLS.contains(&name.as_str()) {
                    let command = event.get_str(FieldId::CommandLine).unwrap_or(image);
                    let command: String = command.chars().take(200).collect();
                    self.add(
                        key,
                        FollowOn {
                            time: event.device_time(),
                            kind: FollowOnKind::ReconTool,
                            summary: format!("reconnaissance tool: {command}"),
                            origin: event.origin.clone(),
                        },
                    );
                }
            }
        }
    }

    pub fn merge(&mut self, other: FollowOnCollector) {
        for (key, record) in other.sources {
            let entry = self.sources.entry(key).or_default();
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
            self.host_ips.entry(ip).or_insert(host);
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
