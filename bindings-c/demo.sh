#!/usr/bin/env bash
# The C and C++ examples: a signed Qonto webhook accepted, then the usual rejects with their
# codes and messages. Works from any directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s c-lib
build="$root/target/bindings-c"
mkdir -p "$build"
libs=(-Ltarget/release -l:libqonto_webhooks.a -lpthread -ldl -lm)
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude bindings-c/examples/verify.c "${libs[@]}" \
  -o "$build/example_c"
g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude bindings-c/examples/verify.cpp \
  "${libs[@]}" -o "$build/example_cpp"
"$build/example_c"
"$build/example_cpp"
