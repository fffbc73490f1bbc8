#!/usr/bin/env bash
# The Sigma engine against RSigma (the complete Rust peer) on the same events and the
# same rules, in one run: whoiswatch on one thread and two, RSigma as it comes and with
# its log source routing (the events annotated with the log source whoiswatch derives,
# by bench/sigma_logsource.py). Prints events per second, peak memory, the ratios, and
# the rules whose match counts differ (bench/sigma_compare.py).
#
#   bench/sigma.sh            # 80,000 OTRF events, all SigmaHQ rules
#   BENCH_EVENTS=20000 bench/sigma.sh
#   BENCH_RUNS=5 bench/sigma.sh   # runs per measurement (the fastest is reported; default 3)
#
# Needs ../shared/data beside the repository and `rsigma` on PATH or in ~/.cargo/bin
# (`cargo install rsigma --version 0.23.0`); without it only whoiswatch is measured.
# Rule loading is measured apart (on one event) and taken out of every throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=../shared/data
[ -d "$SHARED" ] || { echo "bench/sigma.sh needs $SHARED" >&2; exit 2; }
WORK=target/bench-inputs
mkdir -p "$WORK"
N=${BENCH_EVENTS:-80000}
RULES=$SHARED/sigma/rules
cargo build --release -q -p whoiswatch
BIN=target/release/whoiswatch
RSIGMA=$(command -v rsigma || echo "$HOME/.cargo/bin/rsigma")

if [ ! -s "$WORK/otrf-sysmon.json" ]; then
  echo "building $WORK/otrf-sysmon.json from the OTRF archives"
  mkdir -p "$WORK/otrf-split"
  python3 bench/otrf_json.py "$SHARED/otrf" "$WORK"
fi
head -n "$N" "$WORK/otrf-sysmon.json" > "$WORK/sigma-events.json"
head -n 1 "$WORK/otrf-sysmon.json" > "$WORK/sigma-one.json"
python3 bench/sigma_logsource.py "$WORK/sigma-events.json" "$WORK/sigma-events-ls.json"
python3 bench/sigma_logsource.py "$WORK/sigma-one.json" "$WORK/sigma-one-ls.json"

# run OUT CMD...: the fastest of $RUNS runs (bench/fastest.sh) into $SECS/$RSS.
. bench/fastest.sh
run() { fastest "$@" || { tail -5 "$WORK/stderr"; exit 1; }; }
rate() { echo "scale=0; $N / ($1 - $2)" | bc -l; }
row() { printf '  %-34s load %5.2f s  total %6.2f s  %8s events/s  peak %4d MB  %s\n' "$1" "$2" "$3" "$4" $(($5 / 1024)) "$6"; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u +%F)"
echo "input: $N OTRF events (NXLog JSON, $(($(stat -c %s "$WORK/sigma-events.json") / 1048576)) MB); rules: $(find "$RULES" -name '*.yml' | wc -l) SigmaHQ files"
run /dev/null "$BIN" scan -q -r "$RULES" -o none --threads 1 "$WORK/sigma-one.json"
WW_LOAD=$SECS
run /dev/null "$BIN" scan -q -r "$RULES" -o none --threads 1 --rule-counts "$WORK/ww-counts.tsv" "$WORK/sigma-events.json"
WW1=$SECS; WW1_RSS=$RSS; WW_MATCHES=$(grep -oE '[0-9]+ matches' "$WORK/stderr" | head -1)
WW1_RATE=$(rate "$WW1" "$WW_LOAD")
row "whoiswatch scan --threads 1" "$WW_LOAD" "$WW1" "$WW1_RATE" "$WW1_RSS" "($WW_MATCHES)"
run /dev/null "$BIN" scan -q -r "$RULES" -o none --threads 2 "$WORK/sigma-events.json"
WW2=$SECS; WW2_RATE=$(rate "$WW2" "$WW_LOAD")
row "whoiswatch scan --threads 2" "$WW_LOAD" "$WW2" "$WW2_RATE" "$RSS" "($(grep -oE '[0-9]+ matches' "$WORK/stderr" | head -1); two readers share the file)"
if [ ! -x "$RSIGMA" ]; then
  echo "  rsigma not found: install it with cargo install rsigma --version 0.23.0"
  exit 0
fi
ROUTING=(--logsource-routing --logsource-field-map product=sigma_product,service=sigma_service,category=sigma_category)
run /dev/null "$RSIGMA" engine eval -q -r "$RULES" -e "@$WORK/sigma-one.json"
RS_LOAD=$SECS
run "$WORK/rsigma-all.ndjson" "$RSIGMA" engine eval -r "$RULES" -e "@$WORK/sigma-events.json"
RS=$SECS; RS_RATE=$(rate "$RS" "$RS_LOAD")
row "rsigma engine eval" "$RS_LOAD" "$RS" "$RS_RATE" "$RSS" "($(grep -oE '[0-9]+ matches' "$WORK/stderr" | head -1); every rule on every event)"
run /dev/null "$RSIGMA" engine eval -q -r "$RULES" "${ROUTING[@]}" -e "@$WORK/sigma-one-ls.json"
RR_LOAD=$SECS
run "$WORK/rsigma-routed.ndjson" "$RSIGMA" engine eval -r "$RULES" "${ROUTING[@]}" -e "@$WORK/sigma-events-ls.json"
RR=$SECS; RR_RATE=$(rate "$RR" "$RR_LOAD")
row "rsigma engine eval --logsource-routing" "$RR_LOAD" "$RR" "$RR_RATE" "$RSS" "($(grep -oE '[0-9]+ matches' "$WORK/stderr" | head -1))"
ratio() { echo "scale=2; $1 / $2" | bc -l; }
echo "  one core:  whoiswatch / rsigma = $(ratio "$WW1_RATE" "$RS_RATE")x; / rsigma with routing = $(ratio "$WW1_RATE" "$RR_RATE")x  (goal >= 5)"
echo "  two cores: whoiswatch / rsigma = $(ratio "$WW2_RATE" "$RS_RATE")x; / rsigma with routing = $(ratio "$WW2_RATE" "$RR_RATE")x  (rsigma eval uses one thread)"
python3 bench/sigma_compare.py "$WORK/ww-counts.tsv" "$WORK/rsigma-routed.ndjson" "$WORK/rsigma-all.ndjson"
