# Sourced by the bench scripts. fastest OUT CMD...: runs CMD $RUNS times (BENCH_RUNS,
# default 3) with stdout to OUT and stderr to $WORK/stderr; sets SECS to the fastest wall
# time and RSS to the largest peak RSS (KB). This machine is a shared VM whose single runs
# of the same binary vary by 20% or more; the fastest of several is the cost of the work.
RUNS=${BENCH_RUNS:-3}
# Returns non-zero when a run failed (its time still counts; run.sh tolerates inputs that
# are partly unreadable).
fastest() {
  local out=$1; shift
  local secs rss status=0
  SECS=999999; RSS=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" "$@" > "$out" 2> "$WORK/stderr" || status=1
    read -r secs rss < <(tail -1 "$WORK/stderr")
    if [ "$(echo "$secs < $SECS" | bc -l)" = 1 ]; then SECS=$secs; fi
    if [ "$rss" -gt "$RSS" ]; then RSS=$rss; fi
  done
  return $status
}
