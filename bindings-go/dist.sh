#!/usr/bin/env bash
# The Go module as a release would publish it: a file-system module proxy in OUTDIR (dist/go),
#   OUTDIR/<module path>/@v/list, vX.Y.Z.info, vX.Y.Z.mod, vX.Y.Z.zip
# the zip holding the module's committed files (git ls-files bindings-go) and the prebuilt
# lib/linux_amd64/libqonto_webhooks.a (release, built by bindings-c/dist.sh lib), every entry
# under <module>@vX.Y.Z/. A consumer needs nothing else:
#   GOPROXY=file://$PWD/dist/go GOSUMDB=off GOFLAGS=-mod=mod go get <module>@vX.Y.Z
#     bash bindings-go/dist.sh OUTDIR
# The module is released from the x86-64 Linux build (the only GOOS_GOARCH with a prebuilt
# library, .ci/platforms.py); with another TARGET there is nothing to write (every other platform
# builds the module's pure Go).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
eval "$(python3 "$root/.ci/platforms.py" env)"
export QW_GO_LIBDIR
if [ -z "$QW_GO_LIBDIR" ]; then
  echo "dist (go): no prebuilt library for $QW_TARGET (pure Go there); the module comes from the linux_amd64 build"
  exit 0
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
lib=$(bash "$root/bindings-c/dist.sh" lib | tail -1)
version=v$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "qonto-webhooks-c"))')
cmp -s "$root/include/qonto_webhooks.h" "$root/bindings-go/include/qonto_webhooks.h" ||
  { echo "bindings-go/include/qonto_webhooks.h is stale: run bindings-c/gen-header.sh" >&2; exit 1; }
cd "$root"
git ls-files -z bindings-go | python3 -c '
import datetime, json, os, sys, zipfile
out, version, lib = sys.argv[1], sys.argv[2], sys.argv[3]
files = [f for f in sys.stdin.read().split("\0") if f]
module = next(l.split()[1] for l in open("bindings-go/go.mod") if l.startswith("module "))
vdir = os.path.join(out, module, "@v")
os.makedirs(vdir, exist_ok=True)
entries = [(f[len("bindings-go/"):], f) for f in files if os.path.isfile(f)]
libdir = os.environ["QW_GO_LIBDIR"]
entries.append((f"lib/{libdir}/libqonto_webhooks.a", lib))
with zipfile.ZipFile(os.path.join(vdir, version + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for name, path in sorted(entries):
        info = zipfile.ZipInfo(f"{module}@{version}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(path, "rb") as f:
            z.writestr(info, f.read())
with open(os.path.join(vdir, version + ".mod"), "wb") as f, open("bindings-go/go.mod", "rb") as m:
    f.write(m.read())
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(os.path.join(vdir, version + ".info"), "w") as f:
    json.dump({"Version": version, "Time": now}, f)
with open(os.path.join(vdir, "list"), "w") as f:
    f.write(version + "\n")
print(os.path.join(vdir, version + ".zip"))
' "$out" "$version" "$lib"
