#!/usr/bin/env python3
"""Unpacks the OTRF Windows datasets (NXLog JSON in zip archives) under SRC into
WORK/otrf-sysmon.json (all of them, one event a line) and WORK/otrf-split/NNNN.json (one
file per dataset). Used by bench/run.sh and bench/scan.sh."""
import pathlib
import sys
import zipfile

src, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
(work / "otrf-split").mkdir(parents=True, exist_ok=True)
n = 0
with open(work / "otrf-sysmon.json", "wb") as whole:
    for z in sorted(src.rglob("*.zip")):
        if "/windows/" not in str(z):
            continue
        with zipfile.ZipFile(z) as archive:
            for m in archive.namelist():
                if m.endswith(".json"):
                    data = archive.read(m)
                    if not data.endswith(b"\n"):
                        data += b"\n"
                    whole.write(data)
                    (work / "otrf-split" / f"{n:04}.json").write_bytes(data)
                    n += 1
