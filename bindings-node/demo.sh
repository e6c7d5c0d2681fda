#!/usr/bin/env bash
# Runs the Node example end to end: a signed Qonto webhook accepted, then rejects with their codes.
# Builds the addon first if it is not there (./test.sh builds it too).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund --loglevel=error; fi
if ! ls ./*.node >/dev/null 2>&1; then npx napi build --platform --release --js binding.js --dts binding.d.ts; fi
node examples/demo.mjs
