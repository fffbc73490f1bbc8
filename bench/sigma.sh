#!/usr/bin/env bash
# The Sigma engine against RSigma (the complete Rust peer) on the same events and the
# same rules, in one run, one thread each; prints events per second and the ratio.
#
#   bench/sigma.sh            # 80,000 OTRF events, all SigmaHQ rules
#   BENCH_EVENTS=20000 bench/sigma.sh
#
# Needs ../shared/data beside the repository and `rsigma` on PATH or in ~/.cargo/bin
# (`cargo install rsigma --version 0.23.0`); without it only whoiswatch is measured.
# Rule loading is measured apart (on one event) and taken out of both throughputs.
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

# seconds CMD...: wall time of CMD (stdout discarded).
seconds() { /usr/bin/time -f "%e" "$@" > /dev/null 2> "$WORK/stderr" || { tail -5 "$WORK/stderr"; exit 1; }; tail -1 "$WORK/stderr"; }
rate() { echo "scale=0; $N / ($1 - $2)" | bc -l; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u +%F)"
echo "input: $N OTRF events (NXLog JSON, $(($(stat -c %s "$WORK/sigma-events.json") / 1048576)) MB); rules: $(find "$RULES" -name '*.yml' | wc -l) SigmaHQ files"
WW_LOAD=$(seconds "$BIN" scan -q -r "$RULES" -o none --threads 1 "$WORK/sigma-one.json")
WW=$(seconds "$BIN" scan -q -r "$RULES" -o none --threads 1 "$WORK/sigma-events.json")
WW_MATCHES=$(grep -oE '[0-9]+ matches' "$WORK/stderr" | head -1)
WW_RATE=$(rate "$WW" "$WW_LOAD")
printf '  %-10s load %5.2f s  total %6.2f s  %8s events/s  (%s)\n' whoiswatch "$WW_LOAD" "$WW" "$WW_RATE" "$WW_MATCHES"
if [ -x "$RSIGMA" ]; then
  RS_LOAD=$(seconds "$RSIGMA" engine eval -q -r "$RULES" -e "@$WORK/sigma-one.json")
  RS=$(seconds "$RSIGMA" engine eval -r "$RULES" -e "@$WORK/sigma-events.json")
  RS_MATCHES=$(grep -oE '[0-9]+ matches' "$WORK/stderr" | head -1)
  RS_RATE=$(rate "$RS" "$RS_LOAD")
  printf '  %-10s load %5.2f s  total %6.2f s  %8s events/s  (%s; no log source routing)\n' rsigma "$RS_LOAD" "$RS" "$RS_RATE" "$RS_MATCHES"
  echo "  whoiswatch / rsigma events per second = $(echo "scale=2; $WW_RATE / $RS_RATE" | bc -l)  (goal >= 10)"
else
  echo "  rsigma not found: install it with cargo install rsigma --version 0.23.0"
fi
