//! A Qonto webhook endpoint with axum: the crate's extractor (feature `axum`) reads the raw body,
//! verifies it and parses the event; the handler deduplicates the event id with the idempotency
//! guard, hands the event to a queue and answers fast.
//!
//! ```sh
//! QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... \
//!   cargo run -p qonto-webhooks-examples --bin axum-receiver -- 8080
//! qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
//! QONTO_WEBHOOK_SECRET=<the onboarding secret> qonto-webhooks send --scheme onboarding \
//!   --url http://127.0.0.1:8080/webhooks/onboarding --check
//! ```
//!
//! Each scheme has its own route and its own verifier: the request never chooses the scheme
//! (a business webhook's signature is also the onboarding signature of the body `<t>.<body>`,
//! so an endpoint that let the headers pick would accept it reframed, with no window). Each
//! route's state gives the extractor its `QontoState` (the verifier, the 1 MiB body limit) and the
//! handler the application. A request that does not verify never reaches a handler: the
//! extractor answers it, JSON `{"error": <code>, "message": ..}` with 400 (413 over the limit).
//!
//! Qonto retries a delivery until it gets a 2xx, so the same event arrives more than once (and a
//! captured onboarding webhook verifies forever). After verifying, the event's id is claimed with
//! `qonto_webhooks::idempotency::Guard`: a new event is put on the queue and completed; one
//! already processed is answered 200 `{"duplicate":true,"id":..}` (Qonto stops retrying) and not
//! processed again; one whose first delivery is still in flight gets 409
//! `duplicate_in_progress` with `Retry-After`. If the event cannot be queued, the claim is
//! released and the answer is 503, so Qonto's retry is processed.
//!
//! With `--handwritten`, it verifies business webhooks the way hand-written handlers often do
//! (split the header by hand, HMAC, hex, `==`, a window check), for the load comparison in the
//! README. Do not copy that path: its `==` is not constant-time.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use qonto_webhooks::axum::{QontoEvent, QontoState};
use qonto_webhooks::events::OnboardingEvent;
use qonto_webhooks::idempotency::{ClaimState, Guard};
use qonto_webhooks::{BUSINESS_HEADER, Scheme, Schemes, Verifier, unix_now};
use serde_json::{Value, json};

/// Events waiting for the worker, at most.
const QUEUE: usize = 10_000;

struct App {
    /// The business secret, for the hand-written baseline only.
    secret: String,
    /// The events claimed, processed or being processed, by scheme and id. In memory: one
    /// process. With several instances, implement `idempotency::Store` over your database.
    guard: Guard,
    /// The queue the worker takes events from.
    queue: SyncSender<String>,
}

/// A route's state: what the extractor needs (the route's verifier) and the application.
#[derive(Clone)]
struct Route {
    qonto: QontoState,
    app: Arc<App>,
}

impl FromRef<Route> for QontoState {
    fn from_ref(route: &Route) -> QontoState {
        route.qonto.clone()
    }
}

impl FromRef<Route> for Arc<App> {
    fn from_ref(route: &Route) -> Arc<App> {
        Arc::clone(&route.app)
    }
}

/// `POST /webhooks`: business webhooks. The route's verifier reads only `X-Qonto-Signature`: a
/// request that carries `Qonto-SHA256-Signature` instead is refused, never verified under the
/// other scheme.
async fn business_webhook(State(app): State<Arc<App>>, webhook: QontoEvent) -> Response {
    answer(&app, Scheme::Business, Ok(webhook.event.id))
}

/// `POST /webhooks/onboarding`: onboarding webhooks, with the onboarding secret.
async fn onboarding_webhook(
    State(app): State<Arc<App>>,
    webhook: QontoEvent<OnboardingEvent>,
) -> Response {
    answer(&app, Scheme::Onboarding, Ok(webhook.event.id))
}

/// `POST /webhooks/onboarding` when no onboarding secret is set.
async fn not_configured() -> Response {
    reply(StatusCode::NOT_FOUND, &json!({ "error": "not_configured" }))
}

/// `POST /webhooks` with `--handwritten`: the load comparison's baseline (see `handwritten`).
async fn handwritten_webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = headers
        .get(BUSINESS_HEADER)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    answer(
        &app,
        Scheme::Business,
        handwritten(&app.secret, header, &body),
    )
}

fn reply(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body.to_string(),
    )
        .into_response()
}

