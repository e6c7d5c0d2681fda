#!/usr/bin/env bash
# The cost of crossing the C ABI: verify a 256-byte business webhook through qw_verify (called
# through a C function pointer) vs the core's Rust API, in the same criterion runs. Prints a
# markdown table. Not run in CI. Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Three criterion runs; the table keeps each path's fastest (the machine may be busy).
for _ in 1 2 3; do
  cargo bench --quiet -p qonto-webhooks-c --bench abi -- --output-format bencher \
    --warm-up-time 1 --measurement-time 4 | tee -a "$log" >&2
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo
echo "Verify, 256-byte body, $cpu, $(date -u +%Y-%m-%d):"
echo
awk '/^test verify_256B\// {
  sub("verify_256B/", "", $2); gsub(",", "", $5)
  if (!($2 in ns) || $5 + 0 < ns[$2]) ns[$2] = $5 + 0
  runs[$2] = runs[$2] " " $5
}
/^interleaved verify_256B/ {
  if (!il || $4 + 0 < ilr) ilr = $4 + 0
  if (!il || $6 + 0 < ila) ila = $6 + 0
  il = 1
} END {
  print "| path | ns/verify (fastest of 3 runs) | the 3 runs |"
  print "|---|---|---|"
  printf "| Rust API (`Verifier::verify`) | %d |%s |\n", ns["rust"], runs["rust"]
  printf "| C ABI (`qw_verify`) | %d |%s |\n", ns["c_abi"], runs["c_abi"]
  printf "| C ABI minus Rust | %+d | |\n", ns["c_abi"] - ns["rust"]
  printf "\nInterleaved batches of 2000 calls (fastest batch of 3 x 300): Rust %.1f ns, C ABI %.1f ns, difference %+.1f ns.\n", ilr, ila, ila - ilr
}' "$log"
