#!/usr/bin/env bash
# Builds the Node addon (release, once) and runs every Node test: the shared vectors through the
# native and WebCrypto entries, the API, Express 5, worker_threads, npm pack + install, tsc --strict.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

npm ci --no-audit --no-fund --loglevel=error
npx napi build --platform --release --js binding.js --dts binding.d.ts

# The generated loader and declarations are committed: they must match what the build made.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git diff --exit-code -- binding.js binding.d.ts || {
    echo "binding.js / binding.d.ts changed when rebuilt: commit the regenerated files" >&2
    exit 1
  }
fi

node --test __test__/*.test.mjs
