//! The organisation's context (`--config FILE`, documented in docs/triage.md): its own
//! domains and networks, allowlists per false-positive category, threat-intel feeds,
//! and the escalation policy. Read from YAML, then validated into [`Context`] with an
//! error per problem that names the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use whoiswatch_event::time::{parse_iso8601, parse_timespan};
use whoiswatch_event::Timestamp;
use whoiswatch_reference::{load_into, FeedFormat, Network, ReferenceSet};

use crate::allowlist::{Allowlist, Category};
use crate::policy::{BusinessHours, Policy};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub organisation: OrganisationFile,
    #[serde(default)]
    pub policy: PolicyFile,
    #[serde(default)]
    pub groups: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub allowlists: Vec<AllowlistFile>,
    #[serde(default)]
    pub intel: Vec<IntelFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationFile {
    pub name: Option<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub networks: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeFile {
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub networks: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    pub authorised_only: Option<bool>,
    #[serde(default)]
    pub restricted: ScopeFile,
    pub business_hours: Option<BusinessHoursFile>,
    pub burst_count: Option<usize>,
    pub burst_window: Option<String>,
    pub distinct_servers: Option<usize>,
    pub offense_gap: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursFile {
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub days: Vec<String>,
    pub utc_offset: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistFile {
    pub name: String,
    pub category: String,
    pub reason: String,
    pub expires: Option<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub networks: Vec<String>,
    #[serde(default)]
    pub processes: Vec<String>,
    #[serde(default)]
    pub parents: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntelFile {
    pub name: Option<String>,
    pub path: String,
    pub format: Option<String>,
}

/// Everything triage knows about the organisation, validated.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub organisation: Option<String>,
    /// The organisation's own domains and networks (victim-associated lookups).
    pub own: ReferenceSet,
    pub allowlists: Vec<Allowlist>,
    /// One set per feed.
    pub intel: Vec<ReferenceSet>,
    pub policy: Policy,
    /// WHOIS servers, RDAP and web WHOIS services (the pack's lists).
    pub known_destinations: ReferenceSet,
}

/// A date (`2027-06-30`, the end of that day) or an ISO 8601 instant.
fn parse_expiry(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.len() == 10 {
        return parse_iso8601(&format!("{text}T23:59:59.999Z"));
    }
    parse_iso8601(text)
}

impl Context {
    /// Parse and validate a configuration; relative intel paths are taken from `base`
    /// (the configuration file's directory). Every problem is returned, not just the first.
    pub fn from_yaml(
        file: &str,
        text: &str,
        base: &Path,
        known_destinations: ReferenceSet,
    ) -> Result<(Context, Vec<String>), Vec<String>> {
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        let parsed: ConfigFile = serde_saphyr::from_str_with_options(text, options)
            .map_err(|e| vec![format!("{file}: {e}")])?;
        Context::from_file(file, parsed, base, known_destinations)
    }

    pub fn from_file(
        file: &str,
        parsed: ConfigFile,
        base: &Path,
        known_destinations: ReferenceSet,
    ) -> Result<(Context, Vec<String>), Vec<String>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut context = Context {
            organisation: parsed.organisation.name.clone(),
            own: ReferenceSet::new("organisation"),
            known_destinations,
            ..Context::default()
        };
        for domain in &parsed.organisation.domains {
            if whoiswatch_reference::domain::looks_like_domain(domain) {
                context.own.add(domain, Some("own domain"));
            } else {
                errors.push(format!(
                    "{file}: organisation.domains: `{domain}` is not a domain name"
                ));
            }
        }
        for network in &parsed.organisation.networks {
            match Network::parse(network) {
                Some(_) => context.own.add(network, Some("own network")),
                None => errors.push(format!(
                    "{file}: organisation.networks: `{network}` is not an address or CIDR"
                )),
            }
        }
        context.policy = policy(file, &parsed.policy, &mut errors);
        for (index, entry) in parsed.allowlists.iter().enumerate() {
            let key = format!("{file}: allowlists[{index}] ({})", entry.name);
            let Some(category) = Category::parse(&entry.category) else {
                errors.push(format!(
                    "{key}: category `{}` is not one of {}",
                    entry.category,
                    Category::NAMES.join(", ")
                ));
                continue;
            };
            let expires = match &entry.expires {
                Some(text) => match parse_expiry(text) {
                    Some(t) => Some(t),
                    None => {
                        errors.push(format!(
                            "{key}: expires `{text}` is not a date (YYYY-MM-DD)"
                        ));
                        continue;
                    }
                },
                None => None,
            };
            let mut networks = Vec::new();
            for text in &entry.networks {
                match Network::parse(text) {
                    Some(n) => networks.push(n),
                    None => errors.push(format!(
                        "{key}: networks: `{text}` is not an address or CIDR"
                    )),
                }
            }
            let mut users: Vec<String> = entry.users.iter().map(|u| u.to_lowercase()).collect();
            for group in &entry.groups {
                match parsed.groups.get(group) {
                    Some(members) => users.extend(members.iter().map(|u| u.to_lowercase())),
                    None => errors.push(format!(
                        "{key}: group `{group}` is not defined under groups:"
                    )),
                }
            }
            if users.is_empty()
                && entry.groups.is_empty()
                && entry.hosts.is_empty()
                && networks.is_empty()
                && entry.processes.is_empty()
                && entry.parents.is_empty()
            {
                errors.push(format!(
                    "{key}: says nothing to match (give users, groups, hosts, networks, processes or parents)"
                ));
                continue;
            }
            if entry.reason.trim().is_empty() {
                errors.push(format!("{key}: reason is empty; say why this is allowed"));
            }
            context.allowlists.push(Allowlist {
                name: entry.name.clone(),
                category,
                reason: entry.reason.clone(),
                expires,
                users,
                hosts: entry.hosts.iter().map(|h| h.to_lowercase()).collect(),
                networks,
                processes: entry.processes.iter().map(|p| p.to_lowercase()).collect(),
                parents: entry.parents.iter().map(|p| p.to_lowercase()).collect(),
            });
        }
        for (index, feed) in parsed.intel.iter().enumerate() {
            let path: PathBuf = base.join(&feed.path);
            let name = feed.name.clone().unwrap_or_else(|| feed.path.clone());
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(format!(
                        "{file}: intel[{index}]: cannot read {}: {e}",
                        path.display()
                    ));
                    continue;
                }
            };
            let shown = path.display().to_string();
            let format = match &feed.format {
                Some(f) => match FeedFormat::parse(f) {
                    Some(format) => format,
                    None => {
                        errors.push(format!(
                            "{file}: intel[{index}]: format `{f}` is not one of list, csv, stix, misp"
                        ));
                        continue;
                    }
                },
                None => FeedFormat::sniff(&shown, &text),
            };
            let mut set = ReferenceSet::new(name);
            for problem in load_into(&mut set, &shown, &text, format) {
                warnings.push(format!("intel feed: {problem}"));
            }
            if set.is_empty() {
                warnings.push(format!("intel feed {shown}: no indicator read"));
            }
            context.intel.push(set);
        }
        if errors.is_empty() {
            Ok((context, warnings))
        } else {
            Err(errors)
        }
    }
}

