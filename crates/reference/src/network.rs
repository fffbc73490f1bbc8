//! IPv4 and IPv6 networks (CIDR) and sets of them.

use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub base: IpAddr,
    pub prefix: u8,
}

impl Network {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a single address.
    pub fn parse(text: &str) -> Option<Network> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, p.trim().parse().ok()?),
            None => (text, if text.contains(':') { 128 } else { 32 }),
        };
        let base: IpAddr = address.trim().parse().ok()?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(Network { base, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            _ => false,
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let full = if self.base.is_ipv4() { 32 } else { 128 };
        if self.prefix == full {
            write!(f, "{}", self.base)
        } else {
            write!(f, "{}/{}", self.base, self.prefix)
        }
    }
}

/// Single addresses in a hash set, networks in a list (sets hold tens of networks and
/// up to many thousands of addresses).
#[derive(Debug, Clone, Default)]
pub struct IpSet {
    addresses: rustc_hash::FxHashSet<IpAddr>,
    networks: Vec<Network>,
}

impl IpSet {
    pub fn insert(&mut self, network: Network) {
        let full = if network.base.is_ipv4() { 32 } else { 128 };
        if network.prefix == full {
            self.addresses.insert(network.base);
        } else {
            self.networks.push(network);
        }
    }

    /// The entry holding `ip`, if any.
    pub fn find(&self, ip: IpAddr) -> Option<Network> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        if self.addresses.contains(&ip) {
            return Network::parse(&ip.to_string());
        }
        self.networks.iter().find(|n| n.contains(ip)).cloned()
    }

    pub fn len(&self) -> usize {
        self.addresses.len() + self.networks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// RFC 1918, loopback, link-local, CGNAT and IPv6 unique-local/link-local addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_v4_v6() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.1.2.3".parse().unwrap()));
        assert!(net.contains("::ffff:10.0.0.1".parse().unwrap()));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        assert!(Network::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Network::parse("10.0.0.0/33").is_none());
        assert!(Network::parse("not an ip").is_none());
    }

    #[test]
    fn sets_and_private_ranges() {
        let mut set = IpSet::default();
        set.insert(Network::parse("192.0.2.7").unwrap());
        set.insert(Network::parse("198.51.100.0/24").unwrap());
        assert_eq!(
            set.find("198.51.100.9".parse().unwrap())
                .unwrap()
                .to_string(),
            "198.51.100.0/24"
        );
        assert!(set.find("::ffff:192.0.2.7".parse().unwrap()).is_some());
        assert!(set.find("192.0.2.8".parse().unwrap()).is_none());
        assert!(is_private("10.20.0.5".parse().unwrap()));
        assert!(is_private("fd00::1".parse().unwrap()));
        assert!(!is_private("8.8.8.8".parse().unwrap()));
    }
}
