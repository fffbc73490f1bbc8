//! Windows endpoint telemetry: Sysmon 1/3/22, PowerShell 4104, Security 4688/5156, each
//! written as Event XML (one event a line), NXLog JSON (OTRF's flat dialect) and
//! Winlogbeat/ECS JSON — the three ways real pipelines ship them.

use serde_json::{json, Map, Value};
use whoiswatch_event::Timestamp;

use super::{escape_xml, push_data, sysmon_head};
use crate::activity::{App, Step, What};
use crate::timefmt;

const SYSMON: (&str, &str, &str) = (
    "Microsoft-Windows-Sysmon",
    "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
    "Microsoft-Windows-Sysmon/Operational",
);
const POWERSHELL: (&str, &str, &str) = (
    "Microsoft-Windows-PowerShell",
    "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}",
    "Microsoft-Windows-PowerShell/Operational",
);
const SECURITY: (&str, &str, &str) = (
    "Microsoft-Windows-Security-Auditing",
    "{54849625-5478-4994-A5BA-3E3B0328C30D}",
    "Security",
);

/// PowerShell splits script blocks longer than this over several 4104 events.
const SCRIPT_PART_CHARS: usize = 3072;

/// One Windows event record, before rendering.
pub struct WinRecord {
    provider: (&'static str, &'static str, &'static str),
    event_id: u32,
    time: Timestamp,
    record_id: u64,
    computer: String,
    user_sid: &'static str,
    data: Vec<(&'static str, String)>,
}

/// The records a Windows host writes for one step (Sysmon and Security both see a
/// process start and a connection).
pub fn records(step: &Step, record_id: &mut u64) -> Vec<WinRecord> {
    let p = &step.process;
    let host = &step.host;
    let mut next = |provider, event_id, data| {
        *record_id += 1;
        WinRecord {
            provider,
            event_id,
            time: step.time,
            record_id: *record_id,
            computer: host.name.clone(),
            user_sid: "S-1-5-21-3623811015-3361044348-30300820-1104",
            data,
        }
    };
    let (user_domain, user_name) = host.user.split_once('\\').unwrap_or(("", &host.user));
    match &step.what {
        What::Start => {
            let (original, company, description) = p.pe.clone().unwrap_or_default();
            let mut sysmon = sysmon_head(step, p);
            sysmon.extend([
                ("Image", p.image.clone()),
                (
                    "FileVersion",
                    "10.0.19041.3636 (WinBuild.160101.0800)".into(),
                ),
                ("Description", description),
                ("Product", "Microsoft® Windows® Operating System".into()),
                ("Company", company),
                ("OriginalFileName", original),
                ("CommandLine", p.command_line.clone()),
                ("CurrentDirectory", p.cwd.clone()),
                ("User", host.user.clone()),
                ("LogonGuid", "{8a1c2f34-0000-0000-0000-00000000aa01}".into()),
                ("LogonId", "0x3E7A1".into()),
                ("TerminalSessionId", "1".into()),
                ("IntegrityLevel", "Medium".into()),
                (
                    "Hashes",
                    "SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C"
                        .into(),
                ),
                ("ParentProcessGuid", p.parent_guid.clone()),
                ("ParentProcessId", p.parent_pid.to_string()),
                ("ParentImage", p.parent_image.clone()),
                ("ParentCommandLine", p.parent_command_line.clone()),
                ("ParentUser", host.user.clone()),
            ]);
            let security = vec![
                (
                    "SubjectUserSid",
                    "S-1-5-21-3623811015-3361044348-30300820-1104".into(),
                ),
                ("SubjectUserName", user_name.to_string()),
                ("SubjectDomainName", user_domain.to_string()),
                ("SubjectLogonId", "0x3e7a1".into()),
                ("NewProcessId", format!("{:#x}", p.pid)),
                ("NewProcessName", p.image.clone()),
                ("TokenElevationType", "%%1938".into()),
                ("ProcessId", format!("{:#x}", p.parent_pid)),
                ("CommandLine", p.command_line.clone()),
                ("TargetUserSid", "S-1-0-0".into()),
                ("TargetUserName", "-".into()),
                ("TargetDomainName", "-".into()),
                ("TargetLogonId", "0x0".into()),
                ("ParentProcessName", p.parent_image.clone()),
                ("MandatoryLabel", "S-1-16-8192".into()),
            ];
            vec![next(SYSMON, 1, sysmon), next(SECURITY, 4688, security)]
        }
        What::Script { text, id } => {
            let parts: Vec<String> = text
                .chars()
                .collect::<Vec<_>>()
                .chunks(SCRIPT_PART_CHARS)
                .map(|c| c.iter().collect())
                .collect();
            let total = parts.len();
            parts
                .into_iter()
                .enumerate()
                .map(|(n, part)| {
                    next(
                        POWERSHELL,
                        4104,
                        vec![
                            ("MessageNumber", (n + 1).to_string()),
                            ("MessageTotal", total.to_string()),
                            ("ScriptBlockText", part),
                            ("ScriptBlockId", id.clone()),
                            ("Path", String::new()),
                        ],
                    )
                })
                .collect()
        }
        What::Resolve { name, answers } => {
            let results: String = answers
                .iter()
                .map(|a| match a {
                    std::net::IpAddr::V4(v4) => format!("::ffff:{v4};"),
                    std::net::IpAddr::V6(v6) => format!("{v6};"),
                })
                .collect();
            let mut data = sysmon_head(step, p);
            data.extend([
                ("QueryName", name.clone()),
                ("QueryStatus", "0".into()),
                ("QueryResults", results),
                ("Image", p.image.clone()),
                ("User", host.user.clone()),
            ]);
            vec![next(SYSMON, 22, data)]
        }
        What::Connect {
            src_port,
            dst,
            dst_port,
            ptr,
            app,
        } => {
            let port_name = match (dst_port, app) {
                (43, _) => "nicname",
                (443, _) => "https",
                (80, App::Http { .. }) => "http",
                _ => "-",
            };
            let mut sysmon = sysmon_head(step, p);
            sysmon.extend([
                ("Image", p.image.clone()),
                ("User", host.user.clone()),
                ("Protocol", "tcp".into()),
                ("Initiated", "true".into()),
                ("SourceIsIpv6", "false".into()),
                ("SourceIp", host.ip.to_string()),
                ("SourceHostname", host.name.clone()),
                ("SourcePort", src_port.to_string()),
                ("SourcePortName", "-".into()),
                ("DestinationIsIpv6", dst.is_ipv6().to_string()),
                ("DestinationIp", dst.to_string()),
                (
                    "DestinationHostname",
                    ptr.clone().unwrap_or_else(|| "-".into()),
                ),
                ("DestinationPort", dst_port.to_string()),
                ("DestinationPortName", port_name.into()),
            ]);
            let wfp = vec![
                ("ProcessID", p.pid.to_string()),
                ("Application", device_path(&p.image)),
                ("Direction", "%%14593".into()),
                ("SourceAddress", host.ip.to_string()),
                ("SourcePort", src_port.to_string()),
                ("DestAddress", dst.to_string()),
                ("DestPort", dst_port.to_string()),
                ("Protocol", "6".into()),
                ("FilterRTID", "70423".into()),
                ("LayerName", "%%14611".into()),
                ("LayerRTID", "48".into()),
            ];
            vec![next(SYSMON, 3, sysmon), next(SECURITY, 5156, wfp)]
        }
    }
}

/// 5156 names the program by its NT device path, in lower case.
fn device_path(image: &str) -> String {
    let rest = image.get(2..).unwrap_or(image);
    format!("\\device\\harddiskvolume2{}", rest.to_ascii_lowercase())
}

fn task(record: &WinRecord) -> u32 {
    match record.event_id {
        4688 => 13312,
        5156 => 12810,
        id => id,
    }
}

/// `<Event xmlns=…>…</Event>` on one line, as `wevtutil qe /f:xml` and the scenario's
/// collectors write it.
pub fn xml(record: &WinRecord, out: &mut String) {
    let (provider, guid, channel) = record.provider;
    out.push_str("<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>");
    out.push_str(&format!(
        "<Provider Name=\"{provider}\" Guid=\"{guid}\"/><EventID>{}</EventID><Version>5</Version>\
         <Level>4</Level><Task>{}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>\
         <TimeCreated SystemTime=\"{}\"/><EventRecordID>{}</EventRecordID><Correlation/>\
         <Execution ProcessID=\"3120\" ThreadID=\"4400\"/><Channel>{channel}</Channel><Computer>",
        record.event_id,
        task(record),
        timefmt::iso(record.time, 7),
        record.record_id
    ));
    escape_xml(&record.computer, out);
    out.push_str(&format!(
        "</Computer><Security UserID=\"{}\"/></System><EventData>",
        record.user_sid
    ));
    push_data(&record.data, out);
    out.push_str("</EventData></Event>\n");
}

/// NXLog's `im_msvistalog` → JSON, as in the OTRF datasets: flat, every EventData field
/// a string at the top level.
pub fn nxlog(record: &WinRecord, out: &mut String) {
    let (provider, guid, channel) = record.provider;
    let mut object = Map::new();
    object.insert("EventTime".into(), timefmt::sql(record.time, false).into());
    object.insert("Hostname".into(), record.computer.clone().into());
    object.insert("Keywords".into(), json!(-9223372036854775808i64));
    object.insert("EventType".into(), "INFO".into());
    object.insert("SeverityValue".into(), 2.into());
    object.insert("Severity".into(), "INFO".into());
    object.insert("EventID".into(), record.event_id.into());
    object.insert("SourceName".into(), provider.into());
    object.insert("ProviderGuid".into(), guid.into());
    object.insert("Version".into(), 5.into());
    object.insert("Task".into(), task(record).into());
    object.insert("OpcodeValue".into(), 0.into());
    object.insert("RecordNumber".into(), record.record_id.into());
    object.insert("ExecutionProcessID".into(), 3120.into());
    object.insert("ThreadID".into(), 4400.into());
    object.insert("Channel".into(), channel.into());
    object.insert("UserID".into(), record.user_sid.into());
    object.insert(
        "EventReceivedTime".into(),
        timefmt::sql(record.time, false).into(),
    );
    object.insert("SourceModuleName".into(), "eventlog".into());
    object.insert("SourceModuleType".into(), "im_msvistalog".into());
    object.insert("@timestamp".into(), timefmt::iso(record.time, 3).into());
    for (name, value) in &record.data {
        object.insert((*name).into(), value.clone().into());
    }
    out.push_str(&Value::Object(object).to_string());
    out.push('\n');
}

/// Winlogbeat 8 with Elastic's Sysmon pipeline: `winlog.*` plus the ECS fields.
pub fn winlogbeat(record: &WinRecord, out: &mut String) {
    let (provider, _, channel) = record.provider;
    let data: Map<String, Value> = record
        .data
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::from(v.clone())))
        .collect();
    let get = |name: &str| {
        record
            .data
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut object = json!({
        "@timestamp": timefmt::iso(record.time, 3),
        "agent": {"type": "winlogbeat", "version": "8.15.0"},
        "ecs": {"version": "8.11.0"},
        "event": {"code": record.event_id.to_string(), "provider": provider, "kind": "event"},
        "host": {"name": record.computer.to_ascii_lowercase(), "os": {"family": "windows"}},
        "log": {"level": "information"},
        "winlog": {
            "channel": channel,
            "computer_name": record.computer,
            "event_id": record.event_id.to_string(),
            "provider_name": provider,
            "record_id": record.record_id.to_string(),
            "event_data": data,
        },
    });
    let ecs = object.as_object_mut().expect("an object");
    if let Some(image) = get("Image").or(get("NewProcessName")) {
        let name = image.rsplit(['\\', '/']).next().unwrap_or(image);
        let mut process = json!({"executable": image, "name": name});
        if let Some(pid) = get("ProcessId").and_then(|p| p.parse::<u64>().ok()) {
            process["pid"] = pid.into();
        }
        if let Some(guid) = get("ProcessGuid") {
            process["entity_id"] = guid.into();
        }
        if let Some(command) = get("CommandLine") {
            process["command_line"] = command.into();
        }
        ecs.insert("process".into(), process);
    }
    if let (Some(ip), Some(port)) = (get("DestinationIp"), get("DestinationPort")) {
        let port: u64 = port.parse().unwrap_or(0);
        ecs.insert("destination".into(), json!({"ip": ip, "port": port}));
        if let (Some(sip), Some(sport)) = (get("SourceIp"), get("SourcePort")) {
            let sport: u64 = sport.parse().unwrap_or(0);
            ecs.insert("source".into(), json!({"ip": sip, "port": sport}));
        }
    }
    if let Some(name) = get("QueryName") {
        ecs.insert("dns".into(), json!({"question": {"name": name}}));
    }
    out.push_str(&object.to_string());
    out.push('\n');
}
