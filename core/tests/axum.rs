//! The `axum` feature: the extractors in a real `Router`, driven in process with
//! `tower::ServiceExt::oneshot`. A verified webhook reaches the handler with its raw body; every
//! refusal is the contract's status and JSON `{"error", "message"}`, and the handler is not run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::error::Error as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use http_body::Frame;
use qonto_webhooks::axum::{DEFAULT_BODY_LIMIT, QontoRejection, QontoState, QontoWebhook};
use qonto_webhooks::http::{HttpCode, VERIFICATION_STATUS};
use qonto_webhooks::{
    BUSINESS_HEADER, ErrorKind, ONBOARDING_HEADER, Schemes, Verifier, sign, sign_onboarding,
    unix_now,
};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const SECRET: &str = "whsec_axum_extractor_test_secret_0000000";
const OLD_SECRET: &str = "whsec_axum_extractor_old_secret_11111111";
const ONBOARDING_SECRET: &str = "axum_extractor_onboarding_secret_2222222";

const EVENT: &str = r#"{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"v1/transactions","created_at":"2026-01-01T00:00:00Z","data":{"event":"created"}}"#;
const ONBOARDING_EVENT: &str = r#"{"id":"o1","event_type":"registrations.pending","resource_type":"registration","resource_id":"r1","created_at":"2026-01-01T00:00:00Z"}"#;

/// The handler: echoes what the extractor gave it.
async fn echo(webhook: QontoWebhook) -> String {
    json!({
        "scheme": webhook.verified.scheme.as_str(),
        "secret_index": webhook.verified.secret_index,
        "timestamp": webhook.verified.timestamp,
        "body": String::from_utf8_lossy(&webhook.body),
    })
    .to_string()
}

fn business_state() -> QontoState {
    QontoState::new(Verifier::with_secrets([SECRET, OLD_SECRET]).unwrap())
}

fn router(state: QontoState) -> Router {
    Router::new()
        .route("/webhooks", post(echo))
        .with_state(state)
}

fn request(uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::post(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body.into()).unwrap()
}

/// Sends one request; returns the status, the headers and the body as JSON.
async fn send(router: Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let response = router.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (parts.status, parts.headers, json)
}

