#!/usr/bin/env bash
# Usage: bash bindings-python/consumer-test.sh DISTDIR      (DISTDIR: what dist.sh wrote)
#
# Installs the Python package from DISTDIR only, as users do, into fresh virtualenvs in a
# temporary directory outside the repository (which the installs never see):
#   1. `pip install --no-index --find-links DIST qonto-webhooks` picks the native wheel (TARGET's,
#      .ci/platforms.py; the manylinux one here) of the stable ABI of 3.11+ on Python 3.11 and
#      later (of 3.9+ before); it reports `native`, passes the shared vectors and request cases
#      with both implementations, and refuses QONTO_WEBHOOKS_IMPLEMENTATION=js by name; the other
#      native wheel (3.9+ on 3.11), installed by its file name, passes the vectors too;
#   2. pip resolving for the platforms without a native wheel (musl aarch64, Windows arm64, and
#      macOS arm64 and Windows x64 where TARGET is another) picks the pure wheel;
#   3. that pure wheel, installed alone, reports `python`, passes the vectors, and fails
#      QONTO_WEBHOOKS_IMPLEMENTATION=native with an ImportError that says why;
#   4. every python block of the package's README (as the installed package carries it) and of
#      the repository's README runs in both installs (Flask and FastAPI from PyPI, pinned in
#      consumer/requirements.txt);
#   5. with SDIST=1, the sdist builds from source (Rust needed) in a fresh venv and reports
#      `native` (minutes: a release build of the extension).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash bindings-python/consumer-test.sh DISTDIR" >&2; exit 2; }
dist=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
python=${PYTHON:-python3}

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n1)
# QW_PY_ABI: the wheel pip should pick for $python.
eval "$("$python" "$repo/.ci/platforms.py" env)"
# shellcheck disable=SC2086 # the glob expands here
wheel39=$(ls "$dist"/qonto_webhooks-"$version"-cp39-abi3-$QW_WHEEL_GLOB 2>/dev/null || echo "$dist/qonto_webhooks-$version-cp39-abi3-$QW_WHEEL_GLOB")
# shellcheck disable=SC2086 # the glob expands here
wheel311=$(ls "$dist"/qonto_webhooks-"$version"-cp311-abi3-$QW_WHEEL_GLOB 2>/dev/null || echo "$dist/qonto_webhooks-$version-cp311-abi3-$QW_WHEEL_GLOB")
pure_wheel="$dist/qonto_webhooks-$version-py3-none-any.whl"
sdist="$dist/qonto_webhooks-$version.tar.gz"
for f in "$wheel39" "$wheel311" "$pure_wheel" "$sdist"; do
  [ -f "$f" ] || { echo "consumer-test: $f is missing: run bindings-python/dist.sh first" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# What the checks need, copied out: nothing below reads the repository.
cp "$repo/testkit/vectors/vectors.json" "$repo/testkit/vectors/requests.json" \
  "$here/consumer/check_vectors.py" "$here/consumer/readme_examples.py" \
  "$here/consumer/requirements.txt" "$work/"
cp "$repo/README.md" "$work/README-root.md"
cd "$work"
# No PYTHONPATH, no inherited choice of implementation, no virtualenv of the caller.
unset PYTHONPATH QONTO_WEBHOOKS_IMPLEMENTATION VIRTUAL_ENV REDIS_URL
export PIP_DISABLE_PIP_VERSION_CHECK=1

fail() { echo "consumer-test: $*" >&2; exit 1; }
step() { echo "== python consumer: $*" >&2; }

fresh_venv() {
  "$python" -m venv "$work/$1"
  echo "$work/$1/bin/python"
}

step "pip install --no-index --find-links DIST qonto-webhooks"
py=$(fresh_venv native)
"$py" -m pip install --quiet --no-index --find-links "$dist" qonto-webhooks
installed=$("$py" -c 'import qonto_webhooks, os; print(os.listdir(os.path.dirname(qonto_webhooks.__file__)))')
case "$installed" in *_native.abi3.so* | *_native.pyd*) ;; *) fail "the native wheel was not installed: $installed" ;; esac
impl=$("$py" -c "import qonto_webhooks; print(qonto_webhooks.IMPLEMENTATION)")
[ "$impl" = native ] || fail "the native wheel reports $impl, not native"
# Which of the two native wheels pip chose: the WHEEL file of the installed distribution.
tag=$("$py" -c 'from importlib.metadata import distribution as d; print([l for l in d("qonto-webhooks").read_text("WHEEL").splitlines() if l.startswith("Tag:")][0])')
want="cp${QW_PY_ABI#py}-abi3"
case "$tag" in *"$want"*) ;; *) fail "pip installed the wheel of $tag, not the $want one" ;; esac
"$py" check_vectors.py vectors.json requests.json native
QONTO_WEBHOOKS_IMPLEMENTATION=python "$py" check_vectors.py vectors.json requests.json python
if QONTO_WEBHOOKS_IMPLEMENTATION=js "$py" -c "import qonto_webhooks" 2> err.txt; then
  fail "QONTO_WEBHOOKS_IMPLEMENTATION=js was accepted"
