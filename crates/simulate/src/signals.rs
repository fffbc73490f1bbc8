//! What each behaviour should leave in the logs, as the seed's "Expected signal" says it,
//! and how to recognise it in a normalized event. `validate` checks both simulated and
//! real logs against these; each signal names the evidence source, so that a missing
//! one can be reported as missing telemetry.

use whoiswatch_event::{Event, FieldId};

use crate::behaviours::Behaviour;

/// The kind of telemetry a signal lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    WindowsProcess,
    WindowsConnection,
    WindowsDns,
    ScriptBlock,
    LinuxProcess,
    Connection,
    ResolverDns,
    Web,
}

impl Evidence {
    /// What to tell a team whose logs hold no such event.
    pub fn missing(self) -> &'static str {
        match self {
            Evidence::WindowsProcess => {
                "no process evidence: Sysmon Event ID 1 (or Security 4688 with command-line auditing) is not collected on this host"
            }
            Evidence::WindowsConnection => {
                "no connection evidence: Sysmon Event ID 3 (or Security 5156) is not collected on this host"
            }
            Evidence::WindowsDns => {
                "no DNS evidence: Sysmon Event 22 is not collected on this host"
            }
            Evidence::ScriptBlock => {
                "no script evidence: PowerShell script block logging (Event ID 4104) is not enabled"
            }
            Evidence::LinuxProcess => {
                "no process evidence: neither Sysmon for Linux Event ID 1 nor auditd execve records are collected"
            }
            Evidence::Connection => {
                "no connection evidence: no Sysmon 3, 5156, auditd connect, Zeek conn or firewall log shows the TCP/43 connection"
            }
            Evidence::ResolverDns => {
                "no DNS evidence: no resolver log (BIND, dnsmasq, Windows DNS, Zeek dns) shows the lookup"
            }
            Evidence::Web => {
                "no web evidence: no proxy log, Zeek ssl or Zeek http shows the request"
            }
        }
    }
}

/// One expected signal of one behaviour.
#[derive(Clone, Copy)]
pub struct Signal {
    pub behaviour: Behaviour,
    /// The seed's words; signals beyond the seed's list say "(also)".
    pub expected: &'static str,
    pub evidence: Evidence,
    /// Does this event carry the signal?
    pub matches: fn(&Event) -> bool,
    /// The pack's rule (file stem) that must report it, for this event's source.
    pub rule: fn(&Event) -> &'static str,
}

impl std::fmt::Debug for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signal")
            .field("behaviour", &self.behaviour)
            .field("expected", &self.expected)
            .finish()
    }
}

fn text(event: &Event, id: FieldId) -> String {
    event
        .get(id)
        .map(|v| v.to_string().to_ascii_lowercase())
        .unwrap_or_default()
}

fn category(event: &Event) -> &str {
    event.category.category.unwrap_or("")
}

fn is_sysmon(event: &Event) -> bool {
    event.category.service == Some("sysmon")
}

fn is_windows(event: &Event) -> bool {
    event.category.product == Some("windows")
}

fn is_linux(event: &Event) -> bool {
    event.category.product == Some("linux")
}

fn image_is(event: &Event, names: &[&str]) -> bool {
    let image = text(event, FieldId::Image);
    let base = image.rsplit(['\\', '/']).next().unwrap_or(&image);
    names.contains(&base)
}

fn port(event: &Event) -> Option<i64> {
    event.get(FieldId::DestinationPort).and_then(|v| v.as_i64())
}

fn outbound(event: &Event) -> bool {
    text(event, FieldId::NetworkDirection) != "inbound"
        && event
            .get_extra("Initiated")
            .is_none_or(|v| !v.to_string().eq_ignore_ascii_case("false"))
}

fn process_creation(event: &Event) -> bool {
    category(event) == "process_creation"
}

fn is_powershell(event: &Event) -> bool {
    image_is(event, &["powershell.exe", "pwsh.exe"])
}

fn web_cmdlet(command: &str) -> bool {
    ["invoke-restmethod", "invoke-webrequest", "irm ", "iwr "]
        .iter()
        .any(|c| command.contains(c))
}

