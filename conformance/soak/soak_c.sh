#!/usr/bin/env bash
# Builds and runs the C ABI soak (soak.c) against target/release/libqonto_webhooks.a.
#     bash conformance/soak/soak_c.sh [ITERATIONS] [--plant-leak]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C "$root" c-lib
mkdir -p "$root/target/conformance"
cc -O2 -Wall -Wextra -Werror -I"$root/include" "$root/conformance/soak/soak.c" \
  "$root/target/release/libqonto_webhooks.a" -lpthread -ldl -lm -o "$root/target/conformance/soak_c"
exec "$root/target/conformance/soak_c" "$@"
