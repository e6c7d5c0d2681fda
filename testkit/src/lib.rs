//! The shared test helpers of the workspace (not published):
//!
//! - [`vectors`]: the shared test data (`testkit/vectors/vectors.json` and `requests.json`) as
//!   Rust values, read in one place for the core's tests, the CLI's tests and the conformance
//!   runner;
//! - `fake_qonto` (feature `fake-qonto`): a stand-in for Qonto's webhook subscription and
//!   onboarding APIs, an HTTP server on 127.0.0.1, for the subscriptions client's tests and
//!   examples and the CLI's tests.
//!
//! It does not depend on the core (`qonto-webhooks`): the core's own tests use it, and would
//! otherwise see two copies of the core's types. The stand-in signs with `ring` directly, so it
//! does not take the core's signer on trust either.

#[cfg(feature = "fake-qonto")]
pub mod fake_qonto;
pub mod vectors;