/// PowerShell calling an RDAP service with a web cmdlet (test 2's command line).
fn powershell_rdap_command(e: &Event) -> bool {
    is_powershell(e) && {
        let c = text(e, FieldId::CommandLine);
        web_cmdlet(&c) && c.contains("rdap.")
    }
}

/// A WHOIS server or RDAP/web WHOIS name (the lists' shapes; the pack decides exactly).
fn whois_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    name.starts_with("whois.") || name.contains(".whois.") || name.starts_with("rdap.")
}

fn dns_name(event: &Event) -> String {
    text(event, FieldId::DnsQuery)
}

/// The name in a web event: TLS SNI, HTTP host, or the proxy's URL.
fn web_name(event: &Event) -> String {
    for id in [
        FieldId::TlsSni,
        FieldId::HttpHost,
        FieldId::Url,
        FieldId::DestinationHostname,
    ] {
        let value = text(event, id);
        if !value.is_empty() {
            return value;
        }
    }
    String::new()
}

/// The pack's rule for an event of this source.
fn rule_by_source(event: &Event) -> &'static str {
    let zeek = event.category.product == Some("zeek");
    match (zeek, event.category.service, category(event)) {
        (true, Some("conn"), _) => "zeek_conn_whois_port43",
        (true, Some("dns"), _) => "zeek_dns_whois_servers",
        (true, Some("ssl"), _) => "zeek_ssl_rdap_whois_web",
        (true, Some("http"), _) => "zeek_http_rdap_whois_web",
        (_, _, "firewall") => "firewall_whois_port43",
        (_, _, "network_connection") => "net_connection_whois_port43",
        (_, _, "dns_query") => "dns_query_whois_servers",
        (_, _, "dns") => "dns_server_whois_servers",
        (_, _, "proxy") => "proxy_rdap_whois_web",
        (_, _, "ps_script") => "ps_script_whois_lookup",
        _ => "",
    }
}

fn is_connection(event: &Event) -> bool {
    matches!(category(event), "network_connection" | "firewall")
        || (event.category.product == Some("zeek") && event.category.service == Some("conn"))
}

fn port_43(event: &Event) -> bool {
    is_connection(event) && port(event) == Some(43) && outbound(event)
}

fn resolver_whois(event: &Event) -> bool {
    let resolver = category(event) == "dns" && !is_sysmon(event)
        || (event.category.product == Some("zeek") && event.category.service == Some("dns"));
    resolver && whois_name(&dns_name(event))
}

fn web_whois(event: &Event) -> bool {
    let web = category(event) == "proxy"
        || (event.category.product == Some("zeek")
            && matches!(event.category.service, Some("ssl" | "http")));
    let name = web_name(event);
    web && (name.contains("rdap.") || name.contains("whois."))
}

const T1: Behaviour = Behaviour::Test1;
const T2: Behaviour = Behaviour::Test2;
const T3: Behaviour = Behaviour::Test3;
const T4: Behaviour = Behaviour::Test4;

