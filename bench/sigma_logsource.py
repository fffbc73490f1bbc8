#!/usr/bin/env python3
"""Gives each OTRF NXLog event the Sigma log source whoiswatch derives for it, as three
extra keys (sigma_product, sigma_service, sigma_category), so RSigma's
`--logsource-routing` can skip the rules that cannot apply, as whoiswatch does.

    bench/sigma_logsource.py IN.json OUT.json

The rules follow crates/ingest/src/formats/windows/normalize.rs (category()): Sysmon
event ids to Sigma categories, PowerShell channels to ps_script/ps_module/
ps_classic_start, Security 4688/5156/5157 to process_creation/network_connection, and
event log channels to Sigma services (pySigma's Windows pipeline names)."""
import json
import sys

SYSMON = {
    1: "process_creation", 2: "file_change", 3: "network_connection",
    5: "process_termination", 6: "driver_load", 7: "image_load",
    8: "create_remote_thread", 9: "raw_access_thread", 10: "process_access",
    11: "file_event", 12: "registry_add", 13: "registry_set", 14: "registry_rename",
    15: "create_stream_hash", 17: "pipe_created", 18: "pipe_created",
    19: "wmi_event", 20: "wmi_event", 21: "wmi_event", 22: "dns_query",
    4: "sysmon_status", 16: "sysmon_status", 23: "file_delete", 26: "file_delete",
    27: "file_block_executable", 28: "file_block_shredding", 255: "sysmon_error",
    24: "clipboard_change", 25: "process_tampering", 29: "file_executable_detected",
}
SERVICES = {
    "security": "security", "system": "system", "application": "application",
    "microsoft-windows-taskscheduler/operational": "taskscheduler",
    "microsoft-windows-wmi-activity/operational": "wmi",
    "microsoft-windows-dns-client/operational": "dns-client",
    "microsoft-windows-ntlm/operational": "ntlm",
    "microsoft-windows-windows defender/operational": "windefend",
    "microsoft-windows-bits-client/operational": "bits-client",
}


def logsource(event):
    provider = event.get("SourceName") or event.get("ProviderName") or ""
    channel = event.get("Channel") or ""
    try:
        event_id = int(event.get("EventID", -1))
    except (TypeError, ValueError):
        event_id = -1
    if provider == "Microsoft-Windows-Sysmon" or "Sysmon" in channel:
        return "windows", "sysmon", SYSMON.get(event_id)
    if "PowerShell" in provider or "PowerShell" in channel:
        service = "powershell-classic" if channel == "Windows PowerShell" else "powershell"
        category = {4104: "ps_script", 4103: "ps_module"}.get(event_id)
        if event_id in (400, 403, 600, 800):
            category = "ps_classic_start"
        return "windows", service, category
    service = SERVICES.get(channel.lower())
    category = None
    if service == "security" and event_id == 4688:
        category = "process_creation"
    elif service == "security" and event_id in (5156, 5157):
        category = "network_connection"
    return "windows", service, category


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8", errors="surrogateescape") as inp, open(
        dst, "w", encoding="utf-8", errors="surrogateescape"
    ) as out:
        for line in inp:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            product, service, category = logsource(event)
            event["sigma_product"] = product
            if service:
                event["sigma_service"] = service
            if category:
                event["sigma_category"] = category
            out.write(json.dumps(event, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
