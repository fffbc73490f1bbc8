//! From a Windows record to an event: the System header, then the EventData fields,
//! named by the registry, except where an event id gives a name another meaning (4688's
//! `ProcessId` is the creator; 5156's addresses are `SourceAddress`/`DestAddress`).

use whoiswatch_event::{Category, Event, FieldId, LogSourceType, Origin, Value};

use super::record::WinRecord;
use crate::coerce::{coerce, derive_common, parse_integer, parse_ip, protocol_name, set_text};
use crate::formats::json::keys::{KeyCache, KeyInfo};

const SYSMON: &str = "Microsoft-Windows-Sysmon";
const SYSMON_LINUX: &str = "Linux-Sysmon";
const SECURITY: &str = "Microsoft-Windows-Security-Auditing";

/// Sysmon event ids and the Sigma category each belongs to.
fn sysmon_category(event_id: i64) -> Option<&'static str> {
    Some(match event_id {
        1 => "process_creation",
        2 => "file_change",
        3 => "network_connection",
        5 => "process_termination",
        6 => "driver_load",
        7 => "image_load",
        8 => "create_remote_thread",
        9 => "raw_access_thread",
        10 => "process_access",
        11 => "file_event",
        // Sigma's registry_event spans all three; registry_delete is also id 12.
        12 => "registry_add",
        13 => "registry_set",
        14 => "registry_rename",
        15 => "create_stream_hash",
        17 | 18 => "pipe_created",
        19..=21 => "wmi_event",
        22 => "dns_query",
        4 | 16 => "sysmon_status",
        23 | 26 => "file_delete",
        27 => "file_block_executable",
        28 => "file_block_shredding",
        255 => "sysmon_error",
        24 => "clipboard_change",
        25 => "process_tampering",
        29 => "file_executable_detected",
        _ => return None,
    })
}

/// Event log channel → Sigma `service` (the channel names of pySigma's Windows pipeline).
const WINDOWS_SERVICES: &[(&str, &str)] = &[
    ("security", "security"),
    ("system", "system"),
    ("application", "application"),
    (
        "microsoft-windows-taskscheduler/operational",
        "taskscheduler",
    ),
    ("microsoft-windows-wmi-activity/operational", "wmi"),
    ("dns server", "dns-server"),
    (
        "microsoft-windows-dns-server/analytical",
        "dns-server-analytic",
    ),
    (
        "microsoft-windows-driverframeworks-usermode/operational",
        "driver-framework",
    ),
    ("microsoft-windows-ntlm/operational", "ntlm"),
    (
        "microsoft-windows-windows defender/operational",
        "windefend",
    ),
    (
        "microsoft-windows-windows firewall with advanced security/firewall",
        "firewall-as",
    ),
    ("microsoft-windows-bits-client/operational", "bits-client"),
    (
        "microsoft-windows-codeintegrity/operational",
        "codeintegrity-operational",
    ),
    ("microsoft-windows-applocker/exe and dll", "applocker"),
    ("microsoft-windows-applocker/msi and script", "applocker"),
    (
        "microsoft-windows-applocker/packaged app-deployment",
        "applocker",
    ),
    (
        "microsoft-windows-applocker/packaged app-execution",
        "applocker",
    ),
    ("microsoft-windows-printservice/admin", "printservice-admin"),
    (
        "microsoft-windows-printservice/operational",
        "printservice-operational",
    ),
    ("microsoft-windows-smbclient/security", "smbclient-security"),
    (
        "microsoft-windows-smbclient/connectivity",
        "smbclient-connectivity",
    ),
    (
        "microsoft-windows-terminalservices-localsessionmanager/operational",
        "terminalservices-localsessionmanager",
    ),
    ("microsoft-windows-dns-client/operational", "dns-client"),
    ("microsoft-windows-ldap-client/debug", "ldap"),
    ("microsoft-windows-openssh/operational", "openssh"),
    ("microsoft-windows-shell-core/operational", "shell-core"),
    (
        "microsoft-windows-appxdeployment-server/operational",
        "appxdeployment-server",
    ),
    (
        "microsoft-windows-appxpackaging/operational",
        "appxpackaging-om",
    ),
    (
        "microsoft-windows-appmodel-runtime/admin",
        "appmodel-runtime",
    ),
    ("microsoft-windows-capi2/operational", "capi2"),
    (
        "microsoft-windows-certificateservicesclient-lifecycle-system/operational",
        "certificateservicesclient-lifecycle-system",
    ),
    (
        "microsoft-windows-diagnosis-scripted/operational",
        "diagnosis-scripted",
    ),
    (
        "microsoft-windows-kernel-shimengine/operational",
        "shim-engine",
    ),
    (
        "microsoft-windows-security-mitigations/kernel mode",
        "security-mitigations",
    ),
    (
        "microsoft-windows-security-mitigations/user mode",
        "security-mitigations",
    ),
    ("microsoft-windows-lsa/operational", "lsa-server"),
    ("msexchange management", "msexchange-management"),
    ("microsoft-windows-vhdmp/operational", "vhdmp"),
    ("microsoft-windows-hyper-v-worker-admin", "hyper-v-worker"),
];

