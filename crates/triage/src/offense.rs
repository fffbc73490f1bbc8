//! Offenses: a source's alerts grouped over time, as QRadar indexes offenses by source,
//! with the volume facts (bursts, distinct servers, the source's own baseline), the
//! score, the tier and the reasons for both.

use std::collections::{BTreeMap, BTreeSet};

use whoiswatch_correlate::{
    hourly_spike, max_count_in_window, max_distinct_in_window, Spike, WindowPeak,
};
use whoiswatch_event::Timestamp;
use whoiswatch_reference::Hit;

use crate::follow_on::FollowOn;
use crate::score::Reason;

/// Why an offense goes to Tier 2, in the playbook's "Decision for Escalation" terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Escalation {
    /// "unauthorized source IP addresses are performing WHOIS queries"
    UnauthorisedSource,
    /// "a pattern of WHOIS queries that might suggest active reconnaissance"
    ActiveReconnaissance,
    /// "WHOIS data corresponds with known phishing or reconnaissance IPs/domains"
    IntelMatch,
}

impl Escalation {
    pub fn code(self) -> &'static str {
        match self {
            Escalation::UnauthorisedSource => "unauthorised-source",
            Escalation::ActiveReconnaissance => "active-reconnaissance",
            Escalation::IntelMatch => "intel-match",
        }
    }

    pub fn playbook_words(self) -> &'static str {
        match self {
            Escalation::UnauthorisedSource => {
                "unauthorized source IP addresses are performing WHOIS queries"
            }
            Escalation::ActiveReconnaissance => {
                "a pattern of WHOIS queries that might suggest active reconnaissance"
            }
            Escalation::IntelMatch => {
                "WHOIS data corresponds with known phishing or reconnaissance IPs/domains"
            }
        }
    }
}

/// An allowlist entry that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub allowlist: String,
    pub category: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Volume {
    pub burst: WindowPeak,
    pub distinct: WindowPeak,
    pub spike: Option<Spike>,
}

#[derive(Debug, Clone)]
pub struct Offense {
    /// Stable for the same source and first alert: `wwo-` and 8 hex digits.
    pub id: String,
    /// The source's key: a host name, else an address, else a user.
    pub source: String,
    pub hosts: BTreeSet<String>,
    pub addresses: BTreeSet<String>,
    pub users: BTreeSet<String>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Indices into the report's alerts, in time order.
    pub alerts: Vec<usize>,
    /// WHOIS servers and services contacted (names, or `address:43`).
    pub servers: BTreeSet<String>,
    /// What was looked up.
    pub targets: BTreeSet<String>,
    pub rules: BTreeMap<String, usize>,
    pub volume: Volume,
    pub off_hours: usize,
    pub intel: Vec<Hit>,
    pub victim: Vec<Hit>,
    pub score: u8,
    pub reasons: Vec<Reason>,
    /// `None` when every alert is suppressed by an allowlist.
    pub tier: Option<u8>,
    pub escalation: Vec<Escalation>,
    pub suppressed_by: Option<Suppression>,
    pub authorised: Option<Suppression>,
    pub follow_on: Vec<FollowOn>,
    pub follow_on_dropped: usize,
    /// Distinct internal (address, port) pairs the source reached in the scanned logs.
    pub internal_destinations: usize,
}

pub(crate) fn offense_id(source: &str, first: Option<Timestamp>) -> String {
    // FNV-1a: stable across runs and platforms.
    let mut hash: u32 = 0x811c9dc5;
    let first = first.map(|t| t.0).unwrap_or(0).to_le_bytes();
    for byte in source.bytes().chain(first) {
        hash ^= byte as u32;
        hash = hash.wrapping_mul(0x01000193);
    }
    format!("wwo-{hash:08x}")
}

/// Volume facts over the offense's alert times and contacted servers.
pub(crate) fn volume(
    times: &[i64],
    servers: &[(i64, String)],
    window: i64,
    burst: usize,
) -> Volume {
    Volume {
        burst: max_count_in_window(times, window),
        distinct: max_distinct_in_window(servers, window),
        spike: hourly_spike(times, burst, 3.0, 3),
    }
}
