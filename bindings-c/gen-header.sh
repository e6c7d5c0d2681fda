#!/usr/bin/env bash
# Usage: bindings-c/gen-header.sh [OUTPUT]
# Regenerates include/qonto_webhooks.h (or OUTPUT) from bindings-c/src/lib.rs with the pinned
# cbindgen, installing it first if needed. Without OUTPUT it also refreshes the Go module's copy,
# bindings-go/include/qonto_webhooks.h (the module compiles against its own copy).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/include/qonto_webhooks.h}
"$root/.ci/cargo-tool.sh" cbindgen 0.29.4
cd "$root"
cbindgen --quiet --config bindings-c/cbindgen.toml --crate qonto-webhooks-c --output "$out"
if [ $# -eq 0 ]; then cp "$out" "$root/bindings-go/include/qonto_webhooks.h"; fi