fn policy(file: &str, parsed: &PolicyFile, errors: &mut Vec<String>) -> Policy {
    let mut policy = Policy::default();
    if let Some(b) = parsed.authorised_only {
        policy.authorised_only = b;
    }
    policy.restricted_hosts = parsed
        .restricted
        .hosts
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    for text in &parsed.restricted.networks {
        match Network::parse(text) {
            Some(n) => policy.restricted_networks.push(n),
            None => errors.push(format!(
                "{file}: policy.restricted.networks: `{text}` is not an address or CIDR"
            )),
        }
    }
    let mut duration = |key: &str, value: &Option<String>, target: &mut i64| {
        if let Some(text) = value {
            match parse_timespan(text).and_then(|s| s.checked_mul(1_000_000_000)) {
                Some(ns) => *target = ns,
                _ => errors.push(format!(
                    "{file}: policy.{key}: `{text}` is not a duration (30s, 10m, 1h, 7d)"
                )),
            }
        }
    };
    duration(
        "burst_window",
        &parsed.burst_window,
        &mut policy.burst_window,
    );
    duration("offense_gap", &parsed.offense_gap, &mut policy.offense_gap);
    if let Some(n) = parsed.burst_count {
        policy.burst_count = n.max(2);
    }
    if let Some(n) = parsed.distinct_servers {
        policy.distinct_servers = n.max(2);
    }
    if let Some(hours) = &parsed.business_hours {
        match BusinessHours::parse(
            &hours.start,
            &hours.end,
            &hours.days,
            hours.utc_offset.as_deref(),
        ) {
            Ok(h) => policy.business_hours = h,
            Err(e) => errors.push(format!("{file}: policy.business_hours: {e}")),
        }
    }
    policy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let text = r#"
organisation: { domains: [example-corp.com, "not a domain"], networks: [10.0.0.0/33] }
policy: { burst_window: soon, business_hours: { start: "8", end: "18:00" } }
allowlists:
  - { name: a, category: wizard, reason: x, users: [u] }
  - { name: b, category: analyst, reason: x, groups: [nobody] }
  - { name: c, category: scanner, reason: x }
  - { name: d, category: cicd, reason: x, hosts: [h], expires: someday }
intel:
  - { path: does-not-exist.txt }
"#;
        let errors = Context::from_yaml("org.yml", text, Path::new("."), ReferenceSet::default())
            .unwrap_err();
        let all = errors.join("\n");
        for expected in [
            "organisation.domains: `not a domain`",
            "organisation.networks: `10.0.0.0/33`",
            "policy.burst_window: `soon`",
            "policy.business_hours: `8` is not HH:MM",
            "allowlists[0] (a): category `wizard`",
            "allowlists[1] (b): group `nobody`",
            "allowlists[2] (c): says nothing to match",
            "allowlists[3] (d): expires `someday`",
            "intel[0]: cannot read",
        ] {
            assert!(all.contains(expected), "missing `{expected}` in\n{all}");
        }
        assert_eq!(errors.len(), 9, "{all}");
        let unknown = Context::from_yaml(
            "org.yml",
            "allowlist: []",
            Path::new("."),
            ReferenceSet::default(),
        );
        assert!(unknown.unwrap_err()[0].contains("allowlist"));
    }
}
