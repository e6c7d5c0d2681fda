//! The onboarding API's webhook endpoints (`/register/webhooks`): register the one endpoint that
//! receives a partner's onboarding events (`registrations.*`, `organizations.deleted`, signed
//! with `Qonto-SHA256-Signature`), and list the registered ones.
//!
//! A different API from the business subscriptions: other hosts, a partner token and a
//! `Qonto-Partner-Id` header instead of an OAuth token, and the secret is always sent by the
//! caller (generated here when not given, by [`generate_secret`]).
//!
//! ```no_run
//! use qonto_webhooks_subscriptions::{NewOnboardingWebhook, OnboardingClient, PartnerId};
//!
//! # fn main() -> Result<(), qonto_webhooks_subscriptions::Error> {
//! let client = OnboardingClient::builder(
//!     qonto_webhooks_subscriptions::onboarding::token_from_env()?, // QONTO_ONBOARDING_TOKEN
//!     PartnerId::from_env()?,                                      // QONTO_PARTNER_ID
//! )
//! .build()?; // production; .sandbox(staging_token) for the sandbox
//! let registered = client.register(&NewOnboardingWebhook::new(
//!     "https://example.com/webhooks/qonto-onboarding",
//! ))?;
//! // A secret was generated and registered: store registered.secret.expose() for the receiver.
//! println!("endpoint {}", registered.webhook.id);
//! for w in client.list_all()? {
//!     println!("{} -> {} (enabled: {})", w.id, w.callback_url, w.enabled);
//! }
//! # Ok(()) }
//! ```

use core::fmt;
use core::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::http::{Api, Http, HttpOptions, Method};
use crate::model::validate_callback_url;
use crate::{Error, ListParams, MAX_PER_PAGE, Meta, SANDBOX_URL, Secret, Token, generate_secret};

/// The onboarding API in production.
pub const ONBOARDING_PRODUCTION_URL: &str = "https://onboarding-partners.qonto.com";
/// The onboarding API's sandbox (the business API's sandbox host; needs a staging token).
pub const ONBOARDING_SANDBOX_URL: &str = SANDBOX_URL;
/// The header carrying the partner id.
pub const PARTNER_ID_HEADER: &str = "Qonto-Partner-Id";
/// The environment variable holding the partner id.
pub const PARTNER_ID_ENV: &str = "QONTO_PARTNER_ID";
/// The environment variable holding the onboarding API token (`Authorization: Bearer`).
pub const ONBOARDING_TOKEN_ENV: &str = "QONTO_ONBOARDING_TOKEN";
/// Where endpoints are registered and listed: the path of the API reference (the default).
pub const REGISTER_PATH: &str = "/register/webhooks";
/// The older registration path named by the onboarding guide's prose
/// ([`OnboardingClientBuilder::legacy_register_path`]).
pub const LEGACY_REGISTER_PATH: &str = "/data_api/webhooks";
/// Longest secret this client sends to the onboarding API, in characters (Qonto documents no
/// limit; this one catches a pasted file).
pub const MAX_ONBOARDING_SECRET_LEN: usize = 256;
/// Longest `callback_url` this client sends to the onboarding API (Qonto documents no limit).
pub const MAX_ONBOARDING_CALLBACK_URL_LEN: usize = 2048;

/// Reads the onboarding API token from `QONTO_ONBOARDING_TOKEN`.
///
/// # Errors
/// [`Error::MissingOnboardingToken`] when it is unset or empty; [`Error::Invalid`] when it holds
/// whitespace.
pub fn token_from_env() -> Result<Token, Error> {
    let value = Zeroizing::new(std::env::var(ONBOARDING_TOKEN_ENV).unwrap_or_default());
    onboarding_token(value.as_str())
}

/// Wraps an onboarding API token ([`Token::new`], with the onboarding error when it is empty).
///
/// # Errors
/// [`Error::MissingOnboardingToken`] when it is empty; [`Error::Invalid`] when it holds
/// whitespace or control characters.
pub fn onboarding_token(token: &str) -> Result<Token, Error> {
    Token::new(token).map_err(|e| match e {
        Error::MissingToken => Error::MissingOnboardingToken,
        other => other,
    })
}

