#!/usr/bin/env bash
# Usage: bash bindings-python/dist.sh OUTDIR      (`make dist` writes dist/python)
#
# Builds every artifact PyPI would receive for the Python package into OUTDIR:
#   - the native abi3 wheels of TARGET (default: this machine; the flags per target come from
#     .ci/platforms.py): on Linux portable manylinux (maturin --zig --compatibility manylinux2014:
#     glibc 2.17 and later) or musllinux_1_2, checked with auditwheel. Two of them: the stable
#     ABI of 3.11+ (cp311-abi3), which pip prefers on 3.11 and later, and of 3.9+ (cp39-abi3)
#     for 3.9 and 3.10. The 3.11+ one is faster: its calls, keyword arguments included, take
#     CPython's vectorcall path, where the 3.9 stable ABI builds a tuple and a keyword dict for
#     every call (benches/RESULTS.md, Python);
#   - the sdist (maturin sdist: the crate, the core it depends on and the Python sources; it builds
#     from source wherever Rust is installed);
#   - the pure-Python wheel (py3-none-any, pure/pyproject.toml, flit-core): the same package and
#     version with only the standard-library implementation, which pip picks on every platform
#     without a compiled wheel.
# Each carries LICENSE-MIT, LICENSE-APACHE (copied from the repository root) and the README.
# The tools come from requirements-dist.txt, installed into the project's venv; nothing is
# downloaded at build time. Other platforms' native wheels are built by the release workflow on
# their own runners with this script (make dist TARGET=...).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash bindings-python/dist.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(python3 .ci/platforms.py env)"
export QW_WHEEL_GLOB

for f in LICENSE-MIT LICENSE-APACHE; do
  [ -f "$f" ] || { echo "dist.sh: $f is missing at the repository root" >&2; exit 1; }
done

venv=$(.ci/venv.sh bindings-python/requirements-dist.txt)
# maturin finds zig through `python -m ziglang`: the venv's python must come first.
export PATH="$venv/bin:$PATH"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# Beside pyproject.toml, where the default license-files globs find them (PEP 639 forbids
# paths outside the project directory). They stay there (ignored by git): removed at the end,
# they vanished under any maturin build running beside this one (make -j2 test) between its
# scan of the project and its read of them.
cp LICENSE-MIT LICENSE-APACHE bindings-python/

rm -f "$out"/qonto_webhooks-*
for abi in $QW_PY_ABIS; do
  echo "dist (python): native wheel for $QW_TARGET, the stable ABI of $abi" >&2
  # shellcheck disable=SC2086 # the flags are words
  maturin build --quiet --release $QW_MATURIN_FLAGS --target "$QW_TARGET" -i "$venv/bin/python" \
    --no-default-features --features "abi3-$abi" \
    -m bindings-python/Cargo.toml --out "$out" --target-dir target/dist-python
  # shellcheck disable=SC2086 # the glob expands here
  wheel=$(ls "$out"/qonto_webhooks-*-cp"${abi#py}"-abi3-$QW_WHEEL_GLOB)
  if [ -n "$QW_AUDITWHEEL" ]; then
    auditwheel show "$wheel" > "$stage/auditwheel.txt"
    grep -q "\"$QW_AUDITWHEEL\"" "$stage/auditwheel.txt" || {
      cat "$stage/auditwheel.txt" >&2
      echo "dist.sh: auditwheel does not find $wheel $QW_AUDITWHEEL compatible" >&2
      exit 1
    }
  fi
done

echo "dist (python): sdist" >&2
maturin sdist -m bindings-python/Cargo.toml --out "$out" >&2

echo "dist (python): pure-Python wheel" >&2
pkg=bindings-python/python/qonto_webhooks
mkdir "$stage/pure" "$stage/pure/qonto_webhooks"
cp bindings-python/pure/pyproject.toml bindings-python/README.md LICENSE-MIT LICENSE-APACHE \
  "$stage/pure/"
# The package's tracked sources (modules, the native stub, py.typed): the compiled module (or a
# stray build of it) never gets in; check_dist.py checks the same list.
git ls-files -z "$pkg" | grep -z -E '\.(py|pyi)$|/py\.typed$' | xargs -0 cp -t "$stage/pure/qonto_webhooks/"
python -m build --wheel --no-isolation --outdir "$out" "$stage/pure" > "$stage/build.log" 2>&1 || {
  cat "$stage/build.log" >&2
  exit 1
}

python bindings-python/check_dist.py "$out"
ls -l "$out" >&2
