//! From alerts to a report: facts per alert, suppression by allowlists, offenses per
//! source, volume, score, tier and reasons.

use std::collections::BTreeSet;
use std::net::IpAddr;

use rustc_hash::FxHashMap;
use whoiswatch_event::Timestamp;

use crate::alert::Alert;
use crate::allowlist::short_host;
use crate::config::Context;
use crate::follow_on::FollowOnCollector;
use crate::offense::{offense_id, volume, Escalation, Offense, Suppression};
use crate::score::{self, clamp, Facts, Reason};

/// One alert after triage.
#[derive(Debug, Clone)]
pub struct Triaged {
    pub alert: Alert,
    pub facts: Facts,
    pub score: u8,
    pub reasons: Vec<Reason>,
    pub suppressed_by: Option<Suppression>,
    /// The allowlist entry that matched, even when a threat-intel hit overrides it.
    pub allowlisted: Option<Suppression>,
    /// Index of its offense in [`Report::offenses`] (which holds the tier).
    pub offense: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub alerts: Vec<Triaged>,
    /// Most urgent first: tier 2, then score, then alert count.
    pub offenses: Vec<Offense>,
    /// Expired allowlist entries that would have matched, and the like.
    pub notes: Vec<String>,
}

pub struct Options {
    /// Allowlist expiry is judged against this instant (the wall clock by default).
    pub now: Timestamp,
}

