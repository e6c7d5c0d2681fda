#!/usr/bin/env bash
# Usage: fuzz/minimize.sh [TARGET...]
# After fuzz/run.sh: minimizes each target's scratch corpus (fuzz/corpus-run/<target>) with
# `cargo fuzz cmin` and stores it as that target's committed seeds (fuzz/seeds/<target>), so the
# next run, CI's included, starts from the coverage this one reached. Commit fuzz/seeds after it.
set -euo pipefail
cd "$(dirname "$0")"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
for target in "${targets[@]}"; do
  corpus="corpus-run/$target"
  if [ ! -d "$corpus" ]; then
    echo "$target: no $corpus (run fuzz/run.sh first)" >&2
    exit 1
  fi
  cargo +nightly fuzz cmin "$target" "$corpus" >"corpus-run/$target.cmin.log" 2>&1
  rm -rf "seeds/$target"
  mkdir -p "seeds/$target"
  cp "$corpus"/* "seeds/$target"/
  echo "$target: $(find "seeds/$target" -type f | wc -l) inputs kept"
done
