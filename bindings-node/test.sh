#!/usr/bin/env bash
# Runs every Node test twice: once with the native addon,
# once with the pure-JS fallback (QONTO_WEBHOOKS_IMPLEMENTATION=js): the shared vectors and request
# cases through the main and WebCrypto entries, the API, Express 5, the idempotency guard (its
# MemoryStore, and its RedisStore on a redis-server the tests start), worker_threads, npm pack +
# install, tsc --strict. The tests of the addon itself (native.test.mjs) are skipped, with the
# reason, in the second run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# The npm dependencies and the release addon (checks that the committed binding.js and
# binding.d.ts are what the build generates): the Makefile's rules, a no-op when up to date.
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C .. node-addon

# The idempotency tests start their own throw-away redis-server (never skipped): its path, from
# the repository's installer (Debian's package when it is missing).
QONTO_WEBHOOKS_REDIS_SERVER=$(bash ../.ci/redis.sh)
export QONTO_WEBHOOKS_REDIS_SERVER

for implementation in native js; do
  echo "== Node suite, implementation: $implementation"
  QONTO_WEBHOOKS_IMPLEMENTATION=$implementation node --test __test__/*.test.mjs
done