fn source_key(alert: &Alert, host_of: &dyn Fn(IpAddr) -> Option<String>) -> String {
    if let Some(host) = &alert.host {
        return short_host(&host.to_lowercase()).to_string();
    }
    if let Some(ip) = alert.source_ip {
        return host_of(ip).unwrap_or_else(|| ip.to_string());
    }
    if let Some(user) = &alert.user {
        return format!("user:{}", user.to_lowercase());
    }
    alert
        .reporter
        .as_deref()
        .map(|r| short_host(&r.to_lowercase()).to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn server_of(alert: &Alert) -> Option<String> {
    alert
        .destination_host
        .clone()
        .map(|h| h.to_ascii_lowercase())
        .or_else(|| {
            alert
                .destination_ip
                .map(|ip| format!("{ip}:{}", alert.destination_port.unwrap_or(0)))
        })
}

pub fn triage(
    alerts: Vec<Alert>,
    context: &Context,
    options: &Options,
    follow_on: Option<&FollowOnCollector>,
) -> Report {
    let mut report = Report::default();
    // Address → host, from these alerts first, then from all host telemetry read.
    let mut alert_hosts: FxHashMap<IpAddr, String> = FxHashMap::default();
    for alert in &alerts {
        if let (Some(host), Some(ip)) = (&alert.host, alert.source_ip) {
            if !ip.is_loopback() {
                alert_hosts
                    .entry(ip)
                    .or_insert_with(|| short_host(&host.to_lowercase()).to_string());
            }
        }
    }
    let host_of = |ip: IpAddr| {
        alert_hosts
            .get(&ip)
            .or_else(|| follow_on.and_then(|f| f.host_ips.get(&ip)))
            .cloned()
    };
    let mut expired_noted = BTreeSet::new();
    let mut sources = Vec::with_capacity(alerts.len());
    for alert in alerts {
        let facts = score::facts(context, &alert);
        let mut allowed = None;
        for entry in &context.allowlists {
            if !entry.matches(&alert) {
                continue;
            }
            if entry.expired(options.now) {
                if expired_noted.insert(entry.name.clone()) {
                    report.notes.push(format!(
                        "allowlist `{}` matched but expired on {}; not applied",
                        entry.name,
                        entry.expires.map(|t| t.to_string()).unwrap_or_default()
                    ));
                }
                continue;
            }
            allowed = Some(Suppression {
                allowlist: entry.name.clone(),
                category: entry.category.name(),
                reason: entry.reason.clone(),
            });
            break;
        }
        // Threat intel outranks an allowlist: an allowed analyst touching known-bad
        // infrastructure is still worth a look.
        let suppressed_by = allowed.clone().filter(|_| facts.intel.is_empty());
        let mut reasons = Vec::new();
        if let (Some(entry), None) = (&allowed, &suppressed_by) {
            reasons.push(Reason {
                points: 0,
                code: "allowlisted",
                text: format!(
                    "allowlist `{}` matched, overridden by a threat-intel hit",
                    entry.allowlist
                ),
            });
        }
        sources.push(source_key(&alert, &host_of));
        report.alerts.push(Triaged {
            alert,
            facts,
            score: 0,
            reasons,
            suppressed_by,
            allowlisted: allowed,
            offense: 0,
        });
    }
    // Offenses: per source, allowed apart from not allowed, split at long gaps.
    let key = |i: usize| {
        let t = &report.alerts[i];
        (&sources[i], t.suppressed_by.is_some(), t.alert.time)
    };
    let mut order: Vec<usize> = (0..report.alerts.len()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (n, &i) in order.iter().enumerate() {
        let joins = n > 0 && {
            let (previous, current) = (key(order[n - 1]), key(i));
            previous.0 == current.0
                && previous.1 == current.1
                && match (previous.2, current.2) {
                    (Some(a), Some(b)) => b.0 - a.0 <= context.policy.offense_gap,
                    _ => true,
                }
        };
        if !joins {
            groups.push(Vec::new());
        }
        groups.last_mut().expect("group").push(i);
    }
    for group in groups {
        let source = sources[group[0]].clone();
        let offense = build_offense(&mut report, group, source, context);
        report.offenses.push(offense);
    }
    // Most urgent first, then point each alert at its offense.
    let tier = |o: &Offense| o.tier.unwrap_or(0);
    report.offenses.sort_by(|x, y| {
        tier(y)
            .cmp(&tier(x))
            .then(y.score.cmp(&x.score))
            .then(y.alerts.len().cmp(&x.alerts.len()))
            .then(x.first_seen.cmp(&y.first_seen))
            .then(x.source.cmp(&y.source))
    });
    for (index, offense) in report.offenses.iter().enumerate() {
        for &a in &offense.alerts {
            report.alerts[a].offense = index;
        }
    }
    if let Some(collector) = follow_on {
        for offense in &mut report.offenses {
            if offense.tier == Some(2) {
                let mut keys: Vec<String> = vec![offense.source.clone()];
                keys.extend(offense.addresses.iter().cloned());
                keys.extend(offense.hosts.iter().map(|h| short_host(h).to_string()));
                let (records, dropped, internal) = collector.after(&keys, offense.first_seen);
                offense.follow_on = records;
                offense.follow_on_dropped = dropped;
                offense.internal_destinations = internal;
            }
        }
    }
    report
}

fn build_offense(
    report: &mut Report,
    group: Vec<usize>,
    source: String,
    context: &Context,
) -> Offense {
    let policy = &context.policy;
    let suppressed_by = report.alerts[group[0]].suppressed_by.clone();
    let mut offense = Offense {
        id: String::new(),
        source,
        hosts: BTreeSet::new(),
        addresses: BTreeSet::new(),
        users: BTreeSet::new(),
        first_seen: None,
        last_seen: None,
        alerts: group.clone(),
        servers: BTreeSet::new(),
        targets: BTreeSet::new(),
        rules: Default::default(),
        volume: Default::default(),
        off_hours: 0,
        intel: Vec::new(),
        victim: Vec::new(),
        score: 0,
        reasons: Vec::new(),
        tier: None,
        escalation: Vec::new(),
        suppressed_by: suppressed_by.clone(),
        authorised: None,
        follow_on: Vec::new(),
        follow_on_dropped: 0,
        internal_destinations: 0,
    };
    let mut times = Vec::new();
    let mut servers = Vec::new();
    let mut scripted = None;
    let mut restricted = None;
    for &i in &group {
        let triaged = &report.alerts[i];
        let alert = &triaged.alert;
        offense.hosts.extend(alert.host.clone());
        offense
            .addresses
            .extend(alert.source_ip.map(|ip| ip.to_string()));
        offense.users.extend(alert.user.clone());
        if let Some(t) = alert.time {
            offense.first_seen = Some(offense.first_seen.map_or(t, |f| f.min(t)));
            offense.last_seen = Some(offense.last_seen.map_or(t, |l| l.max(t)));
            times.push(t.0);
        }
        if let Some(server) = server_of(alert) {
            if triaged.facts.known_destination.is_some() || triaged.facts.port_43 {
                offense.servers.insert(server.clone());
                if let Some(t) = alert.time {
                    servers.push((t.0, server));
                }
            }
        }
        offense.targets.extend(alert.targets.iter().cloned());
        *offense.rules.entry(alert.rule.title.clone()).or_default() += 1;
        for hit in &triaged.facts.intel {
            if !offense.intel.contains(hit) {
                offense.intel.push(hit.clone());
            }
        }
        for hit in &triaged.facts.victim {
            if !offense.victim.contains(hit) {
                offense.victim.push(hit.clone());
            }
        }
        offense.off_hours += triaged.facts.off_hours as usize;
        scripted = scripted.or(triaged.facts.scripted.clone());
        restricted = restricted.or(triaged.facts.restricted.clone());
    }
    times.sort_unstable();
    servers.sort();
    offense.volume = volume(&times, &servers, policy.burst_window, policy.burst_count);
    offense.id = offense_id(&offense.source, offense.first_seen);
    let authorised = group
        .iter()
        .find_map(|&i| report.alerts[i].allowlisted.clone());
    let allowlisted = authorised.is_some();
    // Offense-level reasons.
    // The strongest base of any alert (the first of equals).
    let base = group
        .iter()
        .map(|&i| report.alerts[i].facts.base())
        .rev()
        .max_by_key(|r| r.points)
        .expect("one alert at least");
    let mut reasons = vec![base];
    let mut escalation = Vec::new();
    let unauthorised = match (&restricted, policy.authorised_only && !allowlisted) {
        (Some(why), _) => Some(format!("source not authorised for WHOIS use: {why}")),
        (None, true) => Some("source not authorised for WHOIS use: in no allowlist, and policy.authorised_only is set".to_string()),
        _ => None,
    };
    if let Some(text) = unauthorised {
        reasons.push(Reason {
            points: score::UNAUTHORISED,
            code: "unauthorised",
            text,
        });
        escalation.push(Escalation::UnauthorisedSource);
    }
    let window_text = format_duration(policy.burst_window);
    let mut volume_texts = Vec::new();
    if offense.volume.burst.count >= policy.burst_count {
        volume_texts.push(format!(
            "{} lookups within {window_text}",
            offense.volume.burst.count
        ));
    }
    if offense.volume.distinct.count >= policy.distinct_servers {
        volume_texts.push(format!(
            "{} distinct WHOIS servers/services within {window_text}",
            offense.volume.distinct.count
        ));
    }
    if let Some(spike) = &offense.volume.spike {
        volume_texts.push(format!(
            "{} lookups in the hour from {}, against a median of {} per active hour over {} hours",
            spike.count,
            Timestamp(spike.hour),
            spike.median,
            spike.active_hours
        ));
    }
    if !volume_texts.is_empty() {
        reasons.push(Reason {
            points: score::VOLUME,
            code: "volume",
            text: volume_texts.join("; "),
        });
    }
    if !offense.victim.is_empty() {
        let names: Vec<&str> = offense.victim.iter().map(|h| h.entry.as_str()).collect();
        reasons.push(Reason {
            points: score::VICTIM,
            code: "victim",
            text: format!("looked up the organisation's own {}", names.join(", ")),
        });
    }
    if !volume_texts.is_empty() || !offense.victim.is_empty() {
        escalation.push(Escalation::ActiveReconnaissance);
    }
    if !offense.intel.is_empty() {
        let names: Vec<String> = offense
            .intel
            .iter()
            .map(|h| match &h.label {
                Some(label) => format!("{} ({}: {label})", h.entry, h.set),
                None => format!("{} ({})", h.entry, h.set),
            })
            .collect();
        reasons.push(Reason {
            points: score::INTEL,
            code: "intel",
            text: format!("threat intel: {}", names.join(", ")),
        });
        escalation.push(Escalation::IntelMatch);
    }
    if let Some(image) = &scripted {
        reasons.push(Reason {
            points: score::SCRIPTED,
            code: "scripted",
            text: format!("scripted or unusual process: {image}"),
        });
    }
    if offense.off_hours > 0 {
        reasons.push(Reason {
            points: score::OFF_HOURS,
            code: "off-hours",
            text: format!(
                "{} of {} alerts outside business hours ({})",
                offense.off_hours,
                group.len(),
                policy.business_hours.describe()
            ),
        });
    }
    offense.score = clamp(reasons.iter().map(|r| r.points).sum());
    offense.escalation = escalation;
    offense.tier = match &suppressed_by {
        Some(_) => None,
        None if offense.escalation.is_empty() => Some(1),
        None => Some(2),
    };
    offense.authorised = authorised;
    // Each alert: its own base and facts, plus the offense's volume and unauthorised
    // reasons (which belong to the pattern, not the single event).
    let shared: Vec<Reason> = reasons
        .iter()
        .filter(|r| matches!(r.code, "unauthorised" | "volume"))
        .cloned()
        .collect();
    for &i in &group {
        let triaged = &mut report.alerts[i];
        let facts = &triaged.facts;
        let mut own = vec![facts.base()];
        own.extend(shared.iter().cloned());
        if !facts.victim.is_empty() {
            own.push(Reason {
                points: score::VICTIM,
                code: "victim",
                text: "looked up the organisation's own domain or network".into(),
            });
        }
        if !facts.intel.is_empty() {
            own.push(Reason {
                points: score::INTEL,
                code: "intel",
                text: "threat-intel hit".into(),
            });
        }
        if let Some(image) = &facts.scripted {
            own.push(Reason {
                points: score::SCRIPTED,
                code: "scripted",
                text: format!("scripted or unusual process: {image}"),
            });
        }
        if facts.off_hours {
            own.push(Reason {
                points: score::OFF_HOURS,
                code: "off-hours",
                text: "outside business hours".into(),
            });
        }
        own.append(&mut triaged.reasons);
        triaged.score = clamp(own.iter().map(|r| r.points).sum());
        triaged.reasons = own;
    }
    offense.reasons = reasons;
    offense
}

pub fn format_duration(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    match s {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
