#!/usr/bin/env bash
# Usage: .ci/cargo-tool.sh CRATE VERSION [BINARY]
# Installs a pinned cargo tool unless that version is already on PATH.
set -euo pipefail
crate=$1 version=$2 bin=${3:-$1}
if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
# cargo subcommands print "cargo-fuzz 0.13.2" through `cargo fuzz --version`
sub=${bin#cargo-}
if [ "$sub" != "$bin" ] && cargo "$sub" --version 2>/dev/null | grep -q "$version"; then
  exit 0
fi
cargo install --locked --quiet "$crate" --version "$version"
