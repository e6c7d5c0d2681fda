#!/usr/bin/env bash
# The cost of crossing the C ABI: verify a 256-byte business webhook through qw_verify (called
# through a C function pointer) vs the core's Rust API, in the same criterion runs. Writes
# target/bench/c-abi.json and prints its markdown table (benches/render.py). Not run in CI. Works
# from any directory. BENCH_ARGS replaces the criterion times (default: 1 s warm-up, 4 s
# measurement), e.g. BENCH_ARGS="--warm-up-time 0.1 --measurement-time 0.3" for a quick look.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
read -r -a times <<<"${BENCH_ARGS:---warm-up-time 1 --measurement-time 4}"
# Three criterion runs; the table keeps each path's fastest (the machine may be busy).
for _ in 1 2 3; do
  cargo bench --quiet -p qonto-webhooks-c --bench abi -- --output-format bencher "${times[@]}" |
    tee -a "$log" >&2
done
python3 benches/collect.py bencher target/bench/c-abi.json "$log"
python3 benches/render.py target/bench/c-abi.json
