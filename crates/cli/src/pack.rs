//! The built-in T1596.002 pack: the Sigma rules and field mapping under `content/`,
//! compiled into the binary so that `whoiswatch scan PATH` needs nothing else.

macro_rules! rules {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../content/rules/", $name)))),*]
    };
}

/// `(file name, YAML)` of every rule in `content/rules/`.
pub const RULES: &[(&str, &str)] = rules![
    "dns_query_whois_servers.yml",
    "dns_server_whois_servers.yml",
    "firewall_whois_port43.yml",
    "net_connection_whois_port43.yml",
    "proc_creation_generic_client_port43.yml",
    "proc_creation_ps_whois_lookup.yml",
    "proc_creation_script_socket_whois.yml",
    "proc_creation_whois_client.yml",
    "proxy_rdap_whois_web.yml",
    "ps_script_whois_lookup.yml",
    "zeek_conn_whois_port43.yml",
    "zeek_dns_whois_servers.yml",
    "zeek_http_rdap_whois_web.yml",
    "zeek_ssl_rdap_whois_web.yml",
];

/// Sigma field names → whoiswatch fields (`content/mappings/sigma.yml`).
pub const MAPPING: &str = include_str!("../../../content/mappings/sigma.yml");

/// The seed SOC playbook as data (`content/playbook.yml`).
pub const PLAYBOOK: &str = include_str!("../../../content/playbook.yml");

/// The indicator lists of `content/lists/` (see its README).
pub const WHOIS_SERVERS: &str = include_str!("../../../content/lists/whois_servers.txt");
pub const RDAP_SERVICES: &str = include_str!("../../../content/lists/rdap_services.txt");
pub const WEB_WHOIS_SERVICES: &str = include_str!("../../../content/lists/web_whois_services.txt");
pub const WHOIS_CLIENTS: &str = include_str!("../../../content/lists/whois_clients.txt");

/// The entries of a list file: lines that are neither blank nor comments.
pub fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Every WHOIS server, RDAP endpoint and web WHOIS service, for triage.
pub fn known_destinations() -> whoiswatch_reference::ReferenceSet {
    let mut set = whoiswatch_reference::ReferenceSet::new("whois-destinations");
    for (list, label) in [
        (WHOIS_SERVERS, "WHOIS server"),
        (RDAP_SERVICES, "RDAP service"),
        (WEB_WHOIS_SERVICES, "web WHOIS service"),
    ] {
        for name in entries(list) {
            set.add(name, Some(label));
        }
    }
    set
}

/// The placeholder values the rules expand (documented in content/lists/README.md).
pub fn placeholders() -> Vec<(String, Vec<String>)> {
    let names = |list: &str| -> Vec<String> {
        entries(list)
            .flat_map(|h| [h.to_string(), format!("*.{h}")])
            .collect()
    };
    let web = || entries(RDAP_SERVICES).chain(entries(WEB_WHOIS_SERVICES));
    let urls = web()
        .flat_map(|h| {
            ["//", "."].into_iter().flat_map(move |before| {
                ["/", "'", "\"", ":", " ", ")", "?"]
                    .into_iter()
                    .map(move |after| format!("{before}{h}{after}"))
            })
        })
        .collect();
    let quoted = entries(WHOIS_SERVERS)
        .chain(web())
        .flat_map(|h| [format!("'{h}'"), format!("\"{h}\"")])
        .collect();
    let clients = entries(WHOIS_CLIENTS)
        .flat_map(|c| [format!("*\\{c}"), format!("*/{c}")])
        .collect();
    vec![
        ("whois_servers".into(), names(WHOIS_SERVERS)),
        ("rdap_services".into(), names(RDAP_SERVICES)),
        ("web_whois_services".into(), names(WEB_WHOIS_SERVICES)),
        ("rdap_web_urls".into(), urls),
        ("whois_names_quoted".into(), quoted),
        ("whois_client_images".into(), clients),
    ]
}

pub fn sources() -> Vec<(String, String)> {
    RULES
        .iter()
        .map(|(name, text)| (format!("builtin:content/rules/{name}"), text.to_string()))
        .collect()
}

/// The seed's QRadar query, verbatim (`content/queries/t1596_002_whois.aql`).
pub const SEED_QUERY: &str = include_str!("../../../content/queries/t1596_002_whois.aql");

#[cfg(test)]
mod tests {
    #[test]
    fn every_content_rule_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content/rules");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yml"))
            .collect();
        files.sort();
        let listed: Vec<&str> = super::RULES.iter().map(|(n, _)| *n).collect();
        assert_eq!(files, listed, "list every file of content/rules in pack.rs");
    }
}
