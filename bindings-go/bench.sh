#!/usr/bin/env bash
# Go: this package (cgo + the Rust core) vs the standard library (crypto/hmac + hex +
# hmac.Equal, header parsing and window included) at 256 B, 1 KiB, 16 KiB and 1 MiB, three runs
# each (the table keeps the fastest). Writes target/bench/go.json and prints its markdown table
# (benches/render.py). Not run in CI. Run by `make bench`, which builds the C library and puts
# the pinned Go on PATH. BENCH_TIME (default 1s) is go test's -benchtime.
set -euo pipefail
command -v go >/dev/null || { echo "go is not on PATH: run this through make (make bench puts the pinned Go there)" >&2; exit 1; }
cd "$(dirname "${BASH_SOURCE[0]}")"
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C .. go-lib
log=$(mktemp)
trap 'rm -f "$log"' EXIT
go version >"$log"
go test -run '^$' -bench 'BenchmarkVerify' -benchmem -benchtime="${BENCH_TIME:-1s}" -count=3 . |
  tee -a "$log" >&2
cd ..
python3 benches/collect.py gotest target/bench/go.json "$log"
python3 benches/render.py target/bench/go.json
