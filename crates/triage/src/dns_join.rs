//! Sysmon 3's DestinationHostname is a reverse (PTR) name, so an RDAP call shows up as a
//! 443 connection to some unrelated name. The name the program asked for is in the
//! Sysmon 22 of the same process, whose QueryResults hold the address it then connected
//! to. `DnsJoin` remembers the answers of every DNS alert and adds each later connection
//! of the same process (same host and ProcessGuid) to one of those addresses to that
//! alert, so the analyst sees one alert: "powershell.exe queried rdap.arin.net and
//! connected to it (199.71.0.63:443)".
//!
//! Where there is no ProcessGuid (Zeek dns.log then conn.log, a DNS server's log then a
//! firewall's), the key is the client address. Resolvers that log answers apart from
//! the query (dnsmasq's `reply NAME is ADDRESS`) have them joined to the query's alert
//! first, by server and name. A connection joins when it comes at
//! most [`JOIN_WINDOW_SECONDS`] after the lookup (and not more than a few seconds before:
//! clocks of two devices differ).
//!
//! Events are joined as a reader sees them; a connection a reader could not join (its
//! lookup is in a file another thread reads, or later in the list) is kept in
//! [`PendingConnections`] — web and WHOIS ports only, a small copy of the event — and
//! [`join_pending`] joins those after all readers are done.
//!
//! Memory is bounded: at most [`MAX_LOOKUPS`] processes' lookups are remembered, then the
//! oldest half is forgotten; at most [`MAX_ANSWERS`] answers per process and
//! [`MAX_JOINED`] connections per alert; at most [`MAX_PENDING`] pending connections per
//! reader (the oldest are dropped, and counted).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use whoiswatch_event::{Event, FieldId, Value};

use crate::alert::Alert;

pub const MAX_LOOKUPS: usize = 65_536;
pub const MAX_JOINED: usize = 8;
pub const MAX_ANSWERS: usize = 64;
pub const MAX_PENDING: usize = 65_536;
/// How long after a lookup a connection still counts as following it.
pub const JOIN_WINDOW_SECONDS: i64 = 3_600;
/// How far a connection may seem to precede its lookup (clock skew between devices).
const SKEW_SECONDS: i64 = 5;
/// Destination ports of the connections kept for joining after the scan: WHOIS, and
/// the web ports RDAP and web WHOIS services answer on.
const JOIN_PORTS: &[i64] = &[43, 80, 443, 8080, 8443];

/// Who made a lookup: the host and process, or the client address.
type Key = (String, String);

#[derive(Default)]
pub struct DnsJoin {
    lookups: HashMap<Key, Vec<(IpAddr, usize)>>,
    order: VecDeque<Key>,
    /// Lookups logged without their answers (dnsmasq writes `reply NAME is ADDRESS` on
    /// lines of their own): (server, name) → the alert, until the replies come.
    awaiting: HashMap<(String, String), usize>,
}

