# The README's two commands: `make demo` (the main job) and `make test` (every test).
# Each binding's scripts install what they need (a venv, npm packages, Go) on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BINDINGS := bindings-python bindings-node bindings-c bindings-go
# The platform `make dist` builds for (a Rust triple of .ci/platform.py; empty: this machine).
TARGET ?=
export TARGET


.PHONY: lint lint-rust lint-msrv lint-shell lint-go lint-workflows mutants check-versions publish-crates dist dist-crates dist-python dist-c dist-go dist-npm test-consumers install fuzz-long help demo test test-rust test-subscriptions test-conformance tour $(addprefix test-,$(BINDINGS)) $(addprefix demo-,$(BINDINGS)) bench fuzz

help:
	@echo "make demo    verify real signed webhooks through every binding"
	@echo "make test    run every test (Rust, CLI, Python, Node, C, C++, Go)"
	@echo "make lint    formatting, clippy, the core's docs, the workflow files"
	@echo "make dist    every publishable artifact into dist/ (crates, Python, npm, C/C++ SDK, Go module);"
	@echo "             TARGET=<rust triple> for another release platform (python3 .ci/platform.py targets)"
	@echo "make test-consumers  install each artifact from dist/ alone, as a user would, and test it"
	@echo "make install PREFIX=...  the C/C++ SDK: libraries, headers, pkg-config, CMake package"
	@echo "make bench   run every benchmark (minutes; figures for the README)"
	@echo "make fuzz    run every fuzz target for 60 s"
	@echo "make fuzz-long  every target for 10 min, then keep the minimized corpora in fuzz/seeds"
	@echo "make mutants mutation testing of the core and the C ABI (about an hour; CI runs the changed lines)"

demo: demo-rust $(addprefix demo-,$(BINDINGS)) tour

demo-rust:
	cargo build --quiet --release -p qonto-webhooks-cli -p qonto-webhooks-examples
	target/release/demo

$(addprefix demo-,$(BINDINGS)): demo-%:
	@echo; echo "== $*"; bash $*/demo.sh

test: check-versions test-rust $(addprefix test-,$(BINDINGS)) test-subscriptions test-conformance test-consumers

test-subscriptions:
	bash subscriptions/test.sh

test-rust:
	cargo test --workspace

# One behaviour everywhere (the differential, fixed seed), no memory growth under load (soaks,
# each also run with a planted leak that must be caught), every receiver answering right (tour).
test-conformance:
	cargo build --quiet --release -p qonto-webhooks-cli -p qonto-webhooks-examples
	target/release/soak 1000000
	! target/release/soak 300000 --plant-leak > /dev/null
	bash conformance/test.sh

tour:
	@echo; echo "== the receivers tour: every stack's example endpoint against qonto-webhooks send"
	cargo build --quiet --release -p qonto-webhooks-cli -p qonto-webhooks-examples
	python3 examples/tour.py

$(addprefix test-,$(BINDINGS)): test-%:
	bash $*/test.sh

bench:
	bash benches/bench.sh
	for b in $(BINDINGS); do bash $$b/bench.sh; done

fuzz:
	bash fuzz/run.sh 60

# The long fuzzing campaign, by hand or on a schedule: every target for 10 minutes, then the
# corpora minimized into fuzz/seeds (commit them; every later run starts from them).
fuzz-long:
	bash fuzz/run.sh 600
	bash fuzz/minimize.sh

# Every linter, each installed by the project's scripts: Rust (formatting, clippy with warnings
# denied, the core's documentation, whose README is the front page, with broken links denied; a
# build of the published crates and the bindings at the declared rust-version), shell
# (shellcheck), Go (gofmt), the workflow files (actionlint) and the release platforms' table.
lint: lint-rust lint-msrv lint-shell lint-go lint-workflows

# The toolchain of `rust-version` in Cargo.toml (the Node addon declares its own: napi-rs needs more).
MSRV := $(shell sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)

lint-rust:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS=-Dwarnings cargo doc --quiet --no-deps -p qonto-webhooks --all-features

lint-msrv:
	rustup toolchain install $(MSRV) --profile minimal --no-self-update >/dev/null 2>&1 || rustup toolchain install $(MSRV) --profile minimal
	cargo +$(MSRV) check --quiet --all-features --target-dir target/msrv -p qonto-webhooks \
	  -p qonto-webhooks-cli -p qonto-webhooks-subscriptions -p qonto-webhooks-c -p qonto-webhooks-python

lint-shell:
	git ls-files -z '*.sh' .ci/run | xargs -0 "$$(.ci/apt.sh shellcheck)"

lint-go:
	@source bindings-go/env.sh && unformatted=$$(cd bindings-go && "$$(go env GOROOT)/bin/gofmt" -l . ../examples/go) && \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-ed: $$unformatted" >&2; exit 1; else echo "gofmt: clean"; fi

lint-workflows:
	"$$(.ci/venv.sh .ci/requirements-lint.txt)/bin/actionlint" .github/workflows/*.yml
	python3 .ci/platform.py check

# Every artifact a registry would receive, from a clean tree, into dist/ (ignored by git).
dist: dist-crates dist-python dist-c dist-go dist-npm

dist-crates:
	rm -rf dist/crates && mkdir -p dist/crates
	cargo package --quiet -p qonto-webhooks -p qonto-webhooks-subscriptions -p qonto-webhooks-cli
	cp target/package/qonto-webhooks-*.crate dist/crates/

dist-python:
	rm -rf dist/python && bash bindings-python/dist.sh dist/python

dist-c:
	rm -rf dist/c
	@eval "$$(python3 .ci/platform.py env)"; \
	if [ "$$QW_C_SDK" = 1 ]; then bash bindings-c/dist.sh tarball dist/c; \
	else echo "dist (c): no C/C++ SDK for $$QW_TARGET (.ci/platform.py)"; fi

dist-go:
	rm -rf dist/go && bash bindings-go/dist.sh dist/go

dist-npm:
	rm -rf dist/npm && bash bindings-node/dist.sh dist/npm

# Each artifact installed from dist/ alone into a fresh directory, and tested there. The Go module
# and the C/C++ SDK are released from the x86-64 Linux build only (.ci/platform.py).
test-consumers: dist
	@eval "$$(python3 .ci/platform.py env)"; \
	if [ -n "$$QW_GO_LIBDIR" ]; then \
	  bash bindings-go/consumer-test.sh dist && bash bindings-c/consumer-test.sh dist; \
	else echo "consumer tests: the Go module and the C SDK are tested on the x86-64 Linux build"; fi
	bash bindings-node/consumer-test.sh dist/npm
	bash bindings-python/consumer-test.sh dist/python

install:
	@test -n "$(PREFIX)" || { echo "usage: make install PREFIX=/usr/local" >&2; exit 2; }
	bash bindings-c/dist.sh install "$(PREFIX)"

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
