//! The `axum` feature: an extractor that reads a webhook's raw body (with a limit), verifies it
//! under the endpoint's schemes and hands the handler the verified bytes, or answers the
//! request itself as every binding's middleware does.
//!
//! This is an optional integration (axum 0.8): the rest of the crate does not depend on it.
//!
//! - [`QontoWebhook`]: the verified raw body ([`Bytes`]) and the [`Verified`] result.
//! - [`QontoEvent`] (with the `serde` feature too): the same, with the body parsed into an
//!   [`Event`](crate::events::Event) (or [`OnboardingEvent`](crate::events::OnboardingEvent)).
//! - [`QontoState`]: the [`Verifier`] and the body limit ([`DEFAULT_BODY_LIMIT`], 1 MiB). The
//!   router's state gives it through [`FromRef`], so it can be the state itself or a field of
//!   the application's state.
//! - [`QontoRejection`]: the answer when the extractor refuses a request, JSON
//!   `{"error": <code>, "message": <what was wrong>}` with the status of the shared contract:
//!   [`VERIFICATION_STATUS`] (400) and the verification code when the signature does not verify,
//!   413 `body_too_large` over the limit, 400 `body_unreadable` when the body cannot be read,
//!   400 `invalid_payload` when a verified body is not the event [`QontoEvent`] expects
//!   ([`HttpCode`]).
//!
//! The verifier's [`Schemes`](crate::Schemes) choose the header, never the request: give each
//! scheme its own route and its own verifier (and secret).
//!
//! ```
//! use axum::{Router, routing::post};
//! use qonto_webhooks::{Verifier, axum::{QontoState, QontoWebhook}};
//!
//! async fn webhook(webhook: QontoWebhook) -> &'static str {
//!     // Verified: the raw body is Qonto's. Deduplicate on the event id, queue it, answer fast.
//!     let _ = (webhook.body, webhook.verified.secret_index);
//!     "ok"
//! }
//!
//! let verifier = Verifier::new("whsec_...")?; // business webhooks only, the default
//! let app: Router = Router::new()
//!     .route("/webhooks", post(webhook))
//!     .with_state(QontoState::new(verifier));
//! # Ok::<(), qonto_webhooks::Error>(())
//! ```
//!
//! The extractor does not deduplicate: Qonto retries until it gets a 2xx, so claim each event's
//! id with [`idempotency::Guard`](crate::idempotency::Guard) in the handler.

use core::fmt;
use core::future::poll_fn;
use core::pin::Pin;
use std::string::ToString;
use std::sync::Arc;
use std::vec::Vec;

use ::axum::body::{Body, Bytes, HttpBody};
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use ::axum::http::{HeaderMap, StatusCode};
use ::axum::response::{IntoResponse, Response};

use crate::http::{HttpCode, VERIFICATION_STATUS};
use crate::{Error, Verified, Verifier, unix_now};

/// The largest body the extractor reads by default: 1 MiB, as in the other bindings (Qonto's
/// events are a few KiB).
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// What the extractors need from the router's state: the verifier and the body limit.
///
/// Cloned per request (an [`Arc`] and a number). Use it as the router's state, or implement
/// [`FromRef`] for the application's state:
///
/// ```
/// use std::sync::Arc;
/// use axum::extract::FromRef;
/// use qonto_webhooks::{Verifier, axum::QontoState};
///
/// #[derive(Clone)]
/// struct AppState {
///     qonto: QontoState,
///     // the database, the queue, the idempotency guard...
/// }
///
/// impl FromRef<AppState> for QontoState {
///     fn from_ref(state: &AppState) -> QontoState {
///         state.qonto.clone()
///     }
/// }
///
/// let qonto = QontoState::new(Verifier::new("whsec_...")?).with_body_limit(64 * 1024);
/// assert_eq!(qonto.body_limit(), 65_536);
/// let state = AppState { qonto };
/// # let _ = state;
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct QontoState {
    verifier: Arc<Verifier>,
    body_limit: usize,
}