/// Asserts a refusal: the status, the code, the contract's headers, exactly two keys.
fn assert_refused(answer: &(StatusCode, HeaderMap, Value), status: u16, code: &str) -> String {
    let (got, headers, json) = answer;
    assert_eq!(
        (got.as_u16(), json["error"].as_str()),
        (status, Some(code)),
        "{json}"
    );
    assert_eq!(json.as_object().unwrap().len(), 2, "{json}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    json["message"].as_str().unwrap().to_owned()
}

fn business_header(secret: &str, body: &[u8], t: u64) -> String {
    sign(secret, body, t).unwrap().to_string()
}

#[tokio::test]
async fn a_valid_webhook_reaches_the_handler_with_its_raw_body() {
    let now = unix_now();
    let header = business_header(OLD_SECRET, EVENT.as_bytes(), now);
    let answer = send(
        router(business_state()),
        request("/webhooks", &[(BUSINESS_HEADER, &header)], EVENT),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.2);
    assert_eq!(
        answer.2,
        json!({ "scheme": "business", "secret_index": 1, "timestamp": now, "body": EVENT })
    );
}

/// The request's headers, its body and the refusal's kind.
type Case<'a> = (&'a [(&'static str, &'a str)], &'a str, ErrorKind);

#[tokio::test]
async fn each_verification_failure_is_400_with_the_cores_code_and_message() {
    let now = unix_now();
    let good = business_header(SECRET, EVENT.as_bytes(), now);
    let stale = business_header(SECRET, EVENT.as_bytes(), now - 3600);
    let onboarding = sign_onboarding(SECRET, EVENT.as_bytes())
        .unwrap()
        .to_string();
    let tampered = EVENT.replace("e1", "e2");
    let cases: [Case; 5] = [
        (&[], EVENT, ErrorKind::MissingHeader),
        (
            &[(BUSINESS_HEADER, &good)],
            &tampered,
            ErrorKind::SignatureMismatch,
        ),
        (
            &[(BUSINESS_HEADER, &stale)],
            EVENT,
            ErrorKind::TimestampTooOld,
        ),
        (
            &[(BUSINESS_HEADER, "t=1,v1=zz")],
            EVENT,
            ErrorKind::MalformedHeader,
        ),
        // The request never picks the scheme: a business-only route does not read this one.
        (
            &[(ONBOARDING_HEADER, &onboarding)],
            EVENT,
            ErrorKind::MissingHeader,
        ),
    ];
    let verifier = Verifier::with_secrets([SECRET, OLD_SECRET]).unwrap();
    for (headers, body, kind) in cases {
        let answer = send(
            router(business_state()),
            request("/webhooks", headers, body.to_owned()),
        )
        .await;
        let message = assert_refused(&answer, VERIFICATION_STATUS, kind.code());
        // The message is the core's own, as verify_headers gives it.
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        let err = verifier
            .verify_headers(&map, body.as_bytes(), unix_now())
            .unwrap_err();
        assert_eq!((err.kind(), message), (kind, err.to_string()));
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_one_at_the_limit_is_verified() {
    const LIMIT: usize = 64;
    let now = unix_now();
    let state = business_state().with_body_limit(LIMIT);
    assert_eq!(state.body_limit(), LIMIT);
    let at_limit = vec![b'a'; LIMIT];
    let header = business_header(SECRET, &at_limit, now);
    let headers = [(BUSINESS_HEADER, header.as_str())];

    // At the limit: read and verified, whole or in pieces, with or without Content-Length.
    let len = LIMIT.to_string();
    let declared = [(BUSINESS_HEADER, header.as_str()), ("content-length", &len)];
    for req in [
        request("/webhooks", &headers, at_limit.clone()),
        request("/webhooks", &declared, at_limit.clone()),
        request(
            "/webhooks",
            &headers,
            chunks(&[&at_limit[..30], &at_limit[30..]]),
        ),
    ] {
        let (status, _, json) = send(router(state.clone()), req).await;
        assert_eq!(
            (status, json["body"].as_str().unwrap().len()),
            (StatusCode::OK, LIMIT)
        );
    }

    // One byte over: refused before verification (even with a valid signature).
    let over = vec![b'a'; LIMIT + 1];
    let header = business_header(SECRET, &over, now);
    let headers = [(BUSINESS_HEADER, header.as_str())];
    let declared_over = (LIMIT + 1).to_string();
    for req in [
        request("/webhooks", &headers, over.clone()),
        // In pieces, each under the limit: refused once the total passes it.
        request("/webhooks", &headers, chunks(&[&over[..40], &over[40..]])),
        request(
            "/webhooks",
            &headers,
            chunks(&[&over[..1], &over[1..LIMIT], b"a"]),
        ),
        // A declared length over the limit is refused before anything is read.
        request(
            "/webhooks",
            &[headers[0], ("content-length", &declared_over)],
            &b"{}"[..],
        ),
    ] {
        let answer = send(router(state.clone()), req).await;
        let message = assert_refused(&answer, 413, "body_too_large");
        assert!(message.contains("over the 64-byte limit"), "{message}");
    }
}

#[tokio::test]
async fn the_default_limit_is_one_mebibyte() {
    assert_eq!(DEFAULT_BODY_LIMIT, 1024 * 1024);
    assert_eq!(business_state().body_limit(), DEFAULT_BODY_LIMIT);
    let now = unix_now();
    for (len, status) in [(DEFAULT_BODY_LIMIT, 200), (DEFAULT_BODY_LIMIT + 1, 413)] {
        let body = vec![b' '; len];
        let header = business_header(SECRET, &body, now);
        let req = request("/webhooks", &[(BUSINESS_HEADER, &header)], body);
        let (got, _, json) = send(router(business_state()), req).await;
        assert_eq!(got.as_u16(), status, "{len}: {}", json["error"]);
    }
}

#[tokio::test]
async fn a_body_that_cannot_be_read_is_400_body_unreadable() {
    let header = business_header(SECRET, b"{}", unix_now());
    let body = Body::new(Frames(VecDeque::from([
        Ok(Frame::data(Bytes::from_static(b"{"))),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "peer went away",
        )),
    ])));
    let req = request("/webhooks", &[(BUSINESS_HEADER, &header)], body);
    let answer = send(router(business_state()), req).await;
    let message = assert_refused(&answer, 400, "body_unreadable");
    assert!(
        message.starts_with("the request body could not be read: "),
        "{message}"
    );
    assert!(message.contains("peer went away"), "{message}");
}

#[tokio::test]
async fn trailers_are_not_body_bytes() {
    let now = unix_now();
    let header = business_header(SECRET, EVENT.as_bytes(), now);
    let body = Body::new(Frames(VecDeque::from([
        Ok(Frame::data(Bytes::from_static(EVENT.as_bytes()))),
        Ok(Frame::trailers(HeaderMap::new())),
    ])));
    let req = request("/webhooks", &[(BUSINESS_HEADER, &header)], body);
    let (status, _, json) = send(router(business_state()), req).await;
    assert_eq!(
        (status, json["body"].as_str()),
        (StatusCode::OK, Some(EVENT))
    );
}

/// The application's state gives the extractor its `QontoState`; the handler is not run for a
/// refused request.
#[derive(Clone)]
struct App {
    qonto: QontoState,
    handled: Arc<AtomicUsize>,
}

impl FromRef<App> for QontoState {
    fn from_ref(app: &App) -> QontoState {
        app.qonto.clone()
    }
}

async fn count(State(app): State<App>, webhook: QontoWebhook) -> String {
    app.handled.fetch_add(1, Ordering::SeqCst);
    webhook.verified.scheme.as_str().to_owned()
}

#[tokio::test]
async fn the_state_can_be_a_field_of_the_applications_state() {
    let handled = Arc::new(AtomicUsize::new(0));
    let verifier = Arc::new(
        Verifier::new(ONBOARDING_SECRET)
            .unwrap()
            .with_schemes(Schemes::Onboarding),
    );
    let app = App {
        qonto: QontoState::from(Arc::clone(&verifier)),
        handled: Arc::clone(&handled),
    };
    assert_eq!(app.qonto.verifier().schemes(), Schemes::Onboarding);
    let router = Router::new().route("/hook", post(count)).with_state(app);
    let header = sign_onboarding(ONBOARDING_SECRET, ONBOARDING_EVENT.as_bytes()).unwrap();
    let req = request("/hook", &[(ONBOARDING_HEADER, &header)], ONBOARDING_EVENT);
    let response = router.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = axum::body::to_bytes(response.into_body(), 100)
        .await
        .unwrap();
    assert_eq!(&text[..], b"onboarding");
    assert_eq!(handled.load(Ordering::SeqCst), 1);

    // Refused: the handler does not run.
    let zeros = "0".repeat(64);
    let req = request("/hook", &[(ONBOARDING_HEADER, &zeros)], ONBOARDING_EVENT);
    let answer = send(router, req).await;
    assert_refused(&answer, 400, "signature_mismatch");
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[test]
fn each_rejection_has_its_code_status_and_message() {
    let io = || axum::Error::new(std::io::Error::other("reset"));
    let err = Verifier::new("s")
        .unwrap()
        .verify_request(None, None, b"", 0)
        .unwrap_err();
    let cases = [
        (
            QontoRejection::Verification(err),
            None,
            "missing_header",
            400,
        ),
        (
            QontoRejection::BodyTooLarge { limit: 7 },
            Some(HttpCode::BodyTooLarge),
            "body_too_large",
            413,
        ),
        (
            QontoRejection::BodyUnreadable(io()),
            Some(HttpCode::BodyUnreadable),
            "body_unreadable",
            400,
        ),
    ];
    for (rejection, http_code, code, status) in cases {
        assert_eq!(rejection.http_code(), http_code);
        assert_eq!(rejection.code(), code);
        assert_eq!(rejection.status().as_u16(), status);
        if let Some(c) = http_code {
            assert_eq!((c.code(), c.status()), (code, status));
        }
    }
    let verification = QontoRejection::Verification(err);
    assert_eq!(verification.to_string(), err.to_string());
    assert_eq!(verification.source().unwrap().to_string(), err.to_string());
    let too_large = QontoRejection::BodyTooLarge { limit: 7 };
    assert_eq!(
        too_large.to_string(),
        "the request body is over the 7-byte limit (Qonto's events are a few KiB; \
         QontoState::with_body_limit raises it)"
    );
    assert!(too_large.source().is_none());
    let unreadable = QontoRejection::BodyUnreadable(io());
    assert_eq!(
        unreadable.to_string(),
        "the request body could not be read: reset"
    );
    assert_eq!(unreadable.source().unwrap().to_string(), "reset");
}

#[tokio::test]
async fn a_rejection_answers_the_status_and_the_json() {
    let rejection = QontoRejection::BodyTooLarge { limit: 7 };
    let message = rejection.to_string();
    let response = rejection.into_response();
    let (parts, body) = response.into_parts();
    let json: Value =
        serde_json::from_slice(&axum::body::to_bytes(body, 1000).await.unwrap()).unwrap();
    assert_eq!(parts.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        json,
        json!({ "error": "body_too_large", "message": message })
    );
    assert_eq!(
        parts.headers["content-type"],
        "application/json; charset=utf-8"
    );
}

#[cfg(feature = "serde")]
mod typed {
    use super::*;
    use qonto_webhooks::axum::QontoEvent;
    use qonto_webhooks::events::{OnboardingEvent, Topic};

    async fn business(webhook: QontoEvent) -> String {
        assert_eq!(webhook.event.topic, Topic::Transactions);
        assert_eq!(&webhook.body[..], EVENT.as_bytes());
        format!("{} {}", webhook.event.id, webhook.verified.scheme.as_str())
    }

    async fn onboarding(
        QontoEvent {
            event, verified, ..
        }: QontoEvent<OnboardingEvent>,
    ) -> String {
        format!(
            "{} {} {}",
            event.id,
            event.event_type,
            verified.scheme.as_str()
        )
    }

    /// Each scheme on its own route, with its own verifier and secret.
    fn routes() -> Router {
        let onboarding_verifier = Verifier::new(ONBOARDING_SECRET)
            .unwrap()
            .with_schemes(Schemes::Onboarding);
        Router::new()
            .route("/webhooks", post(business))
            .with_state(business_state())
            .merge(
                Router::new()
                    .route("/webhooks/onboarding", post(onboarding))
                    .with_state(QontoState::from(onboarding_verifier)),
            )
    }

    async fn text(router: Router, req: Request<Body>) -> (StatusCode, String) {
        let response = router.oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 10_000)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn each_route_parses_its_schemes_event() {
        let header = business_header(SECRET, EVENT.as_bytes(), unix_now());
        let req = request("/webhooks", &[(BUSINESS_HEADER, &header)], EVENT);
        assert_eq!(
            text(routes(), req).await,
            (StatusCode::OK, "e1 business".to_owned())
        );

        let header = sign_onboarding(ONBOARDING_SECRET, ONBOARDING_EVENT.as_bytes()).unwrap();
        let req = request(
            "/webhooks/onboarding",
            &[(ONBOARDING_HEADER, &header)],
            ONBOARDING_EVENT,
        );
        assert_eq!(
            text(routes(), req).await,
            (
                StatusCode::OK,
                "o1 registrations.pending onboarding".to_owned()
            )
        );

        // The onboarding route does not read the business header, even a valid one.
        let header = business_header(ONBOARDING_SECRET, ONBOARDING_EVENT.as_bytes(), unix_now());
        let req = request(
            "/webhooks/onboarding",
            &[(BUSINESS_HEADER, &header)],
            ONBOARDING_EVENT,
        );
        let message = assert_refused(&send(routes(), req).await, 400, "missing_header");
        assert!(message.contains("carries X-Qonto-Signature"), "{message}");
    }

    #[tokio::test]
    async fn a_verified_body_that_is_not_the_event_is_400_invalid_payload() {
        for body in ["not json", r#"{"id":"e1"}"#, ONBOARDING_EVENT] {
            let header = business_header(SECRET, body.as_bytes(), unix_now());
            let req = request("/webhooks", &[(BUSINESS_HEADER, &header)], body);
            let answer = send(routes(), req).await;
            let message = assert_refused(&answer, 400, "invalid_payload");
            assert!(
                message.starts_with("the verified body is not a Qonto event: "),
                "{message}"
            );
        }
        // Verification comes first: an unsigned body that is not an event is a verification error.
        let header = format!("t=1,v1={}", "0".repeat(64));
        let req = request("/webhooks", &[(BUSINESS_HEADER, &header)], "not json");
        assert_refused(&send(routes(), req).await, 400, "timestamp_too_old");
    }

    #[test]
    fn invalid_payload_has_its_code_status_and_source() {
        let parse = serde_json::from_str::<Value>("{").unwrap_err();
        let rejection = QontoRejection::InvalidPayload(parse);
        assert_eq!(rejection.http_code(), Some(HttpCode::InvalidPayload));
        assert_eq!(
            (rejection.code(), rejection.status().as_u16()),
            ("invalid_payload", 400)
        );
        assert!(rejection.source().unwrap().to_string().contains("EOF"));
    }
}

/// A body that yields the given frames (or errors), one per poll.
struct Frames(VecDeque<Result<Frame<Bytes>, std::io::Error>>);

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(self.0.pop_front())
    }
}

fn chunks(parts: &[&[u8]]) -> Body {
    Body::new(Frames(
        parts
            .iter()
            .map(|p| Ok(Frame::data(Bytes::copy_from_slice(p))))
            .collect(),
    ))
}
