//! Typed events: every documented topic's example parses, unknown topics and fields are kept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qonto_webhooks::events::{
    ConstructError, Event, ONBOARDING_EVENT_TYPES, OnboardingEvent, Topic,
};
use qonto_webhooks::{Verifier, sign, sign_onboarding};

fn envelope(topic: &str, data: &str) -> String {
    format!(
        r#"{{"id":"0196f5a2-7c3e-7b1a-9d4e-2f1c3a5b7d9e","subscription_id":"7f3c2a10-5b8e-4d2f-9a61-0c4e8b2d6f13","organization_id":"c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","membership_id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","type":"{topic}","created_at":"2025-03-02T09:00:00.123Z","data":{data}}}"#
    )
}

/// One example per documented topic, shaped from Qonto's samples.
fn examples() -> Vec<(Topic, String, Option<&'static str>)> {
    vec![
        (
            Topic::Transactions,
            envelope(
                "v1/transactions",
                r#"{"event":"transactions.created","id":"t1","amount":"12.50"}"#,
            ),
            Some("created"),
        ),
        (
            Topic::Accounts,
            envelope(
                "v1/accounts",
                r#"{"event":"created","id":"a1","iban":"FR76..."}"#,
            ),
            Some("created"),
        ),
        (
            Topic::Organizations,
            envelope("v1/organizations", r#"{"event":"suspended","id":"o1"}"#),
            Some("suspended"),
        ),
        (
            Topic::Memberships,
            envelope("v1/memberships", r#"{"event":"updated","id":"m1"}"#),
            Some("updated"),
        ),
        (
            Topic::ConsentRevocations,
            envelope(
                "v1/consent-revocations",
                r#"{"client_id":"c1","revoked_at":"2025-03-02T09:00:00Z"}"#,
            ),
            None,
        ),
        (
            Topic::Cards,
            envelope("v1/cards", r#"{"event":"cards.limits_updated","id":"k1"}"#),
            Some("limits_updated"),
        ),
        (
            Topic::PaymentLinks,
            envelope(
                "v1/payment-links",
                r#"{"event":"payment_links.created","id":"p1"}"#,
            ),
            Some("created"),
        ),
        (
            Topic::PaymentLinksConnections,
            envelope(
                "v1/payment-links-connections",
                r#"{"event":"connection_enabled"}"#,
            ),
            Some("connection_enabled"),
        ),
        (
            Topic::Beneficiaries,
            envelope("v1/beneficiaries", r#"{"event":"deleted","id":"b1"}"#),
            Some("deleted"),
        ),
        (
            Topic::ClientInvoices,
            envelope("v1/client-invoices", r#"{"id":"i1","status":"paid"}"#),
            None,
        ),
        (
            Topic::TerminalPayments,
            envelope(
                "v1/terminal-payments",
                r#"{"event":"refused","id":"tp1","failure_reason":"insufficient_funds"}"#,
            ),
            Some("refused"),
        ),
        (
            Topic::Clients,
            envelope("v1/clients", r#"{"event":"created","id":"cl1"}"#),
            Some("created"),
        ),
    ]
}

#[test]
fn every_documented_topic_parses() {
    let examples = examples();
    assert_eq!(examples.len(), Topic::DOCUMENTED.len());
    for (topic, body, action) in examples {
        let event: Event = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{topic}: {e}"));
        assert_eq!(event.topic, topic);
        assert!(Topic::DOCUMENTED.contains(&event.topic));
        assert_eq!(Topic::parse(topic.as_str()), topic);
        assert_eq!(event.data.action(), action, "{topic}");
        assert_eq!(event.created_at, "2025-03-02T09:00:00.123Z");
        // Serialising keeps every field.
        let back: serde_json::Value = serde_json::to_value(&event).unwrap();
        let orig: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(back, orig, "{topic}");
    }
}

#[test]
fn unknown_topics_and_fields_are_kept() {
    let body = envelope(
        "v1/products",
        r#"{"event":"created","id":"pr1","new":{"x":1}}"#,
    )
    .replacen(
        '{',
        r#"{"api_version":"2026-01",""#.trim_end_matches('"'),
        1,
    );
    let event: Event = serde_json::from_str(&body).unwrap();
    assert_eq!(event.topic, Topic::Unknown("v1/products".into()));
    assert_eq!(event.topic.as_str(), "v1/products");
    assert_eq!(event.extra["api_version"], "2026-01");
    assert_eq!(event.data.fields["new"]["x"], 1);
}

#[test]
fn construct_event_verifies_then_parses() {
    let body = envelope("v1/cards", r#"{"event":"cards.created","id":"k1"}"#);
    let header = sign("s3cret", body.as_bytes(), 1000).unwrap();
    let verifier = Verifier::new("s3cret").unwrap();
    let event = verifier
        .construct_event(body.as_bytes(), &*header, 1000)
        .unwrap();
    assert_eq!(event.topic, Topic::Cards);

    let err = verifier.construct_event(b"{}", &*header, 1000).unwrap_err();
    assert_eq!(err.code(), "signature_mismatch");
    assert!(matches!(err, ConstructError::Verification(_)));

    let not_an_event = b"[1,2,3]";
    let header = sign("s3cret", not_an_event, 1000).unwrap();
    let err = verifier
        .construct_event(not_an_event, &*header, 1000)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_payload");
}

#[test]
fn construct_onboarding_event() {
    let body = br#"{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}"#;
    let header = "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e";
    let event: OnboardingEvent = Verifier::new("secret_key")
        .unwrap()
        .construct_onboarding_event(body, header)
        .unwrap();
    assert_eq!(event.event_type, "registrations.pending");
    assert!(ONBOARDING_EVENT_TYPES.contains(&event.event_type.as_str()));
    assert_eq!(event.resource_type, "registration");
    let header = sign_onboarding("other", body).unwrap();
    assert!(
        Verifier::new("secret_key")
            .unwrap()
            .construct_onboarding_event(body, &*header)
            .is_err()
    );
}

#[test]
fn a_topic_displays_as_its_name() {
    for topic in Topic::DOCUMENTED {
        assert_eq!(topic.to_string(), topic.as_str());
    }
    assert_eq!(Topic::Cards.to_string(), "v1/cards");
}

#[test]
fn construct_errors_say_what_failed_and_keep_their_cause() {
    use std::error::Error as _;
    let verifier = Verifier::new("s3cret").unwrap();
    let body = br#"{"not":"an event"}"#;
    let header = sign("s3cret", body, 1_700_000_000).unwrap();
    let err = verifier
        .construct_event(body, &*header, 1_700_000_000)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_payload");
    assert!(
        err.to_string()
            .starts_with("the verified body is not a Qonto event: "),
        "{err}"
    );
    let cause = err.source().expect("the JSON error is the source");
    assert!(err.to_string().ends_with(&cause.to_string()), "{err}");

    let err = verifier
        .construct_event(body, &*header, 1_800_000_000)
        .unwrap_err();
    assert_eq!(err.code(), "timestamp_too_old");
    let cause = err.source().expect("the verification error is the source");
    assert_eq!(err.to_string(), cause.to_string());
    assert!(err.to_string().contains("s old"), "{err}");
}
