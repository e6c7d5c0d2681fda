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

/// A struct generated from core/payloads.json, seen through its JSON: the template every struct
/// shares (Deserialize, Serialize, `is_set`, `action`), so that each check below runs on all.
struct Generated {
    /// The Rust name: `TransactionData` for the topic `Transaction`, `BankAccount` for an object.
    name: &'static str,
    /// Reads JSON text as the struct and writes it back (or the error's message).
    round_trip: fn(&str) -> Result<String, String>,
    /// A topic's `action()` of the struct read from JSON text; `None` for an object.
    action: Option<fn(&str) -> Option<String>>,
    /// The keys of `extra` (fields not described, and nulls) of the struct read from JSON text.
    extra: fn(&str) -> Vec<String>,
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    text: &str,
) -> Result<String, String> {
    let value: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(serde_json::to_string(&value).unwrap())
}

macro_rules! generated {
    (topics: $($topic:ident),* ; objects: $($object:ident),* $(,)?) => {
        vec![
            $(Generated {
                name: stringify!($topic),
                round_trip: round_trip::<qonto_webhooks::events::$topic>,
                action: Some(|text| {
                    let data: qonto_webhooks::events::$topic = serde_json::from_str(text).unwrap();
                    data.action().map(str::to_owned)
                }),
                extra: |text| {
                    let data: qonto_webhooks::events::$topic = serde_json::from_str(text).unwrap();
                    data.extra.keys().cloned().collect()
                },
            },)*
            $(Generated {
                name: stringify!($object),
                round_trip: round_trip::<qonto_webhooks::events::$object>,
                action: None,
                extra: |text| {
                    let data: qonto_webhooks::events::$object = serde_json::from_str(text).unwrap();
                    data.extra.keys().cloned().collect()
                },
            },)*
        ]
    };
}

/// Every generated struct (the test below checks that this is every struct described).
fn generated() -> Vec<Generated> {
    generated!(
        topics: TransactionData, AccountData, OrganizationData, MembershipData,
            ConsentRevocationData, CardData, PaymentLinkData, PaymentLinksConnectionData,
            BeneficiaryData, ClientInvoiceData, TerminalPaymentData, ClientData, ProductData,
            SepaDirectDebitMandateData, SepaDirectDebitCollectionData;
        objects: Money, Balance, BankAccount, CounterpartyDetails, Phone, BillingAddress,
            ProductLink, InvoiceItemDiscount, InvoiceItem,
    )
}

/// What core/payloads.json describes of a struct.
struct Described {
    /// The Rust name.
    name: String,
    /// The visitor's `expecting` text.
    expecting: String,
    /// Whether it is a topic's data.
    topic: bool,
    /// Its fields: (JSON name, described type).
    fields: Vec<(String, String)>,
}

