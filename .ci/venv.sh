#!/usr/bin/env bash
# Usage: .ci/venv.sh REQUIREMENTS_FILE...
# Makes (once) the project's Python virtualenv at .venv and installs the given requirement files
# into it; re-installs only when a file changed. Prints the venv's path.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
python=${PYTHON:-python3}
# Scripts run side by side (make -j2) take the venv's lock to create it and to install into it.
mkdir -p "$venv"
if [ ! -x "$venv/bin/python" ]; then
  # shellcheck disable=SC2016 # expanded by the inner bash, from its arguments
  flock "$venv/.lock" bash -c '[ -x "$2/bin/python" ] || { "$1" -m venv "$2" && "$2/bin/python" -m pip install --quiet --upgrade pip; }' \
    _ "$python" "$venv" >&2
fi
for req in "$@"; do
  stamp="$venv/.stamp-$(printf '%s' "$req" | tr '/' '_')"
  sum=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    # A lock keeps two scripts running at once from installing into the venv together.
    flock "$venv/.lock" "$venv/bin/python" -m pip install --quiet -r "$req" >&2
    echo "$sum" > "$stamp"
  fi
done
echo "$venv"
