#!/usr/bin/env bash
# Benchmarks the Python package against hand-written hmac code and stripe's verifier, at 256 B,
# 1 KiB, 16 KiB and 1 MiB, and two threads against one; writes target/bench/python.json and
# prints its markdown table (benches/render.py). Both wheels
# are measured: the stable ABI of 3.9+ (the default) and of 3.11+ (`abi3-py311`).
# The pure-Python fallback gets its own row against (a) and (b). Takes about two minutes; not
# run in CI. pytest-benchmark's own files: target/python-bench/*.json. BENCH_MAX_TIME (default
# 0.5) is pytest-benchmark's --benchmark-max-time. bench/instructions.py counts instructions
# instead (cachegrind: exact where timings are not). bench/calls.py, run here for each wheel when
# valgrind is installed, prints the cost of a call at 256 B against the core and the ring floor
# (the benches' `instructions` example), in instructions and in time, measured in the same run:
# `verify`, `verify(..., now=t)` and `verify_onboarding`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

floor_bin=""
if command -v valgrind >/dev/null; then
  cargo build --quiet --release -p qonto-webhooks-benches --example instructions >&2
  floor_bin="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/instructions"
else
  echo "bench.sh: no valgrind, so no table of calls against the floor (bench/calls.py)" >&2
fi

venv=$(.ci/venv.sh bindings-python/requirements-dev.txt bindings-python/requirements-bench.txt)
py="$venv/bin/python"
results=target/python-bench
mkdir -p "$results"
rm -f "$results"/*.json "$results"/calls-*.md

# max-time per benchmark is short: each still runs thousands of rounds below 16 KiB.
# shellcheck disable=SC2054 # the commas belong to --benchmark-columns
opts=(-q -p no:cacheprovider --benchmark-only --benchmark-max-time="${BENCH_MAX_TIME:-0.5}"
      --benchmark-columns=median,iqr,rounds --benchmark-sort=name)
for abi in py39 py311; do
  case "$abi" in
    py39) features=(); select=() ;;
    py311) features=(--no-default-features --features abi3-py311); select=(-k qonto_webhooks) ;;
  esac
  out=target/python-wheels/$abi
  mkdir -p "$out"
  rm -f "$out"/qonto_webhooks-*.whl
  "$venv/bin/maturin" build --release --quiet -i "$py" "${features[@]}" \
    -m bindings-python/Cargo.toml --out "$out" >&2
  "$py" -m pip install --quiet --force-reinstall --no-deps "$out"/qonto_webhooks-*.whl
  (cd bindings-python/bench && QW_BENCH_ABI="abi3-$abi" "$py" -m pytest test_bench.py \
    "${opts[@]}" "${select[@]}" --benchmark-json="../../$results/$abi.json" >&2 &&
    QW_BENCH_ABI="abi3-$abi" "$py" threads.py "../../$results/threads-$abi.json" "abi3-$abi")
  if [ -n "$floor_bin" ]; then
    (cd bindings-python/bench && "$py" calls.py --time "$floor_bin" "../../$results/calls-$abi.md" \
      >/dev/null)
  fi
done
# Leave the default wheel (the Makefile's: the one pip picks for this Python) installed.
default=${PY_ABI:-$("$py" .ci/platforms.py env | sed -n 's/^QW_PY_ABI=//p')}
"$py" -m pip install --quiet --force-reinstall --no-deps "target/python-wheels/$default"/qonto_webhooks-*.whl

python3 benches/collect.py pytest-benchmark target/bench/python.json \
  "$results"/{py39,py311,threads-py39,threads-py311}.json
python3 benches/render.py target/bench/python.json
for abi in py39 py311; do
  if [ -f "$results/calls-$abi.md" ]; then
    echo
    echo "abi3-$abi:"
    cat "$results/calls-$abi.md"
  fi
done
