//! Setting up a subscription, end to end, against the local stand-in for Qonto:
//! create it, store the secret it returns (the only time Qonto shows it), then verify the first
//! webhook with `qonto-webhooks`.
//!
//! ```text
//! cargo run -p qonto-webhooks-subscriptions --example setup
//! ```
//!
//! Against Qonto, build the client with `Client::builder(Token::from_env()?)` (production) or
//! `.sandbox(staging_token)` instead of the stand-in's base URL.

use qonto_webhooks::{BUSINESS_HEADER, Verifier, sign, unix_now};
use qonto_webhooks_subscriptions::{Client, NewSubscription, Token};
use qonto_webhooks_testkit::fake_qonto;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let qonto = fake_qonto::FakeQonto::start("demo-token");
    let client = Client::builder(Token::new("demo-token")?)
        .base_url(&qonto.base_url)
        .build()?;

    // 1. Create the subscription; Qonto generates the secret and returns it this once.
    let created = client.create(
        &NewSubscription::new("https://example.com/webhooks/qonto", ["v1/transactions"])
            .description("payments"),
    )?;
    let secret = created.secret.ok_or("the create answer has no secret")?;
    println!(
        "created {} -> {}",
        created.subscription.id, created.subscription.callback_url
    );

    // 2. Store it where the receiver reads it (a secret manager; here, a variable).
    let stored_secret: String = secret.expose().to_owned();
    println!("stored the secret ({} characters)", stored_secret.len());

    // 3. The first webhook arrives, signed by Qonto with that secret (simulated here).
    let body = format!(
        r#"{{"id":"6f1c2e0a-1b2c-4d3e-8f90-a1b2c3d4e5f6","subscription_id":"{}","type":"v1/transactions","data":{{"event":"created"}}}}"#,
        created.subscription.id
    );
    let header = sign(&stored_secret, body.as_bytes(), unix_now())?;

    // 4. The receiver verifies it with the stored secret.
    let verifier = Verifier::new(&stored_secret)?;
    let ok = verifier.verify_now(body.as_bytes(), &*header)?;
    println!(
        "{BUSINESS_HEADER}: verified (secret #{}, t={})",
        ok.secret_index,
        ok.timestamp.unwrap_or_default()
    );
    let tampered = body.replace("created", "deleted");
    match verifier.verify_now(tampered.as_bytes(), &*header) {
        Ok(_) => return Err("a tampered body verified".into()),
        Err(e) => println!("tampered body rejected: error[{}] {e}", e.code()),
    }
    Ok(())
}