/// A partner id, sent as `Qonto-Partner-Id`. Treated as a credential: `Debug` is redacted, it
/// has no `Display`, and its bytes are wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct PartnerId(Zeroizing<String>);

impl PartnerId {
    /// Wraps a partner id (spaces around it are dropped).
    ///
    /// # Errors
    /// [`Error::MissingPartnerId`] when it is empty; [`Error::Invalid`] with field `partner_id`
    /// when it holds anything but visible ASCII (it travels in a header).
    pub fn new(id: impl Into<String>) -> Result<PartnerId, Error> {
        let given = Zeroizing::new(id.into());
        let id = Zeroizing::new(given.trim().to_owned());
        if id.is_empty() {
            return Err(Error::MissingPartnerId);
        }
        if !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "partner_id",
                "it must be visible ASCII characters only (no spaces or control characters)",
            ));
        }
        Ok(PartnerId(id))
    }

    /// Reads `QONTO_PARTNER_ID`.
    ///
    /// # Errors
    /// [`Error::MissingPartnerId`] when it is unset or empty.
    pub fn from_env() -> Result<PartnerId, Error> {
        let value = Zeroizing::new(std::env::var(PARTNER_ID_ENV).unwrap_or_default());
        PartnerId::new(value.as_str())
    }

    /// The id itself, to put in the header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PartnerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PartnerId(<redacted>)")
    }
}

impl FromStr for PartnerId {
    type Err = Error;
    fn from_str(s: &str) -> Result<PartnerId, Error> {
        PartnerId::new(s)
    }
}

/// The body of `POST /register/webhooks`: where to send the onboarding webhooks, whether the
/// endpoint is enabled (default yes) and the secret that signs them (generated by
/// [`OnboardingClient::register`] when not set).
///
/// ```
/// use qonto_webhooks_subscriptions::NewOnboardingWebhook;
/// let new = NewOnboardingWebhook::new("https://example.com/webhooks/qonto-onboarding");
/// assert!(new.is_enabled());
/// assert!(new.validate().is_ok());
/// assert!(NewOnboardingWebhook::new("http://example.com/hook").validate().is_err());
/// ```
#[derive(Clone, Debug)]
pub struct NewOnboardingWebhook {
    callback_url: String,
    enabled: bool,
    secret: Option<Secret>,
}

impl NewOnboardingWebhook {
    /// An enabled endpoint at `callback_url`, with a secret generated at registration.
    pub fn new(callback_url: impl Into<String>) -> NewOnboardingWebhook {
        NewOnboardingWebhook {
            callback_url: callback_url.into(),
            enabled: true,
            secret: None,
        }
    }

    /// Registers it enabled (the default) or disabled.
    pub fn enabled(mut self, enabled: bool) -> NewOnboardingWebhook {
        self.enabled = enabled;
        self
    }

    /// Sends this secret (see [`Secret::new_onboarding`]) instead of a generated one.
    pub fn secret(mut self, secret: Secret) -> NewOnboardingWebhook {
        self.secret = Some(secret);
        self
    }

    /// The callback URL.
    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }

    /// Whether it is registered enabled.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The secret to send, if one was set.
    pub fn secret_ref(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// Checks it as [`OnboardingClient::register`] does before sending, for a production or
    /// sandbox client: `callback_url` `https://` with a host, the secret (when set) 1 to 256
    /// characters without whitespace.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field: `callback_url` or `secret`.
    pub fn validate(&self) -> Result<(), Error> {
        self.validate_with(false)
    }

    /// As [`NewOnboardingWebhook::validate`]; `loopback_http` also accepts `http://` to a
    /// loopback host (only when the API itself is a local stand-in).
    fn validate_with(&self, loopback_http: bool) -> Result<(), Error> {
        validate_callback_url(
            &self.callback_url,
            MAX_ONBOARDING_CALLBACK_URL_LEN,
            loopback_http,
        )?;
        if let Some(s) = &self.secret {
            s.validate_onboarding()?;
        }
        Ok(())
    }
}

/// What is sent: every field is required by the API.
#[derive(Serialize)]
struct RegisterBody<'a> {
    callback_url: &'a str,
    enabled: bool,
    secret: &'a Secret,
}