fn windows_service(channel: &str) -> &'static str {
    WINDOWS_SERVICES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(channel))
        .map_or("", |(_, s)| s)
}

fn category(record: &WinRecord<'_>, linux: bool) -> Category {
    let product = if linux { "linux" } else { "windows" };
    let provider = record.provider.as_deref().unwrap_or("");
    let channel = record.channel.as_deref().unwrap_or("");
    let event_id = record.event_id.unwrap_or(-1);
    if provider == SYSMON || provider == SYSMON_LINUX || channel.contains("Sysmon") {
        return Category::new(product, sysmon_category(event_id), Some("sysmon"));
    }
    if provider.contains("PowerShell") || channel.contains("PowerShell") {
        let service = if channel == "Windows PowerShell" {
            "powershell-classic"
        } else {
            "powershell"
        };
        let category = match event_id {
            4104 => Some("ps_script"),
            4103 => Some("ps_module"),
            400 | 403 | 600 | 800 => Some("ps_classic_start"),
            _ => None,
        };
        return Category::new(product, category, Some(service));
    }
    let service = windows_service(channel);
    let category = match (service, event_id) {
        ("security", 4688) => Some("process_creation"),
        ("security", 5156) | ("security", 5157) => Some("network_connection"),
        _ => None,
    };
    Category::new(product, category, (!service.is_empty()).then_some(service))
}

/// QueryResults: `type:  5 cname.example;::ffff:1.2.3.4;` → [cname.example, 1.2.3.4].
pub(crate) fn parse_query_results(text: &str) -> Vec<Box<str>> {
    text.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty() && *item != "-")
        .map(|item| {
            if item.starts_with("type:") {
                item.rsplit(' ').next().unwrap_or(item).into()
            } else {
                match parse_ip(item) {
                    Some(ip) => ip.to_string().into_boxed_str(),
                    None => item.into(),
                }
            }
        })
        .collect()
}

thread_local! {
    /// Data names by position: most lookups are one comparison instead of a lowered
    /// hash lookup in the registry.
    static DATA_NAMES: std::cell::RefCell<KeyCache> = std::cell::RefCell::default();
}

