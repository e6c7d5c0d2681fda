//! One error type for the client: what was wrong, and whether it is the caller's input (usage) or
//! the API/network (runtime).

use core::fmt;

use serde::{Deserialize, Serialize};

/// One entry of a Qonto error body: `{"code": "...", "detail": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorDetail {
    /// Machine-readable code, e.g. `unauthorized`, `not_found`.
    pub code: String,
    /// Human-readable detail, e.g. `Invalid credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// An answer from the API with a non-2xx status.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The URL that was called (never contains the token).
    pub url: String,
    /// The HTTP status, e.g. 401, 404, 422, 500.
    pub status: u16,
    /// Each `{code, detail}` of the error body, in order.
    pub errors: Vec<ApiErrorDetail>,
    /// The start of the body when it was not a Qonto error body (at most 200 characters).
    pub raw_body: Option<String>,
    /// How many requests were made (more than 1 only for a retried `GET`).
    pub attempts: u32,
    /// The onboarding API answered (its credentials differ: the hints name them).
    pub(crate) onboarding: bool,
}

/// Everything that can go wrong when managing subscriptions.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A value was rejected before any request was sent (it breaks a documented limit).
    Invalid {
        /// The field or option at fault, e.g. `callback_url`, `types`, `secret`, `base_url`.
        field: &'static str,
        /// Why, in a sentence.
        reason: String,
    },
    /// No access token: none given and `QONTO_ACCESS_TOKEN` is not set.
    MissingToken,
    /// No onboarding API token: none given and `QONTO_ONBOARDING_TOKEN` is not set (code
    /// `missing_token`).
    MissingOnboardingToken,
    /// No partner id for the onboarding API: none given and `QONTO_PARTNER_ID` is not set.
    MissingPartnerId,
    /// The API answered with an error status.
    Api(ApiError),
    /// No answer: connection refused, DNS failure, TLS failure or timeout.
    Network {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL that was tried.
        url: String,
        /// How many requests were made.
        attempts: u32,
        /// True when the last attempt timed out.
        timeout: bool,
        /// What the HTTP client said about the last attempt.
        reason: String,
    },
    /// A 2xx answer whose body is not what the API documents.
    Decode {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL that was called.
        url: String,
        /// The HTTP status of the answer.
        status: u16,
        /// What did not parse.
        reason: String,
    },
    /// The API answered with a redirect (3xx). Redirects are never followed: the tokens would
    /// go with them, possibly to another host or over plain http.
    Redirect {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL that was called.
        url: String,
        /// The HTTP status, e.g. 301, 302, 307.
        status: u16,
        /// Where it pointed (`Location`, at most 200 characters, control characters escaped).
        location: Option<String>,
    },
    /// The system random number generator failed (secret generation).
    Random,
}

impl Error {
    /// A stable snake_case code: `invalid_input`, `missing_token`, `missing_partner_id`,
    /// `api_error`, `network_error`, `timeout`, `decode_error`, `redirect`, `random_failure`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_input",
            Error::MissingToken | Error::MissingOnboardingToken => "missing_token",
            Error::MissingPartnerId => "missing_partner_id",
            Error::Api(_) => "api_error",
            Error::Network { timeout: true, .. } => "timeout",
            Error::Network { .. } => "network_error",
            Error::Decode { .. } => "decode_error",
            Error::Redirect { .. } => "redirect",
            Error::Random => "random_failure",
        }
    }

    /// True when the caller's input is at fault (nothing was sent): a CLI exits 2 for these.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::Invalid { .. }
                | Error::MissingToken
                | Error::MissingOnboardingToken
                | Error::MissingPartnerId
        )
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } | Error::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

fn reason_phrase(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} answered HTTP {} {}",
            self.method,
            self.url,
            self.status,
            reason_phrase(self.status)
        )?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        for e in &self.errors {
            write!(f, "\n  {}", e.code)?;
            if let Some(d) = &e.detail {
                write!(f, ": {d}")?;
            }
        }
        if let Some(raw) = &self.raw_body {
            write!(f, "\n  body: {raw}")?;
        }
        match self.status {
            401 if self.onboarding => write!(
                f,
                "\n  hint: check the onboarding API token (QONTO_ONBOARDING_TOKEN or --token) and the partner id (QONTO_PARTNER_ID or --partner-id), and that both are for this environment (the sandbox also needs the staging token)"
            ),
            403 if self.onboarding => write!(
                f,
                "\n  hint: the token and partner id must belong to the same partner account"
            ),
            401 => write!(
                f,
                "\n  hint: check the access token (QONTO_ACCESS_TOKEN or --token) and that it is for this environment"
            ),
            403 => write!(
                f,
                "\n  hint: the token needs the `webhook` scope plus each topic's scope"
            ),
            404 if self.url.contains("/v2/webhook_subscriptions/") => write!(
                f,
                "\n  hint: no subscription with this id is visible to this token (a token sees only the subscriptions created by its user and OAuth client; `subscriptions list` shows them)"
            ),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { field, reason } => write!(f, "invalid {field}: {reason}"),
            Error::MissingToken => write!(
                f,
                "no access token: set QONTO_ACCESS_TOKEN or pass --token (an OAuth token with the `webhook` scope)"
            ),
            Error::MissingOnboardingToken => write!(
                f,
                "no onboarding API token: set QONTO_ONBOARDING_TOKEN or pass --token (the partner's token for the onboarding API, not a business OAuth token)"
            ),
            Error::MissingPartnerId => write!(
                f,
                "no partner id: set QONTO_PARTNER_ID or pass --partner-id (sent as Qonto-Partner-Id)"
            ),
            Error::Api(e) => e.fmt(f),
            Error::Network {
                method,
                url,
                attempts,
                timeout,
                reason,
            } => {
                let what = if *timeout { "timed out" } else { "failed" };
                write!(
                    f,
                    "{method} {url} {what} after {attempts} attempt{}: {reason}",
                    plural(*attempts)
                )
            }
            Error::Decode {
                method,
                url,
                status,
                reason,
            } => write!(
                f,
                "{method} {url} answered HTTP {status} with an unexpected body: {reason}"
            ),
            Error::Redirect {
                method,
                url,
                status,
                location,
            } => write!(
                f,
                "{method} {url} answered HTTP {status} {}, a redirect to {}: redirects are not followed (the credentials would go with them); check the base URL",
                reason_phrase(*status),
                location.as_deref().unwrap_or("(no Location)")
            ),
            Error::Random => write!(f, "the system random number generator failed"),
        }
    }
}

impl std::error::Error for Error {}
