# The two commands of the README: `make demo` (the main job) and `make test` (every test).
SHELL := /bin/bash

.PHONY: demo test test-rust

demo:
	cargo run --quiet --release -p qonto-webhooks-cli --example demo

test: test-rust

test-rust:
	cargo test --workspace
