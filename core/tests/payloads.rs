//! The typed payloads (`Event::payload`, `Payload::from_body`) over every documented example
//! payload of `tests/data/events/`, the generic fallback, the round trip and decimal exactness.
#![cfg(feature = "serde")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use qonto_webhooks::events::{Decimal, Event, Payload};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
struct Entry {
    file: String,
    scheme: String,
    #[serde(default)]
    action: Option<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/events")
}

/// The business fixtures: (file name, body, expected action).
fn business() -> Vec<(String, Vec<u8>, Option<String>)> {
    let text = std::fs::read_to_string(dir().join("manifest.json")).unwrap();
    let entries: Vec<Entry> = serde_json::from_str(&text).unwrap();
    let out: Vec<_> = entries
        .into_iter()
        .filter(|e| e.scheme == "business")
        .map(|e| {
            let body = std::fs::read(dir().join(&e.file)).unwrap();
            (e.file, body, e.action)
        })
        .collect();
    assert!(
        out.len() >= 22,
        "the manifest lists {} business fixtures",
        out.len()
    );
    out
}

/// The topics core/payloads.json describes, in its order.
fn described_topics() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads.json");
    let desc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    desc["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .collect()
}

/// The typed variants' `extra` (fields the model does not describe, and nulls).
fn extra(payload: &Payload) -> &Map<String, Value> {
    match payload {
        Payload::Transaction(d) => &d.extra,
        Payload::Account(d) => &d.extra,
        Payload::Organization(d) => &d.extra,
        Payload::Membership(d) => &d.extra,
        Payload::ConsentRevocation(d) => &d.extra,
        Payload::Card(d) => &d.extra,
        Payload::PaymentLink(d) => &d.extra,
        Payload::PaymentLinksConnection(d) => &d.extra,
        Payload::Beneficiary(d) => &d.extra,
        Payload::ClientInvoice(d) => &d.extra,
        Payload::TerminalPayment(d) => &d.extra,
        Payload::Client(d) => &d.extra,
        Payload::Product(d) => &d.extra,
        Payload::SepaDirectDebitMandate(d) => &d.extra,
        Payload::SepaDirectDebitCollection(d) => &d.extra,
        other => panic!("not a typed variant: {other:?}"),
    }
}

/// JSON values equal, numbers compared as decimals (`50.0` and `50` are equal).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Decimal::parse_number(&x.to_string())
            .unwrap()
            .value_eq(&Decimal::parse_number(&y.to_string()).unwrap()),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Both entry points: from the parsed event, and from the body's text.
fn payloads(body: &[u8]) -> [Payload; 2] {
    let event: Event = serde_json::from_slice(body).unwrap();
    [event.payload(), Payload::from_body(body).unwrap()]
}

#[test]
fn every_fixture_parses_into_its_typed_variant_with_every_field_described() {
    let topics = described_topics();
    assert_eq!(topics.len(), 15);
    assert_eq!(Payload::TOPICS.as_slice(), topics.as_slice());
    let mut seen = std::collections::BTreeSet::new();
    for (file, body, action) in business() {
        let event: Event = serde_json::from_slice(&body).unwrap();
        let topic = event.topic.as_str();
        for payload in payloads(&body) {
            if file.starts_with("synthetic-unknown-topic") {
                assert!(
                    matches!(payload, Payload::Unknown(_)),
                    "{file}: {payload:?}"
                );
                continue;
            }
            assert_eq!(payload.topic(), Some(topic), "{file}: {payload:?}");
            assert_eq!(payload.action(), action.as_deref(), "{file}");
            assert_eq!(payload.event(), event.data.event.as_deref(), "{file}");
            if !file.starts_with("synthetic-") {
                // Every field of Qonto's examples is described by core/payloads.json.
                assert!(
                    extra(&payload).is_empty(),
                    "{file}: undescribed {:?}",
                    extra(&payload)
                );
            }
            seen.insert(topic.to_owned());
        }
    }
    // Every described topic has at least one fixture.
    assert_eq!(seen.into_iter().collect::<Vec<_>>().len(), topics.len());
}

