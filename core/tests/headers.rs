//! The `http` feature: every request case (`testkit/vectors/requests.json`) through
//! `Verifier::verify_headers` and `start_headers`, which read the two signature headers from an
//! `http::HeaderMap` and must agree with `verify_request` on their bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Window as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use qonto_webhooks::{
    BUSINESS_HEADER, ErrorKind, ONBOARDING_HEADER, Scheme, Schemes, Verified, Verifier, sign,
    sign_onboarding,
};

fn value(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).unwrap()
}

fn headers(business: Option<&[u8]>, onboarding: Option<&[u8]>) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Some(b) = business {
        map.insert(BUSINESS_HEADER, value(b));
    }
    if let Some(o) = onboarding {
        map.insert(ONBOARDING_HEADER, value(o));
    }
    map
}

/// `verify_headers` and `start_headers` (the body in 7-byte pieces), as (how, result).
fn both_ways(
    verifier: &Verifier,
    map: &HeaderMap,
    body: &[u8],
    now: u64,
) -> [(&'static str, Result<Verified, qonto_webhooks::Error>); 2] {
    let streamed = verifier.start_headers(map, now).and_then(|mut state| {
        for chunk in body.chunks(7) {
            state.update(chunk);
        }
        state.finish()
    });
    [
        ("verify_headers", verifier.verify_headers(map, body, now)),
        ("start_headers", streamed),
    ]
}

#[test]
fn every_request_case() {
    let cases = common::requests();
    assert!(cases.len() >= 20, "requests.json has {} cases", cases.len());
    let mut verified = 0;
    for c in &cases {
        let schemes = Schemes::from_name(&c.schemes).unwrap();
        let verifier = Verifier::with_secrets(&c.secrets)
            .unwrap()
            .with_tolerance(c.tolerance())
            .with_schemes(schemes);
        let body = c.body();
        let (b, o) = (
            c.business.as_deref().map(str::as_bytes),
            c.onboarding.as_deref().map(str::as_bytes),
        );
        let map = headers(b, o);
        let reference = verifier.verify_request(b, o, &body, c.now);
        for (how, result) in both_ways(&verifier, &map, &body, c.now) {
            match &result {
                Ok(v) => {
                    assert_eq!(c.expect, "ok", "{} ({how}): verified", c.name);
                    assert_eq!(Some(v.scheme.as_str()), c.scheme.as_deref(), "{}", c.name);
                    assert_eq!(Some(v.secret_index), c.secret_index, "{}", c.name);
                    verified += 1;
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
            assert_eq!(
                result.as_ref().map_err(ToString::to_string),
                reference.as_ref().map_err(ToString::to_string),
                "{} ({how}) differs from verify_request",
                c.name
            );
        }
    }
    assert!(verified >= 2 * 8, "only {verified} verified");
}

#[test]
fn names_are_case_insensitive() {
    let body = br#"{"id":"e1"}"#;
    let header = sign("s", body, 1_700_000_000).unwrap();
    let verifier = Verifier::new("s").unwrap();
    for name in [
        "X-Qonto-Signature",
        "x-qonto-signature",
        "X-QONTO-SIGNATURE",
    ] {
        let mut map = HeaderMap::new();
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value(header.as_bytes()),
        );
        for (how, result) in both_ways(&verifier, &map, body, 1_700_000_000) {
            assert_eq!(result.unwrap().scheme, Scheme::Business, "{name} ({how})");
        }
    }
}

#[test]
fn a_repeated_header_counts_by_its_first_value() {
    let body = br#"{"id":"e1"}"#;
    let good = sign("s", body, 1_700_000_000).unwrap();
    let verifier = Verifier::new("s").unwrap();

    let mut map = HeaderMap::new();
    map.append(BUSINESS_HEADER, value(good.as_bytes()));
    map.append(BUSINESS_HEADER, value(b"t=1,v1=garbage"));
    for (how, result) in both_ways(&verifier, &map, body, 1_700_000_000) {
        assert_eq!(result.unwrap().timestamp, Some(1_700_000_000), "{how}");
    }

    let mut map = HeaderMap::new();
    map.append(BUSINESS_HEADER, value(b"t=1,v1=garbage"));
    map.append(BUSINESS_HEADER, value(good.as_bytes()));
    for (how, result) in both_ways(&verifier, &map, body, 1_700_000_000) {
        assert_eq!(
            result.unwrap_err().kind(),
            ErrorKind::MalformedHeader,
            "{how}"
        );
    }

    // Onboarding too; and with both schemes, a blank first business value is a missing header.
    let onboarding = sign_onboarding("s", body).unwrap();
    let both = Verifier::new("s").unwrap().with_schemes(Schemes::Both);
    let mut map = HeaderMap::new();
    map.append(BUSINESS_HEADER, value(b" "));
    map.append(BUSINESS_HEADER, value(good.as_bytes()));
    map.append(ONBOARDING_HEADER, value(onboarding.as_bytes()));
    map.append(ONBOARDING_HEADER, value(b"00"));
    for (how, result) in both_ways(&both, &map, body, 1_700_000_000) {
        assert_eq!(result.unwrap().scheme, Scheme::Onboarding, "{how}");
    }
}

/// The configuration, the business and the onboarding header.
type Case<'a> = (Schemes, Option<&'a [u8]>, Option<&'a [u8]>);

#[test]
fn a_value_that_is_not_visible_ascii_reaches_the_verifier_as_sent() {
    let body = br#"{"id":"e1"}"#;
    let good = sign("s", body, 1_700_000_000).unwrap();
    let onboarding = sign_onboarding("s", body).unwrap();
    // http allows obs-text (0x80..=0xFF) and tabs in a value: not UTF-8, still present.
    let latin1 = [good.as_bytes(), b"\xe9"].concat();
    let onboarding_80 = [onboarding.as_bytes(), b"\x80"].concat();
    let cases: [Case; 5] = [
        (Schemes::Business, Some(&latin1), None),
        (
            Schemes::Business,
            Some(b"\xff\xfe"),
            Some(onboarding.as_bytes()),
        ),
        (Schemes::Onboarding, None, Some(b"\xe9")),
        (Schemes::Both, Some(b"\t\xa0"), Some(onboarding.as_bytes())),
        (Schemes::Both, None, Some(&onboarding_80)),
    ];
    for (schemes, b, o) in cases {
        let verifier = Verifier::new("s").unwrap().with_schemes(schemes);
        let reference = verifier.verify_request(b, o, body, 1_700_000_000);
        let reference = reference.map_err(|e| e.kind());
        assert_eq!(
            reference,
            Err(ErrorKind::MalformedHeader),
            "{schemes} {b:?} {o:?}"
        );
        for (how, result) in both_ways(&verifier, &headers(b, o), body, 1_700_000_000) {
            assert_eq!(
                result.map_err(|e| e.kind()),
                reference,
                "{schemes} ({how}) {b:?} {o:?}"
            );
        }
    }
}

#[test]
fn no_header_at_all_is_missing_header_for_every_configuration() {
    for schemes in Schemes::ALL {
        let verifier = Verifier::new("s").unwrap().with_schemes(schemes);
        let mut map = HeaderMap::new();
        map.insert("content-type", value(b"application/json"));
        for (how, result) in both_ways(&verifier, &map, b"{}", 1_700_000_000) {
            assert_eq!(
                result.unwrap_err().kind(),
                ErrorKind::MissingHeader,
                "{schemes} ({how})"
            );
        }
    }
}
