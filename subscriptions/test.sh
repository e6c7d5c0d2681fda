#!/usr/bin/env bash
# Every test of the subscriptions crate: the client and the `subscriptions` CLI command against a
# local stand-in for Qonto on 127.0.0.1 (nothing reaches the internet), unit tests, doc tests, and
# the setup examples (create or register -> store the secret -> verify a webhook).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo test -p qonto-webhooks-subscriptions --all-features
# The library alone (what depends on it without the CLI) must build too.
cargo check -q -p qonto-webhooks-subscriptions --lib
cargo run -q -p qonto-webhooks-subscriptions --all-features --example setup
cargo run -q -p qonto-webhooks-subscriptions --all-features --example onboarding_setup
