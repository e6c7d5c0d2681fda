#!/usr/bin/env bash
# Usage: benches/bench.sh [--table-only] [CRITERION ARGS...]
# Runs the criterion benchmarks ROUNDS times (default 3; short by default: 0.5 s warm-up, 2 s
# measurement per case), writes target/bench/core.json (for each case, the lowest of the rounds'
# medians from criterion's estimates.json files: on a shared machine other work only ever adds
# time) and prints its markdown table (benches/render.py) of qonto-webhooks against the three
# baselines. --table-only collects and prints the last run without running anything (the JSON's
# date and machine line are read then).
#        benches/bench.sh --instructions
# Counts instructions per verification under valgrind's cachegrind instead (unaffected by other
# load on the machine; needs valgrind), writes target/bench/core-instructions.json and prints
# its table.
#        benches/bench.sh --check-instructions
# The instruction-count guard (CI): the core's cost above the ring floor at 256 B, per scheme,
# must not exceed benches/instructions-baseline by more than its slack. Counts are exact for a
# given build, so this gates CI where a timing could not; a toolchain update may move them a
# little (the slack), a real regression moves them more. Lower it when the core gets cheaper.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--instructions" ] || [ "${1:-}" = "--check-instructions" ]; then
  command -v valgrind >/dev/null || { echo "$1 needs valgrind" >&2; exit 1; }
  cargo build --quiet --release -p qonto-webhooks-benches --example instructions >&2
  bin="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/instructions"
  count() { # IMPL SCHEME SIZE N -> instructions for the whole run
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$@" 2>&1 |
      sed -n 's/.*I *refs: *//p' | tr -d ,
  }
  per_call() { # IMPL SCHEME SIZE N -> instructions per verification
    local one many
    one=$(count "$1" "$2" "$3" 1)
    many=$(count "$1" "$2" "$3" $(($4 + 1)))
    echo $(((many - one) / $4))
  }
  if [ "$1" = "--check-instructions" ]; then
    status=0
    while read -r scheme size limit slack; do
      case "$scheme" in '#'* | '') continue ;; esac
      ours=$(per_call qonto-webhooks "$scheme" "$size" 1000)
      floor=$(per_call a-ring-floor "$scheme" "$size" 1000)
      above=$((ours - floor))
      if [ "$above" -gt $((limit + slack)) ]; then
        echo "instructions: $scheme $size B: $above above the ring floor, over the baseline $limit (+$slack slack): a regression" >&2
        status=1
      else
        echo "instructions: $scheme $size B: $above above the ring floor (baseline $limit, slack $slack): ok"
      fi
    done < benches/instructions-baseline
    exit "$status"
  fi
  for scheme in business onboarding; do
    for size in 64 256 1024 16384; do
      n=1000; [ "$size" -ge 16384 ] && n=100
      for impl in qonto-webhooks a-ring-floor b-rustcrypto c-naive; do
        echo "$scheme $size $impl $(per_call "$impl" "$scheme" "$size" "$n")"
      done
    done
  done | python3 benches/collect.py instructions target/bench/core-instructions.json
  python3 benches/render.py target/bench/core-instructions.json
  exit 0
fi

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
export CRITERION_HOME="$target_dir/criterion"

if [ "${1:-}" = "--table-only" ]; then
  shift
else
  args=("$@")
  if [ "${#args[@]}" -eq 0 ]; then
    args=(--warm-up-time 0.5 --measurement-time 2)
  fi
  cargo bench -p qonto-webhooks-benches --bench verify --no-run >&2
  for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "== round $round of ${ROUNDS:-3}" >&2
    cargo bench -p qonto-webhooks-benches --bench verify -- "${args[@]}" \
      --save-baseline "round$round" >&2
  done
fi

python3 benches/collect.py criterion target/bench/core.json "$CRITERION_HOME" "${ROUNDS:-3}"
python3 benches/render.py target/bench/core.json