/// After verification: the guard, then the handler (here: put the event on the queue).
fn answer(app: &App, scheme: Scheme, id: Result<String, &'static str>) -> Response {
    let id = match id {
        Ok(id) if !id.is_empty() => id,
        Ok(_) => {
            let message = "the event has no string `id` to deduplicate on";
            return reply(
                StatusCode::BAD_REQUEST,
                &json!({ "error": "invalid_payload", "message": message }),
            );
        }
        Err(code) => return reply(StatusCode::BAD_REQUEST, &json!({ "error": code })),
    };
    let claim = match app.guard.claim(scheme, &id) {
        Ok(claim) => claim,
        // Fail closed: never process an event without the guard.
        Err(e) => {
            let body = json!({ "error": e.code(), "message": e.to_string() });
            return reply(StatusCode::SERVICE_UNAVAILABLE, &body);
        }
    };
    match claim.state {
        ClaimState::Done => reply(StatusCode::OK, &json!({ "duplicate": true, "id": id })),
        ClaimState::Processing => {
            let message =
                format!("event {id} is being processed by another delivery; Qonto will retry it");
            let mut response = reply(
                StatusCode::CONFLICT,
                &json!({ "error": "duplicate_in_progress", "message": message }),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(app.guard.lease().as_secs()));
            response
        }
        ClaimState::Claimed => {
            let token = claim.token.unwrap_or_default();
            // The handler: hand the event to the queue; answer within Qonto's 1 s.
            match app.queue.try_send(id.clone()) {
                Ok(()) => {
                    // Queued: processed once. (A failing store here leaves the claim to expire
                    // after the lease; the event is queued all the same.)
                    let _ = app.guard.complete(scheme, &id, &token);
                    reply(StatusCode::OK, &json!({ "received": true }))
                }
                Err(_) => {
                    // Not queued: release the claim, so that Qonto's retry is processed.
                    let _ = app.guard.release(scheme, &id, &token);
                    reply(
                        StatusCode::SERVICE_UNAVAILABLE,
                        &json!({ "error": "queue_full", "message": "try again later" }),
                    )
                }
            }
        }
    }
}

/// The worker: processes each queued event once (update your database, call other services...).
fn work(queue: Receiver<String>) {
    for id in queue {
        // Process the event here.
        drop(id);
    }
}

/// What many hand-written handlers do. Kept only as a baseline for the load comparison.
fn handwritten(secret: &str, header: &[u8], body: &[u8]) -> Result<String, &'static str> {
    use hmac::{Hmac, Mac};
    let header = std::str::from_utf8(header).map_err(|_| "malformed_header")?;
    let (mut t, mut v1) = (None, None);
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.to_string()),
            Some(("v1", v)) => v1 = Some(v.to_string()),
            _ => {}
        }
    }
    let (t, v1) = (
        t.ok_or("missing_timestamp")?,
        v1.ok_or("missing_signature")?,
    );
    let ts: u64 = t.parse().map_err(|_| "malformed_header")?;
    if unix_now().abs_diff(ts) > 300 {
        return Err("timestamp_too_old");
    }
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| "invalid_secret")?;
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if expected != v1 {
        return Err("signature_mismatch");
    }
    let event: serde_json::Value = serde_json::from_slice(body).map_err(|_| "invalid_payload")?;
    Ok(event["id"].as_str().unwrap_or_default().to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("QONTO_WEBHOOK_SECRET")
        .map_err(|_| "set QONTO_WEBHOOK_SECRET to the subscription's webhook secret")?;
    let handwritten = std::env::args().any(|a| a == "--handwritten");
    let port: u16 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or(Ok(8080), |p| p.parse())?;
    // Business webhooks (`X-Qonto-Signature`) only: the verifier's default.
    let business = QontoState::new(Verifier::new(&secret)?);
    // Onboarding webhooks come from another registration, with another secret.
    let onboarding = match std::env::var("QONTO_ONBOARDING_SECRET") {
        Ok(s) => Some(QontoState::new(
            Verifier::new(s)?.with_schemes(Schemes::Onboarding),
        )),
        Err(_) => None,
    };
    let (queue, events) = sync_channel(QUEUE);
    std::thread::spawn(move || work(events));
    let app = Arc::new(App {
        secret,
        guard: Guard::default(),
        queue,
    });
    let business = Route {
        qonto: business,
        app: Arc::clone(&app),
    };
    let router = Router::new()
        .route(
            "/webhooks",
            if handwritten {
                post(handwritten_webhook)
            } else {
                post(business_webhook)
            },
        )
        .with_state(business);
    let router = match onboarding {
        Some(qonto) => router.merge(
            Router::new()
                .route("/webhooks/onboarding", post(onboarding_webhook))
                .with_state(Route { qonto, app }),
        ),
        None => router.route("/webhooks/onboarding", post(not_configured)),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}/webhooks", listener.local_addr()?);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
