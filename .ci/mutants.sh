#!/usr/bin/env bash
# Mutation testing of the core and the C ABI (cargo-mutants): every mutant must be caught.
#
#     .ci/mutants.sh --full      every mutant (make mutants; about an hour on 2 cores); when none
#                                is missed, records HEAD in .ci/mutants-base: commit that file
#     .ci/mutants.sh --changed   only the lines changed since .ci/mutants-base (what CI runs)
#
# Exits non-zero on a missed mutant or one that hangs (a test must bound every loop). Mutants that
# cannot change behaviour are written out of the code or excluded in .cargo/mutants.toml, each
# with its reason. Installs cargo-mutants itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -n "${CARGO_TARGET_DIR-x}" ] || unset CARGO_TARGET_DIR   # cargo metadata refuses an empty one
.ci/cargo-tool.sh cargo-mutants 27.1.0
packages=(-p qonto-webhooks -p qonto-webhooks-c)
sources=(core/src bindings-c/src)

case "${1:-}" in
  --full)
    cargo mutants "${packages[@]}" --output target/mutants-full
    git rev-parse HEAD > .ci/mutants-base
    echo "no mutant missed: .ci/mutants-base is now $(cat .ci/mutants-base); commit it"
    ;;
  --changed)
    base=$(cat .ci/mutants-base)
    mkdir -p target
    git diff "$base" -- "${sources[@]}" > target/mutants-changed.diff
    if [ ! -s target/mutants-changed.diff ]; then
      echo "mutants: no change to ${sources[*]} since the last full run ($base)"
      exit 0
    fi
    echo "mutants: the lines of ${sources[*]} changed since $base"
    cargo mutants "${packages[@]}" --in-diff target/mutants-changed.diff \
      --output target/mutants-changed
    ;;
  *)
    echo "usage: .ci/mutants.sh --full | --changed" >&2
    exit 2
    ;;
esac
