//! The seed's SOC playbook (content/playbook.yml) applied to one offense: each L1 step
//! and T2 action with the facts already gathered, the analysis questions answered where
//! the logs answer them, the escalation decision, and containment commands.

use serde::Deserialize;

use crate::config::Context;
use crate::engine::{format_duration, Report};
use crate::follow_on::FollowOnKind;
use crate::offense::Offense;

#[derive(Debug, Clone, Deserialize)]
pub struct Step {
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Playbook {
    pub technique: String,
    pub name: String,
    pub tactic: String,
    pub log_sources: String,
    pub key_indicators: Vec<String>,
    pub questions: Vec<Step>,
    pub escalation: String,
    pub l1_steps: Vec<Step>,
    pub t2_actions: Vec<Step>,
    pub containment: String,
}

/// A step with what the data says about it.
#[derive(Debug, Clone)]
pub struct Filled {
    pub text: String,
    pub facts: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub title: String,
    /// Where to run it.
    pub target: String,
    pub command: String,
}

#[derive(Debug, Clone)]
pub struct Guidance {
    pub l1: Vec<Filled>,
    pub questions: Vec<Filled>,
    pub decision: String,
    pub t2: Vec<Filled>,
    pub containment_text: String,
    pub containment: Vec<Command>,
}

fn list(items: impl IntoIterator<Item = String>, limit: usize) -> String {
    let items: Vec<String> = items.into_iter().collect();
    let shown: Vec<&str> = items.iter().take(limit).map(String::as_str).collect();
    match items.len() > limit {
        true => format!("{} and {} more", shown.join(", "), items.len() - limit),
        false => shown.join(", "),
    }
}

impl Playbook {
    pub fn parse(text: &str) -> Result<Playbook, String> {
        serde_saphyr::from_str(text).map_err(|e| format!("playbook: {e}"))
    }

    pub fn guide(&self, offense: &Offense, report: &Report, context: &Context) -> Guidance {
        let facts = |key: &str| self.facts(key, offense, context);
        let fill = |steps: &[Step]| -> Vec<Filled> {
            steps
                .iter()
                .map(|s| Filled {
                    text: s.text.clone(),
                    facts: facts(&s.key),
                })
                .collect()
        };
        let decision = match offense.tier {
            None => format!(
                "Suppressed: allowlist `{}` ({}): {}",
                offense.suppressed_by.as_ref().map(|s| s.allowlist.as_str()).unwrap_or(""),
                offense.suppressed_by.as_ref().map(|s| s.category).unwrap_or(""),
                offense.suppressed_by.as_ref().map(|s| s.reason.as_str()).unwrap_or("")
            ),
            Some(2) => format!(
                "Escalate to Tier 2: {}.",
                offense.escalation.iter().map(|e| e.playbook_words()).collect::<Vec<_>>().join("; ")
            ),
            Some(_) => "Tier 1: no escalation criterion is met (authorised or unknown source, no reconnaissance pattern, no intel match); close or document after the L1 steps.".into(),
        };
        Guidance {
            l1: fill(&self.l1_steps),
            questions: fill(&self.questions),
            decision,
            t2: if offense.tier == Some(2) {
                fill(&self.t2_actions)
            } else {
                Vec::new()
            },
            containment_text: self.containment.clone(),
            containment: if offense.tier == Some(2) {
                containment(offense, report)
            } else {
                Vec::new()
            },
        }
    }

