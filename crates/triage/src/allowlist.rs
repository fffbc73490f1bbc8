//! Allowlists: who may use WHOIS, per false-positive category of the seed. An entry
//! matches when every kind of criterion it gives matches (users AND hosts AND …), each
//! kind by any of its values.

use whoiswatch_event::Timestamp;
use whoiswatch_reference::Network;

use crate::alert::Alert;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// SOC and threat-intelligence analysts.
    Analyst,
    /// IT administrators checking registrations.
    Administrator,
    /// Security scanners and OSINT automation (Qualys, Tenable, Rapid7 …).
    Scanner,
    /// CI/CD pipelines and infrastructure-as-code checks.
    Cicd,
    Other,
}

impl Category {
    pub const NAMES: &[&str] = &["analyst", "administrator", "scanner", "cicd", "other"];

    pub fn parse(text: &str) -> Option<Category> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "analyst" | "soc" | "threat-intel" => Category::Analyst,
            "administrator" | "admin" | "it" => Category::Administrator,
            "scanner" | "security-scanner" => Category::Scanner,
            "cicd" | "ci/cd" | "ci" => Category::Cicd,
            "other" => Category::Other,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Category::Analyst => "analyst",
            Category::Administrator => "administrator",
            Category::Scanner => "scanner",
            Category::Cicd => "cicd",
            Category::Other => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Allowlist {
    pub name: String,
    pub category: Category,
    pub reason: String,
    pub expires: Option<Timestamp>,
    /// Lower case; `DOMAIN\user`, `user@domain` or a bare name.
    pub users: Vec<String>,
    /// Lower case host names; `*` wildcards.
    pub hosts: Vec<String>,
    pub networks: Vec<Network>,
    /// Lower-case image paths or names; `*` wildcards.
    pub processes: Vec<String>,
    pub parents: Vec<String>,
}

/// `*` matches any run of characters; case is already folded.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// The bare account name of `DOMAIN\user` or `user@domain`.
pub fn bare_user(user: &str) -> &str {
    let user = user.rsplit('\\').next().unwrap_or(user);
    user.split('@').next().unwrap_or(user)
}

/// The host's first label (`ws01.corp.example` → `ws01`).
pub fn short_host(host: &str) -> &str {
    host.split('.').next().unwrap_or(host)
}

/// The last path component, `/` or `\`.
pub fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn process_matches(patterns: &[String], image: Option<&str>) -> bool {
    let Some(image) = image else { return false };
    let image = image.to_lowercase();
    let name = basename(&image);
    patterns.iter().any(|p| glob(p, &image) || glob(p, name))
}

impl Allowlist {
    pub fn expired(&self, now: Timestamp) -> bool {
        self.expires.is_some_and(|e| e < now)
    }

    pub fn matches(&self, alert: &Alert) -> bool {
        if !self.users.is_empty() {
            let Some(user) = alert.user.as_deref() else {
                return false;
            };
            let user = user.to_lowercase();
            let bare = bare_user(&user);
            // `CORP\bob` must match exactly; a bare `bob` matches bob in any domain.
            let hit = |u: &String| *u == user || (!u.contains(['\\', '@']) && u == bare);
            if !self.users.iter().any(hit) {
                return false;
            }
        }
        if !self.hosts.is_empty() {
            let Some(host) = alert.host.as_deref() else {
                return false;
            };
            let host = host.to_lowercase();
            let short = short_host(&host);
            if !self.hosts.iter().any(|h| glob(h, &host) || glob(h, short)) {
                return false;
            }
        }
        if !self.networks.is_empty() {
            let Some(ip) = alert.source_ip else {
                return false;
            };
            if !self.networks.iter().any(|n| n.contains(ip)) {
                return false;
            }
        }
        if !self.processes.is_empty() && !process_matches(&self.processes, alert.image.as_deref()) {
            return false;
        }
        if !self.parents.is_empty()
            && !process_matches(&self.parents, alert.parent_image.as_deref())
        {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_names() {
        assert!(glob("*\\whois.exe", "c:\\tools\\whois.exe"));
        assert!(glob("srv-*", "srv-db01"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("ws01", "ws01"));
        assert_eq!(bare_user("CORP\\Alice"), "Alice");
        assert_eq!(bare_user("alice@corp.example"), "alice");
        assert_eq!(short_host("ws01.corp.example"), "ws01");
        assert_eq!(basename("C:\\Windows\\powershell.exe"), "powershell.exe");
    }
}
