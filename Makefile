# The README's two commands: `make demo` (the main job) and `make test` (every test).
# Each binding's scripts install what they need (a venv, npm packages, Go) on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BINDINGS := bindings-python bindings-node bindings-c bindings-go

.PHONY: fuzz-long help demo test test-rust test-subscriptions test-conformance tour $(addprefix test-,$(BINDINGS)) $(addprefix demo-,$(BINDINGS)) bench fuzz

help:
	@echo "make demo    verify real signed webhooks through every binding"
	@echo "make test    run every test (Rust, CLI, Python, Node, C, C++, Go)"
	@echo "make bench   run every benchmark (minutes; figures for the README)"
	@echo "make fuzz    run every fuzz target for 60 s"
	@echo "make fuzz-long  every target for 10 min, then keep the minimized corpora in fuzz/seeds"

demo: demo-rust $(addprefix demo-,$(BINDINGS)) tour

demo-rust:
	cargo build --quiet --release -p qonto-webhooks-cli -p qonto-webhooks-examples
	target/release/demo

$(addprefix demo-,$(BINDINGS)): demo-%:
	@echo; echo "== $*"; bash $*/demo.sh

test: test-rust $(addprefix test-,$(BINDINGS)) test-subscriptions test-conformance

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
