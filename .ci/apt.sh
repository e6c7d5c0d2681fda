#!/usr/bin/env bash
# Usage: .ci/apt.sh COMMAND [DEBIAN_PACKAGE]
# Makes sure COMMAND is installed (from the Debian package of that name unless another is given,
# on first use; root and apt-get needed then) and prints its path.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: .ci/apt.sh COMMAND [DEBIAN_PACKAGE]" >&2; exit 2; fi
cmd=$1 pkg=${2:-$1}
if ! command -v "$cmd" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    {
      flock 9
      if ! command -v "$cmd" >/dev/null 2>&1; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2
      fi
    } 9>/tmp/.qonto-webhooks-apt.lock
  else
    echo "$cmd is not installed: install it (Debian/Ubuntu: apt-get install $pkg)" >&2
    exit 1
  fi
fi
command -v "$cmd"
