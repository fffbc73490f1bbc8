#!/usr/bin/env bash
# Runs whoiswatch and its baselines on the same inputs in one run and prints ratios.
#
#   bench/run.sh            # parse benchmarks (issue 2): NDJSON, EVTX, two cores, memory
#   BENCH_BIG_GB=2 bench/run.sh   # size of the flat-memory input (default 2 GB)
#
# Needs ../shared/data beside the repository. Inputs are built under target/bench-inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared/data
[ -d "$SHARED" ] || { echo "bench/run.sh needs $SHARED" >&2; exit 2; }
WORK=target/bench-inputs
mkdir -p "$WORK"

cargo build --release -q -p whoiswatch -p whoiswatch-ingest --example baseline
BIN=target/release/whoiswatch
BASE=target/release/examples/baseline

# measure LABEL CMD...: runs CMD, prints and records seconds and peak RSS (KB).
measure() {
  local label=$1; shift
  local out
  /usr/bin/time -f "%e %M" "$@" > "$WORK/stdout" 2> "$WORK/stderr" || true
  out=$(tail -1 "$WORK/stderr")
  SECS=$(echo "$out" | cut -d' ' -f1)
  RSS=$(echo "$out" | cut -d' ' -f2)
  printf '  %-44s %7.2f s  %8.1f MB RSS\n' "$label" "$SECS" "$(echo "$RSS/1024" | bc -l)"
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }
mbps() { echo "scale=1; $1 / 1048576 / $2" | bc -l; }

# --- inputs -------------------------------------------------------------------------
if [ ! -s "$WORK/otrf-sysmon.json" ]; then
  echo "building $WORK/otrf-sysmon.json and $WORK/otrf-split/ from the OTRF archives"
  rm -rf "$WORK/otrf-split"; mkdir -p "$WORK/otrf-split"
  python3 bench/otrf_json.py "$SHARED/otrf" "$WORK"
fi
NDJSON=$WORK/otrf-sysmon.json
NDJSON_BYTES=$(stat -c %s "$NDJSON")
mapfile -d '' EVTX < <(find "$SHARED/evtx/evtx-attack-samples" -name '*.evtx' -print0 | sort -z)
EVTX_BYTES=$(cat "${EVTX[@]}" | wc -c)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
echo

echo "NDJSON (OTRF Sysmon/Security NXLog JSON, $(mbps "$NDJSON_BYTES" 1) MB, one file, one thread)"
measure "baseline: serde_json::Value per line" "$BASE" ndjson "$NDJSON"
B_SECS=$SECS; B_N=$(cat "$WORK/stdout")
measure "whoiswatch events --threads 1" "$BIN" events --output none --threads 1 "$NDJSON"
W_SECS=$SECS
W_N=$(grep -o '[0-9]* events read' "$WORK/stderr" | grep -o '[0-9]*' || true)
echo "  records: baseline $B_N, whoiswatch $W_N"
echo "  throughput: baseline $(mbps "$NDJSON_BYTES" "$B_SECS") MB/s, whoiswatch $(mbps "$NDJSON_BYTES" "$W_SECS") MB/s"
echo "  whoiswatch time / baseline time = $(ratio "$W_SECS" "$B_SECS")  (goal <= 1.00)"
echo

echo "EVTX (${#EVTX[@]} attack samples, $(mbps "$EVTX_BYTES" 1) MB, one thread)"
measure "baseline: evtx crate records_json()" "$BASE" evtx "${EVTX[@]}"
B_SECS=$SECS; B_N=$(cat "$WORK/stdout")
measure "whoiswatch events --threads 1" "$BIN" events --output none --threads 1 "${EVTX[@]}"
W_SECS=$SECS
W_N=$(grep -o '[0-9]* events read' "$WORK/stderr" | grep -o '[0-9]*' || true)
echo "  records: baseline $B_N, whoiswatch $W_N"
echo "  whoiswatch time / baseline time = $(ratio "$W_SECS" "$B_SECS")  (goal <= 1.25)"
echo

SPLIT_N=$(ls "$WORK/otrf-split" | wc -l)
echo "Two cores (the same NDJSON as $SPLIT_N files)"
measure "whoiswatch events --threads 1" "$BIN" events --output none --threads 1 "$WORK/otrf-split"
ONE=$SECS
measure "whoiswatch events --threads 2" "$BIN" events --output none --threads 2 "$WORK/otrf-split"
TWO=$SECS
echo "  speed-up with two threads = $(ratio "$ONE" "$TWO")  (goal >= 1.70)"
echo

GB=${BENCH_BIG_GB:-2}
BIG=$WORK/big-${GB}g.json
if [ ! -s "$BIG" ]; then
  : > "$BIG"
  while [ "$(stat -c %s "$BIG")" -lt $((GB * 1024 * 1024 * 1024)) ]; do cat "$NDJSON" >> "$BIG"; done
fi
echo "Memory: peak RSS must not grow with input size"
measure "whoiswatch events, $(mbps "$NDJSON_BYTES" 1) MB input" "$BIN" events --output none "$NDJSON"
SMALL_RSS=$RSS
measure "whoiswatch events, $(mbps "$(stat -c %s "$BIG")" 1) MB input" "$BIN" events --output none "$BIG"
echo "  peak RSS big / small = $(ratio "$RSS" "$SMALL_RSS")"
