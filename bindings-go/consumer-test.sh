#!/usr/bin/env bash
# The Go module as a user gets it: a new module in a fresh directory outside the repository
# requires the package from the release module proxy (bindings-go/dist.sh, dist/go) and nothing
# else, then builds and runs the shared vectors with CGO_ENABLED=1 (must report "native") and
# CGO_ENABLED=0 (must report "go"). Its module cache is fresh too.
#     bash bindings-go/consumer-test.sh [DIST]     (default: dist, after make dist)
# Run by `make test-consumers`, which puts the pinned Go on PATH.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v go >/dev/null || { echo "go is not on PATH: run this through make (make test-consumers puts the pinned Go there)" >&2; exit 1; }
dist=$(cd "${1:-$root/dist}" && pwd)
module=$(awk '/^module /{print $2}' "$root/bindings-go/go.mod")
version=$(head -1 "$dist/go/$module/@v/list")
work=$(mktemp -d "${TMPDIR:-/tmp}/qw-go-consumer.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/app"
cp "$root/bindings-go/consumer/main.go" "$work/app/main.go"
cp "$root/testkit/vectors/vectors.json" "$work/vectors.json"
cd "$work/app"
export GOPROXY="file://$dist/go" GOFLAGS=-mod=mod GOSUMDB=off GONOSUMDB="$module" GOTOOLCHAIN=local \
  GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod" GOCACHE="$work/gocache"
printf 'module example.com/consumer\n\ngo 1.22\n' >go.mod
echo "== go get $module@$version (GOPROXY=$GOPROXY)"
go get "$module@$version"
for cgo in 1 0; do
  expect=$([ "$cgo" = 1 ] && echo native || echo go)
  echo "== CGO_ENABLED=$cgo go build, then the vectors"
  CGO_ENABLED=$cgo go build -o "consumer-$cgo" .
  line=$("./consumer-$cgo" "$work/vectors.json")
  echo "$line"
  case "$line" in
    "implementation=$expect "*) ;;
    *) echo "expected implementation=$expect" >&2; exit 1 ;;
  esac
  echo "== CGO_ENABLED=$cgo go test $module (the module's own tests, from the module cache)"
  CGO_ENABLED=$cgo go test -count=1 "$module"
done
echo "== the Go consumer builds from dist/go alone, native and pure Go"
