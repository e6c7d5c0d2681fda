#!/usr/bin/env bash
# Benchmarks the Node package against the usual alternatives; writes target/bench/node.json
# (node-<harness>.json for another harness) and prints its markdown table (benches/render.py).
# BENCH_HARNESS=tinybench for tinybench instead of mitata (or cputime); BENCH_TIME_MS for the time
# per contender and size (see benchmark/bench.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# The npm dependencies and the release addon, rebuilt when stale: a stale addon is never measured.
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C .. node-addon
out=$(node benchmark/bench.mjs ../target/bench)
cd ..
python3 benches/render.py "target/bench/${out##*/}"
