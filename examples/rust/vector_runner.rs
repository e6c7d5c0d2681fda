//! Runs test vectors through the Rust API and prints one verdict per line: `ok <secret_index>` or
//! the error code. Used by the cross-language differential (`conformance/differential.py`).
//!
//! ```sh
//! cargo run -p qonto-webhooks-examples --bin vector-runner -- core/tests/data/vectors.json
//! ```

use std::process::ExitCode;

use base64::Engine as _;
use qonto_webhooks::{Tolerance, Verified, Verifier};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    scheme: String,
    secrets: Vec<String>,
    header: String,
    body_b64: String,
    now: u64,
    tolerance: Option<u64>,
}

fn verdict(case: &Case) -> String {
    let Ok(body) = base64::engine::general_purpose::STANDARD.decode(&case.body_b64) else {
        return "bad_case".into();
    };
    let tolerance = case
        .tolerance
        .map_or(Tolerance::Disabled, Tolerance::Seconds);
    let result: Result<Verified, qonto_webhooks::Error> = Verifier::with_secrets(&case.secrets)
        .map(|v| v.with_tolerance(tolerance))
        .and_then(|v| match case.scheme.as_str() {
            "onboarding" => v.verify_onboarding(&body, &case.header),
            _ => v.verify(&body, &case.header, case.now),
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
    let cases: Vec<Case> = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_slice(&text).map_err(|e| e.to_string()))
    {
        Ok(cases) => cases,
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
