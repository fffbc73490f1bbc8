#!/usr/bin/env python3
"""Writes examples/scenario/: one morning at Example Corp (2026-11-24, UTC) in the formats
the real sources write. Deterministic; rerun after editing and commit the output.

- WS-FIN07 (10.1.4.27, EXAMPLE\\jsmith): seed test 2 (PowerShell Invoke-RestMethod to
  rdap.arin.net for the company's own network: Sysmon 1, 22, 3 and 4104) and seed test 3
  (TcpClient to whois.iana.org:43: Sysmon 1, 22, 3), then SMB and RDP to internal hosts.
- web01 (auditd): seed test 1, `whois example.com`, with its port-43 connect; web01 is a
  server, where WHOIS is never expected (policy.restricted).
- dev03 (Sysmon for Linux): seed test 4, python3 socket to whois.iana.org:43; and
  `whois -h whois.example.net -p 4343 example.org` (a client on another port).
- 10.1.7.7: a burst through the proxy: RDAP lookups of the company's domain and networks.
- ws-it02 (EXAMPLE\\adavis, an allowlisted administrator): whois of the corporate domain
  (suppressed) and of phish-kit.example (a threat-intel hit, which overrides the allowlist).
- Allowlisted benign activity: the SOC analyst network's RDAP over TLS (Zeek ssl), the
  Qualys scanner's TCP/43 (firewall CEF), the CI runner's whois (Sysmon for Linux).
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "scenario")
SYSMON_GUID = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def win_event(provider, guid, eid, time, record, channel, computer, data, user_sid="S-1-5-21-1-2-3-1104"):
    fields = "".join(f'<Data Name="{k}">{esc(str(v))}</Data>' for k, v in data)
    return (
        f'<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>'
        f'<Provider Name="{provider}" Guid="{guid}"/><EventID>{eid}</EventID><Version>5</Version>'
        f'<Level>4</Level><Task>{eid}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>'
        f'<TimeCreated SystemTime="{time}"/><EventRecordID>{record}</EventRecordID><Correlation/>'
        f'<Execution ProcessID="3120" ThreadID="4400"/><Channel>{channel}</Channel>'
        f'<Computer>{computer}</Computer><Security UserID="{user_sid}"/></System><EventData>{fields}</EventData></Event>'
    )


def sysmon(eid, time, record, computer, data):
    return win_event("Microsoft-Windows-Sysmon", SYSMON_GUID, eid, time, record,
                     "Microsoft-Windows-Sysmon/Operational", computer, data)


def ws_fin07():
    host, user, ip = "WS-FIN07.corp.example-corp.com", "EXAMPLE\\jsmith", "10.1.4.27"
    ps = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
    g1 = "{8A1C2F34-1B2C-6743-5A01-000000001A00}"
    g2 = "{8A1C2F34-1B2C-6743-5B01-000000001A00}"
    rdap_cmd = ("powershell.exe -NoProfile -Command \"Invoke-RestMethod -Uri "
                "'https://rdap.arin.net/registry/ip/198.51.100.0' | ConvertTo-Json\"")
    tcp_cmd = ("powershell.exe -NoProfile -Command \"$c = New-Object System.Net.Sockets.TcpClient('whois.iana.org', 43); "
               "$s = $c.GetStream(); $w = New-Object IO.StreamWriter($s); $w.WriteLine('example-corp.com'); $w.Flush(); "
               "(New-Object IO.StreamReader($s)).ReadToEnd()\"")
    lines = [
        sysmon(1, "2026-11-24T09:12:03.114Z", 52001, host, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 09:12:03.114"), ("ProcessGuid", g1), ("ProcessId", 7312),
            ("Image", ps), ("FileVersion", "10.0.19041.3636"), ("Description", "Windows PowerShell"),
            ("Product", "Microsoft Windows Operating System"), ("Company", "Microsoft Corporation"),
            ("OriginalFileName", "PowerShell.EXE"), ("CommandLine", rdap_cmd), ("CurrentDirectory", "C:\\Users\\jsmith\\"),
            ("User", user), ("LogonGuid", "{8A1C2F34-0000-0000-0000-00000000AA01}"), ("LogonId", "0x3e7a1"),
            ("TerminalSessionId", 1), ("IntegrityLevel", "Medium"), ("Hashes", "SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C"),
            ("ParentProcessGuid", "{8A1C2F34-1B2C-6743-4F01-000000001A00}"), ("ParentProcessId", 6120),
            ("ParentImage", "C:\\Windows\\explorer.exe"), ("ParentCommandLine", "C:\\Windows\\Explorer.EXE"), ("ParentUser", user)]),
        win_event("Microsoft-Windows-PowerShell", "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}", 4104,
                  "2026-11-24T09:12:03.530Z", 18811, "Microsoft-Windows-PowerShell/Operational", host, [
                      ("MessageNumber", 1), ("MessageTotal", 1),
                      ("ScriptBlockText", "Invoke-RestMethod -Uri 'https://rdap.arin.net/registry/ip/198.51.100.0' | ConvertTo-Json"),
                      ("ScriptBlockId", "6f1e0f4a-33a9-4c3c-9d0c-5b1c3e2a9f10"), ("Path", "")]),
        sysmon(22, "2026-11-24T09:12:03.702Z", 52002, host, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 09:12:03.702"), ("ProcessGuid", g1), ("ProcessId", 7312),
            ("QueryName", "rdap.arin.net"), ("QueryStatus", 0),
            ("QueryResults", "::ffff:199.71.0.63;::ffff:199.212.0.63;"), ("Image", ps), ("User", user)]),
        sysmon(3, "2026-11-24T09:12:04.015Z", 52003, host, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 09:12:03.790"), ("ProcessGuid", g1), ("ProcessId", 7312),
            ("Image", ps), ("User", user), ("Protocol", "tcp"), ("Initiated", "true"), ("SourceIsIpv6", "false"),
            ("SourceIp", ip), ("SourceHostname", host), ("SourcePort", 52114), ("SourcePortName", "-"),
            ("DestinationIsIpv6", "false"), ("DestinationIp", "199.71.0.63"), ("DestinationHostname", "rdap-1.arin.net"),
            ("DestinationPort", 443), ("DestinationPortName", "https")]),
        sysmon(1, "2026-11-24T09:14:40.301Z", 52010, host, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 09:14:40.301"), ("ProcessGuid", g2), ("ProcessId", 8020),
            ("Image", ps), ("Description", "Windows PowerShell"), ("Company", "Microsoft Corporation"),
            ("OriginalFileName", "PowerShell.EXE"), ("CommandLine", tcp_cmd), ("CurrentDirectory", "C:\\Users\\jsmith\\"),
            ("User", user), ("IntegrityLevel", "Medium"),
            ("ParentProcessGuid", "{8A1C2F34-1B2C-6743-4F01-000000001A00}"), ("ParentProcessId", 6120),
            ("ParentImage", "C:\\Windows\\explorer.exe"), ("ParentCommandLine", "C:\\Windows\\Explorer.EXE")]),
        sysmon(22, "2026-11-24T09:14:40.655Z", 52011, host, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 09:14:40.655"), ("ProcessGuid", g2), ("ProcessId", 8020),
            ("QueryName", "whois.iana.org"), ("QueryStatus", 0), ("QueryResults", "::ffff:192.0.32.59;"),
            ("Image", ps), ("User", user)]),
        sysmon(3, "2026-11-24T09:14:41.020Z", 52012, host, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 09:14:40.700"), ("ProcessGuid", g2), ("ProcessId", 8020),
            ("Image", ps), ("User", user), ("Protocol", "tcp"), ("Initiated", "true"), ("SourceIsIpv6", "false"),
            ("SourceIp", ip), ("SourceHostname", host), ("SourcePort", 52190), ("SourcePortName", "-"),
            ("DestinationIsIpv6", "false"), ("DestinationIp", "192.0.32.59"), ("DestinationHostname", "whois.iana.org"),
            ("DestinationPort", 43), ("DestinationPortName", "nicname")]),
    ]
    # Lateral movement after the lookups: SMB and RDP to internal servers.
    for n, (port, dst, image) in enumerate([(445, "10.1.9.20", "System"), (3389, "10.1.9.21", "C:\\Windows\\System32\\mstsc.exe")]):
        lines.append(sysmon(3, f"2026-11-24T09:31:0{n}.000Z", 52020 + n, host, [
            ("RuleName", "-"), ("UtcTime", f"2026-11-24 09:31:0{n}.000"), ("ProcessGuid", "{8A1C2F34-1B2C-6743-6001-000000001A00}"),
            ("ProcessId", 4), ("Image", image), ("User", user), ("Protocol", "tcp"), ("Initiated", "true"),
            ("SourceIsIpv6", "false"), ("SourceIp", ip), ("SourceHostname", host), ("SourcePort", 52300 + n),
            ("SourcePortName", "-"), ("DestinationIsIpv6", "false"), ("DestinationIp", dst), ("DestinationHostname", "-"),
            ("DestinationPort", port), ("DestinationPortName", "-")]))
    # ws-it02: the allowlisted administrator.
    it = "ws-it02.corp.example-corp.com"
    for n, (t, target) in enumerate([("2026-11-24T10:02:11.000Z", "example-corp.com"), ("2026-11-24T10:05:42.000Z", "phish-kit.example")]):
        lines.append(sysmon(1, t, 61000 + n, it, [
            ("RuleName", "-"), ("UtcTime", t.replace("T", " ").rstrip("Z")), ("ProcessGuid", f"{{9B2D3045-2C3D-6743-7001-00000000{n}B00}}"),
            ("ProcessId", 5100 + n), ("Image", "C:\\Tools\\Sysinternals\\whois64.exe"), ("Description", "Whois"),
            ("Company", "Sysinternals - www.sysinternals.com"), ("OriginalFileName", "whois.exe"),
            ("CommandLine", f"whois64.exe -v {target}"), ("CurrentDirectory", "C:\\Tools\\Sysinternals\\"),
            ("User", "EXAMPLE\\adavis"), ("IntegrityLevel", "High"), ("ParentProcessGuid", "{9B2D3045-2C3D-6743-6F01-000000000B00}"),
            ("ParentProcessId", 4020), ("ParentImage", "C:\\Windows\\System32\\cmd.exe"), ("ParentCommandLine", "cmd.exe")]))
    return lines


def linux_sysmon(host, eid, time, record, data, pid=2210):
    fields = "".join(f'<Data Name="{k}">{esc(str(v))}</Data>' for k, v in data)
    stamp = "Nov 24 " + time[11:19]
    return (f'{stamp} {host} sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{{ff032593-a8d3-4f13-b0d6-01fc615a0f97}}"/>'
            f'<EventID>{eid}</EventID><Version>5</Version><Level>4</Level><Task>{eid}</Task><Opcode>0</Opcode>'
            f'<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="{time}"/><EventRecordID>{record}</EventRecordID>'
            f'<Correlation/><Execution ProcessID="{pid}" ThreadID="{pid}"/><Channel>Linux-Sysmon/Operational</Channel>'
            f'<Computer>{host}</Computer><Security UserId="0"/></System><EventData>{fields}</EventData></Event>')


def dev03_and_ci():
    py = ("python3 -c \"import socket; s=socket.create_connection(('whois.iana.org', 43)); "
          "s.sendall(b'example-corp.com\\r\\n'); print(s.recv(4096).decode())\"")
    lines = [
        linux_sysmon("dev03", 1, "2026-11-24T11:20:05.100000000Z", 3301, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 11:20:05.100"), ("ProcessGuid", "{3c1a0b2d-4e5f-6743-a1b2-c3d4e5f60001}"),
            ("ProcessId", 40112), ("Image", "/usr/bin/python3.11"), ("FileVersion", "-"), ("Description", "-"),
            ("Product", "-"), ("Company", "-"), ("OriginalFileName", "-"), ("CommandLine", py),
            ("CurrentDirectory", "/home/rlee"), ("User", "rlee"), ("LogonGuid", "{3c1a0b2d-0000-0000-e803-000001000000}"),
            ("LogonId", 1000), ("TerminalSessionId", 3), ("IntegrityLevel", "no level"), ("Hashes", "-"),
            ("ParentProcessGuid", "{3c1a0b2d-4e5f-6743-a1b2-c3d4e5f60000}"), ("ParentProcessId", 40001),
            ("ParentImage", "/usr/bin/bash"), ("ParentCommandLine", "-bash"), ("ParentUser", "rlee")], pid=40112),
        linux_sysmon("dev03", 3, "2026-11-24T11:20:05.300000000Z", 3302, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 11:20:05.300"), ("ProcessGuid", "{3c1a0b2d-4e5f-6743-a1b2-c3d4e5f60001}"),
            ("ProcessId", 40112), ("Image", "/usr/bin/python3.11"), ("User", "rlee"), ("Protocol", "tcp"),
            ("Initiated", "true"), ("SourceIsIpv6", "false"), ("SourceIp", "10.1.6.33"), ("SourceHostname", "-"),
            ("SourcePort", 48822), ("SourcePortName", "-"), ("DestinationIsIpv6", "false"),
            ("DestinationIp", "192.0.32.59"), ("DestinationHostname", "-"), ("DestinationPort", 43),
            ("DestinationPortName", "-")], pid=40112),
        linux_sysmon("dev03", 1, "2026-11-24T11:25:40.000000000Z", 3310, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 11:25:40.000"), ("ProcessGuid", "{3c1a0b2d-4e5f-6743-a1b2-c3d4e5f60002}"),
            ("ProcessId", 40200), ("Image", "/usr/bin/whois"), ("CommandLine", "whois -h whois.example.net -p 4343 example.org"),
            ("CurrentDirectory", "/home/rlee"), ("User", "rlee"), ("ParentProcessGuid", "{3c1a0b2d-4e5f-6743-a1b2-c3d4e5f60000}"),
            ("ParentProcessId", 40001), ("ParentImage", "/usr/bin/bash"), ("ParentCommandLine", "-bash")], pid=40200),
        linux_sysmon("ci-runner-01", 1, "2026-11-24T12:00:02.000000000Z", 901, [
            ("RuleName", "-"), ("UtcTime", "2026-11-24 12:00:02.000"), ("ProcessGuid", "{5e2b1c3d-4e5f-6743-b1c2-d3e4f5a60001}"),
            ("ProcessId", 7001), ("Image", "/usr/bin/whois"), ("CommandLine", "whois example-corp.com"),
            ("CurrentDirectory", "/builds/infra/dns"), ("User", "gitlab-runner"),
            ("ParentProcessGuid", "{5e2b1c3d-4e5f-6743-b1c2-d3e4f5a60000}"), ("ParentProcessId", 6990),
            ("ParentImage", "/usr/bin/gitlab-runner"), ("ParentCommandLine", "gitlab-runner run")], pid=7001),
    ]
    return lines


def web01_audit():
    # 2026-11-24T08:05:10Z = 1795507510
    t = "1795507510.214"
    return [
        f'node=web01 type=SYSCALL msg=audit({t}:7001): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=3301 pid=3377 auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=pts0 ses=12 comm="whois" exe="/usr/bin/whois" key="recon"',
        f'node=web01 type=EXECVE msg=audit({t}:7001): argc=2 a0="whois" a1="example.com"',
        f'node=web01 type=CWD msg=audit({t}:7001): cwd="/tmp"',
        f'node=web01 type=EOE msg=audit({t}:7001): ',
        # connect() to 192.0.32.59:43: sockaddr family 0x0200, port 0x002B, address C000203B.
        'node=web01 type=SYSCALL msg=audit(1795507510.401:7002): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=3301 pid=3377 auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=pts0 ses=12 comm="whois" exe="/usr/bin/whois" key="recon"',
        'node=web01 type=SOCKADDR msg=audit(1795507510.401:7002): saddr=0200002BC000203B0000000000000000',
        'node=web01 type=EOE msg=audit(1795507510.401:7002): ',
    ]


def proxy_burst():
    lines = []
    urls = ["http://rdap.org/domain/example-corp.com", "http://rdap.arin.net/registry/ip/198.51.100.10",
            "http://rdap.org/domain/mail.example-corp.com", "http://rdap.db.ripe.net/ip/198.51.100.0",
            "http://rdap.apnic.net/ip/198.51.100.77", "http://rdap.verisign.com/com/v1/domain/example-corp.com",
            "http://whois.arin.net/rest/net/NET-198-51-100-0-1"]
    base = 1795515000  # 2026-11-24T10:10:00Z
    for n, url in enumerate(urls):
        lines.append(f"{base + n * 20}.{100 + n:03d}    180 10.1.7.7 TCP_MISS/200 2311 GET {url} - HIER_DIRECT/199.71.0.63 application/rdap+json")
    return lines


def bind_burst():
    lines = []
    names = ["rdap.org", "rdap.arin.net", "rdap.db.ripe.net", "rdap.apnic.net", "rdap.verisign.com", "whois.arin.net"]
    for n, name in enumerate(names):
        lines.append(f"24-Nov-2026 10:09:{50 + n}.{200 + n:03d} queries: info: client @0x7f3a1c0012e0 10.1.7.7#{40000 + n} ({name}): query: {name} IN A +E(0) (10.0.0.53)")
    return lines


def zeek_ssl():
    header = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tssl",
              "#open\t2026-11-24-08-00-00",
              "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\tserver_name\tresumed\tlast_alert\tnext_protocol\testablished\tssl_history",
              "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tstring\tstring\tbool\tstring"]
    rows = [
        "1795511400.120000\tCs1x2a3YhJ8m2\t10.20.0.31\t50611\t104.21.2.10\t443\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\trdap.org\tF\t-\t-\tT\tCsiI",
        "1795511460.450000\tCs1x2a3YhJ8m3\t10.20.0.31\t50612\t199.71.0.63\t443\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\trdap.arin.net\tF\t-\t-\tT\tCsiI",
    ]
    return header + rows + ["#close\t2026-11-24-09-00-00"]


def qualys_cef():
    return [
        "<134>Nov 24 07:40:02 fw01 CEF:0|Palo Alto Networks|PAN-OS|10.2|traffic|end|3|rt=1795506002000 src=10.9.0.15 dst=199.5.26.46 spt=40112 dpt=43 proto=TCP act=allow cs1=Scanner-Egress cs1Label=Rule",
        "<134>Nov 24 07:40:03 fw01 CEF:0|Palo Alto Networks|PAN-OS|10.2|traffic|end|3|rt=1795506003000 src=10.9.0.15 dst=193.0.6.135 spt=40113 dpt=43 proto=TCP act=allow cs1=Scanner-Egress cs1Label=Rule",
    ]


def write(name, lines):
    with open(os.path.join(OUT, name), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


write("ws-fin07-sysmon.xml", ws_fin07())
write("linux-hosts-syslog.log", dev03_and_ci())
write("web01-audit.log", web01_audit())
write("proxy-access.log", proxy_burst())
write("dns-queries.log", bind_burst())
write("soc-zeek-ssl.log", zeek_ssl())
write("scanner-fw-cef.log", qualys_cef())
