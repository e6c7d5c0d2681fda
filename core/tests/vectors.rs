//! Every vector in `tests/data/vectors.json` (the file every binding's tests read) through the
//! one-shot API, the incremental API and the parser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Vector, vectors};
use qonto_webhooks::{ErrorKind, Verified, Verifier};

fn outcome(result: Result<Verified, qonto_webhooks::Error>) -> (String, Option<usize>) {
    match result {
        Ok(v) => ("ok".to_owned(), Some(v.secret_index)),
        Err(e) => (e.code().to_owned(), None),
    }
}

fn run(v: &Vector, chunk: Option<usize>) -> (String, Option<usize>) {
    let body = v.body();
    let verifier = match Verifier::with_secrets(&v.secrets) {
        Ok(verifier) => verifier.with_tolerance(v.tolerance()),
        Err(e) => return (e.code().to_owned(), None),
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