/// The value of a Windows data field whose name resolves to `id`, typed for that
/// canonical field when it has one.
fn set_data(
    event: &mut Event,
    (info, kept): (KeyInfo, Option<&'static str>),
    name: &str,
    value: &str,
) {
    // The name kept for the process when there is one: no copy per event.
    let keep = |event: &mut Event| match kept {
        Some(name) => event.push_extra(name, Value::text(value)),
        None => event.push_extra(name.to_string(), Value::text(value)),
    };
    match info.id {
        Some(FieldId::DnsAnswers) => {
            event.set(FieldId::DnsAnswers, Value::List(parse_query_results(value)))
        }
        Some(FieldId::NetworkDirection) => {}
        // PowerShell 4103's `Payload` is event data, not the record as read (which the
        // payload field holds): keep it under its own name, where rules look for it.
        Some(FieldId::Payload) => keep(event),
        Some(id) => {
            set_text(event, id, value);
            // Several EventData names share one canonical field (SubjectUserName and
            // TargetUserName are both `username`); keep the record's own name too, so
            // rules that name it (Sigma's fieldref between the two) see the original.
            if !name.eq_ignore_ascii_case(id.name()) {
                keep(event);
            }
        }
        None => keep(event),
    }
}

fn normalize_security(event: &mut Event, event_id: i64, name: &str, value: &str) -> bool {
    let id = match (event_id, name) {
        (4688, "ProcessId") => FieldId::ParentProcessId,
        (4688, "NewProcessId") => FieldId::ProcessId,
        (4688, "SubjectUserName") => FieldId::Username,
        (4688, "TargetUserName") => return false,
        (5156 | 5157, "ProcessID") => FieldId::ProcessId,
        (5156 | 5157, "Direction") => {
            let direction = match value {
                "%%14593" => "outbound",
                "%%14592" => "inbound",
                other => other,
            };
            event.set(FieldId::NetworkDirection, Value::text(direction));
            return true;
        }
        (5156 | 5157, "Protocol") => {
            if let Some(n) = parse_integer(value) {
                event.set(FieldId::ProtocolId, Value::Integer(n));
                if let Some(protocol) = protocol_name(n) {
                    event.set(FieldId::Protocol, Value::text(protocol));
                }
            }
            return true;
        }
        _ => return false,
    };
    set_text(event, id, value);
    true
}

/// Build the event. `payload` is the record as read (XML or JSON).
pub(crate) fn normalize(
    record: &WinRecord<'_>,
    linux: bool,
    origin: Origin,
    payload: &str,
) -> Event {
    let source_type = if linux {
        &LogSourceType::LINUX
    } else {
        &LogSourceType::WINDOWS
    };
    let mut event = Event::new(source_type, category(record, linux), origin);
    // Most data fields are extra fields; and the user's SID.
    event.reserve_extra(record.data.len() + 1 + record.more_extra);
    if let Some(t) = record.time {
        event.set(FieldId::DeviceTime, Value::Time(t));
    }
    if let Some(t) = record.received {
        event.set(FieldId::StartTime, Value::Time(t));
    }
    let text_fields = [
        (FieldId::Hostname, &record.computer),
        (FieldId::Provider, &record.provider),
        (FieldId::Channel, &record.channel),
        (FieldId::Message, &record.message),
    ];
    for (id, value) in text_fields {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            event.set(id, Value::text(value));
        }
    }
    let integer_fields = [
        (FieldId::EventId, record.event_id),
        (FieldId::RecordNumber, record.record_id),
        (FieldId::Severity, record.level),
    ];
    for (id, value) in integer_fields {
        if let Some(value) = value {
            event.set(id, Value::Integer(value));
        }
    }
    if let Some(sid) = record.user_sid.as_deref() {
        event.push_extra("UserID", Value::text(sid));
    }
    let is_security = record
        .channel
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("security"))
        || record.provider.as_deref() == Some(SECURITY);
    let event_id = record.event_id.unwrap_or(-1);
    DATA_NAMES.with_borrow_mut(|names| {
        for (index, (name, value)) in record.data.iter().enumerate() {
            if is_security && normalize_security(&mut event, event_id, name, value) {
                event.push_extra(name.to_string(), Value::text(value.as_ref()));
                continue;
            }
            match name.as_ref() {
                "Initiated" => {
                    let outbound = value.eq_ignore_ascii_case("true");
                    event.set(
                        FieldId::NetworkDirection,
                        Value::text(if outbound { "outbound" } else { "inbound" }),
                    );
                    event.push_extra("Initiated", Value::Boolean(outbound));
                }
                "MessageNumber" | "MessageTotal" => match parse_integer(value) {
                    Some(n) => event.push_extra(name.to_string(), Value::Integer(n)),
                    None => event.push_extra(name.to_string(), Value::text(value.as_ref())),
                },
                "UtcTime" => {
                    // Sysmon's own time: the device time when the record header has none.
                    if !event.has(FieldId::DeviceTime) {
                        event.set(FieldId::DeviceTime, coerce(FieldId::DeviceTime, value));
                    }
                    event.push_extra("UtcTime", Value::text(value.as_ref()));
                }
                _ => set_data(&mut event, names.get_named(index, name), name, value),
            }
        }
    });
    if is_security && matches!(event_id, 5156 | 5157) {
        event.set(
            FieldId::DeviceAction,
            Value::text(if event_id == 5156 {
                "permitted"
            } else {
                "blocked"
            }),
        );
    }
    derive_common(&mut event);
    event.set(FieldId::Payload, Value::text(payload));
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_names_remembered_by_position_answer_as_the_registry_does() {
        let mut names = KeyCache::default();
        let lookup = whoiswatch_event::registry::lookup;
        for round in 0..3 {
            // The same names in the same order, then other names at the same positions
            // (a name known at one position asked for at another), then the first again.
            let record: &[&str] = match round {
                1 => &["TargetFilename", "Image", "NotAField", "commandline"],
                _ => &["Image", "CommandLine", "Hashes", "TargetFilename"],
            };
            for (index, name) in record.iter().enumerate() {
                assert_eq!(names.get(index, name).id, lookup(name), "{round} {name}");
                assert_eq!(names.get(index, name).id, lookup(name), "{round} {name}");
            }
        }
        // Past the positions kept, still the registry's answer.
        assert_eq!(names.get(67, "Image").id, Some(FieldId::Image));
        assert_eq!(names.get(67, "Hashes").id, None);
    }
}
