#!/usr/bin/env bash
# Installs qonto-webhooks as users do, from the npm artifacts in DISTDIR only (what dist.sh wrote),
# into fresh temporary projects outside the repository, offline, and checks each install:
#   1. main + platform package (TARGET's, linux-x64-gnu here, reached through the main package's
#      optionalDependencies): reports 'native', passes every vector and request case;
#   2. main alone (--omit=optional, as on a platform with no native package): reports 'js', passes
#      every vector and request case;
#   3. `npm install --os=darwin --cpu=arm64` (win32/ia32 on macOS arm64): resolves without error,
#      skips the platform package (and every unpublished one the main package names);
#   and in 1 and 2 every Node example of bindings-node/README.md and of the root README's Node
#   section runs (scripts/readme-examples.mjs).
# The vector files, the checks and the READMEs are copied into the projects; the package itself
# comes from the tarballs. express, typescript and redis (for the examples) come from this folder's
# node_modules (npm ci), as third-party code, never qonto-webhooks.
#
#     bindings-node/consumer-test.sh DISTDIR     (make dist writes dist/npm)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DISTDIR" >&2
  exit 2
fi
dist=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
eval "$(python3 "$root/.ci/platforms.py" env)"
version=$(node -p "require('$here/package.json').version")
main="$dist/qonto-webhooks-$version.tgz"
pkg="qonto-webhooks-$QW_NPM_PLATFORM"
platform="$dist/$pkg-$version.tgz"
if [ "$QW_NPM_PLATFORM" = darwin-arm64 ]; then foreign=(--os=win32 --cpu=ia32); else foreign=(--os=darwin --cpu=arm64); fi
for f in "$main" "$platform"; do
  [ -f "$f" ] || { echo "$f is missing: run bindings-node/dist.sh $1 first" >&2; exit 1; }
done
# The README's Redis example runs against a throw-away redis-server (readme-examples.mjs starts it).
QONTO_WEBHOOKS_REDIS_SERVER=$(bash "$root/.ci/redis.sh")
export QONTO_WEBHOOKS_REDIS_SERVER
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C "$root" node-modules

work=$(mktemp -d "${TMPDIR:-/tmp}/qonto-webhooks-consumer-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/data" "$work/checks"
cp "$root/testkit/vectors/vectors.json" "$root/testkit/vectors/requests.json" "$work/data/"
cp "$here/scripts/consumer-check.cjs" "$here/scripts/readme-examples.mjs" "$work/checks/"
cp "$here/README.md" "$work/checks/README.node.md"
# The root README's Node section (from '## Node' to the next '## ').
awk '/^## Node$/ { on = 1; print; next } /^## / { on = 0 } on' "$root/README.md" > "$work/checks/README.root-node.md"

# A fresh project: qonto-webhooks from the main tarball; the platform package's name resolved to
# its tarball (as a registry would), so that npm decides from its os/cpu/libc whether to install it.
project() {
  mkdir "$work/$1"
  cat > "$work/$1/package.json" <<JSON
{
  "name": "consumer-$1",
  "version": "1.0.0",
  "private": true,
  "dependencies": { "qonto-webhooks": "file:$main" },
  "overrides": { "$pkg": "file:$platform" }
}
JSON
}

# Runs with no QONTO_WEBHOOKS_IMPLEMENTATION: what the install chooses.
check() {
  local name=$1 wanted=$2
  (cd "$work/$name" &&
    env -u QONTO_WEBHOOKS_IMPLEMENTATION node "$work/checks/consumer-check.cjs" "$wanted" "$work/data" &&
    env -u QONTO_WEBHOOKS_IMPLEMENTATION node "$work/checks/readme-examples.mjs" --implementation "$wanted" --deps "$here" \
      "$work/checks/README.node.md" "$work/checks/README.root-node.md")
}

echo "== 1. main + platform package: native"
project native
(cd "$work/native" && npm install --offline --no-audit --no-fund --loglevel=error)
[ -f "$work/native/node_modules/$pkg/package.json" ] || { echo "the platform package was not installed" >&2; exit 1; }
check native native

echo "== 2. main package alone (--omit=optional): js"
project js
(cd "$work/js" && npm install --offline --omit=optional --no-audit --no-fund --loglevel=error)
[ ! -e "$work/js/node_modules/$pkg" ] || { echo "the platform package was installed" >&2; exit 1; }
check js js

echo "== 3. npm install ${foreign[*]}"
project foreign
(cd "$work/foreign" && npm install --offline "${foreign[@]}" --no-audit --no-fund --loglevel=error)
[ -f "$work/foreign/node_modules/qonto-webhooks/package.json" ] || { echo "qonto-webhooks was not installed" >&2; exit 1; }
installed=$(compgen -G "$work/foreign/node_modules/qonto-webhooks-*" || true)
[ -z "$installed" ] || { echo "platform packages installed for ${foreign[*]}: $installed" >&2; exit 1; }
echo "resolved: qonto-webhooks only (no platform package)"

echo "consumer tests (npm): 3 installs passed"