/// A registered onboarding webhook endpoint, as the API returns it. A `secret` in a list
/// answer is not kept: it is never printed by a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingWebhook {
    /// Its id (a UUID).
    pub id: String,
    /// Where the onboarding webhooks go.
    pub callback_url: String,
    /// Whether Qonto sends to it.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// When it was registered (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When it was last updated (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
}

fn enabled_by_default() -> bool {
    true
}

/// The answer to a registration: the endpoint, and the secret that signs its webhooks (the
/// one Qonto answered, else the one sent). Store the secret now. No `Serialize`: the secret
/// cannot be written out by accident; `Debug` redacts it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredOnboardingWebhook {
    /// The endpoint.
    pub webhook: OnboardingWebhook,
    /// The signing secret.
    pub secret: Secret,
}

#[derive(Deserialize)]
struct RegisterAnswer {
    #[serde(flatten)]
    webhook: OnboardingWebhook,
    #[serde(default)]
    secret: Option<Secret>,
}

/// One page of `GET /register/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingWebhookPage {
    /// The endpoints of this page (the API's name for the list).
    pub webhook_subscriptions: Vec<OnboardingWebhook>,
    /// Pagination.
    pub meta: Meta,
}

/// Builds an [`OnboardingClient`]: host, staging token, timeouts, retries, registration path.
#[derive(Clone, Debug)]
pub struct OnboardingClientBuilder {
    opts: HttpOptions,
    token: Token,
    partner_id: PartnerId,
    register_path: &'static str,
}

impl OnboardingClientBuilder {
    /// Production, `https://onboarding-partners.qonto.com` (the default).
    pub fn production(mut self) -> OnboardingClientBuilder {
        self.opts.base_url = ONBOARDING_PRODUCTION_URL.to_owned();
        self.opts.explicit_base_url = false;
        self
    }

    /// The sandbox, `https://thirdparty-sandbox.staging.qonto.co`, with its staging token.
    pub fn sandbox(mut self, staging_token: Token) -> OnboardingClientBuilder {
        self.opts.base_url = ONBOARDING_SANDBOX_URL.to_owned();
        self.opts.explicit_base_url = false;
        self.opts.staging_token = Some(staging_token);
        self
    }

    /// Another base URL: `https://...`, or `http://` on a loopback host only (a local
    /// stand-in; then an `http://` callback URL on a loopback host is accepted too). A staging
    /// token, if any, is sent to it.
    pub fn base_url(mut self, url: impl Into<String>) -> OnboardingClientBuilder {
        self.opts.base_url = url.into();
        self.opts.explicit_base_url = true;
        self
    }

    /// Sends `X-Qonto-Staging-Token` to the sandbox or to a base URL set with
    /// [`OnboardingClientBuilder::base_url`]; never to production.
    pub fn staging_token(mut self, token: Option<Token>) -> OnboardingClientBuilder {
        self.opts.staging_token = token;
        self
    }

    /// Timeout of a whole request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> OnboardingClientBuilder {
        self.opts.timeout = timeout;
        self
    }

    /// Timeout of the connection alone (default 10 s, capped by the whole timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> OnboardingClientBuilder {
        self.opts.connect_timeout = timeout;
        self
    }

    /// How many times a list (`GET`) is retried after a 429, a 5xx or a network failure
    /// (default 2). A registration (`POST`) is never retried: it is never sent twice.
    pub fn max_retries(mut self, retries: u32) -> OnboardingClientBuilder {
        self.opts.max_retries = retries.min(10);
        self
    }

    /// The wait before the first retry, doubled each time (default 500 ms).
    pub fn retry_backoff(mut self, backoff: Duration) -> OnboardingClientBuilder {
        self.opts.retry_backoff = backoff;
        self
    }

    /// Registers with the older `POST /data_api/webhooks`, which the onboarding guide's prose
    /// names, instead of the API reference's `POST /register/webhooks` (the default). The same
    /// body is sent. Listing always uses `GET /register/webhooks`.
    pub fn legacy_register_path(mut self, legacy: bool) -> OnboardingClientBuilder {
        self.register_path = if legacy {
            LEGACY_REGISTER_PATH
        } else {
            REGISTER_PATH
        };
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Invalid`] with field `base_url` when the URL is not `https://` (or `http://` on
    /// a loopback host), or carries credentials, a query or a fragment.
    pub fn build(self) -> Result<OnboardingClient, Error> {
        Ok(OnboardingClient {
            http: self.opts.build(
                Api::Onboarding,
                ONBOARDING_SANDBOX_URL,
                self.token,
                Some(self.partner_id),
            )?,
            register_path: self.register_path,
        })
    }
}

