//! `contract.json` at the repository root: the contract as data, rendered from the core's own
//! public items (codes, numbers, messages' templates, limits, header names, schemes, topics, the HTTP layer's codes),
//! so that bindings, pure-language fallbacks and examples read one generated file instead of
//! holding their own lists.
//!
//! The committed file must equal what this test renders. After a change to the core:
//!
//!     UPDATE_CONTRACT=1 cargo test -p qonto-webhooks --all-features --test contract
//!
//! The rendering is `json.dumps(value, indent=2, sort_keys=True) + "\n"` in Python terms: keys
//! sorted at every level, lists in the core's order, 2-space indent, ASCII only, trailing newline.

#![cfg(all(feature = "serde", feature = "std"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use qonto_webhooks::events::{ConstructError, ONBOARDING_EVENT_TYPES, Topic};
use qonto_webhooks::http::{HttpCode, VERIFICATION_STATUS};
use qonto_webhooks::idempotency::{self, ClaimState, StoreError};
use qonto_webhooks::{
    BUSINESS_HEADER, DEFAULT_TOLERANCE_SECS, ErrorKind, MAX_HEADER_LEN, MAX_SECRETS,
    MESSAGE_TEMPLATES, ONBOARDING_HEADER, PLACEHOLDERS, PlaceholderValue, SIGNATURE_HEX_LEN,
    SIGNATURE_LEN, Scheme, Schemes,
};
use serde_json::{Map, Value, json};

const STALE: &str = "contract.json is stale: run `UPDATE_CONTRACT=1 cargo test -p qonto-webhooks --all-features --test contract`";

const COMMENT: &str = "Generated from the Rust core by core/tests/contract.rs: do not edit. \
     Regenerate with `UPDATE_CONTRACT=1 cargo test -p qonto-webhooks --all-features --test contract`.";

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("contract.json")
}

/// Every claim state, by an exhaustive match: a new state fails to compile here until listed.
fn claim_states() -> [ClaimState; 3] {
    let all = [
        ClaimState::Claimed,
        ClaimState::Processing,
        ClaimState::Done,
    ];
    for state in all {
        match state {
            ClaimState::Claimed | ClaimState::Processing | ClaimState::Done => {}
        }
    }
    all
}

/// Every scheme, by an exhaustive match (`Scheme` has no `ALL`).
fn schemes() -> [Scheme; 2] {
    let all = [Scheme::Business, Scheme::Onboarding];
    for scheme in all {
        match scheme {
            Scheme::Business | Scheme::Onboarding => {}
        }
    }
    all
}

/// The contract, from the core's public items only.
fn contract() -> Value {
    json!({
        "$comment": COMMENT,
        "errors": ErrorKind::ALL.map(|kind| json!({
            "code": kind.code(),
            "number": kind.number(),
            "description": kind.description(),
        })),
        "messages": {
            "templates": MESSAGE_TEMPLATES.map(|t| json!({
                "id": t.id,
                "code": t.kind.code(),
                "text": t.text,
            })),
            "placeholders": PLACEHOLDERS.map(|p| {
                let mut placeholder = json!({ "name": p.name, "meaning": p.meaning });
                match p.constant {
                    Some(PlaceholderValue::Text(text)) => placeholder["value"] = json!(text),
                    Some(PlaceholderValue::Number(n)) => placeholder["value"] = json!(n),
                    None => {}
                }
                placeholder
            }),
        },
        "http": {
            "verification_status": VERIFICATION_STATUS,
            "codes": HttpCode::ALL.map(|code| json!({
                "code": code.code(),
                "status": code.status(),
                "description": code.description(),
            })),
        },
        "limits": {
            "max_header_len": MAX_HEADER_LEN,
            "max_secrets": MAX_SECRETS,
            "signature_len": SIGNATURE_LEN,
            "signature_hex_len": SIGNATURE_HEX_LEN,
        },
        "headers": {
            "business": BUSINESS_HEADER,
            "onboarding": ONBOARDING_HEADER,
        },
        "schemes": schemes().map(|scheme| json!({
            "name": scheme.as_str(),
            "header": scheme.header_name(),
        })),
        "endpoint_schemes": {
            "values": Schemes::ALL.map(Schemes::as_str),
            "default": Schemes::default().as_str(),
        },
        "tolerance": {
            "default_secs": DEFAULT_TOLERANCE_SECS,
        },
        "topics": Topic::DOCUMENTED_NAMES,
        "onboarding_event_types": ONBOARDING_EVENT_TYPES,
        "idempotency": {
            "claim_states": claim_states().map(ClaimState::as_str),
            "default_lease_secs": idempotency::DEFAULT_LEASE.as_secs(),
            "default_ttl_secs": idempotency::DEFAULT_TTL.as_secs(),
            "default_max_entries": idempotency::DEFAULT_MAX_ENTRIES,
            "key": schemes().map(|scheme| idempotency::key(scheme, "<id>")),
        },
    })
}

