#!/usr/bin/env bash
# Benchmarks the Node package against the usual alternatives; prints a markdown table.
# BENCH_TIME_MS (default 400) is the time per contender and size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund --loglevel=error; fi
if ! ls ./*.node >/dev/null 2>&1; then npx napi build --platform --release --js binding.js --dts binding.d.ts; fi
node benchmark/bench.mjs
