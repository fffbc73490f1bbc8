#!/usr/bin/env bash
# whoiswatch (one thread) against RSigma with its log-source routing, in interleaved
# rounds: on this shared VM the speed drifts over minutes, and bench/sigma.sh runs each
# engine's repetitions back to back, so a slow spell can fall on one engine only. Each
# round runs both engines (rule loading on one event, then the whole input) one right
# after the other. Printed: every round's own ratio of events per second, their median,
# and the ratio of the fastest times over all rounds (each engine's fastest load taken
# from its fastest whole run), which interleaving exposes equally to the fast spells.
# Inputs are those bench/sigma.sh builds, repeated REPEAT times (default 4) so that the
# scan outweighs rule loading: a rate is the input over (whole run − loading), and on
# this VM single loading times vary by half a second.
#
#   ROUNDS=5 REPEAT=4 bench/sigma_routed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=../shared/data/sigma/rules
WORK=target/bench-inputs
ROUNDS=${ROUNDS:-5}
BIN=${BIN:-target/release/whoiswatch}
RSIGMA=${RSIGMA:-$(command -v rsigma || echo "$HOME/.cargo/bin/rsigma")}
for input in sigma-one.json sigma-events.json sigma-one-ls.json sigma-events-ls.json; do
  [ -s "$WORK/$input" ] || { echo "run bench/sigma.sh first (it builds $WORK/$input)" >&2; exit 2; }
done
[ -x "$RSIGMA" ] || { echo "needs rsigma: cargo install rsigma --version 0.23.0 --locked" >&2; exit 2; }
REPEAT=${REPEAT:-4}
for name in sigma-events sigma-events-ls; do
  if [ ! -s "$WORK/$name-x$REPEAT.json" ]; then
    for _ in $(seq "$REPEAT"); do cat "$WORK/$name.json"; done > "$WORK/$name-x$REPEAT.json"
  fi
done
N=$(wc -l < "$WORK/sigma-events-x$REPEAT.json")
ROUTING=(--logsource-routing --logsource-field-map product=sigma_product,service=sigma_service,category=sigma_category)
# seconds CMD...: the wall time of one run.
seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
rate() { echo "scale=0; $N / ($1 - $2)" | bc -l; }
ratios=()
best() { if [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
WW_LOAD=999; WW=999; RS_LOAD=999; RS=999
for round in $(seq "$ROUNDS"); do
  ww_load=$(seconds "$BIN" scan -q -r "$RULES" -o none --threads 1 "$WORK/sigma-one.json")
  ww=$(seconds "$BIN" scan -q -r "$RULES" -o none --threads 1 "$WORK/sigma-events-x$REPEAT.json")
  rs_load=$(seconds "$RSIGMA" engine eval -q -r "$RULES" "${ROUTING[@]}" -e "@$WORK/sigma-one-ls.json")
  rs=$(seconds "$RSIGMA" engine eval -q -r "$RULES" "${ROUTING[@]}" -e "@$WORK/sigma-events-ls-x$REPEAT.json")
  ww_rate=$(rate "$ww" "$ww_load")
  rs_rate=$(rate "$rs" "$rs_load")
  ratio=$(echo "scale=2; $ww_rate / $rs_rate" | bc -l)
  ratios+=("$ratio")
  WW_LOAD=$(best "$WW_LOAD" "$ww_load"); WW=$(best "$WW" "$ww")
  RS_LOAD=$(best "$RS_LOAD" "$rs_load"); RS=$(best "$RS" "$rs")
  printf '  round %d: whoiswatch %s s (load %s) %s events/s; rsigma routed %s s (load %s) %s events/s; ratio %sx\n' \
    "$round" "$ww" "$ww_load" "$ww_rate" "$rs" "$rs_load" "$rs_rate" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
fastest=$(echo "scale=2; $(rate "$WW" "$WW_LOAD") / $(rate "$RS" "$RS_LOAD")" | bc -l)
echo "one core, whoiswatch / rsigma with routing, $N events (goal >= 5):"
echo "  median of the rounds' ratios: ${median}x over $ROUNDS rounds"
echo "  fastest times of all rounds: whoiswatch $WW s (load $WW_LOAD), rsigma routed $RS s (load $RS_LOAD): ${fastest}x"
