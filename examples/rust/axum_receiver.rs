//! A Qonto webhook endpoint with axum: the raw body as `Bytes`, verify, deduplicate the event id,
//! answer fast.
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
//! so an endpoint that let the headers pick would accept it reframed, with no window).
//!
//! With `--handwritten`, it verifies business webhooks the way hand-written handlers often do
//! (split the header by hand, HMAC, hex, `==`, a window check), for the load comparison in the
//! README. Do not copy that path: its `==` is not constant-time.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use qonto_webhooks::{BUSINESS_HEADER, ONBOARDING_HEADER, Verifier, unix_now};

struct App {
    /// Business webhooks (`X-Qonto-Signature`) only: the verifier's default.
    business: Verifier,
    /// Onboarding webhooks (`Qonto-SHA256-Signature`) only, with their own secret.
    onboarding: Option<Verifier>,
    secret: String,
    handwritten: bool,
    /// Event ids already processed. A real service keeps them in its database.
    seen: Mutex<HashSet<String>>,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h [u8] {
    headers.get(name).map(|v| v.as_bytes()).unwrap_or_default()
}

/// `POST /webhooks`: business webhooks. Only `X-Qonto-Signature` is read: a request that carries
/// `Qonto-SHA256-Signature` instead is refused, never verified under the other scheme.
async fn business_webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let id = if app.handwritten {
        handwritten(&app.secret, header(&headers, BUSINESS_HEADER), &body)
    } else {
        app.business
            .construct_event(&body, header(&headers, BUSINESS_HEADER), unix_now())
            .map(|event| event.id)
            .map_err(|e| e.code())
    };
    answer(&app, id)
}

/// `POST /webhooks/onboarding`: onboarding webhooks, with the onboarding secret.
async fn onboarding_webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let Some(verifier) = &app.onboarding else {
        return (
            StatusCode::NOT_FOUND,
            "{\"error\":\"not_configured\"}".into(),
        );
    };
    let id = verifier
        .construct_onboarding_event(&body, header(&headers, ONBOARDING_HEADER))
        .map(|event| event.id)
        .map_err(|e| e.code());
    answer(&app, id)
}

fn answer(app: &App, id: Result<String, &'static str>) -> (StatusCode, String) {
    match id {
        Err(code) => (StatusCode::BAD_REQUEST, format!("{{\"error\":\"{code}\"}}")),
        Ok(id) => {
            let new = app
                .seen
                .lock()
                .map(|mut seen| seen.insert(id))
                .unwrap_or(false);
            if new {
                // Hand the event to a queue here; answer within Qonto's 1 s.
                (StatusCode::OK, "{\"received\":true}".into())
            } else {
                (
                    StatusCode::CONFLICT,
                    "{\"error\":\"duplicate_event\"}".into(),
                )
            }
        }
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
    // Onboarding webhooks come from another registration, with another secret.
    let onboarding = match std::env::var("QONTO_ONBOARDING_SECRET") {
        Ok(s) => Some(Verifier::new(s)?),
        Err(_) => None,
    };
    let app = Arc::new(App {
        business: Verifier::new(&secret)?,
        onboarding,
        secret,
        handwritten,
        seen: Mutex::new(HashSet::new()),
    });
    let router = Router::new()
        .route("/webhooks", post(business_webhook))
        .route("/webhooks/onboarding", post(onboarding_webhook))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}/webhooks", listener.local_addr()?);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
