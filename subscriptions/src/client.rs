//! The blocking HTTP client.

use std::fmt;
use std::thread;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use ureq::http::Response;
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiErrorDetail};
use crate::model::validate_id;
use crate::onboarding::{PARTNER_ID_HEADER, PartnerId};
use crate::{
    CreatedSubscription, Error, ListParams, MAX_PER_PAGE, NewSubscription, Subscription,
    SubscriptionPage, Token,
};

/// Qonto's production API.
pub const PRODUCTION_URL: &str = "https://thirdparty.qonto.com";
/// Qonto's sandbox API (needs a staging token, sent as [`STAGING_TOKEN_HEADER`] to this host
/// only).
pub const SANDBOX_URL: &str = "https://thirdparty-sandbox.staging.qonto.co";
/// The header carrying the sandbox staging token.
pub const STAGING_TOKEN_HEADER: &str = "X-Qonto-Staging-Token";
/// The environment variable holding the access token.
pub const TOKEN_ENV: &str = "QONTO_ACCESS_TOKEN";
/// The environment variable holding the sandbox staging token.
pub const STAGING_TOKEN_ENV: &str = "QONTO_STAGING_TOKEN";

const PATH: &str = "/v2/webhook_subscriptions";
const MAX_BODY: u64 = 4 * 1024 * 1024;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const MAX_PAGES: u32 = 10_000;

/// What both API clients share: where to send, how long to wait, how often to retry a `GET`.
#[derive(Clone, Debug)]
pub(crate) struct HttpOptions {
    pub(crate) base_url: String,
    /// Set by `base_url(..)`: the user chose this host, so a staging token goes to it too.
    pub(crate) explicit_base_url: bool,
    pub(crate) staging_token: Option<Token>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) retry_backoff: Duration,
}

impl HttpOptions {
    pub(crate) fn new(base_url: &str) -> HttpOptions {
        HttpOptions {
            base_url: base_url.to_owned(),
            explicit_base_url: false,
            staging_token: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 2,
            retry_backoff: Duration::from_millis(500),
        }
    }

    /// Builds the transport. `sandbox_url` is the only well-known host the staging token goes
    /// to (besides a base URL the caller named).
    pub(crate) fn build(
        self,
        api: Api,
        sandbox_url: &str,
        token: Token,
        partner_id: Option<PartnerId>,
    ) -> Result<Http, Error> {
        let base_url = check_base_url(&self.base_url)?;
        // A proxy from HTTP(S)_PROXY is used, except for a local stand-in on a loopback host.
        let loopback = is_loopback(&base_url);
        let mut config = ureq::Agent::config_builder();
        if loopback {
            config = config.proxy(None);
        }
        // No redirect is followed: ureq would follow one to another host, even over plain http,
        // with every header but `Authorization` (the staging token and partner id included). A
        // 3xx is `Error::Redirect`.
        let config = config
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout.min(self.timeout)))
            .user_agent(concat!(
                "qonto-webhooks-subscriptions/",
                env!("CARGO_PKG_VERSION")
            ))
            .build();
        // The staging token is for the sandbox host (or a host the caller named), never for
        // production.
        let staging_token = self
            .staging_token
            .filter(|_| self.explicit_base_url || base_url == sandbox_url);
        Ok(Http {
            agent: ureq::Agent::new_with_config(config),
            loopback,
            base_url,
            api,
            token,
            staging_token,
            partner_id,
            max_retries: self.max_retries,
            retry_backoff: self.retry_backoff,
        })
    }
}

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

pub(crate) fn check_base_url(url: &str) -> Result<String, Error> {
    let url = url.trim_end_matches('/');
    let bad = |why: &str| Err(Error::invalid("base_url", format!("{why}: {url:?}")));
    let (rest, https) = if let Some(r) = url.strip_prefix("https://") {
        (r, true)
    } else if let Some(r) = url.strip_prefix("http://") {
        (r, false)
    } else {
        return bad("it must start with https://");
    };
    if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it must not have a query, a fragment or whitespace");
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return bad("it must not carry credentials (the token goes in --token)");
    }
    let host = host_of(url);
    if host.is_empty() {
        return bad("it has no host");
    }
    if !https && !is_loopback(url) {
        return bad("plain http:// is only allowed on a loopback host; use https://");
    }
    Ok(url.to_owned())
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    if authority.starts_with('[') {
        authority.split(']').next().map(|h| format!("{h}]"))
    } else {
        authority.split(':').next().map(str::to_owned)
    }
    .unwrap_or_default()
}

pub(crate) fn is_loopback(url: &str) -> bool {
    matches!(host_of(url).as_str(), "127.0.0.1" | "localhost" | "[::1]")
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

/// Which API a transport talks to (for the hints of an error message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    Subscriptions,
    Onboarding,
}

