#!/usr/bin/env bash
# Benchmarks the Node package against the usual alternatives; prints a markdown table.
# BENCH_HARNESS=tinybench for tinybench instead of mitata; BENCH_TIME_MS for the time per
# contender and size (see benchmark/bench.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# The npm dependencies and the release addon, rebuilt when stale: a stale addon is never measured.
make -s -C .. node-addon
node benchmark/bench.mjs