/// A resolver's reply line: answers for a name, without the client (dnsmasq).
fn reply_name(event: &Event) -> Option<String> {
    if event.category.category != Some("dns") || event.get(FieldId::DnsQuery).is_some() {
        return None;
    }
    let name = event.get_extra("reply_name")?.to_string();
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

fn server(event: &Event) -> String {
    event.hostname().unwrap_or("").to_ascii_lowercase()
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
    // A DNS server's response to a client (Windows DNS `Snd … R`) names the client as
    // its destination.
    let response = event.category.category == Some("dns")
        && event.get_str(FieldId::DeviceAction) == Some("response");
    let client = match (event.get(FieldId::SourceIp), response) {
        (Some(source), _) => source.as_ip()?,
        (None, true) => event.get(FieldId::DestinationIp)?.as_ip()?,
        (None, false) => return None,
    };
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
    matches!(
        event.category.category,
        Some("network_connection" | "firewall")
    ) || (event.category.product == Some("zeek") && event.category.service == Some("conn"))
}

impl DnsJoin {
    /// `alerts[index]` was just raised: remember its lookup's answers (those of the
    /// matched event and of reply lines already joined to it), or wait for them.
    pub fn alert_raised(&mut self, index: usize, alert: &Alert) {
        let event = &alert.evidence[0];
        let Some(key) = key(event) else {
            return;
        };
        let mut ips = answers(event);
        for reply in alert.evidence.iter().skip(1) {
            if reply_name(reply).is_some() {
                ips.extend(answers(reply));
            }
        }
        if ips.is_empty() {
            if let (Some(name), true) = (
                event.get_str(FieldId::DnsQuery),
                event.category.category == Some("dns"),
            ) {
                if self.awaiting.len() >= MAX_LOOKUPS {
                    self.awaiting.clear();
                }
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                self.awaiting.insert((server(event), name), index);
            }
            return;
        }
        self.remember(key, ips, index);
    }

    fn remember(&mut self, key: Key, ips: Vec<IpAddr>, index: usize) {
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
        if !self.awaiting.is_empty() {
            if let Some(name) = reply_name(event) {
                return self.reply(event, name, alerts);
            }
        }
        if self.lookups.is_empty() || !is_connection(event) {
            return None;
        }
        let destination = event.get(FieldId::DestinationIp)?.as_ip()?;
        let key = key(event)?;
        let when = event.device_time();
        // The latest lookup of that address that the connection can follow.
        let index = self
            .lookups
            .get(&key)?
            .iter()
            .filter(|(ip, _)| *ip == destination)
            .map(|(_, index)| *index)
            .filter(|&index| {
                let lookup = alerts.get(index).and_then(|a| a.time);
                match (lookup, when) {
                    (Some(lookup), Some(connection)) => {
                        let gap = (connection.0 - lookup.0).div_euclid(1_000_000_000);
                        (-SKEW_SECONDS..=JOIN_WINDOW_SECONDS).contains(&gap)
                    }
                    _ => true,
                }
            })
            .max_by_key(|&index| (alerts.get(index).and_then(|a| a.time), index))?;
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
                // Keyed by client address: that address.
                .or_else(|| key.1.is_empty().then(|| key.0.clone()))
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

impl DnsJoin {
    /// A reply line with the answers to an awaiting lookup: the answers join its alert
    /// (the line as evidence) and are remembered for the connections that follow.
    fn reply(&mut self, event: &Event, name: String, alerts: &mut [Alert]) -> Option<usize> {
        let index = *self.awaiting.get(&(server(event), name))?;
        let ips = answers(event);
        let alert = alerts.get_mut(index)?;
        if ips.is_empty() || alert.evidence.len() > MAX_JOINED {
            return None;
        }
        alert.evidence.push(event.clone());
        let key = key(&alert.evidence[0])?;
        self.remember(key, ips, index);
        Some(index)
    }
}

/// Connections a reader could not join, kept (as small copies) for [`join_pending`].
#[derive(Default)]
pub struct PendingConnections {
    events: VecDeque<Event>,
    /// Dropped beyond [`MAX_PENDING`].
    pub dropped: u64,
}

/// The fields a join reads and an alert shows.
const KEPT: &[FieldId] = &[
    FieldId::DeviceTime,
    FieldId::Hostname,
    FieldId::ProcessGuid,
    FieldId::Image,
    FieldId::Username,
    FieldId::SourceIp,
    FieldId::SourcePort,
    FieldId::DestinationIp,
    FieldId::DestinationPort,
    FieldId::DestinationHostname,
    FieldId::Protocol,
    FieldId::EventId,
];

impl PendingConnections {
    /// Keep a connection to a WHOIS or web port that may follow a lookup read elsewhere.
    pub fn offer(&mut self, event: &Event) {
        if !is_connection(event)
            || event.get(FieldId::DestinationIp).is_none()
            || !event
                .get_i64(FieldId::DestinationPort)
                .is_some_and(|p| JOIN_PORTS.contains(&p))
            || key(event).is_none()
        {
            return;
        }
        if self.events.len() >= MAX_PENDING {
            self.events.pop_front();
            self.dropped += 1;
        }
        let mut copy = Event::new(event.source_type, event.category, event.origin.clone());
        for &id in KEPT {
            if let Some(value) = event.get(id) {
                copy.set(id, value.clone());
            }
        }
        self.events.push_back(copy);
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn merge(&mut self, other: PendingConnections) {
        self.events.extend(other.events);
        self.dropped += other.dropped;
    }
}

/// After all readers: join the pending connections of every reader to the DNS alerts of
/// every reader (`alerts` in their final order). Returns how many joined.
pub fn join_pending(alerts: &mut [Alert], pending: PendingConnections) -> usize {
    let mut join = DnsJoin::default();
    for (index, alert) in alerts.iter().enumerate() {
        join.alert_raised(index, alert);
    }
    if join.lookups.is_empty() {
        return 0;
    }
    let mut events: Vec<Event> = pending.events.into();
    events.sort_by_cached_key(|e| (e.device_time(), e.origin.file.clone(), e.origin.position));
    events
        .iter()
        .filter(|event| join.event(event, alerts).is_some())
        .count()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use whoiswatch_event::{Category, LogSourceType, Origin, Position, Timestamp};

    use super::*;
    use crate::alert::RuleInfo;

    const T0: i64 = 1_795_511_401;

    fn event(file: &str, category: Category, seconds: i64) -> Event {
        let origin = Origin {
            file: Arc::from(file),
            position: Position::Line(1),
        };
        let mut event = Event::new(&LogSourceType::ZEEK, category, origin);
        event.set(
            FieldId::DeviceTime,
            Value::Time(Timestamp::from_seconds(seconds)),
        );
        event.set(FieldId::SourceIp, Value::Ip("10.1.4.27".parse().unwrap()));
        event
    }

    fn lookup() -> Alert {
        let mut dns = event("dns.log", Category::new("zeek", None, Some("dns")), T0);
        dns.set(FieldId::DnsQuery, Value::text("rdap.arin.net"));
        dns.set(
            FieldId::DnsAnswers,
            Value::List(vec!["199.71.0.63".into(), "199.212.0.63".into()]),
        );
        Alert::from_event(RuleInfo::default(), dns)
    }

    fn connection(seconds: i64, port: i64) -> Event {
        let category = Category::new("linux", Some("firewall"), None);
        let mut conn = event(&format!("fw-{seconds}.log"), category, T0 + seconds);
        conn.set(
            FieldId::DestinationIp,
            Value::Ip("199.212.0.63".parse().unwrap()),
        );
        conn.set(FieldId::DestinationPort, Value::Integer(port));
        conn
    }

    #[test]
    fn pending_connections_join_within_the_window() {
        let mut alerts = vec![lookup()];
        let mut pending = PendingConnections::default();
        // Kept: web and WHOIS ports only.
        pending.offer(&connection(30, 22));
        assert!(pending.is_empty());
        // 2 h after: too late; 10 s before: too early; 3 s before (clock skew) and
        // 30 min after: joined.
        for seconds in [7_200, -10, -3, 1_800] {
            pending.offer(&connection(seconds, 443));
        }
        assert_eq!(join_pending(&mut alerts, pending), 2);
        let files: Vec<&str> = alerts[0].evidence.iter().map(|e| &*e.origin.file).collect();
        assert_eq!(files, ["dns.log", "fw--3.log", "fw-1800.log"]);
        assert_eq!(
            alerts[0].summary.as_deref(),
            Some("10.1.4.27 queried rdap.arin.net and connected to it (199.212.0.63:443)")
        );
    }

    #[test]
    fn the_latest_lookup_a_connection_can_follow_wins() {
        // Two lookups of the same name by the same client, 2 h apart: a connection
        // 10 min after the second joins the second.
        let first = lookup();
        let mut second = lookup();
        second.time = Some(Timestamp::from_seconds(T0 + 7_200));
        let mut alerts = vec![first, second];
        let mut pending = PendingConnections::default();
        pending.offer(&connection(7_800, 443));
        assert_eq!(join_pending(&mut alerts, pending), 1);
        assert_eq!(alerts[0].evidence.len(), 1);
        assert_eq!(alerts[1].evidence.len(), 2);
    }
}
