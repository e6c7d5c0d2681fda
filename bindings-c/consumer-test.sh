#!/usr/bin/env bash
# The C/C++ SDK as a user gets it: the tarball bindings-c/dist.sh wrote to dist/c is unpacked in a
# fresh directory outside the repository, and consumers build against that prefix only:
#   1. plain cc with pkg-config (qonto_webhooks.pc: the shared library, run with only the prefix
#      on the loader path; qonto_webhooks-static.pc --static: the static one, no loader path);
#   2. a CMake project, find_package(qonto_webhooks CONFIG REQUIRED), the C suite static and
#      shared, and the C++ wrapper's test and example with -Wall -Wextra -Werror.
# Each runs the shared vectors and request cases (tests/test_abi.c, tests/test_wrapper.cpp).
# Installs cmake (apt, else PyPI into the project's venv) when it is missing.
#     bash bindings-c/consumer-test.sh [DIST]     (default: dist, after make dist)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$(cd "${1:-$root/dist}" && pwd)
tarballs=("$dist"/c/qonto-webhooks-c-*.tar.gz)
tarball=${tarballs[${#tarballs[@]}-1]}
work=$(mktemp -d "${TMPDIR:-/tmp}/qw-c-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

if ! command -v cmake >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >/dev/null) || true
fi
if ! command -v cmake >/dev/null; then
  PATH="$("$root/.ci/venv.sh" "$root/bindings-c/consumer/requirements.txt")/bin:$PATH"
fi
if ! command -v pkg-config >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config >/dev/null
fi

step "unpacking $(basename "$tarball") into a fresh prefix"
mkdir -p "$work/unpack"
tar -C "$work/unpack" -xzf "$tarball"
prefix=$(ls -d "$work"/unpack/*/)
prefix=${prefix%/}
ls "$prefix/lib" "$prefix/include"

# The consumer's own sources and test data: nothing else from the repository.
app="$work/app"
mkdir -p "$app"
cp "$root/bindings-c/tests/test_abi.c" "$root/bindings-c/tests/test_wrapper.cpp" \
  "$root/bindings-c/examples/verify.cpp" "$root/bindings-c/consumer/CMakeLists.txt" "$app/"
python3 "$root/bindings-c/tests/gen_vectors.py" "$root/testkit/vectors/vectors.json" \
  "$root/testkit/vectors/requests.json" "$app/test_vectors.h"
cd "$app"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
unset LD_LIBRARY_PATH

step "cc \$(pkg-config --cflags --libs qonto_webhooks): the shared library"
echo "pkg-config: $(pkg-config --cflags --libs qonto_webhooks)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -Wno-overlength-strings test_abi.c -I. \
  $(pkg-config --cflags --libs qonto_webhooks) -lpthread -o vectors_pc_shared
if ./vectors_pc_shared >/dev/null 2>&1; then
  echo "ran without the prefix on the loader path: it did not link the shared library" >&2
  exit 1
fi
LD_LIBRARY_PATH="$prefix/lib" ldd ./vectors_pc_shared | grep qonto_webhooks
LD_LIBRARY_PATH="$prefix/lib" ./vectors_pc_shared | tail -1

step "cc \$(pkg-config --static --cflags --libs qonto_webhooks-static): the static library"
echo "pkg-config: $(pkg-config --static --cflags --libs qonto_webhooks-static)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -Wno-overlength-strings test_abi.c -I. \
  $(pkg-config --static --cflags --libs qonto_webhooks-static) -o vectors_pc_static
if ldd ./vectors_pc_static | grep -q qonto_webhooks; then echo "linked the shared library" >&2; exit 1; fi
./vectors_pc_static | tail -1

step "CMake: find_package(qonto_webhooks CONFIG REQUIRED), C static and shared, C++ with -Werror"
cmake --version | head -1
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j 2 >/dev/null
build/vectors_static | tail -1
if build/vectors_shared >/dev/null 2>&1; then
  echo "vectors_shared ran without the prefix on the loader path" >&2
  exit 1
fi
LD_LIBRARY_PATH="$prefix/lib" build/vectors_shared | tail -1
build/wrapper_test | tail -1
build/wrapper_example >/dev/null
echo "C++ example ran"

step "the C and C++ consumers build from dist/c alone"
