//! An alert as triage sees it: the rule that fired, the facts of the event that made it
//! fire, and the event itself as evidence.

use std::net::IpAddr;

use whoiswatch_event::{Event, FieldId, Timestamp};
use whoiswatch_reference::domain::looks_like_domain;

/// What triage needs to know about the rule.
#[derive(Debug, Clone, Default)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub level: String,
    pub tags: Vec<String>,
}

impl RuleInfo {
    /// `T1596.002` from the tag `attack.t1596.002`.
    pub fn technique(&self) -> Option<String> {
        self.tags
            .iter()
            .find_map(|t| t.strip_prefix("attack.t"))
            .map(|t| format!("T{}", t.to_ascii_uppercase()))
    }
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub rule: RuleInfo,
    pub time: Option<Timestamp>,
    /// The host that did the lookup, where the event names it (Sysmon, auditd, 4104);
    /// for network devices' logs (DNS servers, proxies, firewalls) `None`, and the
    /// lookup's source is `source_ip`.
    pub host: Option<String>,
    /// The host that wrote the log, when it is a device rather than the source.
    pub reporter: Option<String>,
    pub user: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub destination_ip: Option<IpAddr>,
    pub destination_port: Option<i64>,
    /// The WHOIS/RDAP name involved: DNS question, TLS SNI, HTTP host or the
    /// destination's host name.
    pub destination_host: Option<String>,
    pub image: Option<String>,
    pub parent_image: Option<String>,
    /// The command line or script block text.
    pub command: Option<String>,
    pub url: Option<String>,
    pub process_guid: Option<String>,
    /// What was looked up (domains and addresses in the command, RDAP paths).
    pub targets: Vec<String>,
    /// The events that make the alert: the matched one first.
    pub evidence: Vec<Event>,
    /// One sentence joining the evidence, when later events were joined to the matched
    /// one ("powershell.exe queried rdap.arin.net and connected to it …").
    pub summary: Option<String>,
}

/// Logs written by the host that did the lookup (rather than by a network device).
pub(crate) fn is_host_telemetry(event: &Event) -> bool {
    matches!(
        event.category.category,
        Some("process_creation" | "network_connection" | "dns_query" | "ps_script" | "ps_module")
    ) && !matches!(event.category.product, Some("zeek"))
}

fn text(event: &Event, id: FieldId) -> Option<String> {
    event
        .get(id)
        .map(|v| v.to_string())
        .filter(|s| !s.is_empty() && s != "-")
}

fn ip(event: &Event, id: FieldId) -> Option<IpAddr> {
    event.get(id).and_then(|v| v.as_ip())
}

impl Alert {
    pub fn from_event(rule: RuleInfo, event: Event) -> Alert {
        let host_side = is_host_telemetry(&event);
        let hostname = event.hostname().map(str::to_string);
        let (host, reporter) = if host_side {
            (hostname, None)
        } else {
            (None, hostname)
        };
        let destination_host = [
            FieldId::DnsQuery,
            FieldId::TlsSni,
            FieldId::HttpHost,
            FieldId::DestinationHostname,
        ]
        .iter()
        .find_map(|id| text(&event, *id));
        let command =
            text(&event, FieldId::CommandLine).or_else(|| text(&event, FieldId::ScriptBlockText));
        let url = text(&event, FieldId::Url);
        let mut targets = Vec::new();
        if let Some(command) = &command {
            lookup_targets(command, &mut targets);
        }
        if let Some(url) = &url {
            lookup_targets(url, &mut targets);
        }
        Alert {
            rule,
            time: event.device_time(),
            host,
            reporter,
            user: text(&event, FieldId::Username),
            source_ip: ip(&event, FieldId::SourceIp),
            destination_ip: ip(&event, FieldId::DestinationIp),
            destination_port: event.get_i64(FieldId::DestinationPort),
            destination_host,
            image: text(&event, FieldId::Image),
            parent_image: text(&event, FieldId::ParentImage),
            command,
            url,
            process_guid: text(&event, FieldId::ProcessGuid),
            targets,
            evidence: vec![event],
            summary: None,
        }
    }
}

