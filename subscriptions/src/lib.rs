//! A small blocking client for Qonto's webhook subscription API (`/v2/webhook_subscriptions`):
//! create a subscription, get one, list them, delete one; for the onboarding API's webhook
//! endpoints ([`onboarding`]: `/register/webhooks`, register and list); plus [`generate_secret`]
//! and, behind the `cli` feature, the `qonto-webhooks subscriptions` command (with `delete` and
//! `rotate`, a secret rotation as two steps) and the `onboarding` command.
//!
//! Every request is checked against the documented limits before it is sent (HTTPS
//! `callback_url` of at most 512 characters, known and unique topics, a 32 to 128 character
//! secret, a description of at most 256). The access token never appears in `Debug`, `Display`
//! or any output. Only `GET`s are retried (on 429, 5xx and network failures), so a create or a
//! delete is never sent twice.
//!
//! # Examples
//!
//! ```no_run
//! use qonto_webhooks_subscriptions::{Client, NewSubscription, Token, generate_secret};
//!
//! # fn main() -> Result<(), qonto_webhooks_subscriptions::Error> {
//! let client = Client::builder(Token::from_env()?).build()?; // QONTO_ACCESS_TOKEN
//! let secret = generate_secret()?; // or leave it out: Qonto generates one
//! let new = NewSubscription::new("https://example.com/webhooks/qonto", ["v1/transactions"])
//!     .secret(secret)
//!     .description("payments");
//! let created = client.create(&new)?;
//! // The only time the API returns the secret: store it (e.g. in a secret manager) now.
//! println!("subscription {}", created.subscription.id);
//! for s in client.list_all()? {
//!     println!("{} -> {}", s.id, s.callback_url);
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod client;
mod error;
mod http;
mod model;
pub mod onboarding;

#[cfg(feature = "cli")]
pub mod cli;

pub use client::{
    Client, ClientBuilder, PRODUCTION_URL, SANDBOX_URL, STAGING_TOKEN_ENV, STAGING_TOKEN_HEADER,
    TOKEN_ENV,
};
pub use error::{ApiError, ApiErrorDetail, Error};
pub use model::{
    CreatedSubscription, ListParams, MAX_CALLBACK_URL_LEN, MAX_DESCRIPTION_LEN, MAX_PER_PAGE,
    MAX_SECRET_LEN, MIN_SECRET_LEN, Meta, NewSubscription, Secret, Subscription, SubscriptionPage,
    TOPICS, Token, generate_secret,
};
pub use onboarding::{
    LEGACY_REGISTER_PATH, MAX_ONBOARDING_SECRET_LEN, NewOnboardingWebhook,
    ONBOARDING_PRODUCTION_URL, ONBOARDING_SANDBOX_URL, ONBOARDING_TOKEN_ENV, OnboardingClient,
    OnboardingClientBuilder, OnboardingWebhook, OnboardingWebhookPage, PARTNER_ID_ENV,
    PARTNER_ID_HEADER, PartnerId, REGISTER_PATH, RegisteredOnboardingWebhook,
};

#[cfg(feature = "cli")]
pub use cli::{OnboardingCommand, SubscriptionsCommand, run, run_onboarding};
