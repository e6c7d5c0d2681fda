//! The transport both API clients share: the HTTP agent (timeouts, no redirects followed, a
//! proxy except on loopback), the credentials sent with every request (the staging token to its
//! host only), the retries of a `GET` with their backoff, the mapping of an answer or a failure
//! to [`Error`], and the walk over a paginated list.

use std::thread;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use ureq::http::Response;
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiErrorDetail};
use crate::onboarding::{PARTNER_ID_HEADER, PartnerId};
use crate::{Error, ListParams, Token};

/// The header carrying the sandbox staging token.
pub const STAGING_TOKEN_HEADER: &str = "X-Qonto-Staging-Token";

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

    /// The headers every call carries: the token, JSON, and the staging token and partner id
    /// when set.
    fn headers<B>(&self, req: ureq::RequestBuilder<B>, auth: &str) -> ureq::RequestBuilder<B> {
        let mut req = req
            .header("Authorization", auth)
            .header("Accept", "application/json");
        if let Some(t) = &self.staging_token {
            req = req.header(STAGING_TOKEN_HEADER, t.expose());
        }
        if let Some(p) = &self.partner_id {
            req = req.header(PARTNER_ID_HEADER, p.expose());
        }
        req
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
                Method::Get => self.headers(self.agent.get(url), &auth).call(),
                Method::Post => self
                    .headers(self.agent.post(url), &auth)
                    .content_type("application/json")
                    .send(body.unwrap_or_default()),
                Method::Delete => self.headers(self.agent.delete(url), &auth).call(),
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
