//! A named reference set: addresses and networks, domains (with subdomains), URLs and
//! other strings, each entry with an optional label saying where it came from.

use std::net::IpAddr;

use rustc_hash::FxHashMap;

use crate::domain::{looks_like_domain, normalize, DomainSet};
use crate::network::{IpSet, Network};

/// The entry an observed value matched, and its label (feed indicator name, comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub set: String,
    pub entry: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReferenceSet {
    pub name: String,
    ips: IpSet,
    domains: DomainSet,
    urls: rustc_hash::FxHashSet<String>,
    strings: rustc_hash::FxHashSet<String>,
    labels: FxHashMap<String, String>,
}

fn url_key(url: &str) -> String {
    url.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn is_url(text: &str) -> bool {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

impl ReferenceSet {
    pub fn new(name: impl Into<String>) -> ReferenceSet {
        ReferenceSet {
            name: name.into(),
            ..ReferenceSet::default()
        }
    }

    /// Add a value, classified by its shape: address or CIDR, URL, domain, or string.
    pub fn add(&mut self, value: &str, label: Option<&str>) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let key = if let Some(network) = Network::parse(value) {
            let key = network.to_string();
            self.ips.insert(network);
            key
        } else if is_url(value) {
            let key = url_key(value);
            self.urls.insert(key.clone());
            key
        } else if looks_like_domain(value) {
            let key = normalize(value);
            self.domains.insert(&key);
            key
        } else {
            let key = value.to_lowercase();
            self.strings.insert(key.clone());
            key
        };
        if let Some(label) = label.filter(|l| !l.is_empty()) {
            self.labels.entry(key).or_insert_with(|| label.to_string());
        }
    }

    fn hit(&self, entry: String) -> Hit {
        Hit {
            set: self.name.clone(),
            label: self.labels.get(&entry).cloned(),
            entry,
        }
    }

    pub fn find_ip(&self, ip: IpAddr) -> Option<Hit> {
        self.ips.find(ip).map(|n| self.hit(n.to_string()))
    }

    /// `name` or one of its parent domains is in the set.
    pub fn find_domain(&self, name: &str) -> Option<Hit> {
        self.domains.find(name).map(|e| self.hit(e.to_string()))
    }

    pub fn find_url(&self, url: &str) -> Option<Hit> {
        let key = url_key(url);
        self.urls.contains(&key).then(|| self.hit(key))
    }

    /// Case-insensitive equality with a string entry (user names, host names, tags).
    pub fn find_string(&self, text: &str) -> Option<Hit> {
        let key = text.trim().to_lowercase();
        self.strings.contains(&key).then(|| self.hit(key))
    }

    /// Any kind of entry, by the shape of `value`.
    pub fn find(&self, value: &str) -> Option<Hit> {
        if let Ok(ip) = value.trim().parse::<IpAddr>() {
            return self.find_ip(ip);
        }
        if is_url(value) {
            return self.find_url(value);
        }
        self.find_domain(value).or_else(|| self.find_string(value))
    }

    pub fn domains(&self) -> &DomainSet {
        &self.domains
    }

    pub fn len(&self) -> usize {
        self.ips.len() + self.domains.len() + self.urls.len() + self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_classified_and_found_with_labels() {
        let mut set = ReferenceSet::new("intel");
        set.add("203.0.113.0/24", Some("APT infra"));
        set.add("evil.example", None);
        set.add("https://rdap.example.net/ip/1.2.3.4", None);
        set.add("Alice", None);
        let hit = set.find("203.0.113.77").unwrap();
        assert_eq!(hit.entry, "203.0.113.0/24");
        assert_eq!(hit.label.as_deref(), Some("APT infra"));
        assert!(set.find("mail.EVIL.example.").is_some());
        assert!(set.find("notevil.example").is_none());
        assert!(set.find("HTTPS://rdap.example.net/ip/1.2.3.4/").is_some());
        assert!(set.find("alice").is_some());
        assert_eq!(set.len(), 4);
    }
}
