//! The canonical fields: one table, from which the enum, the alias registry and
//! `docs/schema.md` all come.

/// The type a canonical field holds once normalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Integer,
    Ip,
    Time,
    Boolean,
    TextList,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Ip => "ip",
            FieldType::Time => "time",
            FieldType::Boolean => "boolean",
            FieldType::TextList => "list of text",
        }
    }
}

/// Everything we know about one canonical field.
#[derive(Debug, Clone, Copy)]
pub struct FieldInfo {
    pub id: FieldId,
    /// The canonical name (QRadar's name where QRadar has the field).
    pub name: &'static str,
    pub ty: FieldType,
    /// Other names that resolve to this field, matched without regard to case.
    pub aliases: &'static [&'static str],
    /// Which input formats fill it.
    pub filled_by: &'static str,
    pub description: &'static str,
}

macro_rules! fields {
    ($( $variant:ident => $name:literal, $ty:ident, [$($alias:literal),* $(,)?], $filled:literal, $doc:literal; )*) => {
        /// A canonical field. Resolve names to it with [`crate::resolve`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum FieldId { $($variant,)* }

        /// The table of canonical fields, in [`FieldId`] order.
        pub static FIELDS: &[FieldInfo] = &[
            $(FieldInfo {
                id: FieldId::$variant,
                name: $name,
                ty: FieldType::$ty,
                aliases: &[$($alias),*],
                filled_by: $filled,
                description: $doc,
            },)*
        ];
    };
}

