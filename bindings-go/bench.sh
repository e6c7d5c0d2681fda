#!/usr/bin/env bash
# Go: this package (cgo + the Rust core) vs the standard library (crypto/hmac + hex +
# hmac.Equal, header parsing and window included) at 256 B, 1 KiB, 16 KiB and 1 MiB, three runs
# each (the table keeps the fastest). Prints a markdown table. Not run in CI. Run by `make bench`,
# which builds the C library and puts the pinned Go on PATH.
set -euo pipefail
command -v go >/dev/null || { echo "go is not on PATH: run this through make (make bench puts the pinned Go there)" >&2; exit 1; }
cd "$(dirname "${BASH_SOURCE[0]}")"
make -s -C .. go-lib
log=$(mktemp)
trap 'rm -f "$log"' EXIT
go test -run '^$' -bench 'BenchmarkVerify' -benchmem -benchtime=1s -count=3 . | tee "$log" >&2
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo
echo "Go verify, $(go version | cut -d' ' -f3), $cpu, $(date -u +%Y-%m-%d):"
echo
awk '/^BenchmarkVerify\// {
  split($1, p, "/"); impl = p[2]; size = p[3]; sub(/-[0-9]+$/, "", size)
  # The fastest of the runs (the machine may be busy); allocations do not vary.
  if (!((impl, size) in ns) || $3 < ns[impl, size]) ns[impl, size] = $3
  alloc[impl, size] = $7 " B, " $9 " allocs"
  if (!(size in seen)) { seen[size] = 1; order[++n] = size }
} END {
  print "| body | qontowebhooks (cgo), ns/op | crypto/hmac + hex + hmac.Equal, ns/op | stdlib time / ours |"
  print "|---|---|---|---|"
  for (i = 1; i <= n; i++) {
    s = order[i]; q = ns["qontowebhooks", s]; h = ns["crypto_hmac", s]
    printf "| %s | %d (%s) | %d (%s) | %.2fx |\n", s, q, alloc["qontowebhooks", s], h, alloc["crypto_hmac", s], h / q
  }
}' "$log"
