//! The client of `/v2/webhook_subscriptions`: its builder (base URL, tokens, timeouts, retries)
//! and its calls (create, get, list, delete). The transport is in `http`.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::http::{Api, Http, HttpOptions, Method};
use crate::model::validate_id;
use crate::{
    CreatedSubscription, Error, ListParams, MAX_PER_PAGE, NewSubscription, Subscription,
    SubscriptionPage, Token,
};

pub use crate::http::STAGING_TOKEN_HEADER;

/// Qonto's production API.
pub const PRODUCTION_URL: &str = "https://thirdparty.qonto.com";
/// Qonto's sandbox API (needs a staging token, sent as [`STAGING_TOKEN_HEADER`] to this host
/// only).
pub const SANDBOX_URL: &str = "https://thirdparty-sandbox.staging.qonto.co";
/// The environment variable holding the access token.
pub const TOKEN_ENV: &str = "QONTO_ACCESS_TOKEN";
/// The environment variable holding the sandbox staging token.
pub const STAGING_TOKEN_ENV: &str = "QONTO_STAGING_TOKEN";

const PATH: &str = "/v2/webhook_subscriptions";

/// Builds a [`Client`]: base URL, tokens, timeouts, retries.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    opts: HttpOptions,
    token: Token,
}

impl ClientBuilder {
    /// Production (the default).
    pub fn production(mut self) -> ClientBuilder {
        self.opts.base_url = PRODUCTION_URL.to_owned();
        self.opts.explicit_base_url = false;
        self
    }

    /// The sandbox, with its staging token.
    pub fn sandbox(mut self, staging_token: Token) -> ClientBuilder {
        self.opts.base_url = SANDBOX_URL.to_owned();
        self.opts.explicit_base_url = false;
        self.opts.staging_token = Some(staging_token);
        self
    }

    /// Another base URL: `https://...`, or `http://` on a loopback host only (a local stand-in).
    /// A staging token, if any, is sent to it.
    pub fn base_url(mut self, url: impl Into<String>) -> ClientBuilder {
        self.opts.base_url = url.into();
        self.opts.explicit_base_url = true;
        self
    }

    /// Sends `X-Qonto-Staging-Token` with every request to the sandbox, or to a base URL set with
    /// [`ClientBuilder::base_url`]; never to production (a staging token set in the environment
    /// is not sent to production).
    pub fn staging_token(mut self, token: Option<Token>) -> ClientBuilder {
        self.opts.staging_token = token;
        self
    }

    /// Timeout of a whole request, connection to last byte (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.opts.timeout = timeout;
        self
    }

    /// Timeout of the connection alone (default 10 s, capped by [`ClientBuilder::timeout`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.opts.connect_timeout = timeout;
        self
    }

    /// How many times a `GET` is retried after a 429, a 5xx or a network failure (default 2;
    /// `POST` is never retried, so a create is never sent twice).
    pub fn max_retries(mut self, retries: u32) -> ClientBuilder {
        self.opts.max_retries = retries.min(10);
        self
    }

    /// The wait before the first retry, doubled each time (default 500 ms). A `Retry-After`
    /// in seconds is obeyed instead, up to 10 s.
    pub fn retry_backoff(mut self, backoff: Duration) -> ClientBuilder {
        self.opts.retry_backoff = backoff;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Invalid`] with field `base_url` when the URL is not `https://` (or `http://` on
    /// a loopback host), or carries credentials, a query or a fragment.
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client {
            http: self
                .opts
                .build(Api::Subscriptions, SANDBOX_URL, self.token, None)?,
        })
    }
}

