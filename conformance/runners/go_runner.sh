#!/usr/bin/env bash
# The Go runner: builds conformance/go/runner with the project's pinned Go when its inputs changed,
# then prints one verdict per case. CGO_ENABLED=0 builds the pure-Go implementation; otherwise
# it is the native one (cgo over target/release/libqonto_webhooks.a).
#     [CGO_ENABLED=0] go_runner.sh CASES.json
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v go >/dev/null || { echo "go is not on PATH: run this through make (make test-conformance puts the pinned Go there)" >&2; exit 1; }
cgo=${CGO_ENABLED:-1}
export CGO_ENABLED=$cgo
exe="$root/target/conformance/go_runner_cgo$cgo"
mkdir -p "$root/target/conformance"
# Go's build cache makes this a no-op when nothing changed.
(cd "$root/conformance/go" && go build -o "$exe" ./runner)
exec "$exe" "$1"