#[test]
fn every_fixture_round_trips_to_its_data() {
    for (file, body, _) in business() {
        let sent: Value = serde_json::from_slice(&body).unwrap();
        for payload in payloads(&body) {
            let text = serde_json::to_string(&payload).unwrap();
            let back: Value = serde_json::from_str(&text).unwrap();
            assert!(
                same(&back, &sent["data"]),
                "{file}: {back} != {}",
                sent["data"]
            );
        }
    }
}

#[test]
fn from_body_writes_numbers_back_with_their_digits() {
    let body = std::fs::read(dir().join("transactions-created.json")).unwrap();
    let text = serde_json::to_string(&Payload::from_body(&body).unwrap()).unwrap();
    for digits in [
        r#""amount":50.01"#,
        r#""local_amount":45.01"#,
        r#""settled_balance":100.02"#,
    ] {
        assert!(text.contains(digits), "{digits} not in {text}");
    }
    let body = std::fs::read(dir().join("transactions-created-string-amounts.json")).unwrap();
    let text = serde_json::to_string(&Payload::from_body(&body).unwrap()).unwrap();
    assert!(text.contains(r#""amount":"50.00""#), "{text}");
}

#[test]
fn fixtures_read_into_their_typed_fields() {
    let read = |file: &str| Payload::from_body(&std::fs::read(dir().join(file)).unwrap()).unwrap();

    let Payload::Transaction(tx) = read("transactions-updated-card.json") else {
        panic!()
    };
    assert_eq!(tx.amount.as_ref().unwrap().as_str(), "50");
    assert!(!tx.amount.as_ref().unwrap().is_json_string());
    assert_eq!(
        tx.bank_account.as_ref().unwrap().iban.as_deref(),
        Some("FR7616798000010000005663951")
    );
    assert_eq!(tx.card_last_digits.as_deref(), Some("7662"));
    assert_eq!(tx.attachment_ids.as_deref(), Some(&[][..]));

    let Payload::Transaction(tx) = read("transactions-created.json") else {
        panic!()
    };
    let transfer = tx.transfer.unwrap();
    assert_eq!(
        transfer.counterparty_bank_identifier_format.as_deref(),
        Some("bic")
    );

    let Payload::Account(account) = read("accounts-created.json") else {
        panic!()
    };
    assert_eq!(
        account.authorized_balance.unwrap().amount.unwrap().as_str(),
        "1000.00"
    );

    let Payload::Organization(org) = read("organizations-suspended.json") else {
        panic!()
    };
    assert_eq!(org.legal_share_capital.unwrap().as_str(), "100000");

    let Payload::Card(card) = read("cards-created.json") else {
        panic!()
    };
    assert_eq!(card.discarded_at.as_deref(), Some("2022-11-31"));
    assert_eq!(card.active_days.as_deref(), Some(&[1, 3, 5][..]));
    assert_eq!(card.exp_month.as_deref(), Some("3"));
    assert_eq!(card.payment_lifespan_limit.unwrap().as_str(), "42.00");
    assert_eq!(card.nfc_option, Some(true));

    let Payload::PaymentLink(link) = read("payment-links-created.json") else {
        panic!()
    };
    assert_eq!(link.amount.unwrap().value.unwrap().as_str(), "77052.50");
    assert_eq!(
        link.resource_metadata.unwrap()["invoice_number"],
        "H2025-343"
    );

    let Payload::ClientInvoice(invoice) = read("client-invoices-created.json") else {
        panic!()
    };
    assert_eq!(invoice.event, None);
    let item = &invoice.items.as_ref().unwrap()[0];
    assert_eq!(item.quantity.as_ref().unwrap().as_str(), "1.5");
    assert_eq!(
        item.unit_price
            .as_ref()
            .unwrap()
            .value
            .as_ref()
            .unwrap()
            .as_str(),
        "10.0"
    );
    let discount = item.discount.as_ref().unwrap();
    assert_eq!(discount.r#type.as_deref(), Some("percentage"));
    assert_eq!(
        invoice.created_at.as_deref(),
        Some("2022-03-04T17:58:30+02:00")
    );
    assert!(item.extra.is_empty() && discount.extra.is_empty());

    let Payload::TerminalPayment(payment) = read("terminal-payments-authorized.json") else {
        panic!()
    };
    // A JSON-encoded string in the webhook (an object in the REST API): kept as sent.
    assert_eq!(
        payment.metadata,
        Some(Value::String(r#"{"order_id": "zelty-order-456"}"#.into()))
    );
    assert_eq!(payment.tip_amount.unwrap().value.unwrap().as_str(), "1.00");

    let Payload::Client(client) = read("clients-created.json") else {
        panic!()
    };
    assert_eq!(client.r#type.as_deref(), Some("company"));
    assert_eq!(client.phone.unwrap().country_code.as_deref(), Some("+33"));
    assert_eq!(
        client.billing_address.unwrap().city.as_deref(),
        Some("Paris")
    );

    let Payload::Product(product) = read("products-created.json") else {
        panic!()
    };
    assert_eq!(product.vat_exemption_code.as_deref(), Some(""));
    assert_eq!(product.vat_rate.unwrap().as_str(), "0.20");
    assert_eq!(
        product.links.unwrap()[0].url.as_deref(),
        Some("https://www.example.com/product")
    );

    let Payload::SepaDirectDebitCollection(c) = read("sepa-direct-debit-collections-failed.json")
    else {
        panic!()
    };
    assert_eq!(c.status_reason.as_deref(), Some("insufficient_funds"));
    assert_eq!(c.collection_date.as_deref(), Some("2026-01-01"));

    let Payload::ConsentRevocation(r) = read("consent-revocations.json") else {
        panic!()
    };
    assert_eq!(
        (r.event, r.revoked_at.as_deref()),
        (None, Some("2025-01-01T10:00:00Z"))
    );
}

#[test]
fn an_unknown_topic_keeps_its_data_whole() {
    let body = std::fs::read(dir().join("synthetic-unknown-topic.json")).unwrap();
    let sent: Value = serde_json::from_slice(&body).unwrap();
    for payload in payloads(&body) {
        let Payload::Unknown(data) = &payload else {
            panic!("{payload:?}")
        };
        assert!(same(data, &sent["data"]));
        assert_eq!(payload.topic(), None);
        assert_eq!(payload.event(), Some("unknown_future_topic.created"));
        assert_eq!(payload.action(), Some("created"));
    }
}

#[test]
fn an_unknown_event_and_a_prefixed_one_are_kept() {
    let body = std::fs::read(dir().join("synthetic-unknown-event.json")).unwrap();
    for payload in payloads(&body) {
        let Payload::Card(card) = payload else {
            panic!()
        };
        assert_eq!(card.event.as_deref(), Some("frozen_for_review"));
        assert_eq!(card.action(), Some("frozen_for_review"));
        assert!(!qonto_webhooks::events::CardData::EVENTS.contains(&"frozen_for_review"));
        assert_eq!(card.status.as_deref(), Some("frozen"));
    }
    let body = std::fs::read(dir().join("synthetic-prefixed-event.json")).unwrap();
    for payload in payloads(&body) {
        let Payload::PaymentLink(link) = payload else {
            panic!()
        };
        assert_eq!(link.event.as_deref(), Some("payment_links.updated"));
        assert_eq!(link.action(), Some("updated"));
    }
}

fn transaction(data: &str) -> String {
    format!(
        r#"{{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"v1/transactions","created_at":"2025-01-24T10:55:00Z","data":{data}}}"#
    )
}

#[test]
fn decimals_are_exactly_what_was_sent() {
    // (JSON as sent, the decimal's text, sent as a string)
    let cases = [
        ("50.01", "50.01", false),
        (r#""50.00""#, "50.00", true),
        ("0.1", "0.1", false),
        ("77052.50", "77052.50", false),
        ("12345678901234.56", "12345678901234.56", false),
        (
            r#""12345678901234567890.123456789""#,
            "12345678901234567890.123456789",
            true,
        ),
        ("-0.5", "-0.5", false),
        ("1e2", "1e2", false),
    ];
    for (json, text, quoted) in cases {
        let body = transaction(&format!(r#"{{"amount":{json}}}"#));
        let expected = if quoted {
            Decimal::parse(text)
        } else {
            Decimal::parse_number(text)
        };
        let expected = expected.unwrap();

        // From the body's text: the digits as sent, written back as sent.
        let payload = Payload::from_body(body.as_bytes()).unwrap();
        let Payload::Transaction(tx) = &payload else {
            panic!("{json}: {payload:?}")
        };
        assert_eq!(tx.amount.as_ref(), Some(&expected), "{json}");
        assert_eq!(
            serde_json::to_string(&payload).unwrap(),
            format!(r#"{{"amount":{json}}}"#)
        );

        // From the parsed event: the same decimal value (and the same kind).
        let event: Event = serde_json::from_str(&body).unwrap();
        let Payload::Transaction(tx) = event.payload() else {
            panic!("{json}")
        };
        let amount = tx.amount.unwrap();
        assert!(amount.value_eq(&expected), "{json}: {amount}");
        assert_eq!(amount.is_json_string(), quoted);
    }
    // Beyond a float's digits, only the body's text keeps them all.
    let body = transaction(r#"{"amount":12345678901234567.891}"#);
    let Payload::Transaction(tx) = Payload::from_body(body.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(tx.amount.unwrap().as_str(), "12345678901234567.891");
}

#[test]
fn decimal_parse_and_value_eq() {
    for good in ["0", "-0.5", "12.50", "1E+2", "1e-3", "007.10"] {
        assert_eq!(Decimal::parse(good).unwrap().as_str(), good);
        assert_eq!(good.parse::<Decimal>().unwrap().as_str(), good);
    }
    for bad in [
        "", "-", "1.", ".5", "1e", "1e+", "abc", "1,5", "NaN", "Infinity", " 1", "+1", "0x10",
    ] {
        assert!(Decimal::parse(bad).is_err(), "{bad:?}");
        assert!(Decimal::parse_number(bad).is_err(), "{bad:?}");
    }
    let v = |t: &str| Decimal::parse(t).unwrap();
    assert!(v("50").value_eq(&v("50.00")));
    assert!(v("5e1").value_eq(&v("50.0")));
    assert!(v("0.00").value_eq(&v("-0")));
    assert!(v("0.1").value_eq(&v("1e-1")));
    assert!(!v("50.01").value_eq(&v("50.1")));
    assert!(!v("-1").value_eq(&v("1")));
    assert_ne!(v("50.0"), v("50.00"));
    assert_ne!(
        Decimal::parse("1").unwrap(),
        Decimal::parse_number("1").unwrap()
    );
    // A decimal field sent as something else does not fit: the data stays whole.
    for data in [
        r#"{"amount":"12,50"}"#,
        r#"{"amount":true}"#,
        r#"{"amount":{"value":"1"}}"#,
    ] {
        let body = transaction(data);
        let expected: Value = serde_json::from_str(data).unwrap();
        for payload in payloads(body.as_bytes()) {
            assert_eq!(payload, Payload::Unknown(expected.clone()), "{data}");
        }
    }
}

#[test]
fn nulls_and_undescribed_fields_are_kept() {
    let data = r#"{"event":"updated","reference":null,"amount":null,"bank_account":{"iban":null,"x":1},"new":[1,"a"]}"#;
    let body = transaction(data);
    let sent: Value = serde_json::from_str(data).unwrap();
    for payload in payloads(body.as_bytes()) {
        let Payload::Transaction(tx) = &payload else {
            panic!()
        };
        assert_eq!((&tx.reference, &tx.amount), (&None, &None));
        assert_eq!(tx.extra["reference"], Value::Null);
        assert_eq!(tx.extra["new"], serde_json::json!([1, "a"]));
        let account = tx.bank_account.as_ref().unwrap();
        assert_eq!(account.iban, None);
        assert_eq!(account.extra["x"], 1);
        let back: Value = serde_json::to_value(&payload).unwrap();
        assert_eq!(back, sent);

        // A field set after a null is written once, with its value.
        let mut tx = tx.clone();
        tx.reference = Some("INV-1".into());
        let back = serde_json::to_string(&tx).unwrap();
        assert_eq!(back.matches("\"reference\"").count(), 1, "{back}");
        assert!(back.contains(r#""reference":"INV-1""#), "{back}");
    }
}

#[test]
fn event_data_stays_as_it_was() {
    // The untyped API is unchanged: data.fields and action() still read the body as sent.
    let body = std::fs::read(dir().join("transactions-created.json")).unwrap();
    let event: Event = serde_json::from_slice(&body).unwrap();
    assert_eq!(event.data.action(), Some("created"));
    assert_eq!(event.data.fields["amount"], 50.01);
    let _ = event.payload();
    assert_eq!(
        event.data.fields["transaction_id"],
        "super-transaction-6576"
    );
}

#[test]
fn every_timestamp_of_the_fixtures_parses() {
    use qonto_webhooks::events::Timestamp;

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads.json");
    let desc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut count = 0;
    for (file, body, _) in business() {
        let sent: Value = serde_json::from_slice(&body).unwrap();
        Timestamp::parse(sent["created_at"].as_str().unwrap()).unwrap();
        let Some(topic) = desc["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == sent["type"])
        else {
            continue;
        };
        for field in topic["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            if field["type"] == "timestamp" && sent["data"].get(name).is_some() {
                let text = sent["data"][name].as_str().unwrap();
                assert!(Timestamp::parse(text).is_ok(), "{file}: {name} {text:?}");
                count += 1;
            }
        }
    }
    assert!(count >= 30, "{count} timestamps");
}

#[test]
fn timestamps_read_leniently_and_refuse_what_is_not_one() {
    use qonto_webhooks::events::Timestamp;

    let t = |s: &str| {
        let t = Timestamp::parse(s).unwrap();
        (t.unix_seconds, t.nanos, t.offset_minutes)
    };
    assert_eq!(t("1970-01-01T00:00:00Z"), (0, 0, 0));
    assert_eq!(t("2025-01-27T22:05:07.000Z"), (1_738_015_507, 0, 0));
    assert_eq!(
        t("2022-12-01T08:57:00.123Z"),
        (1_669_885_020, 123_000_000, 0)
    );
    assert_eq!(
        t("2026-03-02T09:00:00.123456+01:00"),
        (1_772_438_400, 123_456_000, 60)
    );
    assert_eq!(t("2022-03-04 17:58:30-02:30"), (1_646_425_710, 0, -150));
    assert_eq!(
        t("2024-02-29t23:59:59.9999999999z"),
        (1_709_251_199, 999_999_999, 0)
    );
    assert_eq!(t("1969-12-31T23:59:59Z"), (-1, 0, 0));
    for bad in [
        "",
        "2022-11-31T10:55:00Z",
        "2023-02-29T00:00:00Z",
        "2025-13-01T00:00:00Z",
        "2025-01-24T24:00:00Z",
        "2025-01-24T10:60:00Z",
        "2025-01-24T10:55:60Z",
        "2025-01-24T10:55:00",
        "2025-01-24T10:55:00+24:00",
        "2025-01-24T10:55:00+0100",
        "2025-01-24T10:55:00.Z",
        "2025-01-24",
        "2025-1-24T10:55:00Z",
        "2025-01-24X10:55:00Z",
        "+025-01-24T10:55:00Z",
        "2025-01-24T10:55:00Zjunk",
    ] {
        assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_onboarding_event_has_the_described_fields() {
    use qonto_webhooks::events::OnboardingEvent;

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads.json");
    let desc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let described: Vec<&str> = desc["onboarding"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let body = std::fs::read(dir().join("onboarding-registrations.pending.json")).unwrap();
    let event: OnboardingEvent = serde_json::from_slice(&body).unwrap();
    assert!(event.extra.is_empty());
    let value = serde_json::to_value(&event).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = described.clone();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected);
}
