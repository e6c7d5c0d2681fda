#!/usr/bin/env bash
# Builds and runs the Go package's soak (examples/go/soak) with the project's pinned Go.
#     bash conformance/soak/soak_go.sh [ITERATIONS] [--plant-leak]
set -euo pipefail
# shellcheck source=../../bindings-go/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../bindings-go/env.sh"
cargo build --quiet --release -p qonto-webhooks-c --manifest-path "$root/Cargo.toml"
mkdir -p "$root/target/conformance"
(cd "$root/examples/go" && go build -o "$root/target/conformance/soak_go" ./soak)
exec "$root/target/conformance/soak_go" "$@"