fields! {
    DeviceTime => "devicetime", Time,
        ["TimeCreated", "TimeCreated.SystemTime", "UtcTime", "@timestamp", "timestamp", "ts", "rt", "devTime", "EventTime", "event.created", "Log Source Time"],
        "all formats",
        "When the event happened, as written in the record (UTC).";
    StartTime => "starttime", Time,
        ["EventReceivedTime", "event.ingested", "receivedtime", "Start Time"],
        "all formats (equal to devicetime for files unless the record has a receive time)",
        "When the event was received by the collector (UTC).";
    LogSourceId => "logsourceid", Integer,
        ["Log Source ID"],
        "QRadar exports; otherwise a stable number derived from logsourcename",
        "Numeric id of the log source.";
    LogSourceName => "logsourcename", Text,
        ["Log Source", "LogSource"],
        "QRadar exports; otherwise `<type label> @ <host>`",
        "Name of the log source: the host and the kind of log.";
    DeviceType => "devicetype", Integer,
        ["Log Source Type ID"],
        "QRadar exports; otherwise the parser's QRadar-style type id",
        "Numeric log source type (QRadar `devicetype`).";
    LogSourceTypeName => "logsourcetypename", Text,
        ["Log Source Type", "LogSourceType"],
        "QRadar exports; otherwise the parser's QRadar-style type name",
        "Name of the log source type (`LOGSOURCETYPENAME(devicetype)`).";
    Hostname => "hostname", Text,
        ["Computer", "host.name", "host.hostname", "winlog.computer_name", "dvchost", "identityhostname", "node", "_system", "@system", "ComputerName", "agent.hostname"],
        "Windows events, Sysmon for Linux, syslog header, auditd node, Zeek system, CEF dvchost",
        "The host that wrote the event.";
    Username => "username", Text,
        ["User", "user.name", "usrName", "suser", "SubjectUserName", "TargetUserName", "AUID"],
        "Sysmon, Security, ECS, CEF/LEEF, auditd (AUID), Squid",
        "The account responsible for the event.";
    SourceIp => "sourceip", Ip,
        ["source.ip", "src", "id.orig_h", "id_orig_h", "SourceAddress", "src_ip", "srcip", "client.ip", "Source IP", "clientip", "c-ip"],
        "Sysmon 3, 5156, ECS, Zeek, CEF/LEEF, netfilter, DNS servers, Squid, auditd (none)",
        "The address that started the connection or query.";
    SourcePort => "sourceport", Integer,
        ["source.port", "spt", "srcPort", "id.orig_p", "id_orig_p", "src_port", "Source Port"],
        "Sysmon 3, 5156, ECS, Zeek, CEF/LEEF, netfilter, BIND",
        "The port the connection or query came from.";
    DestinationIp => "destinationip", Ip,
        ["destination.ip", "dst", "id.resp_h", "id_resp_h", "DestAddress", "dst_ip", "dstip", "Destination IP", "serverip"],
        "Sysmon 3, 5156, auditd connect, ECS, Zeek, CEF/LEEF, netfilter, Squid (hierarchy address)",
        "The address that was connected to.";
    DestinationPort => "destinationport", Integer,
        ["destination.port", "dpt", "dstPort", "id.resp_p", "id_resp_p", "DestPort", "dst_port", "Destination Port"],
        "Sysmon 3, 5156, auditd connect, ECS, Zeek, CEF/LEEF, netfilter, Squid CONNECT",
        "The port that was connected to.";
    DestinationHostname => "destinationhostname", Text,
        ["destination.domain", "dhost", "r-dns", "dest_host"],
        "Sysmon 3 (a PTR name!), ECS, CEF, Squid (request host), Zeek http host and ssl server_name",
        "The host name of the destination, as the source recorded it.";
    Protocol => "protocol", Text,
        ["network.transport", "proto", "Protocol Name"],
        "Sysmon 3, 5156 (from the IANA number), Zeek, CEF/LEEF, netfilter, Windows DNS",
        "Transport protocol in lower case (`tcp`, `udp`, `icmp`).";
    ProtocolId => "protocolid", Integer,
        ["network.iana_number"],
        "derived from protocol; 5156 writes it",
        "IANA protocol number (QRadar `protocolid`): 6 tcp, 17 udp, 1 icmp.";
    NetworkDirection => "direction", Text,
        ["network.direction"],
        "Sysmon 3 (Initiated), 5156, netfilter (IN/OUT), Zeek conn (local_orig)",
        "`outbound` or `inbound` relative to the host that logged it, where known.";
    EventId => "eventid", Integer,
        ["event.code", "winlog.event_id", "System.EventID", "Event ID", "signatureid"],
        "Windows events (number), CEF/LEEF (signature id, text when not a number)",
        "The event's id within its provider.";
    Provider => "provider", Text,
        ["Provider_Name", "SourceName", "winlog.provider_name", "event.provider", "ProviderName", "Provider.Name"],
        "Windows events, Sysmon for Linux",
        "The provider that wrote a Windows event (`Microsoft-Windows-Sysmon`).";
    Channel => "channel", Text,
        ["winlog.channel"],
        "Windows events",
        "The event log channel (`Microsoft-Windows-Sysmon/Operational`).";
    RecordNumber => "recordnumber", Integer,
        ["EventRecordID", "winlog.record_id"],
        "Windows events",
        "The record number inside its log.";
    Severity => "severity", Integer,
        ["Level", "sev", "log.level", "SeverityValue"],
        "Windows (Level), CEF/LEEF severity, syslog severity",
        "Severity or level as written by the source.";
    DeviceAction => "deviceaction", Text,
        ["act", "action", "event.action", "Device Action"],
        "CEF act, LEEF action, Squid result code, netfilter prefix, 5156, Zeek conn_state",
        "What the device did (allowed, blocked, TCP_TUNNEL/200 …).";
    Message => "message", Text,
        ["msg", "Event Name", "log.message"],
        "syslog message, CEF/LEEF name, Windows rendered message, netfilter prefix",
        "The human-readable message of the event.";
    Payload => "payload", Text,
        ["raw", "event.original", "utf8(payload)"],
        "every format (the record as read; for EVTX, which is binary, the event's XML as Windows renders it)",
        "The raw record as it was read (`UTF8(payload)` in AQL).";
    Program => "program", Text,
        ["process.name", "syslog.appname", "appname", "app_name", "SYSLOG_IDENTIFIER"],
        "syslog header (program name)",
        "The program that wrote a syslog line.";
    Image => "image", Text,
        ["process.executable", "exe", "NewProcessName", "Application", "ProcessName", "process_path"],
        "Sysmon 1/3/22, 4688, 5156, auditd (exe), ECS",
        "Full path of the process's executable.";
    CommandLine => "commandline", Text,
        ["process.command_line", "ProcessCommandLine", "cmdline", "proctitle"],
        "Sysmon 1, 4688, auditd (EXECVE arguments), ECS",
        "The process's command line.";
    ProcessId => "processid", Integer,
        ["process.pid", "pid", "NewProcessId"],
        "Sysmon, 4688 (hex converted), 5156, auditd",
        "Process id.";
    ProcessGuid => "processguid", Text,
        ["process.entity_id"],
        "Sysmon (upper-cased, braces removed, so all dialects compare equal)",
        "Sysmon's process GUID.";
    ParentImage => "parentimage", Text,
        ["process.parent.executable", "ParentProcessName"],
        "Sysmon 1, 4688, ECS",
        "Full path of the parent process's executable.";
    ParentCommandLine => "parentcommandline", Text,
        ["process.parent.command_line"],
        "Sysmon 1, ECS",
        "The parent process's command line.";
    ParentProcessId => "parentprocessid", Integer,
        ["process.parent.pid", "ppid"],
        "Sysmon 1, 4688, auditd",
        "Parent process id.";
    ParentProcessGuid => "parentprocessguid", Text,
        ["process.parent.entity_id"],
        "Sysmon 1",
        "Sysmon's GUID of the parent process.";
    OriginalFileName => "originalfilename", Text,
        ["process.pe.original_file_name"],
        "Sysmon 1, ECS",
        "The PE header's original file name (survives renaming).";
    Company => "company", Text,
        ["process.pe.company"],
        "Sysmon 1, ECS",
        "The PE header's company (`Sysinternals - www.sysinternals.com`).";
    CurrentDirectory => "currentdirectory", Text,
        ["cwd", "process.working_directory"],
        "Sysmon 1, auditd CWD",
        "The process's working directory.";
    DnsQuery => "dnsquery", Text,
        ["QueryName", "dns.question.name", "query", "dns_query", "question"],
        "Sysmon 22, BIND, dnsmasq, Windows DNS debug, Zeek dns, ECS",
        "The name looked up in DNS, without a trailing dot.";
    DnsAnswers => "dnsanswers", TextList,
        ["QueryResults", "answers", "dns.answers.data", "dns.resolved_ip"],
        "Sysmon 22 (CNAMEs and addresses, v4-mapped unwrapped), Zeek dns, Windows DNS debug log with details (answer section)",
        "The answers to a DNS query.";
    DnsQueryType => "dnsquerytype", Text,
        ["qtype_name", "dns.question.type", "QueryType", "record_type"],
        "BIND, dnsmasq, Windows DNS debug, Zeek dns",
        "The record type asked for (`A`, `AAAA`, `ANY` …).";
    DnsStatus => "dnsstatus", Text,
        ["QueryStatus", "rcode_name", "dns.response_code"],
        "Sysmon 22, Zeek dns, Windows DNS debug",
        "The DNS response code or status.";
    Url => "url", Text,
        ["request", "url.full", "uri", "url.original", "c-uri"],
        "Squid, CEF request, LEEF url, Zeek http (uri), ECS",
        "The URL requested (for CONNECT: `host:port`).";
    HttpHost => "httphost", Text,
        ["url.domain", "http.request.host", "cs-host"],
        "Zeek http (host), Squid (host of the URL), ECS",
        "The HTTP host asked for.";
    HttpMethod => "httpmethod", Text,
        ["method", "http.request.method", "requestMethod", "cs-method"],
        "Squid, Zeek http, CEF, ECS",
        "The HTTP method (`GET`, `CONNECT` …).";
    HttpStatus => "httpstatus", Integer,
        ["status_code", "http.response.status_code", "sc-status"],
        "Squid, Zeek http, ECS",
        "The HTTP response status.";
    UserAgent => "useragent", Text,
        ["user_agent", "user_agent.original", "requestClientApplication", "cs-user-agent"],
        "Zeek http, CEF, ECS",
        "The HTTP client's User-Agent.";
    TlsSni => "tlssni", Text,
        ["server_name", "tls.client.server_name", "sni"],
        "Zeek ssl, ECS",
        "The TLS Server Name Indication the client sent.";
    ScriptBlockText => "scriptblocktext", Text,
        ["powershell.file.script_block_text"],
        "PowerShell 4104 (parts reassembled by ScriptBlockId)",
        "The text of a PowerShell script block.";
    ScriptBlockId => "scriptblockid", Text,
        ["powershell.file.script_block_id"],
        "PowerShell 4104",
        "The id shared by all parts of one script block (lower case, no braces).";
}

impl FieldId {
    pub fn info(self) -> &'static FieldInfo {
        &FIELDS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn ty(self) -> FieldType {
        self.info().ty
    }

    pub fn all() -> impl Iterator<Item = FieldId> {
        FIELDS.iter().map(|f| f.id)
    }
}

impl std::fmt::Display for FieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order() {
        for (index, info) in FIELDS.iter().enumerate() {
            assert_eq!(info.id as usize, index, "{} is out of order", info.name);
        }
    }
}
