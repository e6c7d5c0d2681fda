#!/usr/bin/env bash
# Usage: .ci/redis.sh
# Makes sure a redis-server binary is installed (Debian's package, on first use) and prints its
# path. The tests that need Redis start their own throw-away server with it, on a free port,
# without persistence, and stop it when they end; nothing here starts a server.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    {
      flock 9
      if ! command -v redis-server >/dev/null 2>&1; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2
        # The package starts a system-wide server: the tests start their own.
        (service redis-server stop || systemctl stop redis-server || true) >/dev/null 2>&1
      fi
    } 9>/tmp/.qonto-webhooks-redis-install.lock
  else
    echo "redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server)" >&2
    exit 1
  fi
fi
command -v redis-server
