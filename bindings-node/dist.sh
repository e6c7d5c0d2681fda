#!/usr/bin/env bash
# Writes the npm artifacts of qonto-webhooks, as `npm pack` tarballs, into OUTDIR (`make dist`
# gives dist/npm), in the napi-rs layout:
#   qonto-webhooks-<version>.tgz                the main package: the JavaScript entries, the types,
#                                               the pure-JS fallback, and an optionalDependency on
#                                               each platform package below, at the same version
#   qonto-webhooks-<platform>-<version>.tgz     the native addon of one platform (linux-x64-gnu
#                                               here; `os`, `cpu`, `libc`: npm installs it only there)
# The platform packages' manifests come from napi-rs's own `napi create-npm-dirs` (the targets of
# package.json's `napi.targets`, the release targets of .ci/platforms.py). One run builds the
# platform package of TARGET (default: this machine); the main package names every platform, so
# each release runner's main tarball is the same. The main package works without any platform
# package (the pure-JS implementation).
#
#     [TARGET=<rust triple>] bindings-node/dist.sh OUTDIR   # npm ci, release build of the addon, pack
#     bindings-node/dist.sh OUTDIR --skip-build             # pack the addon already built here
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [--skip-build]" >&2
  exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
skip_build=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
eval "$(python3 "$root/.ci/platforms.py" env)"
cd "$here"

if [ "$skip_build" != "--skip-build" ]; then
  if [ "$QW_HOST_BUILD" = 1 ]; then
    # This machine's addon: the Makefile's rule (with the check of the committed binding.js).
    [ -n "${QW_FROM_MAKE:-}" ] || make -s -C "$root" node-addon
  else
    # Another platform's target builds into its own folder.
    [ -n "${QW_FROM_MAKE:-}" ] || make -s -C "$root" node-modules
    npx napi build --platform --release --target "$QW_TARGET" --js binding.js --dts binding.d.ts
  fi
fi
node scripts/rules-cjs.mjs --check

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The platform packages: napi-rs writes their package.json (name, os, cpu, libc, main, files).
cp package.json "$stage/package.json"
npx napi create-npm-dirs --cwd "$stage" --npm-dir "$stage/npm" >/dev/null 2>"$stage/napi.log" || { cat "$stage/napi.log" >&2; exit 1; }
platforms=()
manifests=()
for dir in "$stage"/npm/*/; do
  dir=${dir%/}
  manifests+=("$dir/package.json")
  # Only this run's platform is packed; the others come from their own runners.
  [ "$(basename "$dir")" = "$QW_NPM_PLATFORM" ] || continue
  node scripts/dist-manifest.mjs platform "$dir/package.json" package.json
  addon=$(node -p "require('$dir/package.json').main")
  if [ ! -f "$addon" ]; then
    echo "$addon is missing: build it (npx napi build --platform --release) or run without --skip-build" >&2
    exit 1
  fi
  cp "$addon" "$dir/"
  cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$dir/"
  node scripts/dist-manifest.mjs platform-readme "$dir/package.json" package.json > "$dir/README.md"
  platforms+=("$dir")
done

# The main package: what `npm pack` of this folder holds (package.json `files`, no addon), with
# the licenses, and a manifest without the development fields plus the optionalDependencies.
npm pack --silent --pack-destination "$stage" >/dev/null
mkdir "$stage/main"
tar -xzf "$stage"/qonto-webhooks-*.tgz -C "$stage/main" --strip-components=1
rm "$stage"/qonto-webhooks-*.tgz
if ls "$stage/main"/*.node >/dev/null 2>&1; then
  echo "the main package must not carry a native addon" >&2
  exit 1
fi
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/main/"
[ ${#platforms[@]} = 1 ] || { echo "no platform package $QW_NPM_PLATFORM among package.json's napi.targets" >&2; exit 1; }
node scripts/dist-manifest.mjs main "$stage/main/package.json" package.json "${manifests[@]}"

rm -f "$out"/qonto-webhooks-*.tgz
for dir in "$stage/main" "${platforms[@]}"; do
  (cd "$dir" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls -1 "$out"/qonto-webhooks-*.tgz
