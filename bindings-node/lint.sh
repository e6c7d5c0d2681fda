#!/usr/bin/env bash
# The Node package's lint (`make lint` calls it): ESLint over the package's own JavaScript
# (eslint.config.mjs says what and why), then `tsc --noEmit` over the public type declarations as
# the typed tests use them (__test__/typed: CommonJS and ESM, node16 and bundler resolution).
# The dependencies come from the committed lockfile (`npm ci`, through the Makefile's rule).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Under make (QW_FROM_MAKE), the recipe's prerequisites built it; alone, ask the Makefile.
[ -n "${QW_FROM_MAKE:-}" ] || make -s -C .. node-modules
npm run --silent lint
