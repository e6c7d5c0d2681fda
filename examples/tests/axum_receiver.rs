//! The axum example receiver, run as a process on loopback: verification, then the idempotency
//! guard (a repeated event is acknowledged as a duplicate, never processed twice).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use qonto_webhooks::{sign, sign_onboarding, unix_now};
use serde_json::Value;

const SECRET: &str = "whsec_axum_receiver_test_secret_000000000";
const ONBOARDING_SECRET: &str = "axum_receiver_test_onboarding_secret_11";

struct Receiver {
    child: Child,
    url: String,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Receiver {
    let mut child = Command::new(env!("CARGO_BIN_EXE_axum-receiver"))
        .arg("0")
        .env("QONTO_WEBHOOK_SECRET", SECRET)
        .env("QONTO_ONBOARDING_SECRET", ONBOARDING_SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    Receiver { child, url }
}

/// POSTs; returns (status, Retry-After, body as JSON).
fn post(url: &str, header: (&str, &str), body: &[u8]) -> (u16, Option<String>, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header(header.0, header.1)
        .send(body)
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.body_mut().read_to_string().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (response.status().as_u16(), retry_after, json)
}

/// Sends only a request's head, declaring a body of `length` bytes; returns the status and the
/// answer's JSON. (Sending a body the receiver refuses unread could fail with a broken pipe.)
fn head_only(url: &str, length: usize) -> (u16, Value) {
    use std::io::{Read, Write};
    let authority = url.trim_start_matches("http://").split('/').next().unwrap();
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /webhooks HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         X-Qonto-Signature: t=1,v1=00\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn business_event(id: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"{id}","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"v1/transactions","created_at":"2026-01-01T00:00:00Z","data":{{"event":"created"}}}}"#
    )
    .into_bytes()
}

#[test]
fn a_repeated_event_is_acknowledged_as_a_duplicate_per_scheme() {
    let receiver = start();
    let id = format!("axum-{}", std::process::id());
    let body = business_event(&id);
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let business = ("X-Qonto-Signature", header.as_str());
    let (status, _, json) = post(&receiver.url, business, &body);
    assert_eq!((status, &json["received"]), (200, &true.into()), "{json}");
    for _ in 0..2 {
        let (status, _, json) = post(&receiver.url, business, &body);
        assert_eq!(status, 200, "{json}");
        assert_eq!(json, serde_json::json!({ "duplicate": true, "id": id }));
    }
    // A tampered copy never reaches the guard.
    let tampered = business_event(&format!("{id}x"));
    let (status, _, json) = post(&receiver.url, business, &tampered);
    assert_eq!(
        (status, &json["error"]),
        (400, &"signature_mismatch".into())
    );

    // The same id in an onboarding webhook is another event; its replay is a duplicate.
    let onboarding = format!(
        r#"{{"id":"{id}","event_type":"registrations.pending","resource_type":"registration","resource_id":"r1","created_at":"2026-01-01T00:00:00Z"}}"#
    );
    let header = sign_onboarding(ONBOARDING_SECRET, onboarding.as_bytes())
        .unwrap()
        .to_string();
    let url = format!("{}/onboarding", receiver.url);
    let signed = ("Qonto-SHA256-Signature", header.as_str());
    let (status, _, json) = post(&url, signed, onboarding.as_bytes());
    assert_eq!((status, &json["received"]), (200, &true.into()), "{json}");
    let (status, _, json) = post(&url, signed, onboarding.as_bytes());
    assert_eq!((status, &json["duplicate"]), (200, &true.into()), "{json}");

    // A verified event without an id cannot be deduplicated.
    let body = business_event("");
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let (status, _, json) = post(&receiver.url, ("X-Qonto-Signature", &header), &body);
    assert_eq!(
        (status, &json["error"]),
        (400, &"invalid_payload".into()),
        "{json}"
    );
}

#[test]
fn concurrent_deliveries_of_one_event_are_processed_once() {
    const DELIVERIES: usize = 16;
    let receiver = start();
    let body = business_event(&format!("axum-concurrent-{}", std::process::id()));
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let barrier = std::sync::Barrier::new(DELIVERIES);
    let answers: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..DELIVERIES)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    post(&receiver.url, ("X-Qonto-Signature", &header), &body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let processed = answers
        .iter()
        .filter(|(status, _, json)| *status == 200 && json["received"] == true)
        .count();
    assert_eq!(processed, 1, "{answers:?}");
    for (status, retry_after, json) in &answers {
        match status {
            200 if json["received"] == true => {}
            200 => assert_eq!(json["duplicate"], true, "{json}"),
            409 => {
                assert_eq!(json["error"], "duplicate_in_progress", "{json}");
                assert_eq!(retry_after.as_deref(), Some("60"));
            }
            _ => panic!("{status} {json}"),
        }
    }
}

#[test]
fn the_extractor_answers_refusals_before_the_handler() {
    let receiver = start();
    let body = business_event(&format!("axum-refused-{}", std::process::id()));
    // A business webhook on the onboarding route, and an onboarding one on the business route:
    // each route's verifier reads only its own scheme's header.
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let url = format!("{}/onboarding", receiver.url);
    let (status, _, json) = post(&url, ("X-Qonto-Signature", &header), &body);
    assert_eq!((status, &json["error"]), (400, &"missing_header".into()));
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("carries X-Qonto-Signature"),
        "{json}"
    );
    let header = sign_onboarding(SECRET, &body).unwrap().to_string();
    let (status, _, json) = post(&receiver.url, ("Qonto-SHA256-Signature", &header), &body);
    assert_eq!((status, &json["error"]), (400, &"missing_header".into()));

    // Over the 1 MiB limit: 413 from the declared length, before the body is read.
    let (status, json) = head_only(&receiver.url, (1 << 20) + 1);
    assert_eq!((status, &json["error"]), (413, &"body_too_large".into()));

    // Verified, but not an event: 400 invalid_payload, the guard is not reached.
    let header = sign(SECRET, b"[]", unix_now()).unwrap().to_string();
    let (status, _, json) = post(&receiver.url, ("X-Qonto-Signature", &header), b"[]");
    assert_eq!(
        (status, &json["error"]),
        (400, &"invalid_payload".into()),
        "{json}"
    );
}