/// Every signal, behaviour by behaviour.
pub static SIGNALS: &[Signal] = &[
    // Test 1.
    Signal {
        behaviour: T1,
        expected: "Sysmon for Linux Event ID 1 (if deployed): process creation with Image=/usr/bin/whois, CommandLine='whois example.com'",
        evidence: Evidence::LinuxProcess,
        matches: |e| process_creation(e) && is_sysmon(e) && is_linux(e) && image_is(e, &["whois"]),
        rule: |_| "proc_creation_whois_client",
    },
    Signal {
        behaviour: T1,
        expected: "Linux auditd (if configured): EXECVE record showing whois command",
        evidence: Evidence::LinuxProcess,
        matches: |e| process_creation(e) && e.category.service == Some("auditd") && image_is(e, &["whois"]),
        rule: |_| "proc_creation_whois_client",
    },
    Signal {
        behaviour: T1,
        expected: "Network connection on TCP port 43 to the appropriate RIR WHOIS server",
        evidence: Evidence::Connection,
        matches: port_43,
        rule: rule_by_source,
    },
    Signal {
        behaviour: T1,
        expected: "DNS query for whois.iana.org or registrar-specific WHOIS server (whois.verisign-grs.com for .com domains)",
        evidence: Evidence::ResolverDns,
        matches: resolver_whois,
        rule: rule_by_source,
    },
    // Test 2.
    Signal {
        behaviour: T2,
        expected: "Sysmon Event ID 1: Process Create with Image=powershell.exe, CommandLine containing 'Invoke-RestMethod' and 'rdap.arin.net'",
        evidence: Evidence::WindowsProcess,
        matches: |e| process_creation(e) && is_sysmon(e) && powershell_rdap_command(e),
        rule: |_| "proc_creation_ps_whois_lookup",
    },
    Signal {
        behaviour: T2,
        expected: "(also) Security Event ID 4688 with command line: powershell.exe with 'Invoke-RestMethod' and 'rdap.arin.net'",
        evidence: Evidence::WindowsProcess,
        matches: |e| {
            process_creation(e)
                && e.category.service == Some("security")
                && powershell_rdap_command(e)
        },
        rule: |_| "proc_creation_ps_whois_lookup",
    },
    Signal {
        behaviour: T2,
        expected: "Sysmon Event ID 3: Network connection from powershell.exe to rdap.arin.net on TCP port 443 (DestinationHostname is a PTR name: joined to the Event 22 that resolved it)",
        evidence: Evidence::WindowsConnection,
        matches: |e| {
            category(e) == "network_connection" && is_sysmon(e) && is_windows(e) && is_powershell(e) && port(e) == Some(443)
        },
        rule: |_| "dns_query_whois_servers",
    },
    Signal {
        behaviour: T2,
        expected: "Sysmon Event ID 22 (DNS Query): resolution of rdap.arin.net",
        evidence: Evidence::WindowsDns,
        matches: |e| category(e) == "dns_query" && dns_name(e).starts_with("rdap."),
        rule: |_| "dns_query_whois_servers",
    },
    Signal {
        behaviour: T2,
        expected: "PowerShell ScriptBlock Log Event ID 4104: full script content including the URL and Invoke-RestMethod call",
        evidence: Evidence::ScriptBlock,
        matches: |e| {
            category(e) == "ps_script" && {
                let t = text(e, FieldId::ScriptBlockText);
                web_cmdlet(&t) && t.contains("rdap.")
            }
        },
        rule: |_| "ps_script_whois_lookup",
    },
    Signal {
        behaviour: T2,
        expected: "(also) Proxy CONNECT rdap.arin.net:443 / Zeek ssl server_name rdap.arin.net",
        evidence: Evidence::Web,
        matches: web_whois,
        rule: rule_by_source,
    },
    Signal {
        behaviour: T2,
        expected: "(also) DNS query for rdap.arin.net in DNS resolver logs",
        evidence: Evidence::ResolverDns,
        matches: resolver_whois,
        rule: rule_by_source,
    },
    // Test 3.
    Signal {
        behaviour: T3,
        expected: "Sysmon Event ID 3: Network Connection with Image=powershell.exe, DestinationIp=<whois.iana.org resolved IP>, DestinationPort=43, Protocol=tcp",
        evidence: Evidence::WindowsConnection,
        matches: |e| port_43(e) && is_sysmon(e) && is_powershell(e),
        rule: |_| "net_connection_whois_port43",
    },
    Signal {
        behaviour: T3,
        expected: "(also) Security Event ID 5156: the filtering platform allowed powershell.exe's connection to port 43",
        evidence: Evidence::WindowsConnection,
        matches: |e| port_43(e) && e.category.service == Some("security"),
        rule: |_| "net_connection_whois_port43",
    },
    Signal {
        behaviour: T3,
        expected: "Sysmon Event ID 22: DNS query for whois.iana.org",
        evidence: Evidence::WindowsDns,
        matches: |e| category(e) == "dns_query" && whois_name(&dns_name(e)),
        rule: |_| "dns_query_whois_servers",
    },
    Signal {
        behaviour: T3,
        expected: "Sysmon Event ID 1: Process Create for powershell.exe with TcpClient and port 43 visible in CommandLine",
        evidence: Evidence::WindowsProcess,
        matches: |e| {
            process_creation(e) && is_sysmon(e) && is_powershell(e) && text(e, FieldId::CommandLine).contains("tcpclient")
        },
        rule: |_| "proc_creation_ps_whois_lookup",
    },
    Signal {
        behaviour: T3,
        expected: "(also) PowerShell ScriptBlock Log Event ID 4104: the TcpClient code with port 43",
        evidence: Evidence::ScriptBlock,
        matches: |e| category(e) == "ps_script" && text(e, FieldId::ScriptBlockText).contains("tcpclient"),
        rule: |_| "ps_script_whois_lookup",
    },
    Signal {
        behaviour: T3,
        expected: "(also) TCP/43 to whois.iana.org seen by the network (Zeek conn, firewall)",
        evidence: Evidence::Connection,
        matches: |e| port_43(e) && !is_windows(e),
        rule: rule_by_source,
    },
    Signal {
        behaviour: T3,
        expected: "(also) DNS query for whois.iana.org in DNS resolver logs",
        evidence: Evidence::ResolverDns,
        matches: resolver_whois,
        rule: rule_by_source,
    },
    // Test 4.
    Signal {
        behaviour: T4,
        expected: "Sysmon for Linux Event ID 1: Process Create with Image=python3, CommandLine containing the socket code and 'whois.iana.org'",
        evidence: Evidence::LinuxProcess,
        matches: |e| {
            process_creation(e) && is_sysmon(e) && is_linux(e) && text(e, FieldId::Image).contains("python")
                && text(e, FieldId::CommandLine).contains("socket")
        },
        rule: |_| "proc_creation_script_socket_whois",
    },
    Signal {
        behaviour: T4,
        expected: "(also) auditd EXECVE of python3 with the socket code",
        evidence: Evidence::LinuxProcess,
        matches: |e| {
            process_creation(e) && e.category.service == Some("auditd") && text(e, FieldId::Image).contains("python")
                && text(e, FieldId::CommandLine).contains("socket")
        },
        rule: |_| "proc_creation_script_socket_whois",
    },
    Signal {
        behaviour: T4,
        expected: "Sysmon for Linux Event ID 3: Network Connection from python3 to whois.iana.org on TCP port 43",
        evidence: Evidence::Connection,
        matches: port_43,
        rule: rule_by_source,
    },
    Signal {
        behaviour: T4,
        expected: "DNS query for whois.iana.org in DNS resolver logs",
        evidence: Evidence::ResolverDns,
        matches: resolver_whois,
        rule: rule_by_source,
    },
    // The edge case and the extra behaviours.
    Signal {
        behaviour: Behaviour::WhoisOtherPort,
        expected: "whois client started with -h HOST -p 8443 (Sysmon for Linux Event ID 1, auditd EXECVE): the port is not 43, the client is",
        evidence: Evidence::LinuxProcess,
        matches: |e| process_creation(e) && image_is(e, &["whois"]),
        rule: |_| "proc_creation_whois_client",
    },
    Signal {
        behaviour: Behaviour::Netcat,
        expected: "netcat started with a WHOIS server and port 43 on its command line",
        evidence: Evidence::LinuxProcess,
        matches: |e| process_creation(e) && text(e, FieldId::Image).contains("/nc"),
        rule: |_| "proc_creation_generic_client_port43",
    },
    Signal {
        behaviour: Behaviour::Netcat,
        expected: "Network connection on TCP port 43",
        evidence: Evidence::Connection,
        matches: port_43,
        rule: rule_by_source,
    },
    Signal {
        behaviour: Behaviour::Netcat,
        expected: "DNS query for whois.iana.org in DNS resolver logs",
        evidence: Evidence::ResolverDns,
        matches: resolver_whois,
        rule: rule_by_source,
    },
    Signal {
        behaviour: Behaviour::RdapHttp,
        expected: "HTTP GET of an RDAP URL (proxy log, Zeek http host rdap.org)",
        evidence: Evidence::Web,
        matches: web_whois,
        rule: rule_by_source,
    },
    Signal {
        behaviour: Behaviour::RdapHttp,
        expected: "DNS query for rdap.org in DNS resolver logs",
        evidence: Evidence::ResolverDns,
        matches: resolver_whois,
        rule: rule_by_source,
    },
];

/// The signals of one behaviour.
pub fn signals(behaviour: Behaviour) -> impl Iterator<Item = &'static Signal> {
    SIGNALS.iter().filter(move |s| s.behaviour == behaviour)
}
