#!/usr/bin/env bash
# The scan benchmark (issue 5): on >= 1 GB of mixed real logs (OTRF Sysmon/Security NXLog
# JSON, Zeek TSV and JSON, auditd, EVTX attack samples, repeated to size), `scan` (parse +
# the pack + triage) against `events -o none` (parse only) on the same files in one run.
# The goal: scan throughput >= 80% of events throughput; memory flat. Also the corpus
# generator's speed on one core (goal >= 100 MB/s of NDJSON).
#
#   bench/scan.sh                    # 1 GB
#   BENCH_SCAN_GB=3 bench/scan.sh
#
# Needs ../shared/data beside the repository. Inputs go to target/bench-inputs/scan-mixed.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared/data
[ -d "$SHARED" ] || { echo "bench/scan.sh needs $SHARED" >&2; exit 2; }
GB=${BENCH_SCAN_GB:-1}
WORK=target/bench-inputs
DIR=$WORK/scan-mixed-${GB}g
mkdir -p "$WORK"
cargo build --release -q -p whoiswatch
BIN=target/release/whoiswatch

[ -s "$WORK/otrf-sysmon.json" ] || python3 bench/otrf_json.py "$SHARED/otrf" "$WORK"
if [ ! -d "$DIR" ]; then
  echo "building $DIR (${GB} GB of real logs)"
  mkdir -p "$DIR.tmp"
  mapfile -d '' ONE < <(find "$SHARED/zeek" "$SHARED/auditd" "$SHARED/evtx/evtx-attack-samples" \
    -type f \( -name '*.log' -o -name '*.json' -o -name '*.evtx' -o -name '*.txt' \) ! -name SOURCE.txt -print0 | sort -z)
  target=$((GB * 1024 * 1024 * 1024)); size=0; n=0
  while [ "$size" -lt "$target" ]; do
    cp "$WORK/otrf-sysmon.json" "$DIR.tmp/otrf-$n.json"
    for f in "${ONE[@]}"; do
      cp "$f" "$DIR.tmp/$n-$(echo "$f" | tr '/' '_' | sed 's/^\.*_*//')"
    done
    n=$((n + 1)); size=$(du -sb "$DIR.tmp" | cut -f1)
  done
  mv "$DIR.tmp" "$DIR"
fi
BYTES=$(du -sb "$DIR" | cut -f1)

measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" "$@" > /dev/null 2> "$WORK/stderr" || { tail -5 "$WORK/stderr"; exit 1; }
  local t; t=$(tail -1 "$WORK/stderr")
  SECS=$(echo "$t" | cut -d' ' -f1); RSS=$(echo "$t" | cut -d' ' -f2)
  printf '  %-40s %7.2f s  %7.1f MB/s  %8.1f MB RSS\n' "$label" "$SECS" \
    "$(echo "$BYTES / 1048576 / $SECS" | bc -l)" "$(echo "$RSS/1024" | bc -l)"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
echo "input: $DIR, $(find "$DIR" -type f | wc -l) files, $((BYTES / 1048576)) MB"
# Warm the page cache so that neither command pays for the first read from disk.
find "$DIR" -type f -exec cat {} + > /dev/null
measure "events -o none (parse only)" "$BIN" events -o none --quiet "$DIR"
EVENTS_S=$SECS
grep -E '^total' "$WORK/stderr" | sed 's/^/    /' || true
measure "scan -o none (parse + pack + triage)" "$BIN" scan -o none --quiet "$DIR"
SCAN_S=$SECS; SCAN_RSS=$RSS
grep -E 'alerts$' "$WORK/stderr" | sed 's/^/    /' || true
echo "  scan throughput / events throughput = $(echo "scale=3; $EVENTS_S / $SCAN_S" | bc -l)  (goal >= 0.80)"

echo "corpus generator, one core (NDJSON to a pipe):"
taskset -c 0 "$BIN" simulate --events 2000000 --out - 2> "$WORK/stderr" | cat > /dev/null
echo "  $(tail -1 "$WORK/stderr")  (goal >= 100 MB/s)"