/// Domains and addresses a command or URL looks up: the operands of a WHOIS client
/// (`whois -h whois.arin.net 198.51.100.7` → the address; the server after `-h` is not a
/// target), RDAP paths (`/domain/example.com`, `/ip/192.0.2.0/24`, `/autnum/64496`),
/// and quoted names in script code other than WHOIS servers.
pub fn lookup_targets(text: &str, out: &mut Vec<String>) {
    let mut push = |value: &str| {
        let value = value
            .trim_matches(|c: char| "'\"(),;`[]{}".contains(c))
            .trim_end_matches('.');
        if value.is_empty() || out.iter().any(|v| v.eq_ignore_ascii_case(value)) {
            return;
        }
        out.push(value.to_ascii_lowercase());
    };
    // RDAP paths.
    for kind in ["/domain/", "/ip/", "/autnum/", "/nameserver/", "/entity/"] {
        let mut rest = text;
        while let Some(at) = rest.find(kind) {
            rest = &rest[at + kind.len()..];
            let end = rest
                .find(|c: char| c.is_whitespace() || "'\"?#)`,;".contains(c))
                .unwrap_or(rest.len());
            let object = &rest[..end];
            let object = if kind == "/ip/" {
                object
            } else {
                object.split('/').next().unwrap_or(object)
            };
            push(object);
        }
    }
    // Operands of a command: words that look like a domain or an address, except the
    // value of a server option and URLs (their hosts are the service, not the target).
    let mut skip_next = false;
    for word in text.split(|c: char| c.is_whitespace()) {
        if skip_next {
            skip_next = false;
            continue;
        }
        if matches!(word, "-h" | "--host" | "-p" | "--port" | "-s" | "--server") {
            skip_next = true;
            continue;
        }
        if word.contains("://") || word.starts_with('-') {
            continue;
        }
        let bare = word.trim_matches(|c: char| "'\"(),;`[]{}".contains(c));
        let bare = bare.trim_end_matches('.');
        if bare.contains(['(', ')', '=']) {
            // Code (`s.recv(4096).decode()`, `s=socket.create_connection(`), not an operand.
            continue;
        }
        let is_ip = bare.parse::<IpAddr>().is_ok()
            || bare
                .split_once('/')
                .is_some_and(|(a, p)| a.parse::<IpAddr>().is_ok() && p.parse::<u8>().is_ok());
        if is_ip
            || (looks_like_domain(bare) && !is_whois_service_name(bare) && !looks_like_file(bare))
        {
            push(bare);
        }
    }
}

/// Names that are the WHOIS service itself rather than what is looked up.
fn is_whois_service_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("whois.")
        || lower.starts_with("rdap.")
        || lower.contains(".whois.")
        || lower == "who.is"
}

/// `module.psm1`, `run.exe`: a file, not a domain. Extensions that are also top-level
/// domains (`.py`, `.sh`, `.pl`) are not listed: `whois example.pl` is a lookup.
fn looks_like_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".ps1", ".psm1", ".exe", ".rb", ".txt", ".json", ".log", ".dll", ".conf",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        lookup_targets(text, &mut out);
        out
    }

    #[test]
    fn what_a_lookup_looks_up() {
        assert_eq!(targets("whois example.com"), vec!["example.com"]);
        assert_eq!(
            targets("/usr/bin/whois -h whois.arin.net 198.51.100.7"),
            vec!["198.51.100.7"]
        );
        assert_eq!(
            targets("whois -h whois.example.net -p 4343 corp.example"),
            vec!["corp.example"]
        );
        assert_eq!(
            targets(
                "powershell -c Invoke-RestMethod https://rdap.arin.net/registry/ip/203.0.113.0/24"
            ),
            vec!["203.0.113.0/24"]
        );
        assert_eq!(
            targets("Invoke-RestMethod -Uri 'https://rdap.org/domain/Victim.example'"),
            vec!["victim.example"]
        );
        assert_eq!(
            targets("python3 -c \"import socket; s=socket.create_connection(('whois.iana.org', 43)); s.send(b'example.org\\r\\n')\""),
            Vec::<String>::new(),
            "quoted bytes with escapes are not parsed; the server is not a target"
        );
        assert_eq!(targets("whois.exe -v contoso.com"), vec!["contoso.com"]);
        assert_eq!(targets("whois example.pl"), vec!["example.pl"]);
        assert_eq!(
            targets("powershell -File .\\lookup.ps1 victim.example"),
            vec!["victim.example"]
        );
    }
}
