//! Every vector in `tests/data/vectors.json` (the file every binding's tests read) through the
//! one-shot API, the incremental API and the parser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use qonto_webhooks::{ErrorKind, Tolerance, Verified, Verifier};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Vector {
    name: String,
    scheme: String,
    secrets: Vec<String>,
    header: String,
    body_b64: String,
    now: u64,
    tolerance: Option<u64>,
    expect: String,
    secret_index: Option<usize>,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("data/vectors.json");
    serde_json::from_str(text).expect("vectors.json parses")
}

fn outcome(result: Result<Verified, qonto_webhooks::Error>) -> (String, Option<usize>) {
    match result {
        Ok(v) => ("ok".to_owned(), Some(v.secret_index)),
        Err(e) => (e.code().to_owned(), None),
    }
}

fn run(v: &Vector, chunk: Option<usize>) -> (String, Option<usize>) {
    let body = base64::engine::general_purpose::STANDARD
        .decode(&v.body_b64)
        .expect("body_b64 is base64");
    let tolerance = v.tolerance.map_or(Tolerance::Disabled, Tolerance::Seconds);
    let verifier = match Verifier::with_secrets(&v.secrets) {
        Ok(verifier) => verifier.with_tolerance(tolerance),
        Err(e) => return (e.code().to_owned(), None),
    };
    let onboarding = match v.scheme.as_str() {
        "business" => false,
        "onboarding" => true,
        other => panic!("{}: unknown scheme {other}", v.name),
    };
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
                Err(e) => return (e.code().to_owned(), None),
            };
            for piece in body.chunks(size) {
                state.update(piece);
            }
            outcome(state.finish())
        }
    }
}

#[test]
fn every_vector() {
    let vectors = vectors();
    assert!(vectors.len() >= 17, "the vector file lost cases");
    let mut failures = Vec::new();
    for v in &vectors {
        assert!(
            v.expect == "ok" || ErrorKind::from_code(&v.expect).is_some(),
            "{}: unknown code {}",
            v.name,
            v.expect
        );
        let expected = (v.expect.clone(), v.secret_index);
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
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
