#!/usr/bin/env bash
# Instructions per event of `whoiswatch scan` with all SigmaHQ rules, counted by
# valgrind's callgrind: repeatable on this shared VM, where wall times of one binary
# spread by 20 % or more. Runs the scan on the first A and the first B events of the
# benchmark file (bench/sigma.sh builds it) and prints the marginal cost per event,
# (count(B) - count(A)) / (B - A): rule loading and the per-log-source prefilters built
# on first events fall out. Compare two builds with BIN=path/to/other/whoiswatch.
#
#   bench/sigma_instructions.sh               # A=10000, B=30000
#   A=5000 B=15000 BIN=/tmp/old bench/sigma_instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared/data
WORK=target/bench-inputs
A=${A:-10000}
B=${B:-30000}
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p whoiswatch
  BIN=target/release/whoiswatch
fi
command -v valgrind > /dev/null || { echo "needs valgrind" >&2; exit 2; }
[ -s "$WORK/otrf-sysmon.json" ] || { echo "run bench/sigma.sh first (it builds $WORK/otrf-sysmon.json)" >&2; exit 2; }
count() {
  head -n "$1" "$WORK/otrf-sysmon.json" > "$WORK/instructions-$1.json"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" scan -q \
    -r "$SHARED/sigma/rules" -o none --threads 1 "$WORK/instructions-$1.json" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
CA=$(count "$A")
CB=$(count "$B")
echo "$BIN: $CA instructions for $A events, $CB for $B"
echo "marginal: $(( (CB - CA) / (B - A) )) instructions per event"