/// A blocking client for the onboarding API's webhook endpoints. Every request carries
/// `Authorization: Bearer <token>` and `Qonto-Partner-Id` (plus `X-Qonto-Staging-Token` for the
/// sandbox). Cheap to clone; `Debug` hides the credentials.
#[derive(Clone)]
pub struct OnboardingClient {
    http: Http,
    register_path: &'static str,
}

impl fmt::Debug for OnboardingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnboardingClient")
            .field("base_url", &self.http.base_url)
            .field("register_path", &self.register_path)
            .field("token", &self.http.token)
            .field("partner_id", &self.http.partner_id)
            .field("staging_token", &self.http.staging_token)
            .field("max_retries", &self.http.max_retries)
            .finish_non_exhaustive()
    }
}

impl OnboardingClient {
    /// A builder for production with this token and partner id, 30 s timeout, 2 retries for
    /// a list.
    pub fn builder(token: Token, partner_id: PartnerId) -> OnboardingClientBuilder {
        OnboardingClientBuilder {
            opts: HttpOptions::new(ONBOARDING_PRODUCTION_URL),
            token,
            partner_id,
            register_path: REGISTER_PATH,
        }
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        &self.http.base_url
    }

    /// Checks `new` as [`OnboardingClient::register`] will, without sending anything.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field: `callback_url` or `secret`.
    pub fn validate(&self, new: &NewOnboardingWebhook) -> Result<(), Error> {
        new.validate_with(self.http.loopback)
    }

    /// `POST /register/webhooks` (or the legacy path): registers the endpoint, with its secret
    /// or one generated here ([`generate_secret`]: `whsec_` + base64 of 32 random bytes). Never
    /// retried.
    ///
    /// # Errors
    /// [`Error::Invalid`] (nothing sent), [`Error::Random`], [`Error::Api`] (e.g. 400, 401),
    /// [`Error::Network`], [`Error::Decode`], [`Error::Redirect`].
    pub fn register(
        &self,
        new: &NewOnboardingWebhook,
    ) -> Result<RegisteredOnboardingWebhook, Error> {
        self.validate(new)?;
        let secret = match &new.secret {
            Some(s) => s.clone(),
            None => generate_secret()?,
        };
        let body = RegisterBody {
            callback_url: &new.callback_url,
            enabled: new.enabled,
            secret: &secret,
        };
        // Sized up front so that no reallocation leaves a copy of the secret behind; wiped on
        // drop.
        let mut bytes = Zeroizing::new(Vec::with_capacity(
            64 + new.callback_url.len() * 6 + secret.expose().len() * 6,
        ));
        serde_json::to_writer(&mut *bytes, &body)
            .map_err(|e| Error::invalid("body", e.to_string()))?;
        let answer: RegisterAnswer =
            self.http
                .call(Method::Post, self.register_path, Some(&bytes))?;
        Ok(RegisteredOnboardingWebhook {
            webhook: answer.webhook,
            secret: answer.secret.unwrap_or(secret),
        })
    }

    /// `GET /register/webhooks?page=&per_page=`: one page.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a page of 0 or a `per_page` outside 1..=100 (nothing sent),
    /// [`Error::Api`], [`Error::Network`], [`Error::Decode`], [`Error::Redirect`].
    pub fn list(&self, params: ListParams) -> Result<OnboardingWebhookPage, Error> {
        params.validate()?;
        self.http
            .call(Method::Get, &params.path(REGISTER_PATH), None)
    }

