#!/usr/bin/env bash
# Runs whoiswatch and its baselines on the same inputs in one run and prints ratios.
#
#   bench/run.sh            # parse benchmarks (issue 2): NDJSON, EVTX, two cores, memory
#   BENCH_RUNS=5 bench/run.sh     # runs per measurement (the fastest is reported; default 3)
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

# measure LABEL CMD...: the fastest of $RUNS runs (bench/fastest.sh), printed.
. bench/fastest.sh
measure() {
  local label=$1; shift
  fastest "$WORK/stdout" "$@" || true
  printf '  %-44s %7.2f s  %8.1f MB RSS  (fastest of %d)\n' "$label" "$SECS" "$(echo "$RSS/1024" | bc -l)" "$RUNS"
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
# The samples are small (36 MB in all): each side reads the list 10 times over, so that
# the times are long enough to compare.
EVTX_REPEAT=${BENCH_EVTX_REPEAT:-10}
EVTX_LIST=()
for _ in $(seq "$EVTX_REPEAT"); do EVTX_LIST+=("${EVTX[@]}"); done

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

echo "EVTX (${#EVTX[@]} attack samples, $(mbps "$EVTX_BYTES" 1) MB, read $EVTX_REPEAT times over, one thread)"
measure "baseline: evtx crate records_json()" "$BASE" evtx "${EVTX_LIST[@]}"
B_SECS=$SECS; B_N=$(cat "$WORK/stdout")
measure "whoiswatch events --threads 1" "$BIN" events --output none --threads 1 "${EVTX_LIST[@]}"
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

# The NDJSON streamed through stdin N times over: the same content, N times the input.
# (A shell runs the pipe so that /usr/bin/time sees the reader's peak RSS among its children.)
REPEAT='for _ in $(seq "$1"); do cat "$2"; done | "$3" events --output none -'
echo "Memory: peak RSS must not grow with input size (the NDJSON on stdin 1, 2 and 4 times)"
measure "whoiswatch events, $(mbps "$NDJSON_BYTES" 1) MB input" bash -c "$REPEAT" repeat 1 "$NDJSON" "$BIN"
ONE_RSS=$RSS
measure "whoiswatch events, $(mbps $((NDJSON_BYTES * 2)) 1) MB input" bash -c "$REPEAT" repeat 2 "$NDJSON" "$BIN"
TWO_RSS=$RSS
measure "whoiswatch events, $(mbps $((NDJSON_BYTES * 4)) 1) MB input" bash -c "$REPEAT" repeat 4 "$NDJSON" "$BIN"
echo "  peak RSS x2 / x1 = $(ratio "$TWO_RSS" "$ONE_RSS"), x4 / x2 = $(ratio "$RSS" "$TWO_RSS")"
