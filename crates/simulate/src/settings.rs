//! What the user can choose: hosts, users, addresses, the start time and the seed.

use std::net::IpAddr;

use whoiswatch_event::Timestamp;

use crate::activity::{Host, Os};

#[derive(Debug, Clone)]
pub struct Settings {
    /// The same seed writes the same bytes.
    pub seed: u64,
    /// When the first behaviour starts; each later one follows a few minutes after.
    pub start: Timestamp,
    pub windows: Host,
    pub linux: Host,
    /// The organisation's DNS resolver (BIND, dnsmasq, Windows DNS logs).
    pub dns_server: IpAddr,
    /// What the lookups ask about: the organisation's own domain and network.
    pub domain: String,
    pub network: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            seed: 1,
            // 2026-11-24T09:00:00Z
            start: Timestamp::from_seconds(1_795_510_800),
            windows: Host {
                name: "WS-FIN07.corp.example.com".into(),
                os: Os::Windows,
                ip: [10, 1, 4, 27].into(),
                user: "EXAMPLE\\jsmith".into(),
                uid: 0,
            },
            linux: Host {
                name: "dev03".into(),
                os: Os::Linux,
                ip: [10, 1, 6, 33].into(),
                user: "rlee".into(),
                uid: 1001,
            },
            dns_server: [10, 0, 0, 53].into(),
            domain: "example.com".into(),
            network: "198.51.100.0".into(),
        }
    }
}
