//! Host names matched whole or as a subdomain, case-insensitively, with the root dot
//! ignored: `WHOIS.ARIN.NET.` and `eu.whois.arin.net` are in a set holding
//! `whois.arin.net`; `notwhois.arin.net` and `whois.arin.net.example.org` are not.

use rustc_hash::FxHashSet;

/// Lower case, no root dot, no surrounding space.
pub fn normalize(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_suffix('.').unwrap_or(name);
    name.to_ascii_lowercase()
}

/// A plausible DNS name: labels of letters, digits, `-` and `_`, at least one dot.
pub fn looks_like_domain(text: &str) -> bool {
    let text = text.strip_suffix('.').unwrap_or(text);
    text.contains('.')
        && !text.starts_with('.')
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        && text
            .rsplit('.')
            .next()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Debug, Clone, Default)]
pub struct DomainSet {
    names: FxHashSet<Box<str>>,
}

impl DomainSet {
    pub fn insert(&mut self, name: &str) {
        let name = normalize(name);
        if !name.is_empty() {
            self.names.insert(name.into_boxed_str());
        }
    }

    /// The entry that `name` equals or is a subdomain of.
    pub fn find(&self, name: &str) -> Option<&str> {
        if self.names.is_empty() {
            return None;
        }
        let name = normalize(name);
        let mut rest = name.as_str();
        loop {
            if let Some(entry) = self.names.get(rest) {
                return Some(entry);
            }
            match rest.find('.') {
                Some(dot) => rest = &rest[dot + 1..],
                None => return None,
            }
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| n.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_case_and_root_dot_match_look_alikes_do_not() {
        let mut set = DomainSet::default();
        set.insert("whois.arin.net");
        set.insert("rdap.db.ripe.net");
        set.insert("who.is");
        assert_eq!(set.find("WHOIS.ARIN.NET."), Some("whois.arin.net"));
        assert_eq!(set.find("eu.whois.arin.net"), Some("whois.arin.net"));
        assert_eq!(set.find("RDAP.DB.RIPE.NET"), Some("rdap.db.ripe.net"));
        for other in [
            "notwhois.arin.net",
            "arin.net",
            "whois.arin.net.example.org",
            "arin.net.example.org",
            "notwhois.example.com",
            "db.ripe.net",
            "xwho.is",
            "",
        ] {
            assert_eq!(set.find(other), None, "{other}");
        }
    }

    #[test]
    fn domain_shapes() {
        assert!(looks_like_domain("rdap.arin.net"));
        assert!(looks_like_domain("WHOIS.ARIN.NET."));
        assert!(!looks_like_domain("10.0.0.1"));
        assert!(!looks_like_domain("localhost"));
        assert!(!looks_like_domain("a b.com"));
    }
}