fi
grep -q "must be 'native' or 'python'" err.txt || { cat err.txt >&2; fail "no clear message for =js"; }

for platform in $QW_PURE_PIP_PLATFORMS; do
  step "pip download for $platform"
  rm -rf "dl-$platform"
  "$py" -m pip download --quiet --no-index --find-links "$dist" --only-binary=:all: \
    --platform "$platform" -d "dl-$platform" qonto-webhooks
  got=$(ls "dl-$platform")
  [ "$got" = "$(basename "$pure_wheel")" ] || fail "pip for $platform picked $got, not the pure wheel"
done

step "the other native wheel, installed by its file name"
other=$(fresh_venv other)
if [ "$want" = cp311-abi3 ]; then other_wheel=$wheel39; else other_wheel=$wheel311; fi
if "$other" -m pip install --quiet --no-index "$other_wheel" 2> err.txt; then
  impl=$("$other" -c "import qonto_webhooks; print(qonto_webhooks.IMPLEMENTATION)")
  [ "$impl" = native ] || fail "$(basename "$other_wheel") reports $impl, not native"
  "$other" check_vectors.py vectors.json requests.json native
else
  # The 3.11+ wheel on an older Python: pip must refuse it.
  [ "$want" = cp39-abi3 ] || { cat err.txt >&2; fail "$(basename "$other_wheel") did not install"; }
fi

step "the pure wheel installed alone"
pure=$(fresh_venv pure)
"$pure" -m pip install --quiet --no-index "$pure_wheel"
impl=$("$pure" -c "import qonto_webhooks; print(qonto_webhooks.IMPLEMENTATION)")
[ "$impl" = python ] || fail "the pure wheel reports $impl, not python"
"$pure" check_vectors.py vectors.json requests.json python
if QONTO_WEBHOOKS_IMPLEMENTATION=native "$pure" -c "import qonto_webhooks" 2> err.txt; then
  fail "QONTO_WEBHOOKS_IMPLEMENTATION=native imported without a native module"
fi
grep -q "ImportError: QONTO_WEBHOOKS_IMPLEMENTATION=native, but the native module" err.txt ||
  { cat err.txt >&2; fail "no clear ImportError for =native without the native module"; }

step "the READMEs' python examples, in both installs"
for venv_py in "$py" "$pure"; do
  "$venv_py" -m pip install --quiet -r requirements.txt
  "$venv_py" readme_examples.py --installed README-root.md
done

if [ "${SDIST:-0}" = 1 ]; then
  step "the sdist, built from source"
  src=$(fresh_venv sdist)
  "$src" -m pip install --quiet --no-binary qonto-webhooks --find-links "$dist" "$sdist"
  impl=$("$src" -c "import qonto_webhooks; print(qonto_webhooks.IMPLEMENTATION)")
  [ "$impl" = native ] || fail "the sdist build reports $impl, not native"
  "$src" check_vectors.py vectors.json requests.json native
fi
echo "python consumer tests: passed" >&2
