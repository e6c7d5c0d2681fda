//! Builds the seed corpus from the shared test vectors, checking on the way that the fuzz input
//! format round-trips and that both the core and the reference give every vector's expected
//! verdict.
//!
//! Usage: `cargo +nightly run --example make_seeds -- VECTORS.json OUT_DIR`

use std::path::Path;
use std::process::ExitCode;

use base64::Engine as _;
use qonto_webhooks::ErrorKind;
use qonto_webhooks_fuzz::{Case, Verdict, reference};
use serde_json::Value;

/// The targets that take a `Case`; `parse_header` takes the raw header.
const CASE_TARGETS: [&str; 4] = [
    "verify_business",
    "verify_onboarding",
    "incremental_chunking",
    "differential",
];

fn text(v: &Value, key: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("missing string field {key}"))
}

fn case_of(v: &Value) -> Result<(Case, String), String> {
    let secrets = v
        .get("secrets")
        .and_then(Value::as_array)
        .ok_or("missing secrets")?
        .iter()
        .map(|s| {
            s.as_str()
                .map(|s| s.as_bytes().to_vec())
                .ok_or("secret is not a string")
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = base64::engine::general_purpose::STANDARD
        .decode(text(v, "body_b64")?)
        .map_err(|e| format!("body_b64: {e}"))?;
    let case = Case {
        onboarding: text(v, "scheme")? == "onboarding",
        tolerance: v.get("tolerance").and_then(Value::as_u64),
        now: v.get("now").and_then(Value::as_u64).ok_or("missing now")?,
        chunks: [0, 1, 7, 64, 3, 255, 16, 2],
        header: text(v, "header")?.into_bytes(),
        secrets,
        body,
    };
    Ok((case, text(v, "expect")?))
}

fn expected(v: &Value, expect: &str, onboarding: bool) -> Verdict {
    if expect != "ok" {
        return Err(ErrorKind::from_code(expect).map_or("unknown code", ErrorKind::code));
    }
    let index = v.get("secret_index").and_then(Value::as_u64).unwrap_or(0);
    let timestamp = if onboarding {
        None
    } else {
        let header = text(v, "header").unwrap_or_default();
        reference::parse_business(header.as_bytes())
            .ok()
            .map(|h| h.timestamp)
    };
    Ok((usize::try_from(index).unwrap_or(usize::MAX), timestamp))
}

fn run(vectors: &Path, out: &Path) -> Result<usize, String> {
    let json =
        std::fs::read_to_string(vectors).map_err(|e| format!("{}: {e}", vectors.display()))?;
    let all: Vec<Value> = serde_json::from_str(&json).map_err(|e| format!("vectors: {e}"))?;
    let mut failures = Vec::new();
    for target in CASE_TARGETS.iter().chain(&["parse_header"]) {
        std::fs::create_dir_all(out.join(target)).map_err(|e| e.to_string())?;
    }
    for (i, v) in all.iter().enumerate() {
        let name = v.get("name").and_then(Value::as_str).unwrap_or("?");
        let (case, expect) = case_of(v).map_err(|e| format!("vector {i} ({name}): {e}"))?;
        let encoded = case.encode();
        if Case::decode(&encoded) != case {
            failures.push(format!("{name}: the fuzz input format does not round-trip"));
        }
        let want = expected(v, &expect, case.onboarding);
        let core = case.one_shot();
        let reference = if case.onboarding {
            reference::verify_onboarding(&case.secrets, &case.header, &case.body)
        } else {
            reference::verify_business(
                &case.secrets,
                case.tolerance,
                &case.header,
                &case.body,
                case.now,
            )
        };
        if core != want {
            failures.push(format!("{name}: core {core:?}, vector says {want:?}"));
        }
        if reference != want {
            failures.push(format!(
                "{name}: reference {reference:?}, vector says {want:?}"
            ));
        }
        let file = format!("vector-{i:03}");
        for target in CASE_TARGETS {
            std::fs::write(out.join(target).join(&file), &encoded).map_err(|e| e.to_string())?;
        }
        std::fs::write(out.join("parse_header").join(&file), &case.header)
            .map_err(|e| e.to_string())?;
    }
    if failures.is_empty() {
        Ok(all.len())
    } else {
        Err(failures.join("\n"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [vectors, out] = args.as_slice() else {
        eprintln!("usage: make_seeds VECTORS.json OUT_DIR");
        return ExitCode::from(2);
    };
    match run(Path::new(vectors), Path::new(out)) {
        Ok(n) => {
            println!("{n} vectors checked (core and reference agree with each), seeds in {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