impl QontoState {
    /// The state for `verifier` (a [`Verifier`] or an `Arc<Verifier>`), with the default body
    /// limit ([`DEFAULT_BODY_LIMIT`]).
    pub fn new(verifier: impl Into<Arc<Verifier>>) -> QontoState {
        QontoState {
            verifier: verifier.into(),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// The same state with another body limit, in bytes: a longer body is refused with 413
    /// `body_too_large`, and is not read further.
    #[must_use]
    pub const fn with_body_limit(mut self, bytes: usize) -> QontoState {
        self.body_limit = bytes;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The body limit, in bytes.
    pub const fn body_limit(&self) -> usize {
        self.body_limit
    }
}

impl From<Verifier> for QontoState {
    fn from(verifier: Verifier) -> QontoState {
        QontoState::new(verifier)
    }
}

impl From<Arc<Verifier>> for QontoState {
    fn from(verifier: Arc<Verifier>) -> QontoState {
        QontoState::new(verifier)
    }
}

/// A webhook whose signature verified: its raw body and the verification's result.
///
/// As an axum extractor it consumes the body, so it is the handler's last argument. It reads at
/// most the state's body limit, verifies with [`Verifier::verify_headers`] on the system clock,
/// and refuses the request with a [`QontoRejection`] otherwise (the handler is not called).
#[derive(Clone, Debug)]
pub struct QontoWebhook {
    /// Which secret matched, the business timestamp and the scheme.
    pub verified: Verified,
    /// The raw body, exactly as Qonto signed it.
    pub body: Bytes,
}

impl<S> FromRequest<S> for QontoWebhook
where
    QontoState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = QontoRejection;

    async fn from_request(req: Request, state: &S) -> Result<QontoWebhook, QontoRejection> {
        let qonto = QontoState::from_ref(state);
        let (parts, body) = req.into_parts();
        let body = read_body(&parts.headers, body, qonto.body_limit).await?;
        let verified = qonto
            .verifier
            .verify_headers(&parts.headers, &body, unix_now())
            .map_err(QontoRejection::Verification)?;
        Ok(QontoWebhook { verified, body })
    }
}

/// A verified webhook whose body is parsed into `T`: an [`Event`](crate::events::Event) (the
/// default) on a business route, an [`OnboardingEvent`](crate::events::OnboardingEvent) on an
/// onboarding one. Features `axum` and `serde`.
///
/// A body that verifies but is not a `T` is refused with 400 `invalid_payload`.
///
/// ```
/// use axum::{Router, routing::post};
/// use qonto_webhooks::{Verifier, Schemes, axum::{QontoEvent, QontoState}};
/// use qonto_webhooks::events::OnboardingEvent;
///
/// async fn business(QontoEvent { event, .. }: QontoEvent) -> String {
///     event.id
/// }
///
/// async fn onboarding(webhook: QontoEvent<OnboardingEvent>) -> String {
///     webhook.event.event_type
/// }
///
/// let onboarding_verifier = Verifier::new("onboarding-secret")?.with_schemes(Schemes::Onboarding);
/// let app: Router = Router::new()
///     .route("/webhooks", post(business))
///     .with_state(QontoState::new(Verifier::new("whsec_...")?))
///     .merge(
///         Router::new()
///             .route("/webhooks/onboarding", post(onboarding))
///             .with_state(QontoState::new(onboarding_verifier)),
///     );
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
#[derive(Clone, Debug)]
pub struct QontoEvent<T = crate::events::Event> {
    /// The parsed event.
    pub event: T,
    /// Which secret matched, the business timestamp and the scheme.
    pub verified: Verified,
    /// The raw body, exactly as Qonto signed it.
    pub body: Bytes,
}

#[cfg(feature = "serde")]
impl<S, T> FromRequest<S> for QontoEvent<T>
where
    QontoState: FromRef<S>,
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = QontoRejection;

    async fn from_request(req: Request, state: &S) -> Result<QontoEvent<T>, QontoRejection> {
        let QontoWebhook { verified, body } = QontoWebhook::from_request(req, state).await?;
        let event = serde_json::from_slice(&body).map_err(QontoRejection::InvalidPayload)?;
        Ok(QontoEvent {
            event,
            verified,
            body,
        })
    }
}

/// Why the extractor refused a request. As a response: the status, and the JSON
/// `{"error": <code>, "message": <what was wrong>}` every binding's middleware answers.
///
/// ```
/// use axum::response::IntoResponse;
/// use qonto_webhooks::axum::QontoRejection;
///
/// let rejection = QontoRejection::BodyTooLarge { limit: 1024 };
/// assert_eq!(rejection.code(), "body_too_large");
/// assert_eq!(rejection.into_response().status(), 413);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum QontoRejection {
    /// The signature did not verify (or no accepted header was there): 400 with the
    /// verification's code ([`Error::code`]).
    Verification(Error),
    /// The body is longer than the limit (by its `Content-Length`, or as read): 413
    /// `body_too_large`.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body could not be read (the client went away, a read error): 400 `body_unreadable`.
    BodyUnreadable(::axum::Error),
    /// The body verified, but it is not the event [`QontoEvent`] expects: 400 `invalid_payload`.
    #[cfg(feature = "serde")]
    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    InvalidPayload(serde_json::Error),
}

