#!/usr/bin/env bash
# Mutation testing of the core and the C ABI (cargo-mutants): every mutant must be caught.
#
#     .ci/mutants.sh --full [core|c]   every mutant of both crates (make mutants; about an hour on 2
#                                      cores) or of one; when none is missed, records HEAD for
#                                      that crate in .ci/mutants-base: commit that file
#     .ci/mutants.sh --changed         only the lines changed since each crate's recorded commit
#                                      (what CI runs)
#     .ci/mutants.sh --changed --record  the same, then records HEAD for each crate with no mutant
#                                      missed (every line since its last base is then covered)
#
# .ci/mutants-base holds one line per crate: `<name> <commit>`. Exits non-zero on a missed mutant
# or one that hangs (a test must bound every loop). Mutants that cannot change behaviour are
# written out of the code or excluded in .cargo/mutants.toml, each with its reason. Installs
# cargo-mutants itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -n "${CARGO_TARGET_DIR-x}" ] || unset CARGO_TARGET_DIR   # cargo metadata refuses an empty one
# Installed on first use only (compiling it takes minutes): a CI run with no changed line needs none.
tool() { .ci/cargo-tool.sh cargo-mutants 27.1.0 >/dev/null; }
declare -A package=([core]=qonto-webhooks [c]=qonto-webhooks-c)
declare -A source=([core]=core/src [c]=bindings-c/src)
names=(core c)

base_of() { awk -v n="$1" '$1 == n { print $2 }' .ci/mutants-base; }

record() { # NAME COMMIT: COMMIT is now that crate's base
  local tmp n
  tmp=$(mktemp)
  for n in "${names[@]}"; do
    if [ "$n" = "$1" ]; then echo "$n $2"; else echo "$n $(base_of "$n")"; fi
  done > "$tmp"
  mv "$tmp" .ci/mutants-base
}

case "${1:-}" in
  --full)
    if [ -n "${2:-}" ]; then
      [ -n "${package[$2]:-}" ] || { echo "usage: .ci/mutants.sh --full [core|c]" >&2; exit 2; }
      chosen=("$2")
    else
      chosen=("${names[@]}")
    fi
    args=()
    for n in "${chosen[@]}"; do
      args+=(-p "${package[$n]}")
      # cargo-mutants copies the working tree: it must be the commit recorded below.
      git diff --quiet HEAD -- "${source[$n]}" || { echo "${source[$n]} has uncommitted changes" >&2; exit 1; }
    done
    head=$(git rev-parse HEAD)
    tool
    cargo mutants "${args[@]}" --output "target/mutants-full"
    for n in "${chosen[@]}"; do record "$n" "$head"; done
    echo "no mutant missed: .ci/mutants-base is now:"; cat .ci/mutants-base
    echo "commit it"
    ;;
  --changed)
    [ -z "${2:-}" ] || [ "$2" = --record ] || { echo "usage: .ci/mutants.sh --changed [--record]" >&2; exit 2; }
    mkdir -p target
    head=$(git rev-parse HEAD)
    for n in "${names[@]}"; do
      base=$(base_of "$n")
      [ -n "$base" ] || { echo "no base for $n in .ci/mutants-base" >&2; exit 1; }
      diff="target/mutants-changed-$n.diff"
      git diff "$base" -- "${source[$n]}" > "$diff"
      if [ ! -s "$diff" ]; then
        echo "mutants: no change to ${source[$n]} since its last full run ($base)"
        continue
      fi
      echo "mutants: the lines of ${source[$n]} changed since $base"
      if [ "${2:-}" = --record ]; then
        git diff --quiet HEAD -- "${source[$n]}" || { echo "${source[$n]} has uncommitted changes" >&2; exit 1; }
      fi
      tool
      cargo mutants -p "${package[$n]}" --in-diff "$diff" --output "target/mutants-changed-$n"
      if [ "${2:-}" = --record ]; then record "$n" "$head"; echo "mutants: $n recorded at $head: commit .ci/mutants-base"; fi
    done
    ;;
  *)
    echo "usage: .ci/mutants.sh --full [core|c] | --changed" >&2
    exit 2
    ;;
esac