/// The HTTP side both clients share: the agent (no redirects, timeouts), the base URL, the
/// credentials sent with every request, and the retry policy (`GET` only).
#[derive(Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
    pub(crate) base_url: String,
    /// The base URL is on a loopback host (a local stand-in).
    pub(crate) loopback: bool,
    api: Api,
    pub(crate) token: Token,
    pub(crate) staging_token: Option<Token>,
    pub(crate) partner_id: Option<PartnerId>,
    pub(crate) max_retries: u32,
    retry_backoff: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
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

impl ListParams {
    /// `path?page=&per_page=` (only the parameters that are set).
    pub(crate) fn path(&self, path: &str) -> String {
        let mut query = Vec::new();
        if let Some(p) = self.page {
            query.push(format!("page={p}"));
        }
        if let Some(n) = self.per_page {
            query.push(format!("per_page={n}"));
        }
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", query.join("&"))
        }
    }
}

impl Http {
    /// Every item of a paginated list, following `meta.next_page` from page 1, `per_page` at a
    /// time; `fetch` lists one page and answers its items and `next_page`.
    pub(crate) fn walk<T>(
        &self,
        path: &str,
        per_page: u32,
        mut fetch: impl FnMut(ListParams) -> Result<(Vec<T>, Option<u32>), Error>,
    ) -> Result<Vec<T>, Error> {
        let params = ListParams {
            page: Some(1),
            per_page: Some(per_page),
        };
        params.validate()?;
        let mut all = Vec::new();
        let mut page = 1;
        for _ in 0..MAX_PAGES {
            let (items, next_page) = fetch(ListParams {
                page: Some(page),
                ..params
            })?;
            all.extend(items);
            match next_page {
                None => return Ok(all),
                Some(next) if next > page => page = next,
                Some(next) => {
                    return Err(Error::Decode {
                        method: "GET",
                        url: format!("{}{path}", self.base_url),
                        status: 200,
                        reason: format!("page {page} says the next page is {next}"),
                    });
                }
            }
        }
        Err(Error::Decode {
            method: "GET",
            url: format!("{}{path}", self.base_url),
            status: 200,
            reason: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// Sends one request (a `GET` retried, a `POST` or `DELETE` never) and reads a 2xx answer
    /// as `T`.
    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<T, Error> {
        let (url, status, text) = self.call_raw(method, path, body)?;
        serde_json::from_str(&text).map_err(|e| Error::Decode {
            method: method.as_str(),
            url,
            status,
            reason: e.to_string(),
        })
    }

    /// Sends one request; answers the URL, the status and the body of a 2xx answer, and any
    /// other answer as its error (a 3xx is `Error::Redirect`).
    pub(crate) fn call_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<(String, u16, String), Error> {
        let url = format!("{}{}", self.base_url, path);
        let (status, text, attempts, location) = self.send(method, &url, body)?;
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                method: method.as_str(),
                url,
                status,
                location,
            });
        }
        if (200..300).contains(&status) {
            Ok((url, status, text))
        } else {
            let (errors, raw_body) = parse_error_body(&text);
            Err(Error::Api(ApiError {
                method: method.as_str(),
                url,
                status,
                errors,
                raw_body,
                attempts,
                onboarding: self.api == Api::Onboarding,
            }))
        }
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
    ) -> Result<(u16, String, u32, Option<String>), Error> {
        let max_attempts = match method {
            Method::Get => 1 + self.max_retries,
            Method::Post | Method::Delete => 1,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= max_attempts;
            // Built at its final size (no reallocation leaves a copy behind) and wiped on drop.
            let token = self.token.expose();
            let mut auth = Zeroizing::new(String::with_capacity(7 + token.len()));
            auth.push_str("Bearer ");
            auth.push_str(token);
            let result = match method {
                Method::Get => {
                    let mut req = self
                        .agent
                        .get(url)
                        .header("Authorization", auth.as_str())
                        .header("Accept", "application/json");
                    if let Some(t) = &self.staging_token {
                        req = req.header(STAGING_TOKEN_HEADER, t.expose());
                    }
                    if let Some(p) = &self.partner_id {
                        req = req.header(PARTNER_ID_HEADER, p.expose());
                    }
                    req.call()
                }
                Method::Post => {
                    let mut req = self
                        .agent
                        .post(url)
                        .header("Authorization", auth.as_str())
                        .header("Accept", "application/json")
                        .content_type("application/json");
                    if let Some(t) = &self.staging_token {
                        req = req.header(STAGING_TOKEN_HEADER, t.expose());
                    }
                    if let Some(p) = &self.partner_id {
                        req = req.header(PARTNER_ID_HEADER, p.expose());
                    }
                    req.send(body.unwrap_or_default())
                }
                Method::Delete => {
                    let mut req = self
                        .agent
                        .delete(url)
                        .header("Authorization", auth.as_str())
                        .header("Accept", "application/json");
                    if let Some(t) = &self.staging_token {
                        req = req.header(STAGING_TOKEN_HEADER, t.expose());
                    }
                    if let Some(p) = &self.partner_id {
                        req = req.header(PARTNER_ID_HEADER, p.expose());
                    }
                    req.call()
                }
            };
            let outcome = result.and_then(|mut resp| {
                let status = resp.status().as_u16();
                let retry_after = retry_after(&resp);
                let location = location(&resp);
                let text = resp
                    .body_mut()
                    .with_config()
                    .limit(MAX_BODY)
                    .read_to_string()?;
                Ok((status, text, retry_after, location))
            });
            match outcome {
                Ok((status, text, retry_after, location)) => {
                    if !last && (status == 429 || (500..600).contains(&status)) {
                        thread::sleep(retry_after.unwrap_or_else(|| self.backoff(attempt)));
                        continue;
                    }
                    return Ok((status, text, attempt, location));
                }
                Err(e) => {
                    let transient =
                        !matches!(e, ureq::Error::BadUri(_) | ureq::Error::BodyExceedsLimit(_));
                    if !last && transient {
                        thread::sleep(self.backoff(attempt));
                        continue;
                    }
                    return Err(Error::Network {
                        method: method.as_str(),
                        url: url.to_owned(),
                        attempts: attempt,
                        timeout: matches!(e, ureq::Error::Timeout(_)),
                        reason: network_reason(&e),
                    });
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(6))
    }
}

fn retry_after(resp: &Response<ureq::Body>) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?;
    let secs: u64 = v.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// The `Location` of a redirect, for the error message: at most 200 characters, control
/// characters escaped (it is printed to a terminal).
fn location(resp: &Response<ureq::Body>) -> Option<String> {
    let v = resp.headers().get("location")?;
    let text = String::from_utf8_lossy(v.as_bytes());
    Some(
        text.chars()
            .take(200)
            .flat_map(char::escape_debug)
            .collect(),
    )
}

fn network_reason(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("no answer in time ({t})"),
        ureq::Error::HostNotFound => "host not found (DNS)".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::Io(io) => format!("{io}"),
        other => other.to_string(),
    }
}

/// Reads Qonto's error body: `{"errors": [{code, detail}]}`, also a bare `{code, detail}` or a
/// list of them. Anything else is kept raw (truncated).
fn parse_error_body(text: &str) -> (Vec<ApiErrorDetail>, Option<String>) {
    let raw = || {
        let t = text.trim();
        if t.is_empty() {
            None
        } else {
            Some(t.chars().take(200).collect())
        }
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return (Vec::new(), raw());
    };
    let list = match &v {
        Value::Object(o) => match o.get("errors") {
            Some(Value::Array(a)) => a.clone(),
            Some(e @ Value::Object(_)) => vec![e.clone()],
            _ => vec![v.clone()],
        },
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    let details: Vec<ApiErrorDetail> = list
        .iter()
        .filter_map(|e| {
            let o = e.as_object()?;
            let code = o.get("code")?.as_str()?.to_owned();
            let detail = o
                .get("detail")
                .or_else(|| o.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some(ApiErrorDetail { code, detail })
        })
        .collect();
    if details.is_empty() {
        (details, raw())
    } else {
        (details, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert!(check_base_url("https://thirdparty.qonto.com/").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://[::1]:8080").is_ok());
        for bad in [
            "http://example.com",
            "ftp://x",
            "https://",
            "https://u:p@host",
            "https://host?x=1",
            "thirdparty.qonto.com",
        ] {
            assert!(
                matches!(
                    check_base_url(bad),
                    Err(Error::Invalid {
                        field: "base_url",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

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

    #[test]
    fn error_bodies() {
        let (e, raw) = parse_error_body(
            r#"{"errors":[{"code":"unauthorized","detail":"Invalid credentials"}]}"#,
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, "unauthorized");
        assert_eq!(e[0].detail.as_deref(), Some("Invalid credentials"));
        assert!(raw.is_none());
        let (e, _) = parse_error_body(r#"{"code":"forbidden","detail":"no"}"#);
        assert_eq!(e[0].code, "forbidden");
        let (e, raw) = parse_error_body("<html>bad gateway</html>");
        assert!(e.is_empty());
        assert_eq!(raw.as_deref(), Some("<html>bad gateway</html>"));
    }
}
