//! A small blocking client for Qonto's webhook subscription API (`/v2/webhook_subscriptions`):
//! create a subscription, get one, list them; plus [`generate_secret`] and, behind the `cli`
//! feature, the `qonto-webhooks subscriptions` command.
//!
//! Every request is checked against the documented limits before it is sent (HTTPS
//! `callback_url` of at most 512 characters, known and unique topics, a 32 to 128 character
//! secret, a description of at most 256). The access token never appears in `Debug`, `Display`
//! or any output. Only `GET`s are retried (on 429, 5xx and network failures), so a create is
//! never sent twice.
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
mod model;

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

#[cfg(feature = "cli")]
pub use cli::{SubscriptionsCommand, run};
