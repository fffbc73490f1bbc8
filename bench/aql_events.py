#!/usr/bin/env python3
"""Writes QRadar-column NDJSON events for the AQL benchmark: deterministic for a seed.

  bench/aql_events.py OUT_DIR EVENTS FILES [SEED]

Events spread over the 48 hours before 2026-11-24T12:00:00Z (so the seed's LAST 24 HOURS
keeps about half), with the mix of log source types, ports and host names the seed query
filters on: ~0.5 % to TCP/43, a few WHOIS web hosts in mixed case, SIM Audit and Custom
Rule Engine events that it must exclude, and events without a host name or user.
"""
import os
import random
import sys

NOW = 1795521600000  # 2026-11-24T12:00:00Z
out, total, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
os.makedirs(out, exist_ok=True)

types = [12] * 40 + [11] * 20 + [46] * 15 + [185] * 10 + [4] * 10 + [105] * 3 + [18] * 2
ports = [443] * 500 + [80] * 200 + [53] * 150 + [22] * 50 + [3389] * 40 + [4343] * 20 + [8443] * 35 + [43] * 5
hosts = [f"www.site{i}.example.com" for i in range(60)] + [
    "who.is", "WHOIS.DomainTools.com", "rdap.arin.net", "ARIN.NET", "ripe.net",
    "notwhois.example.com", "arin.net.example.org",
]
users = [f"CORP\\\\user{i}" for i in range(300)]
actions = ["allow", "deny", "TCP_MISS", "TCP_TUNNEL", "ACCEPT"]
eventids = [4624, 5156, 3, 1, 22, 4688]
per_file = (total + files - 1) // files
written = 0
for f in range(files):
    with open(os.path.join(out, f"events-{f:03}.json"), "w") as fh:
        lines = []
        for _ in range(min(per_file, total - written)):
            start = NOW - rng.randrange(0, 48 * 3600 * 1000)
            device = start - rng.randrange(0, 5000)
            lsid = rng.randrange(1, 41)
            dtype = rng.choice(types)
            port = rng.choice(ports)
            parts = [
                f'"starttime":{start}', f'"devicetime":{device}',
                f'"logsourceid":{lsid}', f'"logsourcename":"host-{lsid}"',
                f'"devicetype":{dtype}',
                f'"sourceip":"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"',
                f'"destinationip":"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"',
                f'"sourceport":{rng.randrange(1024, 65536)}', f'"destinationport":{port}',
                f'"eventid":{rng.choice(eventids)}', f'"deviceaction":"{rng.choice(actions)}"',
            ]
            if rng.random() < 0.9:
                parts.append(f'"username":"{rng.choice(users)}"')
            r = rng.random()
            if r < 0.02:
                parts.append(f'"destinationhostname":"{rng.choice(hosts[60:])}"')
            elif r < 0.7:
                parts.append(f'"destinationhostname":"{rng.choice(hosts[:60])}"')
            if rng.random() < 0.3:
                parts.append(f'"message":"connection {rng.randrange(1000000)} accepted"')
            lines.append("{" + ",".join(parts) + "}\n")
        fh.write("".join(lines))
        written += len(lines)
print(written)
