//! Runs test vectors through the Rust API and prints one verdict per line: `ok <secret_index>` or
//! the error code. Used by the cross-language differential (`conformance/differential.py`).
//!
//! ```sh
//! cargo run -p qonto-webhooks-conformance --bin vector-runner -- testkit/vectors/vectors.json
//! ```

use std::process::ExitCode;

use qonto_webhooks::{Tolerance, Verified, Verifier};
use qonto_webhooks_testkit::vectors::{Vector, parse};

fn verdict(case: &Vector) -> String {
    let body = case.body();
    let tolerance = case
        .tolerance
        .map_or(Tolerance::Disabled, Tolerance::Seconds);
    let result: Result<Verified, qonto_webhooks::Error> = Verifier::with_secrets(&case.secrets)
        .map(|v| v.with_tolerance(tolerance))
        .and_then(|v| {
            if case.onboarding() {
                v.verify_onboarding(&body, &case.header)
            } else {
                v.verify(&body, &case.header, case.now)
            }
        });
    match result {
        Ok(v) => format!("ok {}", v.secret_index),
        Err(e) => e.code().to_owned(),
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: vector-runner CASES.json");
        return ExitCode::from(2);
    };
    let cases = match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = String::new();
    for case in &cases {
        out.push_str(&verdict(case));
        out.push('\n');
    }
    print!("{out}");
    ExitCode::SUCCESS
}
