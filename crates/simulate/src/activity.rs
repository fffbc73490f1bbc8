//! What a behaviour does, before any log format: processes start, scripts run, names
//! are resolved, connections are made. The renderers turn each step into the records
//! every source that sees it would write.

use std::net::IpAddr;

use whoiswatch_event::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Windows,
    Linux,
    /// A device without an endpoint agent (a scanner): only the network sees it.
    Appliance,
}

/// A host whose endpoint telemetry is written.
#[derive(Debug, Clone)]
pub struct Host {
    /// As the host's logs name it (`WS-FIN07.corp.example.com`, `dev03`).
    pub name: String,
    pub os: Os,
    pub ip: IpAddr,
    /// `DOMAIN\user` on Windows, the login name on Linux.
    pub user: String,
    /// The Linux uid (auditd's `uid=`/`auid=`); unused on Windows.
    pub uid: u32,
}

/// A process as Sysmon, 4688 and auditd describe it.
#[derive(Debug, Clone)]
pub struct Process {
    pub pid: u32,
    pub guid: String,
    pub image: String,
    pub command_line: String,
    /// `argv` as auditd's EXECVE records it.
    pub argv: Vec<String>,
    /// PE version information (Windows): OriginalFileName, Company, Description.
    pub pe: Option<(String, String, String)>,
    pub cwd: String,
    pub parent_pid: u32,
    pub parent_guid: String,
    pub parent_image: String,
    pub parent_command_line: String,
}

/// The application protocol a network sensor or proxy sees on a connection.
#[derive(Debug, Clone)]
pub enum App {
    /// WHOIS (RFC 3912): no analyzer, a bare TCP connection.
    Whois,
    /// TLS with this SNI (HTTPS to an RDAP or web WHOIS service).
    Tls { server_name: String, uri: String },
    /// Plain HTTP.
    Http {
        method: &'static str,
        host: String,
        uri: String,
        status: u16,
        content_type: &'static str,
    },
    /// Anything else (background).
    Other,
}

#[derive(Debug, Clone)]
pub enum What {
    /// The process starts (Sysmon 1, 4688, auditd execve).
    Start,
    /// PowerShell script block logging (4104).
    Script { text: String, id: String },
    /// A DNS lookup and its answers (Sysmon 22, resolver logs, Zeek dns).
    Resolve { name: String, answers: Vec<IpAddr> },
    /// An outbound TCP connection (Sysmon 3, 5156, auditd connect, sensors, firewalls).
    Connect {
        src_port: u16,
        dst: IpAddr,
        dst_port: u16,
        /// What Sysmon 3's DestinationHostname shows: the reverse (PTR) name.
        ptr: Option<String>,
        app: App,
    },
}

/// One thing a process on a host did at a time.
#[derive(Debug, Clone)]
pub struct Step {
    pub time: Timestamp,
    pub host: Host,
    pub process: Process,
    pub what: What,
}
