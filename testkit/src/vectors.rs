//! The shared test vectors (`testkit/vectors/vectors.json`) and request cases
//! (`testkit/vectors/requests.json`) as Rust values, so that the format is read in one place.
//!
//! The files live in this crate's `vectors/` folder, where every language's tests read them, with
//! their generators (`generate_vectors.py`, `generate_requests.py`). The replay window is given
//! as `Option<u64>` (`None`: the window is disabled): this crate does not know the core's
//! `Tolerance`.

#![allow(clippy::panic)]

use std::path::PathBuf;

use base64::Engine as _;
use serde::Deserialize;

/// The vectors file, compiled in.
pub const VECTORS_JSON: &str = include_str!("../vectors/vectors.json");

/// The request-level cases file, compiled in.
pub const REQUESTS_JSON: &str = include_str!("../vectors/requests.json");

/// The folder of the shared test data (`testkit/vectors`).
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// One case: the vector format (`expect` and `secret_index` are absent in the differential's
/// random cases).
#[derive(Debug, Deserialize)]
pub struct Vector {
    /// The case's name (absent in random cases).
    #[serde(default)]
    pub name: String,
    /// `"business"` or `"onboarding"`.
    pub scheme: String,
    /// The verifier's secrets, in order.
    pub secrets: Vec<String>,
    /// The signature header's value.
    pub header: String,
    /// The raw body, in base64 (see [`Vector::body`]).
    pub body_b64: String,
    /// The current time, in Unix seconds.
    pub now: u64,
    /// The replay window in seconds; `None`: the window is disabled.
    pub tolerance: Option<u64>,
    /// `"ok"` or the error code (empty in random cases).
    #[serde(default)]
    pub expect: String,
    /// The index of the secret that verifies, when `expect` is `ok`.
    pub secret_index: Option<usize>,
}

impl Vector {
    /// The raw body.
    pub fn body(&self) -> Vec<u8> {
        decode(&self.name, &self.body_b64)
    }

    /// Whether this is an onboarding case (else business).
    pub fn onboarding(&self) -> bool {
        match self.scheme.as_str() {
            "onboarding" => true,
            "business" => false,
            other => panic!("{}: unknown scheme {other}", self.name),
        }
    }

    /// The expected verdict as the runners print it: `ok <secret_index>` or the error code.
    pub fn expected(&self) -> String {
        match self.secret_index {
            Some(i) if self.expect == "ok" => format!("ok {i}"),
            _ => self.expect.clone(),
        }
    }
}

/// Parses a vectors (or cases) file.
pub fn parse(text: &str) -> Vec<Vector> {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not a vectors file: {e}"))
}

/// Every vector of `testkit/vectors/vectors.json`.
pub fn vectors() -> Vec<Vector> {
    parse(VECTORS_JSON)
}

/// One request-level case: the headers a request carries and the schemes the endpoint accepts.
#[derive(Debug, Deserialize)]
pub struct RequestCase {
    /// The case's name.
    pub name: String,
    /// `"business"`, `"onboarding"` or `"both"`.
    pub schemes: String,
    /// The verifier's secrets, in order.
    pub secrets: Vec<String>,
    /// The `X-Qonto-Signature` value, `None` when absent.
    pub business: Option<String>,
    /// The `Qonto-SHA256-Signature` value, `None` when absent.
    pub onboarding: Option<String>,
    /// The raw body, in base64 (see [`RequestCase::body`]).
    pub body_b64: String,
    /// The current time, in Unix seconds.
    pub now: u64,
    /// The replay window in seconds; `None`: the window is disabled.
    pub tolerance: Option<u64>,
    /// `"ok"` or the error code.
    pub expect: String,
    /// The scheme verified under, when `expect` is `ok`.
    pub scheme: Option<String>,
    /// The index of the secret that verifies, when `expect` is `ok`.
    pub secret_index: Option<usize>,
    /// A substring of the rejection's message, where the case pins one.
    pub message_contains: Option<String>,
}

impl RequestCase {
    /// The raw body.
    pub fn body(&self) -> Vec<u8> {
        decode(&self.name, &self.body_b64)
    }
}

/// Every case of `testkit/vectors/requests.json`.
pub fn requests() -> Vec<RequestCase> {
    serde_json::from_str(REQUESTS_JSON).unwrap_or_else(|e| panic!("not a requests file: {e}"))
}

fn decode(name: &str, b64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap_or_else(|e| panic!("{name}: body_b64 is not base64: {e}"))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_vector_and_request_case() {
        let vectors = vectors();
        assert!(vectors.len() > 50, "{} vectors", vectors.len());
        for v in &vectors {
            assert!(!v.name.is_empty());
            assert!(!v.expect.is_empty(), "{}: no expected verdict", v.name);
            let _ = (v.body(), v.onboarding());
            assert_eq!(
                v.expected().starts_with("ok "),
                v.expect == "ok",
                "{}",
                v.name
            );
        }
        let requests = requests();
        assert!(requests.len() >= 20, "{} request cases", requests.len());
        for c in &requests {
            let _ = c.body();
            assert!(matches!(
                c.schemes.as_str(),
                "business" | "onboarding" | "both"
            ));
        }
    }

    #[test]
    fn the_data_folder_is_the_one_compiled_in() {
        let on_disk = std::fs::read_to_string(data_dir().join("vectors.json")).unwrap_or_default();
        assert_eq!(on_disk, VECTORS_JSON);
    }

    #[test]
    fn random_cases_need_no_name_or_verdict() {
        let cases = parse(
            r#"[{"scheme":"business","secrets":["s"],"header":"h","body_b64":"e30=","now":1,"tolerance":null}]"#,
        );
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].body(), b"{}");
        assert_eq!(cases[0].tolerance, None);
        assert_eq!(cases[0].expected(), "");
    }
}
