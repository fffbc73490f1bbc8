#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 120), seeded with the test fixtures
# and examples. Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-120}
for target in $(ls fuzz_targets | sed 's/\.rs$//'); do
  mkdir -p "corpus/$target"
  max_len=65536
  if [ "$target" = evtx ]; then
    # A file header and two chunks.
    max_len=135168
    cp -n ../examples/*.evtx ../crates/cli/tests/fixtures/correlation/*.evtx "corpus/$target/" 2>/dev/null || true
  elif [ "$target" = sigma_rule ]; then
    # Rule files: the built-in pack, and SigmaHQ's for the fixtures' log sources.
    cp -n ../content/rules/*.yml "corpus/$target/"
    for dir in process_creation network_connection dns_query; do
      ls ../../shared/data/sigma/rules/windows/$dir/*.yml 2>/dev/null | head -40 | xargs -r cp -n -t "corpus/$target/"
    done
    ls ../../shared/data/sigma/rules/windows/powershell/*/*.yml 2>/dev/null | head -40 | xargs -r cp -n -t "corpus/$target/"
  else
    cp -n ../tests/fixtures/* ../examples/*.log ../examples/*.json "corpus/$target/" 2>/dev/null || true
  fi
  echo "== $target ($SECONDS_EACH s)"
  cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" -max_len="$max_len" -rss_limit_mb=2048 2>&1 \
    | grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY" || true
done
