#!/usr/bin/env bash
# The AQL benchmark: the seed query over >= 5 million QRadar-column NDJSON events,
# whoiswatch against DuckDB running the equivalent SQL over the same files, in one run.
#
#   bench/query.sh                 # 5,000,000 events in 8 files
#   BENCH_EVENTS=10000000 bench/query.sh
#
# Installs DuckDB from PyPI into target/bench-venv. Inputs go to target/bench-inputs/aql.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${BENCH_EVENTS:-5000000}
FILES=8
NOW=1795521600000   # 2026-11-24T12:00:00Z, the generator's clock
WORK=target/bench-inputs
DIR=$WORK/aql-$EVENTS
mkdir -p "$WORK"

cargo build --release -q -p whoiswatch
BIN=target/release/whoiswatch
if [ ! -x target/bench-venv/bin/python ]; then
  python3 -m venv target/bench-venv
fi
target/bench-venv/bin/python -c 'import duckdb' 2>/dev/null || target/bench-venv/bin/pip install -q duckdb
PY=target/bench-venv/bin/python
if [ ! -s "$DIR/events-000.json" ]; then
  echo "writing $EVENTS events to $DIR"
  python3 bench/aql_events.py "$DIR" "$EVENTS" "$FILES" > /dev/null
fi
BYTES=$(cat "$DIR"/*.json | wc -c)

# measure LABEL OUT CMD...: the fastest of $RUNS runs (bench/fastest.sh), printed.
. bench/fastest.sh
measure() {
  local label=$1 out=$2; shift 2
  fastest "$out" "$@" || { tail -5 "$WORK/stderr"; exit 1; }
  printf '  %-48s %7.2f s  %8.1f MB RSS  %s rows  (fastest of %d)\n' "$label" "$SECS" "$(echo "$RSS/1024" | bc -l)" "$(wc -l < "$out")" "$RUNS"
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }
same_rows() {
  "$PY" - "$1" "$2" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
key = lambda r: json.dumps(r, sort_keys=True)
order = lambda rows: [(r["RiskScore"], r["EventTime"]) for r in rows]
ok = len(a) == len(b) and sorted(map(key, a)) == sorted(map(key, b)) and order(a) == order(b)
print("  same rows, same order of the sort keys:", "yes" if ok else f"NO ({len(a)} vs {len(b)})")
sys.exit(0 if ok else 1)
PY
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); duckdb $("$PY" -c 'import duckdb; print(duckdb.__version__)')"
echo "input: $EVENTS events, $FILES files, $(echo "scale=1; $BYTES/1048576" | bc) MB"
for threads in 2 1; do
  echo
  echo "seed query verbatim, $threads thread(s)"
  measure "duckdb (read_json with the schema given)" "$WORK/duck.ndjson" \
    "$PY" bench/duckdb_query.py bench/seed_duckdb.sql "$DIR/*.json" "$NOW" "$threads"
  D=$SECS
  measure "whoiswatch query" "$WORK/ww.ndjson" \
    "$BIN" query --threads "$threads" --now "$NOW" -o ndjson --file content/queries/t1596_002_whois.aql "$DIR"
  W=$SECS
  same_rows "$WORK/ww.ndjson" "$WORK/duck.ndjson"
  echo "  whoiswatch time / duckdb time = $(ratio "$W" "$D")  (goal <= 1.00)"
done

echo
echo "memory (whoiswatch, 2 threads): the input once and twice"
NOORDER=$(sed '/^ORDER BY/d' content/queries/t1596_002_whois.aql)
TOPK=$(sed 's/^LAST 24 HOURS/LIMIT 100 LAST 24 HOURS/' content/queries/t1596_002_whois.aql)
for q in "no ORDER BY" "ORDER BY, LIMIT 100" "GROUP BY sourceip"; do
  case $q in
    "no ORDER BY") text=$NOORDER ;;
    "ORDER BY, LIMIT 100") text=$TOPK ;;
    *) text="SELECT sourceip, COUNT(*) AS n FROM events WHERE destinationport = 443 GROUP BY sourceip LAST 24 HOURS" ;;
  esac
  measure "$q, x1" "$WORK/m1" "$BIN" query --now "$NOW" -o ndjson "$text" "$DIR"; R1=$RSS
  measure "$q, x2 (each file twice)" "$WORK/m2" "$BIN" query --now "$NOW" -o ndjson "$text" "$DIR" "$DIR"; R2=$RSS
  echo "  peak RSS x2 / x1 = $(ratio "$R2" "$R1")"
done
