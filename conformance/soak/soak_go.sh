#!/usr/bin/env bash
# Builds and runs the Go package's soak (conformance/go/soak) with the project's pinned Go.
#     bash conformance/soak/soak_go.sh [ITERATIONS] [--plant-leak]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v go >/dev/null || { echo "go is not on PATH: run this through make (make test-conformance puts the pinned Go there)" >&2; exit 1; }
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C "$root" go-lib
mkdir -p "$root/target/conformance"
(cd "$root/conformance/go" && go build -o "$root/target/conformance/soak_go" ./soak)
exec "$root/target/conformance/soak_go" "$@"
