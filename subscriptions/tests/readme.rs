//! The Rust blocks of the root README and of this crate's README, as shown there (between the
//! `snippet:` comments; `.ci/snippets.py` copies them into the READMEs and fails when one differs),
//! against the local stand-in for Qonto. The lines marked `snippet:hide` point the client at the
//! stand-in and are not shown: the READMEs show the production client. The blocks read their
//! tokens from the environment, so each test runs them in a child process of this test binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::process::Command;

use qonto_webhooks_testkit::fake_qonto::FakeQonto;

const TOKEN: &str = "readme-token";
const PARTNER: &str = "readme-partner";

/// Runs the test `name` again in a child process with the tokens in the environment; false when
/// this already is that child.
fn in_child(name: &str) -> bool {
    if std::env::var_os("QONTO_ACCESS_TOKEN").is_some() {
        return false;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env("QONTO_ACCESS_TOKEN", TOKEN)
        .env("QONTO_ONBOARDING_TOKEN", TOKEN)
        .env("QONTO_PARTNER_ID", PARTNER)
        .status()
        .unwrap();
    assert!(status.success(), "{name} failed in its child process");
    true
}

#[test]
fn root_readme_client() -> Result<(), Box<dyn Error>> {
    if in_child("root_readme_client") {
        return Ok(());
    }
    let qonto = FakeQonto::start(TOKEN);
    // snippet:start root-client
    use qonto_webhooks_subscriptions::{Client, NewSubscription, Token, generate_secret};

    let client = Client::builder(Token::from_env()?) // QONTO_ACCESS_TOKEN
        .base_url(&qonto.base_url) // snippet:hide
        .build()?;
    let created = client.create(
        &NewSubscription::new("https://example.com/webhooks/qonto", ["v1/transactions"])
            .secret(generate_secret()?),
    )?;
    let secret = created.secret.expect("returned once, at creation"); // store secret.expose() now
    for s in client.list_all()? {
        println!("{} {}", s.id, s.callback_url);
    }
    // snippet:end root-client
    assert!(secret.expose().starts_with("whsec_"));
    let all = client.list_all()?;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].callback_url, "https://example.com/webhooks/qonto");
    Ok(())
}

#[test]
fn crate_readme_client() -> Result<(), Box<dyn Error>> {
    if in_child("crate_readme_client") {
        return Ok(());
    }
    let qonto = FakeQonto::start(TOKEN);
    qonto.seed(2);
    // snippet:start client
    use qonto_webhooks_subscriptions::{Client, NewSubscription, Token};

    let client = Client::builder(Token::from_env()?) // or .sandbox(staging_token)
        .base_url(&qonto.base_url) // snippet:hide
        .build()?;
    let created = client.create(&NewSubscription::new(
        "https://example.com/webhooks/qonto",
        ["v1/transactions"],
    ))?;
    let secret = created.secret.expect("returned once, at creation"); // store secret.expose() now
    let all = client.list_all()?;
    client.delete(&created.subscription.id)?; // DELETE /v2/webhook_subscriptions/{id}: 204 (or 200), 404 when unknown
    // snippet:end client
    assert!(!secret.expose().is_empty());
    assert_eq!(all.len(), 3);
    assert!(all.iter().any(|s| s.id == created.subscription.id));
    assert_eq!(
        client.list_all()?.len(),
        2,
        "the subscription was not deleted"
    );
    Ok(())
}

#[test]
fn crate_readme_onboarding_client() -> Result<(), Box<dyn Error>> {
    if in_child("crate_readme_onboarding_client") {
        return Ok(());
    }
    let qonto = FakeQonto::start(TOKEN);
    qonto.require_partner_id(PARTNER);
    // snippet:start onboarding-client
    use qonto_webhooks_subscriptions::{
        NewOnboardingWebhook, OnboardingClient, PartnerId, onboarding,
    };

    let client = OnboardingClient::builder(onboarding::token_from_env()?, PartnerId::from_env()?)
        .base_url(&qonto.base_url) // snippet:hide
        .build()?; // production; .sandbox(staging_token) for the sandbox
    let registered = client.register(
        &NewOnboardingWebhook::new("https://example.com/webhooks/qonto-onboarding"), // .enabled(false), .secret(..)
    )?;
    let secret = registered.secret; // generated here and registered: store secret.expose() now
    let endpoints = client.list_all()?;
    // snippet:end onboarding-client
    assert!(!secret.expose().is_empty());
    assert_eq!(endpoints.len(), 1);
    Ok(())
}
