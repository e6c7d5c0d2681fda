#!/usr/bin/env bash
# Benchmarks the Node package against the usual alternatives; prints a markdown table.
# BENCH_HARNESS=tinybench for tinybench instead of mitata; BENCH_TIME_MS for the time per
# contender and size (see benchmark/bench.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ ! -d node_modules/mitata ] || [ ! -d node_modules/tinybench ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# Always rebuilt (a no-op when nothing changed), so that a stale addon is never measured.
npx napi build --platform --release --js binding.js --dts binding.d.ts >/dev/null
node benchmark/bench.mjs
