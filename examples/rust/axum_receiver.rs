//! A Qonto webhook endpoint with axum: the raw body as `Bytes`, verify, deduplicate the event id,
//! answer fast.
//!
//! ```sh
//! QONTO_WEBHOOK_SECRET=whsec_... cargo run -p qonto-webhooks-examples --bin axum-receiver -- 8080
//! qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check
//! ```

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use qonto_webhooks::{BUSINESS_HEADER, ONBOARDING_HEADER, Verifier, unix_now};

struct App {
    verifier: Verifier,
    /// Event ids already processed. A real service keeps them in its database.
    seen: Mutex<HashSet<String>>,
}

async fn webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let header = |name: &str| headers.get(name).map(|v| v.as_bytes()).unwrap_or_default();
    let id = if headers.contains_key(ONBOARDING_HEADER) {
        app.verifier
            .construct_onboarding_event(&body, header(ONBOARDING_HEADER))
            .map(|event| event.id)
    } else {
        app.verifier
            .construct_event(&body, header(BUSINESS_HEADER), unix_now())
            .map(|event| event.id)
    };
    match id {
        Err(e) => (
            StatusCode::BAD_REQUEST,
            format!("{{\"error\":\"{}\"}}", e.code()),
        ),
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

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("QONTO_WEBHOOK_SECRET")
        .map_err(|_| "set QONTO_WEBHOOK_SECRET to the subscription's webhook secret")?;
    let port: u16 = std::env::args().nth(1).map_or(Ok(8080), |p| p.parse())?;
    let app = Arc::new(App {
        verifier: Verifier::new(secret)?,
        seen: Mutex::new(HashSet::new()),
    });
    let router = Router::new()
        .route("/webhooks", post(webhook))
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
