#!/usr/bin/env bash
# The C ABI's tests: the committed header is what cbindgen generates, the Rust unit tests, then
# the C suite against the static and the shared library, under valgrind and under ASan, and the
# C++ wrapper's test. Installs what it needs (cbindgen) itself. Works from any directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build="$root/target/bindings-c"
mkdir -p "$build"
lib="$root/target/release"
step() { printf '\n== %s\n' "$*"; }

step "header: include/qonto_webhooks.h is what cbindgen 0.29.4 generates"
bindings-c/gen-header.sh "$build/qonto_webhooks.h"
if ! diff -u include/qonto_webhooks.h "$build/qonto_webhooks.h"; then
  echo "include/qonto_webhooks.h is stale: run bindings-c/gen-header.sh and commit it" >&2
  exit 1
fi
echo "up to date"

step "Rust unit tests"
cargo test --quiet -p qonto-webhooks-c

step "libqonto_webhooks (release)"
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s c-lib
ls "$lib"/libqonto_webhooks.a "$lib"/libqonto_webhooks.so

# The vectors as C data, generated from the JSON as it is now.
python3 bindings-c/tests/gen_vectors.py testkit/vectors/vectors.json testkit/vectors/requests.json \
  "$build/test_vectors.h"
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -Wno-overlength-strings -g -O1
  -Iinclude -I"$build")
static_libs=(-L"$lib" -l:libqonto_webhooks.a -lpthread -ldl -lm)

step "C suite, static library"
gcc "${cflags[@]}" bindings-c/tests/test_abi.c "${static_libs[@]}" -o "$build/test_abi"
"$build/test_abi"

step "C suite, shared library"
gcc "${cflags[@]}" bindings-c/tests/test_abi.c -L"$lib" -lqonto_webhooks -lpthread \
  -Wl,-rpath,"$lib" -o "$build/test_abi_shared"
"$build/test_abi_shared"

step "C suite under valgrind memcheck"
valgrind --quiet --leak-check=full --error-exitcode=1 "$build/test_abi"

step "C suite under AddressSanitizer"
gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer \
  bindings-c/tests/test_abi.c "${static_libs[@]}" -o "$build/test_abi_asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 "$build/test_abi_asan"

step "C++ wrapper test (include/qonto_webhooks.hpp)"
cxxflags=(-std=c++17 -Wall -Wextra -Wpedantic -Werror -Wno-overlength-strings -g -O1
  -Iinclude -I"$build")
g++ "${cxxflags[@]}" bindings-c/tests/test_wrapper.cpp "${static_libs[@]}" -o "$build/test_wrapper"
"$build/test_wrapper"
valgrind --quiet --leak-check=full --error-exitcode=1 "$build/test_wrapper" >/dev/null
echo "C++ test valgrind-clean"
g++ "${cxxflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer \
  bindings-c/tests/test_wrapper.cpp "${static_libs[@]}" -o "$build/test_wrapper_asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
  "$build/test_wrapper_asan" >/dev/null
echo "C++ test clean under AddressSanitizer"

step "examples compile with every warning as an error"
gcc "${cflags[@]}" bindings-c/examples/verify.c "${static_libs[@]}" -o "$build/example_c"
g++ "${cxxflags[@]}" bindings-c/examples/verify.cpp "${static_libs[@]}" -o "$build/example_cpp"
"$build/example_c" >/dev/null
"$build/example_cpp" >/dev/null
echo "ok"

step "qw_diagnose (C) and qonto_webhooks::diagnose (C++) print what the CLI's diagnose prints"
[ -n "${QW_FROM_MAKE:-}" ] || make -s cli
gcc "${cflags[@]}" bindings-c/tests/diagnose_cli.c "${static_libs[@]}" -o "$build/diagnose_cli"
g++ "${cxxflags[@]}" bindings-c/tests/diagnose_cli.cpp "${static_libs[@]}" -o "$build/diagnose_cli_cpp"
python3 bindings-c/tests/diagnose_agree.py "$root/target/release/qonto-webhooks diagnose" \
  "$build/diagnose_cli" "$build/diagnose_cli_cpp" "valgrind --quiet --leak-check=full --error-exitcode=1 $build/diagnose_cli"

step "bindings-c: all passed"