    /// Every registered endpoint, following `meta.next_page` from page 1 (100 per page).
    ///
    /// # Errors
    /// As [`OnboardingClient::list`]; [`Error::Decode`] if the pagination does not move forward.
    pub fn list_all(&self) -> Result<Vec<OnboardingWebhook>, Error> {
        self.list_all_with(MAX_PER_PAGE)
    }

    /// Every registered endpoint, `per_page` at a time.
    ///
    /// # Errors
    /// As [`OnboardingClient::list`]; [`Error::Decode`] if the pagination does not move forward.
    pub fn list_all_with(&self, per_page: u32) -> Result<Vec<OnboardingWebhook>, Error> {
        self.http.walk(REGISTER_PATH, per_page, |params| {
            let page = self.list(params)?;
            Ok((page.webhook_subscriptions, page.meta.next_page))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn client(
        b: impl FnOnce(OnboardingClientBuilder) -> OnboardingClientBuilder,
    ) -> OnboardingClient {
        b(OnboardingClient::builder(
            Token::new("tok").unwrap(),
            PartnerId::new("partner").unwrap(),
        ))
        .build()
        .unwrap()
    }

    #[test]
    fn hosts_and_where_the_staging_token_goes() {
        let staging = || Some(Token::new("staging").unwrap());
        let c = client(|b| b.staging_token(staging()));
        assert_eq!(c.base_url(), "https://onboarding-partners.qonto.com");
        assert!(c.http.staging_token.is_none(), "never to production");
        let c = client(|b| b.sandbox(Token::new("s").unwrap()));
        assert_eq!(c.base_url(), "https://thirdparty-sandbox.staging.qonto.co");
        assert!(c.http.staging_token.is_some());
        let c = client(|b| b.staging_token(staging()).base_url("http://127.0.0.1:9"));
        assert!(c.http.staging_token.is_some(), "a host the caller named");
        let c = client(|b| {
            b.base_url("https://e.com")
                .production()
                .staging_token(staging())
        });
        assert!(c.http.staging_token.is_none());
        assert_eq!(c.register_path, REGISTER_PATH);
        let c = client(|b| b.legacy_register_path(true));
        assert_eq!(c.register_path, LEGACY_REGISTER_PATH);
    }

    #[test]
    fn an_http_callback_only_on_loopback_and_only_with_a_local_api() {
        let local = client(|b| b.base_url("http://127.0.0.1:9"));
        let remote = client(|b| b.base_url("https://api.example.com"));
        let prod = client(|b| b);
        for url in [
            "http://127.0.0.1:8080/webhooks/onboarding",
            "http://localhost/x",
            "http://[::1]:9/",
        ] {
            let new = NewOnboardingWebhook::new(url);
            assert!(local.validate(&new).is_ok(), "{url}");
            assert!(remote.validate(&new).is_err(), "{url}");
            assert!(prod.validate(&new).is_err(), "{url}");
            assert!(new.validate().is_err(), "{url}");
        }
        for url in [
            "http://example.com/hook",
            "http://127.0.0.1:80@evil.example/x",
            "http://127.0.0.1.evil.example/x",
            "ftp://127.0.0.1/x",
        ] {
            let e = local.validate(&NewOnboardingWebhook::new(url)).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::Invalid {
                        field: "callback_url",
                        ..
                    }
                ),
                "{url}: {e:?}"
            );
        }
    }

    #[test]
    fn partner_ids_are_checked_and_redacted() {
        let p = PartnerId::new(" 4c1a-partner ").unwrap();
        assert_eq!(p.expose(), "4c1a-partner");
        assert!(!format!("{p:?}").contains("4c1a"));
        assert!(matches!(PartnerId::new("  "), Err(Error::MissingPartnerId)));
        assert!(matches!(
            PartnerId::new("a b"),
            Err(Error::Invalid {
                field: "partner_id",
                ..
            })
        ));
        assert!(matches!(
            onboarding_token(""),
            Err(Error::MissingOnboardingToken)
        ));
        assert_eq!(Error::MissingPartnerId.code(), "missing_partner_id");
        assert_eq!(Error::MissingOnboardingToken.code(), "missing_token");
        assert!(Error::MissingPartnerId.is_usage());
    }
}