/// `value` with the keys of every object sorted (whether or not serde_json preserves order).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, sorted(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn render() -> String {
    let mut text = serde_json::to_string_pretty(&sorted(contract())).unwrap();
    text.push('\n');
    text
}

#[test]
fn contract_json_is_up_to_date() {
    let rendered = render();
    let path = path();
    if std::env::var_os("UPDATE_CONTRACT").is_some() {
        std::fs::write(&path, &rendered).unwrap();
        println!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == rendered, "{STALE}");
}

#[test]
fn rendering_is_sorted_ascii_two_space_with_a_trailing_newline() {
    let text = render();
    assert!(text.is_ascii(), "the contract must stay ASCII");
    assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
    assert!(text.contains("\n  \"errors\": [\n    {\n      \"code\": \"invalid_secret\","));
    // Sorted: the same text comes back after a parse, whatever order the parser keeps.
    let again: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&sorted(again)).unwrap() + "\n",
        text
    );
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
        .map(|l| l.trim_start().split('"').nth(1).unwrap())
        .collect();
    let mut ordered = keys.clone();
    ordered.sort_unstable();
    assert_eq!(keys, ordered);
    assert_eq!(keys.len(), 12, "{keys:?}");
}

#[test]
fn the_contract_lists_every_code_once_with_its_status() {
    let contract = contract();
    let errors = contract["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 8);
    for (i, e) in errors.iter().enumerate() {
        assert_eq!(e["number"], i + 1);
        let kind = ErrorKind::from_code(e["code"].as_str().unwrap()).unwrap();
        assert_eq!(e["description"], kind.description());
    }
    let codes = contract["http"]["codes"].as_array().unwrap();
    let statuses: Vec<(&str, u64)> = codes
        .iter()
        .map(|c| (c["code"].as_str().unwrap(), c["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("body_too_large", 413),
            ("body_unreadable", 400),
            ("body_already_parsed", 400),
            ("invalid_payload", 400),
            ("duplicate_in_progress", 409),
            ("idempotency_store_unavailable", 503),
            ("verifier_closed", 503),
        ]
    );
    let mut all: Vec<&str> = errors
        .iter()
        .chain(codes)
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 15, "a code is spelled twice");
    assert_eq!(contract["topics"].as_array().unwrap().len(), 12);
    assert_eq!(contract["topics"][0], "v1/transactions");
    assert_eq!(
        contract["onboarding_event_types"].as_array().unwrap().len(),
        10
    );
    assert_eq!(contract["limits"]["max_header_len"], 4096);
    assert_eq!(contract["tolerance"]["default_secs"], 300);
    assert_eq!(contract["idempotency"]["key"][1], "onboarding:<id>");
}

/// The codes the core's own errors carry are the contract's spellings.
#[test]
fn the_cores_http_errors_use_the_contract_codes() {
    let bad_json = serde_json::from_str::<Value>("{").unwrap_err();
    assert_eq!(
        ConstructError::Payload(bad_json).code(),
        HttpCode::InvalidPayload.code()
    );
    assert_eq!(
        StoreError::new("down").code(),
        HttpCode::IdempotencyStoreUnavailable.code()
    );
    assert_eq!(HttpCode::InvalidPayload.status(), 400);
    assert_eq!(HttpCode::IdempotencyStoreUnavailable.status(), 503);
}
