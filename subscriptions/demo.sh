#!/usr/bin/env bash
# Setting up a subscription and an onboarding endpoint against a local stand-in for Qonto:
# create / register (the secret is written to an owner-only file), list, a rotation (rotate,
# then rotate --finish), a rejected request, then verify webhooks with the stored secrets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build -q -p qonto-webhooks-subscriptions --all-features --examples
bin=target/debug/examples
tmp=$(mktemp -d)
export QONTO_ACCESS_TOKEN=demo-token QONTO_ONBOARDING_TOKEN=demo-token QONTO_PARTNER_ID=demo-partner
port=$(( 20000 + RANDOM % 20000 ))
"$bin/fake_qonto" "127.0.0.1:$port" 2>"$tmp/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do grep -q listening "$tmp/server.log" 2>/dev/null && break; sleep 0.1; done
api=(--base-url "http://127.0.0.1:$port")

echo "\$ qonto-webhooks subscriptions create --url https://example.com/webhooks/qonto --topic v1/transactions --generate-secret --secret-file secret.txt"
"$bin/subscriptions" create --url https://example.com/webhooks/qonto --topic v1/transactions \
  --generate-secret --secret-file "$tmp/secret.txt" "${api[@]}" >"$tmp/created.txt" 2>&1
sed "s|$tmp/||" "$tmp/created.txt"
id=$(awk '/^Created subscription/ {print $3}' "$tmp/created.txt")
echo
echo "\$ qonto-webhooks subscriptions list"
"$bin/subscriptions" list "${api[@]}"
echo
echo "\$ qonto-webhooks subscriptions rotate $id --secret-file new-secret.txt"
"$bin/subscriptions" rotate "$id" --secret-file "$tmp/new-secret.txt" "${api[@]}" 2>&1 | sed "s|$tmp/||"
echo
echo "\$ qonto-webhooks subscriptions rotate $id --finish </dev/null   # not a terminal: refused"
"$bin/subscriptions" rotate "$id" --finish "${api[@]}" </dev/null || echo "(exit $?)"
echo
echo "\$ qonto-webhooks subscriptions rotate $id --finish --yes"
"$bin/subscriptions" rotate "$id" --finish --yes "${api[@]}"
echo
echo "\$ qonto-webhooks subscriptions list"
"$bin/subscriptions" list "${api[@]}"
echo
echo "\$ qonto-webhooks subscriptions create --url http://example.com --topic v1/transactions"
"$bin/subscriptions" create --url http://example.com --topic v1/transactions "${api[@]}" || echo "(exit $?)"
echo
echo "\$ qonto-webhooks onboarding register --url https://example.com/webhooks/qonto-onboarding --generate-secret --secret-file onboarding-secret.txt"
"$bin/onboarding" register --url https://example.com/webhooks/qonto-onboarding \
  --generate-secret --secret-file "$tmp/onboarding-secret.txt" "${api[@]}" 2>&1 | sed "s|$tmp/||"
echo
echo "\$ qonto-webhooks onboarding list"
"$bin/onboarding" list "${api[@]}"
echo
echo "\$ qonto-webhooks onboarding register --url http://example.com/hook"
"$bin/onboarding" register --url http://example.com/hook "${api[@]}" || echo "(exit $?)"
echo
echo "\$ cargo run -p qonto-webhooks-subscriptions --example setup"
cargo run -q -p qonto-webhooks-subscriptions --all-features --example setup
echo
echo "\$ cargo run -p qonto-webhooks-subscriptions --example onboarding_setup"
cargo run -q -p qonto-webhooks-subscriptions --all-features --example onboarding_setup
