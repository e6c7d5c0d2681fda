#!/usr/bin/env bash
# Runs the Python example: really signed Qonto webhooks verified end to end through the package
# (builds and installs the release wheel into the project's venv first; cached after one build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=$(.ci/venv.sh bindings-python/requirements-dev.txt)
py="$venv/bin/python"
out=target/python-wheels/py39
mkdir -p "$out"
rm -f "$out"/qonto_webhooks-*.whl
"$venv/bin/maturin" build --release --quiet -i "$py" -m bindings-python/Cargo.toml --out "$out" \
  >/dev/null 2>&1 || "$venv/bin/maturin" build --release -i "$py" -m bindings-python/Cargo.toml --out "$out"
"$py" -m pip install --quiet --force-reinstall --no-deps "$out"/qonto_webhooks-*.whl
"$py" bindings-python/examples/demo.py
