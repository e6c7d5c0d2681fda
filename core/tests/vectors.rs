//! Every vector in `testkit/vectors/vectors.json` (the file every binding's tests read) through
//! the one-shot API, the incremental API and the parser.
//!
//! Every rejection vector pins the core's exact message (`message`, the `Display` of its error),
//! so that the pure-language implementations cannot drift in wording. The messages come from the
//! core, never from a hand: after a change to a message, or to add the messages of new vectors,
//!
//!     UPDATE_VECTORS=1 cargo test -p qonto-webhooks --test vectors
//!
//! rewrites `message` from the core and leaves every other field as it is.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Vector, Window as _, vectors};
use qonto_webhooks::{ErrorKind, Verified, Verifier};
use serde::{Deserialize, Serialize};

const UPDATE: &str = "run `UPDATE_VECTORS=1 cargo test -p qonto-webhooks --test vectors`";

/// The verdict: the code (`ok` or an error code), the secret index when ok, the message when not.
type Outcome = (String, Option<usize>, Option<String>);

fn outcome(result: Result<Verified, qonto_webhooks::Error>) -> Outcome {
    match result {
        Ok(v) => ("ok".to_owned(), Some(v.secret_index), None),
        Err(e) => rejected(&e),
    }
}

fn rejected(e: &qonto_webhooks::Error) -> Outcome {
    (e.code().to_owned(), None, Some(e.to_string()))
}

fn run(v: &Vector, chunk: Option<usize>) -> Outcome {
    let body = v.body();
    let verifier = match Verifier::with_secrets(&v.secrets) {
        Ok(verifier) => verifier.with_tolerance(v.tolerance()),
        Err(e) => return rejected(&e),
    };
    let onboarding = v.onboarding();
    match chunk {
        None if onboarding => outcome(verifier.verify_onboarding(&body, &v.header)),
        None => outcome(verifier.verify(&body, &v.header, v.now)),
        Some(size) => {
            let state = if onboarding {
                verifier.start_onboarding(&v.header)
            } else {
                verifier.start(&v.header, v.now)
            };
            let mut state = match state {
                Ok(state) => state,
                Err(e) => return rejected(&e),
            };
            for piece in body.chunks(size) {
                state.update(piece);
            }
            outcome(state.finish())
        }
    }
}

/// The `message` field of every vector, in the file's order (`None` where absent).
fn messages() -> Vec<Option<String>> {
    let raw: Vec<serde_json::Value> = serde_json::from_str(common::VECTORS_JSON).unwrap();
    raw.iter()
        .map(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .collect()
}

#[test]
fn every_vector() {
    let vectors = vectors();
    let messages = messages();
    assert!(vectors.len() >= 17, "the vector file lost cases");
    assert_eq!(vectors.len(), messages.len());
    let mut failures = Vec::new();
    for (v, message) in vectors.iter().zip(messages) {
        assert!(
            v.expect == "ok" || ErrorKind::from_code(&v.expect).is_some(),
            "{}: unknown code {}",
            v.name,
            v.expect
        );
        if (v.expect == "ok") == message.is_some() {
            failures.push(format!(
                "{}: a rejection vector pins its message, an ok vector has none: {UPDATE}",
                v.name
            ));
            continue;
        }
        let expected = (v.expect.clone(), v.secret_index, message);
        for chunk in [None, Some(1), Some(7), Some(4096)] {
            let got = run(v, chunk);
            if got != expected {
                failures.push(format!(
                    "{} (chunk {chunk:?}): got {got:?}, want {expected:?}",
                    v.name
                ));
            }
        }
    }
    println!("{} vectors checked", vectors.len());
    if !failures.is_empty() {
        failures.push(format!(
            "(where only a message differs and the core's is right: {UPDATE})"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One vector as the file holds it, every field in the file's order (the generator's), so that a
/// rewrite changes nothing but `message`. An unknown field fails the rewrite rather than being
/// dropped.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    scheme: String,
    secrets: Vec<String>,
    header: String,
    body_b64: String,
    now: u64,
    tolerance: Option<u64>,
    expect: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_index: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// The file's text for `entries`: what `generate_vectors.py` writes (`json.dumps(indent=1,
/// ensure_ascii=False)` and a newline).
fn to_text(entries: &[Entry]) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    entries.serialize(&mut serializer).unwrap();
    let mut text = String::from_utf8(out).unwrap();
    text.push('\n');
    text
}

fn vectors_path() -> std::path::PathBuf {
    common::data_dir().join("vectors.json")
}

/// With `UPDATE_VECTORS` set: fills or refreshes every rejection vector's `message` from the core
/// (and removes it from ok vectors). Without: checks that a rewrite would change nothing else.
#[test]
fn messages_come_from_the_core() {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut entries: Vec<Entry> = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("vectors.json has a field this test does not know: {e}"));
    // The rewrite is byte-exact: it reproduces the generator's formatting.
    assert!(
        to_text(&entries) == text,
        "vectors.json is not formatted as generate_vectors.py writes it"
    );
    if std::env::var_os("UPDATE_VECTORS").is_none() {
        return;
    }
    let parsed = common::parse(&text);
    for (entry, v) in entries.iter_mut().zip(&parsed) {
        entry.message = run(v, None).2;
    }
    std::fs::write(&path, to_text(&entries)).unwrap();
    println!("wrote the messages of {}", path.display());
}
