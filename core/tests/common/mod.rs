//! The shared test vectors (`core/tests/data/vectors.json`) as Rust values. The core's tests use
//! this module; the CLI's tests and the differential's Rust runner include this file by path, so
//! the format is read in one place.

#![allow(dead_code)]

use base64::Engine as _;
use qonto_webhooks::Tolerance;
use serde::Deserialize;

/// The vectors file, compiled in.
pub const VECTORS_JSON: &str = include_str!("../data/vectors.json");

/// One case: the vector format (`expect` and `secret_index` are absent in the differential's
/// random cases).
#[derive(Debug, Deserialize)]
pub struct Vector {
    #[serde(default)]
    pub name: String,
    pub scheme: String,
    pub secrets: Vec<String>,
    pub header: String,
    pub body_b64: String,
    pub now: u64,
    /// `None`: the window is disabled.
    pub tolerance: Option<u64>,
    #[serde(default)]
    pub expect: String,
    pub secret_index: Option<usize>,
}

impl Vector {
    /// The raw body.
    pub fn body(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_b64)
            .unwrap_or_else(|e| panic!("{}: body_b64 is not base64: {e}", self.name))
    }

    /// The replay window.
    pub fn tolerance(&self) -> Tolerance {
        self.tolerance
            .map_or(Tolerance::Disabled, Tolerance::Seconds)
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

/// Every vector of `core/tests/data/vectors.json`.
pub fn vectors() -> Vec<Vector> {
    parse(VECTORS_JSON)
}

/// The request-level cases (`core/tests/data/requests.json`), compiled in.
pub const REQUESTS_JSON: &str = include_str!("../data/requests.json");

/// One request-level case: the headers a request carries and the schemes the endpoint accepts.
#[derive(Debug, Deserialize)]
pub struct RequestCase {
    pub name: String,
    /// `"business"`, `"onboarding"` or `"both"`.
    pub schemes: String,
    pub secrets: Vec<String>,
    /// The `X-Qonto-Signature` value, `None` when absent.
    pub business: Option<String>,
    /// The `Qonto-SHA256-Signature` value, `None` when absent.
    pub onboarding: Option<String>,
    pub body_b64: String,
    pub now: u64,
    pub tolerance: Option<u64>,
    pub expect: String,
    /// The scheme verified under, when `expect` is `ok`.
    pub scheme: Option<String>,
    pub secret_index: Option<usize>,
    /// A substring of the rejection's message, where the case pins one.
    pub message_contains: Option<String>,
}

impl RequestCase {
    /// The raw body.
    pub fn body(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_b64)
            .unwrap_or_else(|e| panic!("{}: body_b64 is not base64: {e}", self.name))
    }

    /// The replay window.
    pub fn tolerance(&self) -> Tolerance {
        self.tolerance
            .map_or(Tolerance::Disabled, Tolerance::Seconds)
    }
}

/// Every case of `core/tests/data/requests.json`.
pub fn requests() -> Vec<RequestCase> {
    serde_json::from_str(REQUESTS_JSON).unwrap_or_else(|e| panic!("not a requests file: {e}"))
}
