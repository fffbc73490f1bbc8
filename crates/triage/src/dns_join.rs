//! Sysmon 3's DestinationHostname is a reverse (PTR) name, so an RDAP call shows up as a
//! 443 connection to some unrelated name. The name the program asked for is in the
//! Sysmon 22 of the same process, whose QueryResults hold the address it then connected
//! to. `DnsJoin` remembers the answers of every DNS alert and adds each later connection
//! of the same process (same host and ProcessGuid) to one of those addresses to that
//! alert, so the analyst sees one alert: "powershell.exe queried rdap.arin.net and
//! connected to it (199.71.0.63:443)".
//!
//! Where there is no ProcessGuid (Zeek dns then Zeek conn, in one stream), the key is the
//! client address. Events are joined as a reader sees them: a lookup and its connection
//! must be read by the same reader (Sysmon writes both to one channel, so one file).
//! Memory is bounded: at most [`MAX_LOOKUPS`] processes' lookups are remembered, then the
//! oldest half is forgotten; at most [`MAX_ANSWERS`] answers per process and
//! [`MAX_JOINED`] connections per alert.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use whoiswatch_event::{Event, FieldId, Value};

use crate::alert::Alert;

pub const MAX_LOOKUPS: usize = 65_536;
pub const MAX_JOINED: usize = 8;
pub const MAX_ANSWERS: usize = 64;

/// Who made a lookup: the host and process, or the client address.
type Key = (String, String);

#[derive(Default)]
pub struct DnsJoin {
    lookups: HashMap<Key, Vec<(IpAddr, usize)>>,
    order: VecDeque<Key>,
}

fn key(event: &Event) -> Option<Key> {
    if let Some(guid) = event
        .get_str(FieldId::ProcessGuid)
        .filter(|g| !g.is_empty())
    {
        let host = event.hostname().unwrap_or("").to_ascii_lowercase();
        let guid = guid
            .trim_matches(|c| c == '{' || c == '}')
            .to_ascii_lowercase();
        return Some((host, guid));
    }
    let client = event.get(FieldId::SourceIp)?.as_ip()?;
    Some((client.to_string(), String::new()))
}

fn answers(event: &Event) -> Vec<IpAddr> {
    match event.get(FieldId::DnsAnswers) {
        Some(Value::List(items)) => items.iter().filter_map(|i| i.parse().ok()).collect(),
        Some(other) => other
            .to_string()
            .split([',', ';', ' '])
            .filter_map(|i| i.trim().parse().ok())
            .collect(),
        None => Vec::new(),
    }
}

fn is_connection(event: &Event) -> bool {
    event.category.category == Some("network_connection")
        || (event.category.product == Some("zeek") && event.category.service == Some("conn"))
}

impl DnsJoin {
    /// `alerts[index]` was just raised: remember its lookup's answers.
    pub fn alert_raised(&mut self, index: usize, alert: &Alert) {
        let event = &alert.evidence[0];
        let Some(key) = key(event) else {
            return;
        };
        let ips = answers(event);
        if ips.is_empty() {
            return;
        }
        if self.lookups.len() >= MAX_LOOKUPS {
            for old in self.order.drain(..MAX_LOOKUPS / 2) {
                self.lookups.remove(&old);
            }
        }
        let entry = self.lookups.entry(key.clone()).or_default();
        if entry.is_empty() {
            self.order.push_back(key);
        }
        let room = MAX_ANSWERS.saturating_sub(entry.len());
        entry.extend(ips.into_iter().take(room).map(|ip| (ip, index)));
    }

    /// A connection that follows a remembered lookup of the same process joins its alert.
    /// Returns the alert's index when it did.
    pub fn event(&mut self, event: &Event, alerts: &mut [Alert]) -> Option<usize> {
        if self.lookups.is_empty() || !is_connection(event) {
            return None;
        }
        let destination = event.get(FieldId::DestinationIp)?.as_ip()?;
        let key = key(event)?;
        let index = self
            .lookups
            .get(&key)?
            .iter()
            .find(|(ip, _)| *ip == destination)
            .map(|(_, index)| *index)?;
        let alert = alerts.get_mut(index)?;
        if alert.evidence.len() > MAX_JOINED
            || alert.evidence.iter().any(|e| e.origin == event.origin)
        {
            return None;
        }
        let port = event.get_i64(FieldId::DestinationPort);
        if alert.destination_ip.is_none() {
            alert.destination_ip = Some(destination);
        }
        if alert.destination_port.is_none() {
            alert.destination_port = port;
        }
        if alert.summary.is_none() {
            let process = alert
                .image
                .as_deref()
                .map(|i| i.rsplit(['\\', '/']).next().unwrap_or(i).to_string())
                .or_else(|| alert.source_ip.map(|ip| ip.to_string()))
                .unwrap_or_else(|| "the client".into());
            let name = alert.destination_host.as_deref().unwrap_or("the name");
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            alert.summary = Some(format!(
                "{process} queried {name} and connected to it ({destination}{port})"
            ));
        }
        alert.evidence.push(event.clone());
        Some(index)
    }
}
