//! The facts triage establishes about each alert, and the points they carry on the seed's
//! 1–10 scale (docs/triage.md has the table).

use whoiswatch_event::Timestamp;
use whoiswatch_reference::{Hit, ReferenceSet};

use crate::alert::Alert;
use crate::allowlist::basename;
use crate::config::Context;
use crate::policy::Policy;

/// The seed query's own logic: 8 for port 43 or a known WHOIS destination, else 4.
pub const BASE_KNOWN: i32 = 8;
pub const BASE_OTHER: i32 = 4;
pub const UNAUTHORISED: i32 = 2;
pub const VOLUME: i32 = 2;
pub const VICTIM: i32 = 2;
pub const INTEL: i32 = 3;
pub const SCRIPTED: i32 = 1;
pub const OFF_HOURS: i32 = 1;

/// One reason a score moved, kept with the alert or offense so the analyst sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub points: i32,
    /// Stable machine name: `base`, `unauthorised`, `volume`, `victim`, `intel`,
    /// `scripted`, `off-hours`.
    pub code: &'static str,
    pub text: String,
}

pub fn clamp(points: i32) -> u8 {
    points.clamp(1, 10) as u8
}

/// Interpreters and parents that make a lookup scripted or unusual.
const SCRIPTED_IMAGES: &[&str] = &[
    "powershell.exe",
    "pwsh.exe",
    "pwsh",
    "powershell_ise.exe",
    "wscript.exe",
    "cscript.exe",
    "mshta.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "python",
    "python.exe",
    "python3",
    "pythonw.exe",
    "perl",
    "perl.exe",
    "ruby",
    "ruby.exe",
    "node",
    "node.exe",
    "winword.exe",
    "excel.exe",
    "outlook.exe",
    "powerpnt.exe",
    "w3wp.exe",
    "httpd",
    "nginx",
    "php",
    "php-cgi",
    "java",
    "java.exe",
];

fn is_scripted(image: Option<&str>) -> Option<String> {
    let image = image?;
    let name = basename(image).to_ascii_lowercase();
    let hit = SCRIPTED_IMAGES.contains(&name.as_str())
        || (name.starts_with("python3.") && !name.contains('/'));
    hit.then(|| basename(image).to_string())
}

/// What is known about one alert before grouping.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub known_destination: Option<String>,
    pub port_43: bool,
    pub intel: Vec<Hit>,
    pub victim: Vec<Hit>,
    pub scripted: Option<String>,
    pub off_hours: bool,
    pub restricted: Option<String>,
}

fn hits(sets: &[&ReferenceSet], values: &[String], out: &mut Vec<Hit>) {
    for value in values {
        for set in sets {
            if let Some(hit) = set.find(value) {
                if !out.contains(&hit) {
                    out.push(hit);
                }
            }
        }
    }
}

fn restricted(policy: &Policy, alert: &Alert) -> Option<String> {
    if let Some(host) = alert.host.as_deref() {
        let host = host.to_lowercase();
        let short = crate::allowlist::short_host(&host).to_string();
        if let Some(p) = policy
            .restricted_hosts
            .iter()
            .find(|p| crate::allowlist::glob(p, &host) || crate::allowlist::glob(p, &short))
        {
            return Some(format!("host matches restricted `{p}`"));
        }
    }
    let ip = alert.source_ip?;
    policy
        .restricted_networks
        .iter()
        .find(|n| n.contains(ip))
        .map(|n| format!("address in restricted network {n}"))
}

pub fn facts(context: &Context, alert: &Alert) -> Facts {
    let known_destination = alert
        .destination_host
        .as_deref()
        .and_then(|h| context.known_destinations.find_domain(h))
        .map(|h| h.entry)
        .or_else(|| {
            alert
                .url
                .as_deref()
                .and_then(|u| u.split("://").nth(1))
                .and_then(|rest| rest.split(['/', ':']).next())
                .and_then(|h| context.known_destinations.find_domain(h))
                .map(|h| h.entry)
        });
    let mut observed: Vec<String> = Vec::new();
    observed.extend(alert.source_ip.map(|ip| ip.to_string()));
    observed.extend(alert.destination_ip.map(|ip| ip.to_string()));
    observed.extend(alert.destination_host.clone());
    observed.extend(alert.url.clone());
    observed.extend(alert.targets.iter().cloned());
    let feeds: Vec<&ReferenceSet> = context.intel.iter().collect();
    let mut intel = Vec::new();
    hits(&feeds, &observed, &mut intel);
    let mut victim = Vec::new();
    hits(&[&context.own], &alert.targets, &mut victim);
    Facts {
        known_destination,
        port_43: alert.destination_port == Some(43),
        intel,
        victim,
        scripted: is_scripted(alert.image.as_deref())
            .or_else(|| is_scripted(alert.parent_image.as_deref())),
        off_hours: alert
            .time
            .is_some_and(|t: Timestamp| context.policy.business_hours.is_off_hours(t)),
        restricted: restricted(&context.policy, alert),
    }
}

impl Facts {
    pub fn base(&self) -> Reason {
        if self.port_43 {
            Reason {
                points: BASE_KNOWN,
                code: "base",
                text: "TCP/43 (WHOIS protocol)".into(),
            }
        } else if let Some(name) = &self.known_destination {
            Reason {
                points: BASE_KNOWN,
                code: "base",
                text: format!("known WHOIS/RDAP destination {name}"),
            }
        } else {
            Reason {
                points: BASE_OTHER,
                code: "base",
                text: "a rule match with no port-43 or known WHOIS/RDAP destination".into(),
            }
        }
    }
}
