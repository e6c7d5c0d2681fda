//! Shared test helpers: the stand-in for Qonto ([`fake_qonto`], from the workspace's test kit,
//! `testkit/`), clients pointed at it, the in-process command runner ([`run`], feature `cli`),
//! temporary paths, JSON, the environment.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub use qonto_webhooks_testkit::fake_qonto;
#[cfg(feature = "cli")]
pub mod run;

use std::path::PathBuf;
use std::time::Duration;

use fake_qonto::FakeQonto;
use qonto_webhooks_subscriptions::{
    Client, OnboardingClient, OnboardingClientBuilder, PartnerId, Token,
};
use serde_json::Value;

/// The credentials' environment variables: clap reads them, so a test that needs one to be
/// missing checks [`env_unset`] first, and a child process runs with them removed.
pub const CREDENTIAL_ENV: [&str; 5] = [
    "QONTO_ACCESS_TOKEN",
    "QONTO_STAGING_TOKEN",
    "QONTO_ONBOARDING_TOKEN",
    "QONTO_PARTNER_ID",
    "QONTO_WEBHOOK_SECRET",
];

/// Whether `var` is absent from this process's environment (then a case that needs it missing
/// can run; the tests never change the environment of their own process).
pub fn env_unset(var: &str) -> bool {
    std::env::var_os(var).is_none()
}

/// A client for the stand-in with this token, retrying without waiting.
pub fn client(server: &FakeQonto, token: &str) -> Client {
    Client::builder(Token::new(token).unwrap())
        .base_url(&server.base_url)
        .retry_backoff(Duration::ZERO)
        .build()
        .unwrap()
}

/// An onboarding client builder for the stand-in with these credentials, retrying without
/// waiting.
pub fn onboarding_builder(
    server: &FakeQonto,
    token: &str,
    partner: &str,
) -> OnboardingClientBuilder {
    OnboardingClient::builder(Token::new(token).unwrap(), PartnerId::new(partner).unwrap())
        .base_url(&server.base_url)
        .retry_backoff(Duration::ZERO)
}

/// Parses JSON, or fails the test showing the text.
pub fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// `<tmp>/qw-<prefix>-<pid>-<name>/secret`: a path that does not exist yet, in a fresh
/// directory of its own.
pub fn temp_path(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qw-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("secret")
}

/// The permission bits of a file.
#[cfg(unix)]
pub fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
