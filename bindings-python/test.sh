#!/usr/bin/env bash
# Builds the Python package (one release wheel), installs it into the project's venv and runs
# every Python test: the shared vectors, errors, input types, Flask and FastAPI apps, threads,
# a fresh-venv install of the wheel, mypy --strict and stubtest. Works from a fresh clone.
# The suite runs once per implementation: the native module, then the pure-Python fallback
# (QONTO_WEBHOOKS_IMPLEMENTATION=python); IMPL=native or IMPL=python runs only one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=$(.ci/venv.sh bindings-python/requirements-dev.txt)
py="$venv/bin/python"

# One release build per run (the workspace's fat-LTO profile), reused by every test below.
# The default wheel is the one pip picks for this Python (the stable ABI of 3.11+ on 3.11 and
# later, else of 3.9+: .ci/platforms.py, or the Makefile's PY_ABI); ABI=py39 or ABI=py311 tests the
# other one.
default=${PY_ABI:-$("$py" .ci/platforms.py env | sed -n 's/^QW_PY_ABI=//p')}
abi=${ABI:-$default}
case "$abi" in
  py39 | py311) ;;
  *) echo "ABI must be py39 or py311" >&2; exit 2 ;;
esac
out=target/python-wheels/$abi
if [ "$abi" = "$default" ]; then
  # The default wheel: the Makefile's rule builds and installs it (a no-op when up to date).
  [ -n "${QW_FROM_MAKE:-}" ] || make -s python-package
else
  mkdir -p "$out"
  rm -f "$out"/qonto_webhooks-*.whl
  "$venv/bin/maturin" build --release --quiet -i "$py" --no-default-features --features "abi3-$abi" \
    -m bindings-python/Cargo.toml --out "$out"
  "$py" -m pip install --quiet --force-reinstall --no-deps "$out"/qonto_webhooks-*.whl
  # The next `make python-package` reinstalls the default wheel.
  rm -f "target/python-wheels/$default/.installed"
fi
wheel=$(ls "$out"/qonto_webhooks-*.whl)

cd bindings-python
case "${IMPL:-both}" in
  both) impls=(native python) ;;
  native|python) impls=("$IMPL") ;;
  *) echo "IMPL must be native, python or both" >&2; exit 2 ;;
esac
for impl in "${impls[@]}"; do
  echo "== Python tests, implementation: $impl" >&2
  QONTO_WEBHOOKS_IMPLEMENTATION=$impl QONTO_WEBHOOKS_WHEEL="$PWD/../$wheel" \
    "$py" -m pytest -q -p no:cacheprovider "$@"
done
