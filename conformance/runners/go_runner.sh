#!/usr/bin/env bash
# The Go runner: builds examples/go/runner with the project's pinned Go when its inputs changed,
# then prints one verdict per case. CGO_ENABLED=0 builds the pure-Go implementation; otherwise
# it is the native one (cgo over target/release/libqonto_webhooks.a).
#     [CGO_ENABLED=0] go_runner.sh CASES.json
set -euo pipefail
# shellcheck source=../../bindings-go/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../bindings-go/env.sh"
cgo=${CGO_ENABLED:-1}
export CGO_ENABLED=$cgo
exe="$root/target/conformance/go_runner_cgo$cgo"
if [ ! -x "$exe" ] || [ -n "$(find "$root/examples/go" "$root/bindings-go" "$root/target/release/libqonto_webhooks.a" \
    -newer "$exe" \( -name '*.go' -o -name go.mod -o -name '*.a' \) -print -quit)" ]; then
  (cd "$root/examples/go" && go build -o "$exe" ./runner)
fi
exec "$exe" "$1"
