#!/usr/bin/env bash
# Builds the Node addon (release, once) and runs every Node test twice: once with the native addon,
# once with the pure-JS fallback (QONTO_WEBHOOKS_IMPLEMENTATION=js): the shared vectors and request
# cases through the main and WebCrypto entries, the API, Express 5, the idempotency guard (its
# MemoryStore, and its RedisStore on a redis-server the tests start), worker_threads, npm pack +
# install, tsc --strict. The tests of the addon itself (native.test.mjs) are skipped, with the
# reason, in the second run.
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

# The idempotency tests start their own throw-away redis-server (never skipped): its path, from
# the repository's installer (Debian's package when it is missing).
QONTO_WEBHOOKS_REDIS_SERVER=$(bash ../.ci/redis.sh)
export QONTO_WEBHOOKS_REDIS_SERVER

for implementation in native js; do
  echo "== Node suite, implementation: $implementation"
  QONTO_WEBHOOKS_IMPLEMENTATION=$implementation node --test __test__/*.test.mjs
done