/// A blocking client for `/v2/webhook_subscriptions`. Cheap to clone; `Debug` hides the tokens.
///
/// ```no_run
/// use qonto_webhooks_subscriptions::{Client, NewSubscription, Token};
/// # fn main() -> Result<(), qonto_webhooks_subscriptions::Error> {
/// let client = Client::builder(Token::from_env()?).build()?;
/// let created = client.create(&NewSubscription::new("https://example.com/qonto", ["v1/transactions"]))?;
/// let secret = created.secret.expect("the create answer carries the secret");
/// // Store secret.expose() now: Qonto never returns it again.
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    http: Http,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.http.base_url)
            .field("token", &self.http.token)
            .field("staging_token", &self.http.staging_token)
            .field("max_retries", &self.http.max_retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for production with this token, 30 s timeout, 2 retries for `GET`.
    pub fn builder(token: Token) -> ClientBuilder {
        ClientBuilder {
            opts: HttpOptions::new(PRODUCTION_URL),
            token,
        }
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        &self.http.base_url
    }

    /// `POST /v2/webhook_subscriptions`, after [`NewSubscription::validate`]. Never retried.
    ///
    /// # Errors
    /// [`Error::Invalid`] (nothing sent), [`Error::Api`] (e.g. 401, 422), [`Error::Network`],
    /// [`Error::Decode`].
    pub fn create(&self, new: &NewSubscription) -> Result<CreatedSubscription, Error> {
        new.validate()?;
        let body = Zeroizing::new(
            serde_json::to_vec(new).map_err(|e| Error::invalid("body", e.to_string()))?,
        );
        self.http.call(Method::Post, PATH, Some(&body))
    }

    /// `GET /v2/webhook_subscriptions/{id}`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an id that is not UUID-like (nothing sent), [`Error::Api`] (404
    /// when it does not exist), [`Error::Network`], [`Error::Decode`].
    pub fn get(&self, id: &str) -> Result<Subscription, Error> {
        validate_id(id)?;
        self.http.call(Method::Get, &format!("{PATH}/{id}"), None)
    }

    /// `DELETE /v2/webhook_subscriptions/{id}`: Qonto stops delivering to this subscription.
    /// Any 2xx (204 or 200, whatever its body) is success. Never retried: a retry after a lost
    /// answer would report 404 for a subscription that was in fact deleted.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an id that is not UUID-like (nothing sent), [`Error::Api`] (404
    /// when it does not exist or is not visible to this token, 401, 403), [`Error::Network`],
    /// [`Error::Redirect`].
    pub fn delete(&self, id: &str) -> Result<(), Error> {
        validate_id(id)?;
        self.http
            .call_raw(Method::Delete, &format!("{PATH}/{id}"), None)
            .map(|_| ())
    }

    /// `GET /v2/webhook_subscriptions?page=&per_page=`: one page.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a page of 0 or a `per_page` outside 1..=100 (nothing sent),
    /// [`Error::Api`], [`Error::Network`], [`Error::Decode`].
    pub fn list(&self, params: ListParams) -> Result<SubscriptionPage, Error> {
        params.validate()?;
        self.http.call(Method::Get, &params.path(PATH), None)
    }

    /// Every subscription, following `meta.next_page` from page 1 (100 per page).
    ///
    /// # Errors
    /// As [`Client::list`]; [`Error::Decode`] if the pagination does not move forward.
    pub fn list_all(&self) -> Result<Vec<Subscription>, Error> {
        self.list_all_with(MAX_PER_PAGE)
    }

    /// Every subscription, following `meta.next_page` from page 1, `per_page` at a time.
    ///
    /// # Errors
    /// As [`Client::list`]; [`Error::Decode`] if the pagination does not move forward.
    pub fn list_all_with(&self, per_page: u32) -> Result<Vec<Subscription>, Error> {
        self.http.walk(PATH, per_page, |params| {
            let page = self.list(params)?;
            Ok((page.subscriptions, page.meta.next_page))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staging_token_goes_to_the_sandbox_or_a_named_host_only() {
        let t = || Token::new("tok").unwrap();
        let staging = || Some(Token::new("staging").unwrap());
        let sent = |b: ClientBuilder| b.build().unwrap().http.staging_token.is_some();
        assert!(!sent(Client::builder(t()).staging_token(staging())));
        assert!(!sent(
            Client::builder(t())
                .base_url("https://example.com")
                .production()
                .staging_token(staging())
        ));
        assert!(sent(Client::builder(t()).sandbox(Token::new("s").unwrap())));
        assert!(sent(
            Client::builder(t())
                .staging_token(staging())
                .base_url("http://127.0.0.1:9")
        ));
    }
}
