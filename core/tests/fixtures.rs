//! The documentation's example payloads (`tests/data/events/`): each one, signed, constructs an
//! event through the public API, reads as sent and re-serialises to the same JSON value.
#![cfg(feature = "serde")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use qonto_webhooks::events::{Event, OnboardingEvent, Topic};
use qonto_webhooks::{Verifier, sign, sign_onboarding};
use serde::Deserialize;
use serde_json::Value;

const SECRET: &str = "whsec_fixture_secret_0123456789abcdef";
const NOW: u64 = 1_772_442_000;

#[derive(Deserialize)]
struct Entry {
    file: String,
    scheme: String,
    #[serde(default)]
    documented_topic: Option<bool>,
    #[serde(default)]
    action: Option<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/events")
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(dir().join("manifest.json")).unwrap();
    let entries: Vec<Entry> = serde_json::from_str(&text).unwrap();
    assert!(
        entries.len() >= 23,
        "the manifest lists {} files",
        entries.len()
    );
    entries
}

fn read(name: &str) -> (Vec<u8>, Value) {
    let body = std::fs::read(dir().join(name)).unwrap();
    let value: Value = serde_json::from_slice(&body).unwrap();
    (body, value)
}

/// Every fixture is in the manifest and every manifest entry is a file, with the scheme its
/// name says.
#[test]
fn manifest_lists_every_fixture() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json") && n != "manifest.json")
        .collect();
    let listed: BTreeSet<String> = manifest().into_iter().map(|e| e.file).collect();
    assert_eq!(on_disk, listed);
    for e in manifest() {
        let onboarding = e.file.starts_with("onboarding-");
        assert_eq!(
            e.scheme,
            if onboarding { "onboarding" } else { "business" },
            "{}",
            e.file
        );
    }
}

fn business(entry: &Entry, verifier: &Verifier) {
    let (body, original) = read(&entry.file);
    let header = sign(SECRET, &body, NOW).unwrap();
    let event: Event = verifier
        .construct_event(&body, &*header, NOW)
        .unwrap_or_else(|e| panic!("{}: {e}", entry.file));
    let name = &entry.file;

    assert_eq!(event.id, original["id"].as_str().unwrap(), "{name}");
    assert_eq!(
        event.topic.as_str(),
        original["type"].as_str().unwrap(),
        "{name}"
    );
    let documented = entry.documented_topic.unwrap();
    assert_eq!(
        !matches!(event.topic, Topic::Unknown(_)),
        documented,
        "{name}: {:?}",
        event.topic
    );
    assert_eq!(
        Topic::DOCUMENTED.contains(&event.topic),
        documented,
        "{name}"
    );
    // created_at is kept as sent, whatever its precision or offset.
    assert_eq!(
        event.created_at,
        original["created_at"].as_str().unwrap(),
        "{name}"
    );
    assert_eq!(
        event.data.event.as_deref(),
        original["data"]["event"].as_str(),
        "{name}"
    );
    assert_eq!(event.data.action(), entry.action.as_deref(), "{name}");
    assert!(!event.data.fields.contains_key("event"), "{name}");

    // The round trip keeps every field, numbers as numbers and decimal strings as strings.
    let back = serde_json::to_value(&event).unwrap();
    assert_eq!(back, original, "{name}: the round trip changed the event");
    let mut data = serde_json::to_value(&event.data).unwrap();
    assert_eq!(
        data, original["data"],
        "{name}: the round trip changed data"
    );
    // ... and as text: parsing the serialised event gives the same event again.
    let text = serde_json::to_string(&event).unwrap();
    let again: Event = serde_json::from_str(&text).unwrap();
    assert_eq!(again, event, "{name}");
    // The comparison can fail: a changed field is seen.
    if let Some(obj) = data.as_object_mut() {
        obj.insert("zz_added".into(), Value::Null);
    }
    assert_ne!(data, original["data"], "{name}");
}

#[test]
fn every_business_fixture_parses_and_round_trips() {
    let verifier = Verifier::new(SECRET).unwrap();
    let mut seen = 0;
    for entry in manifest().iter().filter(|e| e.scheme == "business") {
        business(entry, &verifier);
        seen += 1;
    }
    assert_eq!(seen, 22);
}

#[test]
fn every_onboarding_fixture_parses_and_round_trips() {
    let verifier = Verifier::new(SECRET).unwrap();
    let mut seen = 0;
    for entry in manifest().iter().filter(|e| e.scheme == "onboarding") {
        let (body, original) = read(&entry.file);
        let header = sign_onboarding(SECRET, &body).unwrap();
        let event: OnboardingEvent = verifier
            .construct_onboarding_event(&body, &*header)
            .unwrap_or_else(|e| panic!("{}: {e}", entry.file));
        assert_eq!(event.id, original["id"].as_str().unwrap());
        assert_eq!(event.event_type, original["event_type"].as_str().unwrap());
        assert_eq!(
            event.resource_type,
            original["resource_type"].as_str().unwrap()
        );
        assert_eq!(event.resource_id, original["resource_id"].as_str().unwrap());
        assert_eq!(event.created_at, original["created_at"].as_str().unwrap());
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            original,
            "{}",
            entry.file
        );
        seen += 1;
    }
    assert_eq!(seen, 1);
}

/// The encodings a typed model will have to read, as the parsed event keeps them.
#[test]
fn amounts_keep_their_json_type() {
    let verifier = Verifier::new(SECRET).unwrap();
    let parse = |name: &str| {
        let (body, _) = read(name);
        verifier
            .construct_event(&body, &*sign(SECRET, &body, NOW).unwrap(), NOW)
            .unwrap()
    };
    let numbers = parse("transactions-created.json");
    assert_eq!(numbers.data.fields["amount"].to_string(), "50.01");
    assert_eq!(numbers.data.fields["settled_balance"].to_string(), "100.02");
    let strings = parse("transactions-created-string-amounts.json");
    assert_eq!(strings.data.fields["amount"], Value::String("50.00".into()));
    let integers = parse("transactions-updated-card.json");
    assert!(integers.data.fields["amount"].is_u64());
    assert_eq!(integers.data.fields["amount"].to_string(), "50");
    let organization = parse("organizations-suspended.json");
    assert!(organization.data.fields["legal_share_capital"].is_u64());
    let cards = parse("cards-created.json");
    assert_eq!(cards.data.fields["discarded_at"], "2022-11-31");
    assert_eq!(cards.data.fields["nickname"], "💳 for 🍗");
    let terminal = parse("terminal-payments-authorized.json");
    assert_eq!(
        terminal.data.fields["metadata"],
        r#"{"order_id": "zelty-order-456"}"#
    );
    let clients = parse("clients-created.json");
    assert_eq!(clients.topic, Topic::Clients);
    assert_eq!(clients.data.fields["type"], "company");
    let unknown = parse("synthetic-unknown-topic.json");
    assert_eq!(
        unknown.topic,
        Topic::Unknown("v2/unknown-future-topic".into())
    );
    assert_eq!(unknown.extra["delivery_attempt"], 3);
}