fn described_structs() -> Vec<Described> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads.json");
    let desc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let fields = |desc: &Value| -> Vec<(String, String)> {
        desc["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let name = f["name"].as_str().unwrap().to_owned();
                (name, f["type"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    let mut out = Vec::new();
    for topic in desc["topics"].as_array().unwrap() {
        // Every topic's data has `event` (a string), described or not.
        let mut topic_fields = vec![("event".to_owned(), "string".to_owned())];
        topic_fields.extend(fields(topic));
        out.push(Described {
            name: format!("{}Data", topic["name"].as_str().unwrap()),
            expecting: format!("the data of a {} event", topic["type"].as_str().unwrap()),
            topic: true,
            fields: topic_fields,
        });
    }
    for (name, object) in desc["objects"].as_object().unwrap() {
        out.push(Described {
            name: name.clone(),
            expecting: format!("a {name} object"),
            topic: false,
            fields: fields(object),
        });
    }
    out
}

/// JSON texts of a described type, each written back exactly as it is.
fn samples(ty: &str) -> Vec<&'static str> {
    match ty {
        "string" => vec![r#""s""#, r#""""#],
        "timestamp" => vec![r#""2025-01-24T10:55:00.123+01:00""#],
        "date" => vec![r#""2025-01-24""#],
        "decimal" => vec![r#""5.10""#, "5.10", "-7", "1e3"],
        "boolean" => vec!["true", "false"],
        "string[]" => vec![r#"["a","b"]"#, "[]"],
        "integer[]" => vec!["[1,3]"],
        "json" => vec![r#"{"k":[1]}"#, r#""text""#],
        object if object.ends_with("[]") => vec![r#"[{"x":1}]"#, "[]"],
        // A described object (its own fields are checked on their own).
        object if object.chars().next().unwrap().is_ascii_uppercase() => {
            vec![r#"{"x":1}"#, "{}"]
        }
        other => panic!("no sample for the type {other:?}: add one"),
    }
}

#[test]
fn every_generated_struct_is_checked_below() {
    let mut described: Vec<String> = described_structs().into_iter().map(|s| s.name).collect();
    let mut generated: Vec<&str> = generated().iter().map(|g| g.name).collect();
    described.sort_unstable();
    generated.sort_unstable();
    assert_eq!(generated, described);
}

/// A JSON text that a field of the described type does not read (`None` for `json`).
fn misfit(ty: &str) -> Option<&'static str> {
    match ty {
        "string" | "timestamp" | "date" => Some("1"),
        "decimal" => Some(r#""1,5""#),
        "boolean" => Some(r#""true""#),
        "string[]" => Some("[1]"),
        "integer[]" => Some(r#"["1"]"#),
        "json" => None,
        object if object.ends_with("[]") => Some("[1]"),
        object if object.chars().next().unwrap().is_ascii_uppercase() => Some("[]"),
        other => panic!("no misfit for the type {other:?}: add one"),
    }
}

#[test]
fn every_described_field_is_read_into_its_typed_field() {
    // A value lands in its typed field, not in `extra` (where an undescribed key goes, and
    // would be written back the same); a value of another type does not fit; `null` stays in
    // `extra`.
    let generated = generated();
    for Described { name, fields, .. } in described_structs() {
        let g = generated.iter().find(|g| g.name == name).unwrap();
        for (field, ty) in &fields {
            let key = serde_json::to_string(field).unwrap();
            for sample in samples(ty) {
                let text = format!("{{{key}:{sample}}}");
                assert_eq!((g.extra)(&text), Vec::<String>::new(), "{name}: {text}");
            }
            let text = format!("{{{key}:null}}");
            assert_eq!((g.extra)(&text), vec![field.clone()], "{name}: {text}");
            if let Some(misfit) = misfit(ty) {
                let text = format!("{{{key}:{misfit}}}");
                assert!((g.round_trip)(&text).is_err(), "{name}: {text}");
            }
        }
        // An undescribed key is kept in `extra`.
        let text = r#"{"not_described_here":{"x":1}}"#;
        assert_eq!((g.extra)(text), vec!["not_described_here"], "{name}");
        assert_eq!((g.round_trip)(text).as_deref(), Ok(text), "{name}");
    }
}

#[test]
fn a_field_sent_null_and_set_is_written_once_with_its_value() {
    // `null` is kept in `extra` (to be written back); a value for the same key, before or
    // after it, replaces it: the key is written once, with the value.
    let generated = generated();
    let mut checked = 0;
    for Described { name, fields, .. } in described_structs() {
        let g = generated.iter().find(|g| g.name == name).unwrap();
        for (field, ty) in &fields {
            let key = serde_json::to_string(field).unwrap();
            let null = format!("{{{key}:null}}");
            assert_eq!(
                (g.round_trip)(&null).as_deref(),
                Ok(null.as_str()),
                "{name}"
            );
            for sample in samples(ty) {
                let expected = format!("{{{key}:{sample}}}");
                for text in [
                    format!("{{{key}:null,{key}:{sample}}}"),
                    format!("{{{key}:{sample},{key}:null}}"),
                    expected.clone(),
                ] {
                    assert_eq!(
                        (g.round_trip)(&text).as_deref(),
                        Ok(expected.as_str()),
                        "{name}: {text}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 200, "{checked} fields checked");
}

#[test]
fn a_struct_that_is_not_an_object_says_what_was_expected() {
    let generated = generated();
    for Described {
        name, expecting, ..
    } in described_structs()
    {
        let g = generated.iter().find(|g| g.name == name).unwrap();
        for (text, got) in [
            ("[]", "sequence"),
            ("1", "integer `1`"),
            (r#""x""#, r#"string "x""#),
        ] {
            let error = (g.round_trip)(text).unwrap_err();
            // serde_json's message, without its position.
            let message = error.split(" at line ").next().unwrap();
            assert_eq!(
                message,
                format!("invalid type: {got}, expected {expecting}"),
                "{name}"
            );
        }
    }
}

#[test]
fn every_topic_struct_gives_its_action() {
    let generated = generated();
    let mut topics = 0;
    for Described { name, topic, .. } in described_structs() {
        let g = generated.iter().find(|g| g.name == name).unwrap();
        let Some(action) = g.action else {
            assert!(!topic, "{name}");
            continue;
        };
        assert!(topic, "{name}");
        topics += 1;
        for (text, expected) in [
            (r#"{"event":"created"}"#, Some("created")),
            (r#"{"event":"transactions.updated"}"#, Some("updated")),
            (
                r#"{"event":"a.b.frozen_for_review"}"#,
                Some("frozen_for_review"),
            ),
            (r#"{"event":""}"#, Some("")),
            (r#"{"event":null}"#, None),
            ("{}", None),
        ] {
            assert_eq!(action(text).as_deref(), expected, "{name}: {text}");
        }
    }
    assert_eq!(topics, Payload::TOPICS.len());
}

#[test]
fn decimal_and_its_error_display() {
    for text in [
        "0",
        "-0.50",
        "12.50",
        "1E+2",
        "007.10",
        "12345678901234567890.123456789",
    ] {
        assert_eq!(Decimal::parse(text).unwrap().to_string(), text);
        assert_eq!(Decimal::parse_number(text).unwrap().to_string(), text);
    }
    let error = Decimal::parse("12,50").unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a decimal number (expected digits, an optional fraction and exponent)"
    );
    let error: Box<dyn std::error::Error> = Box::new(error);
    assert!(error.to_string().starts_with("not a decimal number"));
}

#[test]
fn decimal_value_eq_with_exponents_beyond_i64() {
    // An exponent too large for i64 saturates far beyond any real exponent: such a number is
    // neither 10 nor 1, nor the same as one with a tiny or an ordinary exponent.
    let v = |t: &str| Decimal::parse(t).unwrap();
    let huge = "1e99999999999999999999";
    let tiny = "1e-99999999999999999999";
    for other in ["1e1", "1e0", "1", "10", "1e-1", "0", tiny] {
        assert!(!v(huge).value_eq(&v(other)), "{huge} == {other}");
        assert!(!v(other).value_eq(&v(huge)), "{other} == {huge}");
    }
    for other in ["1", "1e0", "1e1", "1e-1", "0.1", "0", huge] {
        assert!(!v(tiny).value_eq(&v(other)), "{tiny} == {other}");
    }
    assert!(v(huge).value_eq(&v("1E+99999999999999999999")));
    assert!(v(tiny).value_eq(&v("1.0e-99999999999999999999")));
    assert!(!v(huge).value_eq(&v("-1e99999999999999999999")));
    // Zero is zero whatever its exponent.
    assert!(v("0e99999999999999999999").value_eq(&v("0")));
    assert!(v("-0.0e-99999999999999999999").value_eq(&v("0")));
}

/// Days from 1970-01-01, counted one year and one month at a time (the reference the
/// timestamp's arithmetic is checked against).
fn days_by_counting(year: i64, month: u32, day: u32) -> i64 {
    let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let year_days = |y: i64| if leap(y) { 366 } else { 365 };
    let mut days: i64 = if year >= 1970 {
        (1970..year).map(year_days).sum()
    } else {
        -(year..1970).map(year_days).sum::<i64>()
    };
    for m in 1..month {
        days += i64::from(month_days(year, m));
    }
    days + i64::from(day) - 1
}

fn month_days(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[test]
fn timestamps_name_the_instant_of_every_day_of_the_calendar() {
    use qonto_webhooks::events::Timestamp;

    let years = [
        0, 1, 3, 4, 99, 100, 101, 399, 400, 401, 1582, 1600, 1699, 1700, 1800, 1899, 1900, 1968,
        1969, 1970, 1971, 1972, 1999, 2000, 2001, 2024, 2025, 2099, 2100, 2400, 9999,
    ];
    let mut checked = 0;
    for year in years {
        for month in 1..=12 {
            let last = month_days(year, month);
            for day in 1..=last {
                let n = day + 31 * month;
                let (hour, minute, second) = (n % 24, (n * 7) % 60, (n * 13) % 60);
                let text =
                    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
                let t = Timestamp::parse(&text).unwrap();
                let expected = days_by_counting(year, month, day) * 86_400
                    + i64::from(hour * 3600 + minute * 60 + second);
                assert_eq!(
                    (t.unix_seconds, t.nanos, t.offset_minutes),
                    (expected, 0, 0),
                    "{text}"
                );
                checked += 1;
            }
            // The day after the month's last does not exist.
            let text = format!("{year:04}-{month:02}-{:02}T00:00:00Z", last + 1);
            assert!(Timestamp::parse(&text).is_err(), "{text}");
        }
    }
    assert!(checked > 11_000, "{checked} days");
}

#[test]
fn timestamps_read_fractions_and_offsets_exactly() {
    use qonto_webhooks::events::Timestamp;

    let base = 1_737_716_100; // 2025-01-24T10:55:00Z
    for (fraction, nanos) in [
        ("", 0),
        (".0", 0),
        (".5", 500_000_000),
        (".05", 50_000_000),
        (".123", 123_000_000),
        (".987654321", 987_654_321),
        (".000000001", 1),
        (".1234567891", 123_456_789),
        (".99999999999999999999", 999_999_999),
    ] {
        for (offset, minutes) in [
            ("Z", 0i16),
            ("z", 0),
            ("+00:00", 0),
            ("-00:00", 0),
            ("+05:45", 345),
            ("-09:30", -570),
            ("+23:59", 1439),
            ("-23:59", -1439),
            ("+12:07", 727),
        ] {
            for separator in ['T', 't', ' '] {
                let text = format!("2025-01-24{separator}10:55:00{fraction}{offset}");
                let t = Timestamp::parse(&text).unwrap();
                let seconds = base - i64::from(minutes) * 60;
                assert_eq!(
                    (t.unix_seconds, t.nanos, t.offset_minutes),
                    (seconds, nanos, minutes),
                    "{text}"
                );
            }
        }
    }
    // Each separator, digit and offset in its place, and nothing else.
    let good = "2025-01-24T10:55:00+01:00";
    assert!(Timestamp::parse(good).is_ok());
    for (i, c) in good.char_indices() {
        for replacement in ['-', ':', 'T', '0', '9', 'a', '.', '+'] {
            if c == replacement || (i == 10 && replacement == 'T') {
                continue;
            }
            let mut bad = good.to_owned();
            bad.replace_range(i..=i, &replacement.to_string());
            let parsed = Timestamp::parse(&bad);
            let digit_for_digit = c.is_ascii_digit() && replacement.is_ascii_digit();
            let sign_for_sign = i == 19 && replacement == '-';
            if !(digit_for_digit || sign_for_sign) {
                assert!(parsed.is_err(), "{bad:?}: {parsed:?}");
            }
        }
    }
    for bad in [
        "2025-01-24T10:55:00+24:00",
        "2025-01-24T10:55:00+23:60",
        "2025-01-24T10:55:00-99:00",
        "2025-01-24T10:55:00+1:00",
        "2025-01-24T10:55:00+01:0",
        "2025-01-24T10:55:00+01:000",
        "2025-01-24T10:55:00.",
        "2025-01-24T10:55:00.5",
        "2025-01-24T10:55:00.5.5Z",
        "2025-01-24T10:55:00Z ",
        "2025-01-24T10:55Z",
        "2025-00-24T10:55:00Z",
        "2025-01-00T10:55:00Z",
        "2025-01-24T10:55",
        "2025-01-24T",
        "2025-01-2",
        "1900-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
    ] {
        assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
    }
    for good in [
        "2000-02-29T00:00:00Z",
        "2400-02-29T23:59:59Z",
        "0000-02-29T00:00:00Z",
    ] {
        assert!(Timestamp::parse(good).is_ok(), "{good:?}");
    }
}

#[test]
fn timestamp_error_display() {
    use qonto_webhooks::events::Timestamp;

    let error = Timestamp::parse("2025-01-24").unwrap_err();
    assert_eq!(
        error.to_string(),
        "not an RFC 3339 date-time (expected YYYY-MM-DDTHH:MM:SS[.fraction] then Z or an offset \
         such as +01:00, naming a real date and time)"
    );
    let error: Box<dyn std::error::Error> = Box::new(error);
    assert!(error.to_string().starts_with("not an RFC 3339 date-time"));
}
