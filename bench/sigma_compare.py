#!/usr/bin/env python3
"""Per-rule match counts of whoiswatch and RSigma, side by side, for the rules where
they differ.

    bench/sigma_compare.py WW_COUNTS.tsv RSIGMA_ROUTED.ndjson RSIGMA_ALL.ndjson

WW_COUNTS.tsv is `whoiswatch scan --rule-counts`; the two NDJSON files are RSigma's
matches with `--logsource-routing` (events annotated by bench/sigma_logsource.py) and
without it. Each differing rule is printed with its counts and the rule file."""
import collections
import json
import sys


def rsigma_counts(path):
    counts = collections.Counter()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("{"):
                counts[json.loads(line)["rule_id"]] += 1
    return counts


def main():
    ours, titles, files = {}, {}, {}
    with open(sys.argv[1], encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            n, rule_id, title, path = line.rstrip("\n").split("\t")
            ours[rule_id] = int(n)
            titles[rule_id] = title
            files[rule_id] = path.split("/rules/", 1)[-1]
    routed, everything = rsigma_counts(sys.argv[2]), rsigma_counts(sys.argv[3])
    rows = []
    for rule_id in set(ours) | set(routed) | set(everything):
        counts = (ours.get(rule_id, 0), routed.get(rule_id, 0), everything.get(rule_id, 0))
        if len(set(counts)) > 1:
            rows.append((counts, titles.get(rule_id, rule_id), files.get(rule_id, "?")))
    rows.sort(key=lambda r: (-abs(r[0][0] - r[0][1]), -r[0][2], r[1]))
    print(f"  {len(rows)} rules differ (whoiswatch | rsigma routed | rsigma all rules):")
    for (w, r, a), title, path in rows:
        print(f"  {w:>6} | {r:>6} | {a:>6}  {title}  ({path})")


if __name__ == "__main__":
    main()
