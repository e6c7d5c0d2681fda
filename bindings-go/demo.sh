#!/usr/bin/env bash
# The Go demo: a net/http receiver behind the verifying middleware, fed signed webhooks.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
cargo build --quiet --release -p qonto-webhooks-c
cd bindings-go
go run ./examples/demo
