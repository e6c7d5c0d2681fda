//! Every case in `testkit/vectors/requests.json`: which header a request is verified by is the
//! endpoint's configuration ([`Schemes`]), never the request's choice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Window as _;
use qonto_webhooks::{Schemes, Verifier};

#[test]
fn every_request_case() {
    let cases = common::requests();
    assert!(cases.len() >= 20, "requests.json has {} cases", cases.len());
    for c in &cases {
        let schemes = Schemes::from_name(&c.schemes)
            .unwrap_or_else(|| panic!("{}: unknown schemes {}", c.name, c.schemes));
        let verifier = Verifier::with_secrets(&c.secrets)
            .unwrap()
            .with_tolerance(c.tolerance())
            .with_schemes(schemes);
        let body = c.body();
        let (b, o) = (c.business.as_deref(), c.onboarding.as_deref());
        let one_shot =
            verifier.verify_request(b.map(str::as_bytes), o.map(str::as_bytes), &body, c.now);
        let streamed = verifier
            .start_request(b.map(str::as_bytes), o.map(str::as_bytes), c.now)
            .and_then(|mut state| {
                for chunk in body.chunks(7) {
                    state.update(chunk);
                }
                state.finish()
            });
        for (how, result) in [("verify_request", one_shot), ("start_request", streamed)] {
            match result {
                Ok(v) => {
                    assert_eq!(
                        c.expect, "ok",
                        "{} ({how}): verified, expected {}",
                        c.name, c.expect
                    );
                    assert_eq!(
                        Some(v.scheme.as_str()),
                        c.scheme.as_deref(),
                        "{} ({how})",
                        c.name
                    );
                    assert_eq!(Some(v.secret_index), c.secret_index, "{} ({how})", c.name);
                }
                Err(e) => {
                    assert_eq!(e.code(), c.expect, "{} ({how}): {e}", c.name);
                    if let Some(part) = &c.message_contains {
                        assert!(
                            e.to_string().contains(part.as_str()),
                            "{} ({how}): {e}",
                            c.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_verifier_accepts_business_only_unless_told_otherwise() {
    let verifier = Verifier::new("s").unwrap();
    assert_eq!(verifier.schemes(), Schemes::Business);
    assert_eq!(
        verifier.with_schemes(Schemes::Both).schemes(),
        Schemes::Both
    );
}
