#!/usr/bin/env bash
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
# Builds every fuzz target (nightly, AddressSanitizer) and runs each for SECONDS (default 20),
# FUZZ_JOBS targets at a time (default: one per core),
# starting from the committed seeds plus seeds made from the current test vectors. Fails on any
# crash, leak, timeout or failed property; the failing input is left in fuzz/artifacts/<target>/.
# Extra libFuzzer flags can be passed in FUZZ_ARGS (e.g. FUZZ_ARGS="-jobs=2 -workers=2").
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
root=$(cd .. && pwd)
seconds=${1:-20}
shift || true

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
"$root/.ci/cargo-tool.sh" cargo-fuzz 0.13.2 cargo-fuzz

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

echo "== building ${#targets[@]} fuzz targets"
cargo +nightly fuzz build

# Scratch corpora: the committed seeds, plus seeds from the vectors as they are now (this also
# checks that the core and the fuzz reference agree with every vector).
scratch="$fuzz_dir/corpus-run"
fresh="$scratch/.from-vectors"
rm -rf "$scratch"
mkdir -p "$fresh"
cargo +nightly run --quiet --example make_seeds -- "$root/testkit/vectors/vectors.json" "$fresh"

# One target: its status in $scratch/<target>.status, its output in $scratch/<target>.log.
fuzz_one() {
  local target=$1 corpus="$scratch/$1" status=0
  mkdir -p "$corpus" "$fuzz_dir/artifacts/$target"
  for src in "$fuzz_dir/seeds/$target" "$fresh/$target"; do
    if [ -d "$src" ]; then cp "$src"/. "$corpus"/ -r; fi
  done
  echo "== $target: ${seconds}s from $(find "$corpus" -type f | wc -l) seeds"
  # shellcheck disable=SC2086
  cargo +nightly fuzz run "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 ${FUZZ_ARGS:-} \
    >"$scratch/$target.log" 2>&1 || status=$?
  echo "$status" >"$scratch/$target.status"
}

# libFuzzer runs on one core: FUZZ_JOBS targets at a time (default: one per core), each for the
# full SECONDS.
jobs=${FUZZ_JOBS:-$(nproc)}
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$target" &
done
wait

failed=()
for target in "${targets[@]}"; do
  if [ "$(cat "$scratch/$target.status")" = 0 ]; then
    echo "$target: $(grep -E '^(Done|stat::number_of_executed_units)' "$scratch/$target.log" | head -2 | tr '\n' ' ')"
  else
    echo "== $target FAILED:"
    tail -n 40 "$scratch/$target.log"
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]} (inputs in fuzz/artifacts/; reproduce with" \
    "cargo +nightly fuzz run <target> <artifact>)" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a failure"