impl QontoRejection {
    /// The HTTP layer's code, or `None` for a verification failure (see [`Error::code`]).
    pub const fn http_code(&self) -> Option<HttpCode> {
        match self {
            QontoRejection::Verification(_) => None,
            QontoRejection::BodyTooLarge { .. } => Some(HttpCode::BodyTooLarge),
            QontoRejection::BodyUnreadable(_) => Some(HttpCode::BodyUnreadable),
            #[cfg(feature = "serde")]
            QontoRejection::InvalidPayload(_) => Some(HttpCode::InvalidPayload),
        }
    }

    /// The stable code: the answer's `error`.
    pub const fn code(&self) -> &'static str {
        match self {
            QontoRejection::Verification(e) => e.code(),
            QontoRejection::BodyTooLarge { .. } => HttpCode::BodyTooLarge.code(),
            QontoRejection::BodyUnreadable(_) => HttpCode::BodyUnreadable.code(),
            #[cfg(feature = "serde")]
            QontoRejection::InvalidPayload(_) => HttpCode::InvalidPayload.code(),
        }
    }

    /// The answer's status: [`VERIFICATION_STATUS`] for a verification failure, else the
    /// [`HttpCode`]'s.
    pub fn status(&self) -> StatusCode {
        let status = self
            .http_code()
            .map_or(VERIFICATION_STATUS, HttpCode::status);
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl fmt::Display for QontoRejection {
    /// The answer's `message`: what was wrong and what to do.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QontoRejection::Verification(e) => fmt::Display::fmt(e, f),
            QontoRejection::BodyTooLarge { limit } => write!(
                f,
                "the request body is over the {limit}-byte limit (Qonto's events are a few KiB; \
                 QontoState::with_body_limit raises it)"
            ),
            QontoRejection::BodyUnreadable(e) => {
                write!(f, "the request body could not be read: {e}")
            }
            #[cfg(feature = "serde")]
            QontoRejection::InvalidPayload(e) => {
                write!(f, "the verified body is not a Qonto event: {e}")
            }
        }
    }
}

impl std::error::Error for QontoRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            QontoRejection::Verification(e) => Some(e),
            QontoRejection::BodyTooLarge { .. } => None,
            QontoRejection::BodyUnreadable(e) => Some(e),
            #[cfg(feature = "serde")]
            QontoRejection::InvalidPayload(e) => Some(e),
        }
    }
}

impl IntoResponse for QontoRejection {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code(), "message": self.to_string() });
        (
            self.status(),
            [
                (CONTENT_TYPE, "application/json; charset=utf-8"),
                (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            body.to_string(),
        )
            .into_response()
    }
}

/// Reads at most `limit` bytes of the body. A `Content-Length` over the limit is refused before
/// anything is read; a body that turns out longer is refused as soon as it passes the limit.
async fn read_body(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Bytes, QontoRejection> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(QontoRejection::BodyTooLarge { limit });
    }
    let mut bytes = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(QontoRejection::BodyUnreadable)?;
        if let Ok(data) = frame.into_data() {
            if data.len() > limit - bytes.len() {
                return Err(QontoRejection::BodyTooLarge { limit });
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(bytes))
}
