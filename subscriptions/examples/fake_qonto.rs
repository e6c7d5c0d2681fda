//! A local stand-in for Qonto's webhook subscription API, to try the client and the
//! `subscriptions` command without a Qonto account:
//!
//! ```text
//! cargo run -p qonto-webhooks-subscriptions --example fake_qonto -- 127.0.0.1:8787
//! ```
//!
//! It accepts the token in `QONTO_ACCESS_TOKEN` (default `test-token`), behaves as the API is
//! documented (201/200/401/404/422, pagination meta) and logs one line per request. It also
//! stands in for the onboarding API's `/register/webhooks`, with the same token and the partner
//! id in `QONTO_PARTNER_ID` (default `test-partner`).

use qonto_webhooks_testkit::fake_qonto;

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8787".to_owned());
    let token = std::env::var("QONTO_ACCESS_TOKEN").unwrap_or_else(|_| "test-token".to_owned());
    let partner_id =
        std::env::var("QONTO_PARTNER_ID").unwrap_or_else(|_| "test-partner".to_owned());
    let server = fake_qonto::FakeQonto::start_on(&addr, &token, true);
    server.require_partner_id(&partner_id);
    eprintln!(
        "fake-qonto: listening on {} (Authorization: Bearer <the token in QONTO_ACCESS_TOKEN, default test-token>)",
        server.base_url
    );
    eprintln!(
        "fake-qonto: try `--base-url {}` with the subscriptions or onboarding command (Qonto-Partner-Id: the id in QONTO_PARTNER_ID, default test-partner); Ctrl-C to stop",
        server.base_url
    );
    server.wait();
}
