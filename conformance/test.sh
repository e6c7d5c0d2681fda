#!/usr/bin/env bash
# The conformance suite: the cross-language differential (fixed seed), the RSS soaks of the Python
# and Node packages, the C ABI and the Go package (each also run with --plant-leak, which must
# fail), and the receivers tour.
# Run by `make test-conformance`, which builds what it runs first (the release binaries, the
# Python package into .venv, the Node addon, the C library) and puts the pinned Go on PATH.
#
#     make test-conformance
#
# The load comparison (conformance/load.py) is not part of it: it measures, it does not gate.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

py=.venv/bin/python
if ! "$py" -c 'import qonto_webhooks' 2>/dev/null; then
  echo "conformance: the Python package is not installed in .venv: run make test-conformance" >&2
  exit 1
fi
if ! QONTO_WEBHOOKS_IMPLEMENTATION=native node -e "require('./bindings-node')" 2>/dev/null; then
  echo "conformance: the Node addon is not built: run make test-conformance" >&2
  exit 1
fi

passed=0
failed=()
step() { # step NAME EXPECTED_STATUS(0|fail) COMMAND...
  local name=$1 expect=$2
  shift 2
  echo "== $name"
  "$@"
  local rc=$?
  if { [ "$expect" = 0 ] && [ "$rc" = 0 ]; } || { [ "$expect" = fail ] && [ "$rc" = 1 ]; }; then
    passed=$((passed + 1))
  else
    failed+=("$name (exit $rc)")
  fi
  echo
}

step "differential, seed 1, 2000 cases" 0 python3 conformance/differential.py --seed 1 --cases 2000
step "Python soak" 0 "$py" conformance/soak/soak.py
step "Python soak --plant-leak (must fail)" fail "$py" conformance/soak/soak.py 300000 --plant-leak
step "Python soak (pure Python)" 0 env QONTO_WEBHOOKS_IMPLEMENTATION=python "$py" conformance/soak/soak.py
step "Node soak" 0 node conformance/soak/soak.mjs
step "Node soak --plant-leak (must fail)" fail node conformance/soak/soak.mjs 100000 --plant-leak
step "Node soak (pure JS)" 0 env QONTO_WEBHOOKS_IMPLEMENTATION=js node conformance/soak/soak.mjs
step "C ABI soak" 0 bash conformance/soak/soak_c.sh
step "C ABI soak --plant-leak (must fail)" fail bash conformance/soak/soak_c.sh 300000 --plant-leak
step "Go soak" 0 bash conformance/soak/soak_go.sh
step "Go soak --plant-leak (must fail)" fail bash conformance/soak/soak_go.sh 300000 --plant-leak
step "receivers tour" 0 python3 examples/tour.py
step "HTTP vocabulary: the same bad requests to every receiver" 0 python3 conformance/http_vocabulary.py

for f in "${failed[@]}"; do echo "FAILED: $f" >&2; done
echo "conformance: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" = 0 ]
