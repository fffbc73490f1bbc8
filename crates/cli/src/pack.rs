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
    "proc_creation_ps_whois_lookup.yml",
    "proc_creation_whois_client.yml",
    "proxy_rdap_whois_web.yml",
    "ps_script_whois_lookup.yml",
    "zeek_conn_whois_port43.yml",
    "zeek_dns_whois_servers.yml",
    "zeek_ssl_rdap_whois_web.yml",
];

/// Sigma field names → whoiswatch fields (`content/mappings/sigma.yml`).
pub const MAPPING: &str = include_str!("../../../content/mappings/sigma.yml");

pub fn sources() -> Vec<(String, String)> {
    RULES
        .iter()
        .map(|(name, text)| (format!("builtin:content/rules/{name}"), text.to_string()))
        .collect()
}

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