    fn facts(&self, key: &str, offense: &Offense, context: &Context) -> Vec<String> {
        let policy = &context.policy;
        let mut out = Vec::new();
        match key {
            "source" | "expected-personnel" => {
                out.push(format!(
                    "source {}: hosts [{}], addresses [{}], users [{}]",
                    offense.source,
                    list(offense.hosts.iter().cloned(), 5),
                    list(offense.addresses.iter().cloned(), 5),
                    list(offense.users.iter().cloned(), 5)
                ));
                match (&offense.suppressed_by, &offense.authorised) {
                    (Some(s), _) => out.push(format!("allowlisted by `{}` ({}): {}", s.allowlist, s.category, s.reason)),
                    (None, Some(s)) => out.push(format!(
                        "allowlisted by `{}` ({}), but a threat-intel hit overrides it",
                        s.allowlist, s.category
                    )),
                    (None, None) if context.allowlists.is_empty() => {
                        out.push("no allowlist is configured (--config): legitimacy cannot be checked automatically".into())
                    }
                    (None, None) => out.push(format!("in none of the {} allowlists", context.allowlists.len())),
                }
                if offense
                    .escalation
                    .contains(&crate::Escalation::UnauthorisedSource)
                {
                    if let Some(r) = offense.reasons.iter().find(|r| r.code == "unauthorised") {
                        out.push(r.text.clone());
                    }
                }
            }
            "frequency" | "spike" => {
                let span = match (offense.first_seen, offense.last_seen) {
                    (Some(f), Some(l)) => format!("from {f} to {l}"),
                    _ => "time unknown".into(),
                };
                out.push(format!("{} alerts {span}", offense.alerts.len()));
                out.push(format!(
                    "busiest {}: {} lookups, {} distinct WHOIS servers/services (thresholds {} and {})",
                    format_duration(policy.burst_window),
                    offense.volume.burst.count,
                    offense.volume.distinct.count,
                    policy.burst_count,
                    policy.distinct_servers
                ));
                match &offense.volume.spike {
                    Some(spike) => out.push(format!(
                        "spike: {} in one hour against a median of {} over {} active hours",
                        spike.count, spike.median, spike.active_hours
                    )),
                    None if key == "spike" => out.push(
                        "no hour stands out against this source's own history in the scanned logs"
                            .into(),
                    ),
                    None => {}
                }
                out.push(format!(
                    "{} of {} alerts outside business hours ({})",
                    offense.off_hours,
                    offense.alerts.len(),
                    policy.business_hours.describe()
                ));
                if !offense.servers.is_empty() {
                    out.push(format!(
                        "servers: {}",
                        list(offense.servers.iter().cloned(), 8)
                    ));
                }
                if !offense.targets.is_empty() {
                    out.push(format!(
                        "looked up: {}",
                        list(offense.targets.iter().cloned(), 8)
                    ));
                }
            }
            "intel" | "validate" => {
                let indicators: usize = context.intel.iter().map(|s| s.len()).sum();
                if offense.intel.is_empty() {
                    out.push(format!(
                        "no match in {} threat-intel feeds ({indicators} indicators) for the source, destinations or looked-up names",
                        context.intel.len()
                    ));
                } else {
                    for hit in &offense.intel {
                        out.push(format!(
                            "{} is in feed `{}`{}",
                            hit.entry,
                            hit.set,
                            hit.label
                                .as_ref()
                                .map(|l| format!(": {l}"))
                                .unwrap_or_default()
                        ));
                    }
                }
                for hit in &offense.victim {
                    out.push(format!(
                        "looked up the organisation's own {} ({})",
                        hit.entry,
                        hit.label.as_deref().unwrap_or("")
                    ));
                }
                if key == "validate" && !offense.targets.is_empty() {
                    out.push(format!(
                        "check these in your feeds: {}",
                        list(offense.targets.iter().cloned(), 10)
                    ));
                }
            }
            "business" => {
                out.push(format!(
                    "not answerable from logs alone: ask the owner of {} whether a registration, renewal, vendor check or incident explains it; {} of {} alerts fell outside business hours",
                    offense.source,
                    offense.off_hours,
                    offense.alerts.len()
                ));
            }
            "lateral" | "other-recon" => {
                let wanted = |kind: &FollowOnKind| match kind {
                    FollowOnKind::Lateral { .. } => key == "lateral",
                    _ => key == "other-recon",
                };
                let records: Vec<_> = offense
                    .follow_on
                    .iter()
                    .filter(|r| wanted(&r.kind))
                    .collect();
                if records.is_empty() {
                    out.push(match key {
                        "lateral" => "no connection to internal hosts on 22, 135, 445, 3389, 5985 or 5986 after the first lookup in the scanned logs".into(),
                        _ => "no zone transfer or scanning tool after the first lookup in the scanned logs".into(),
                    });
                }
                for r in records.iter().take(10) {
                    let time = r.time.map(|t| t.to_string()).unwrap_or_default();
                    out.push(format!("{time} {} ({})", r.summary, r.origin));
                }
                if records.len() > 10 || offense.follow_on_dropped > 0 {
                    out.push(format!(
                        "{} more not shown",
                        records.len().saturating_sub(10) + offense.follow_on_dropped
                    ));
                }
                if key == "other-recon" && offense.internal_destinations >= 20 {
                    out.push(format!(
                        "reached {} distinct internal address:port pairs: possible scanning",
                        offense.internal_destinations
                    ));
                }
            }
            _ => {}
        }
        out
    }
}

/// Copy-ready commands that cut the source off from WHOIS: on the host itself, on a
/// Linux gateway, and in the proxy for the RDAP/WHOIS names seen.
fn containment(offense: &Offense, report: &Report) -> Vec<Command> {
    let mut commands = Vec::new();
    // Host commands only where the host itself logged the lookup.
    let on_host = |product: &str, path: fn(&str) -> bool| {
        offense.alerts.iter().any(|&i| {
            let a = &report.alerts[i].alert;
            a.host.is_some()
                && (a.image.as_deref().is_some_and(path)
                    || a.evidence
                        .first()
                        .is_some_and(|e| e.category.product == Some(product)))
        })
    };
    let windows = on_host("windows", |p| p.contains('\\'));
    let linux = on_host("linux", |p| p.starts_with('/'));
    let host = offense
        .hosts
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| offense.source.clone());
    if windows {
        commands.push(Command {
            title: "Block outbound WHOIS (TCP/43) on the Windows host".into(),
            target: host.clone(),
            command: "New-NetFirewallRule -DisplayName 'whoiswatch: block WHOIS TCP/43 (T1596.002)' -Direction Outbound -Protocol TCP -RemotePort 43 -Action Block -Profile Any".into(),
        });
    }
    if linux {
        commands.push(Command {
            title: "Block outbound WHOIS (TCP/43) on the Linux host".into(),
            target: host.clone(),
            command: "nft add table inet whoiswatch; nft add chain inet whoiswatch output '{ type filter hook output priority 0; }'; nft add rule inet whoiswatch output tcp dport 43 reject".into(),
        });
    }
    for address in &offense.addresses {
        let v6 = address.contains(':');
        commands.push(Command {
            title: format!("Block {address} from WHOIS (TCP/43) at the Linux gateway (nftables)"),
            target: "gateway".into(),
            command: format!(
                "nft add rule inet filter forward {} saddr {address} tcp dport 43 reject",
                if v6 { "ip6" } else { "ip" }
            ),
        });
        commands.push(Command {
            title: "The same with iptables".into(),
            target: "gateway".into(),
            command: format!(
                "{} -I FORWARD -s {address} -p tcp --dport 43 -j REJECT",
                if v6 { "ip6tables" } else { "iptables" }
            ),
        });
    }
    let names: Vec<&String> = offense
        .servers
        .iter()
        .filter(|s| !s.contains(':'))
        .collect();
    if !names.is_empty() {
        let domains: Vec<String> = names.iter().map(|n| format!(".{n}")).collect();
        let source = match offense.addresses.iter().next() {
            Some(a) => format!(
                "\nacl whoiswatch_src src {a}\nhttp_access deny whoiswatch_src whoiswatch_whois"
            ),
            None => "\nhttp_access deny whoiswatch_whois".into(),
        };
        commands.push(Command {
            title: "Deny the RDAP/WHOIS names seen at the proxy (Squid)".into(),
            target: "proxy".into(),
            command: format!(
                "acl whoiswatch_whois dstdomain {}{source}",
                domains.join(" ")
            ),
        });
    }
    commands
}
