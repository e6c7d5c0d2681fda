//! Setting up onboarding webhooks, end to end, against the local stand-in for Qonto: register
//! the endpoint with a secret generated here, store the secret, then verify and deduplicate the
//! deliveries with `qonto-webhooks`.
//!
//! ```text
//! cargo run -p qonto-webhooks-subscriptions --example onboarding_setup
//! ```
//!
//! Against Qonto, build the client with `OnboardingClient::builder(onboarding::token_from_env()?,
//! PartnerId::from_env()?)` (production) or add `.sandbox(staging_token)`, instead of the
//! stand-in's base URL.

use std::collections::HashSet;

use qonto_webhooks::{ONBOARDING_HEADER, Verifier};
use qonto_webhooks_subscriptions::{NewOnboardingWebhook, OnboardingClient, PartnerId, Token};
use qonto_webhooks_testkit::fake_qonto;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let qonto = fake_qonto::FakeQonto::start("demo-token");
    qonto.require_partner_id("demo-partner");
    let client =
        OnboardingClient::builder(Token::new("demo-token")?, PartnerId::new("demo-partner")?)
            .base_url(&qonto.base_url)
            .build()?;

    // 1. Register the endpoint. No secret given: one is generated here and registered with it.
    let registered = client.register(&NewOnboardingWebhook::new(
        "https://example.com/webhooks/qonto-onboarding",
    ))?;
    println!(
        "registered {} -> {} (enabled: {})",
        registered.webhook.id, registered.webhook.callback_url, registered.webhook.enabled
    );

    // 2. Store the secret where the receiver reads it (a secret manager; here, a variable).
    let stored_secret: String = registered.secret.expose().to_owned();
    println!("stored the secret ({} characters)", stored_secret.len());
    for w in client.list_all()? {
        println!("listed {} -> {}", w.id, w.callback_url);
    }

    // 3. An onboarding webhook arrives, signed by Qonto with that secret (the stand-in signs it).
    let body = br#"{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}"#;
    let header = qonto.sign_onboarding(&registered.webhook.id, body);

    // 4. The receiver verifies the raw body with the stored secret: the onboarding scheme has no
    //    timestamp, hence no replay window, so it deduplicates on the event's `id`.
    let verifier = Verifier::new(&stored_secret)?;
    let mut seen = HashSet::new();
    for delivery in 1..=2 {
        let event = verifier.construct_onboarding_event(body, &header)?;
        if seen.insert(event.id.clone()) {
            println!(
                "{ONBOARDING_HEADER}: verified {} {} (delivery {delivery})",
                event.event_type, event.id
            );
        } else {
            println!(
                "delivery {delivery}: {} already processed, ignored (a retry or a replay)",
                event.id
            );
        }
    }
    let tampered = String::from_utf8_lossy(body).replace("pending", "completed");
    match verifier.verify_onboarding(tampered.as_bytes(), &header) {
        Ok(_) => return Err("a tampered body verified".into()),
        Err(e) => println!("tampered body rejected: error[{}] {e}", e.code()),
    }
    Ok(())
}
