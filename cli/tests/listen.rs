//! `listen` over loopback with raw TCP: every request-level case of the core, the configured
//! schemes (never the request) picking the header, and a receiver that a slow or hostile client
//! can neither stall nor exhaust.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use qonto_webhooks::{sign, sign_onboarding, unix_now};
use serde::Deserialize;

const BIN: &str = env!("CARGO_BIN_EXE_qonto-webhooks");
const SECRET: &str = "whsec_listen_test_business_secret_000000";
const ONBOARDING_SECRET: &str = "listen_test_onboarding_secret_1111111";
/// How long a test waits for an answer that must come: generous, only to fail instead of hang.
const LIVENESS: Duration = Duration::from_secs(30);

struct Listen {
    child: Child,
    addr: String,
    stdout: BufReader<ChildStdout>,
}

impl Listen {
    /// Starts `listen --port 0 <args>` with none of the secrets' variables in its environment but
    /// those of `env`, and its standard error as `stderr` says.
    fn start(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Listen {
        let mut child = Command::new(BIN)
            .arg("listen")
            .args(["--port", "0"])
            .args(args)
            .env_remove("QONTO_WEBHOOK_SECRET")
            .env_remove("QONTO_ONBOARDING_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .trim_end_matches('/')
            .to_owned();
        Listen {
            child,
            addr,
            stdout,
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(LIVENESS)).unwrap();
        stream
    }

    /// Waits for the process to end (it was given --max-requests or --max-seconds), then returns
    /// everything it printed after the first line.
    fn finish(mut self) -> Vec<u8> {
        wait_exit(&mut self.child);
        let mut rest = Vec::new();
        self.stdout.read_to_end(&mut rest).unwrap();
        rest
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn wait_exit(child: &mut Child) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        assert!(
            start.elapsed() < LIVENESS,
            "listen did not stop within {LIVENESS:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Reads an HTTP answer until the server closes the connection: (status, body as JSON).
fn read_answer(stream: &mut TcpStream) -> (u16, serde_json::Value) {
    let (status, _, json) = read_full_answer(stream);
    (status, json)
}

/// Reads an HTTP answer until the server closes the connection: (status, head, body as JSON).
fn read_full_answer(stream: &mut TcpStream) -> (u16, String, serde_json::Value) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            // A reset after the answer arrived (the server closed with our bytes unread).
            Err(e) if !raw.is_empty() && e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("no answer: {e} (got {:?})", String::from_utf8_lossy(&raw)),
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {text:?}"));
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    (status, head.to_owned(), json)
}

/// POSTs `body` with `headers` (name, value) to `path`.
fn post(
    listen: &Listen,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, serde_json::Value) {
    let (status, _, json) = post_full(listen, path, headers, body);
    (status, json)
}

/// [`post`], with the answer's head too.
fn post_full(
    listen: &Listen,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, serde_json::Value) {
    let mut stream = listen.connect();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        listen.addr,
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_full_answer(&mut stream)
}

fn event_body(topic: &str) -> Vec<u8> {
    let id = format!("evt-{}-{}", std::process::id(), unix_now());
    format!(
        r#"{{"id":"{id}-{topic}","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"{topic}","created_at":"2026-01-01T00:00:00Z","data":{{"event":"created"}}}}"#
    )
    .into_bytes()
}

fn onboarding_body() -> Vec<u8> {
    format!(
        r#"{{"id":"onb-{}-{}","event_type":"registrations.pending","resource_type":"registration","resource_id":"r1","created_at":"2026-01-01T00:00:00Z"}}"#,
        std::process::id(),
        unix_now()
    )
    .into_bytes()
}

#[derive(Deserialize)]
struct Case {
    name: String,
    schemes: String,
    secrets: Vec<String>,
    business: Option<String>,
    onboarding: Option<String>,
    body_b64: String,
    now: u64,
    tolerance: Option<u64>,
    expect: String,
    scheme: Option<String>,
    secret_index: Option<usize>,
    message_contains: Option<String>,
}

#[test]
fn every_request_case_through_listen() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testkit/vectors/requests.json"
    ))
    .unwrap();
    let cases: Vec<Case> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 20);
    // HTTP drops the blanks around a header value, so a header made only of blanks arrives empty:
    // those cases are the core's to test (core/tests/requests.rs), not a server's.
    let blank = |h: &Option<String>| h.as_ref().is_some_and(|h| h.trim() != h);
    for case in cases
        .iter()
        .filter(|c| !blank(&c.business) && !blank(&c.onboarding))
    {
        let now = case.now.to_string();
        let tolerance = case.tolerance.map(|t| t.to_string());
        let mut args = vec![
            "--schemes",
            &case.schemes,
            "--now",
            &now,
            "--max-requests",
            "1",
        ];
        match &tolerance {
            Some(t) => args.extend(["--tolerance", t]),
            None => args.push("--no-tolerance"),
        }
        let secret_args: Vec<String> = case
            .secrets
            .iter()
            .map(|s| format!("--secret={s}"))
            .collect();
        args.extend(secret_args.iter().map(String::as_str));
        let listen = Listen::start(&args, &[], Stdio::inherit());
        let mut headers = Vec::new();
        if let Some(h) = &case.business {
            headers.push(("X-Qonto-Signature", h.as_str()));
        }
        if let Some(h) = &case.onboarding {
            headers.push(("Qonto-SHA256-Signature", h.as_str()));
        }
        let body = base64::engine::general_purpose::STANDARD
            .decode(&case.body_b64)
            .unwrap();
        let (status, json) = post(&listen, "/webhooks", &headers, &body);
        let name = &case.name;
        if case.expect == "ok" {
            // Verified: 200, or 400 invalid_payload when the verified body is not a whole event
            // (the answer says which scheme and secret verified it either way).
            assert!(
                status == 200 || (status == 400 && json["error"] == "invalid_payload"),
                "{name}: {status} {json}"
            );
            assert_eq!(
                json["verified"]["scheme"],
                case.scheme.as_deref().unwrap(),
                "{name}: {json}"
            );
            assert_eq!(
                json["verified"]["secret_index"],
                case.secret_index.unwrap(),
                "{name}: {json}"
            );
        } else {
            assert_eq!(status, 400, "{name}: {json}");
            assert_eq!(json["error"], case.expect.as_str(), "{name}: {json}");
            assert!(json.get("verified").is_none(), "{name}: {json}");
            if let Some(part) = &case.message_contains {
                let message = json["message"].as_str().unwrap_or_default();
                assert!(message.contains(part.as_str()), "{name}: {message}");
            }
        }
        listen.finish();
    }
}

/// A business webhook signed now, then reframed: its v1 as `Qonto-SHA256-Signature` over the
/// body `<t>.<body>`.
fn reframed(secret: &str) -> (Vec<u8>, String) {
    let body = event_body("v1/transactions");
    let t = unix_now();
    let header = sign(secret, &body, t).unwrap().to_string();
    let v1 = header.split_once(",v1=").unwrap().1.to_owned();
    let mut reframed = format!("{t}.").into_bytes();
    reframed.extend_from_slice(&body);
    (reframed, v1)
}

#[test]
fn the_reframed_replay_is_refused_by_default() {
    let listen = Listen::start(
        &["--secret", SECRET, "--max-requests", "1"],
        &[],
        Stdio::inherit(),
    );
    let (body, v1) = reframed(SECRET);
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("Qonto-SHA256-Signature", &v1)],
        &body,
    );
    assert_eq!(status, 400, "{json}");
    assert_eq!(json["error"], "missing_header", "{json}");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("accepts business webhooks only"),
        "{json}"
    );
    listen.finish();
}

#[test]
fn both_schemes_with_an_onboarding_secret_verify_each_with_its_own() {
    let listen = Listen::start(
        &[
            "--schemes",
            "both",
            "--secret",
            SECRET,
            "--onboarding-secret",
            ONBOARDING_SECRET,
            "--max-requests",
            "4",
        ],
        &[],
        Stdio::inherit(),
    );
    let body = event_body("v1/cards");
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("X-Qonto-Signature", &header)],
        &body,
    );
    assert_eq!(
        (status, &json["verified"]["scheme"]),
        (200, &"business".into()),
        "{json}"
    );

    let body = onboarding_body();
    let header = sign_onboarding(ONBOARDING_SECRET, &body)
        .unwrap()
        .to_string();
    let (status, json) = post(
        &listen,
        "/webhooks/onboarding",
        &[("Qonto-SHA256-Signature", &header)],
        &body,
    );
    assert_eq!(
        (status, &json["verified"]["scheme"]),
        (200, &"onboarding".into()),
        "{json}"
    );

    // The reframed replay, and an onboarding webhook signed with the business secret: the
    // onboarding scheme is verified with its own secret only.
    let (body, v1) = reframed(SECRET);
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("Qonto-SHA256-Signature", &v1)],
        &body,
    );
    assert_eq!(
        (status, &json["error"]),
        (400, &"signature_mismatch".into()),
        "{json}"
    );
    let body = onboarding_body();
    let header = sign_onboarding(SECRET, &body).unwrap().to_string();
    let (status, json) = post(&listen, "/", &[("Qonto-SHA256-Signature", &header)], &body);
    assert_eq!(
        (status, &json["error"]),
        (400, &"signature_mismatch".into()),
        "{json}"
    );
    listen.finish();
}

#[test]
fn the_onboarding_secret_comes_from_the_environment() {
    let mut listen = Listen::start(
        &["--schemes", "both", "--max-requests", "1"],
        &[
            ("QONTO_WEBHOOK_SECRET", SECRET),
            ("QONTO_ONBOARDING_SECRET", ONBOARDING_SECRET),
        ],
        Stdio::piped(),
    );
    let mut stderr = listen.child.stderr.take().unwrap();
    let body = onboarding_body();
    let header = sign_onboarding(ONBOARDING_SECRET, &body)
        .unwrap()
        .to_string();
    let (status, json) = post(
        &listen,
        "/webhooks/onboarding",
        &[("Qonto-SHA256-Signature", &header)],
        &body,
    );
    assert_eq!(status, 200, "{json}");
    listen.finish();
    // Each scheme has its own secret: no warning about sharing one.
    let mut warnings = String::new();
    stderr.read_to_string(&mut warnings).unwrap();
    assert!(!warnings.contains("same secret"), "{warnings}");
}

/// Opens a connection that announces a body and sends only part of it, then stalls.
fn stalled_client(listen: &Listen) -> TcpStream {
    let mut stream = listen.connect();
    let header = sign(SECRET, b"x", unix_now()).unwrap().to_string();
    let head = format!(
        "POST /webhooks HTTP/1.1\r\nHost: x\r\nX-Qonto-Signature: {header}\r\nContent-Length: 500000\r\n\r\n{{\"id\":"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

#[test]
fn a_slow_client_does_not_block_another() {
    let listen = Listen::start(
        &["--secret", SECRET, "--max-seconds", "120"],
        &[],
        Stdio::inherit(),
    );
    let _slow = stalled_client(&listen);
    // Give the stalled request a head start, so that it is the one being served first.
    std::thread::sleep(Duration::from_millis(300));
    let body = event_body("v1/accounts");
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("X-Qonto-Signature", &header)],
        &body,
    );
    assert_eq!(status, 200, "{json}");
}

#[test]
fn max_seconds_is_honoured_while_a_client_stalls() {
    let listen = Listen::start(
        &["--secret", SECRET, "--max-seconds", "2"],
        &[],
        Stdio::inherit(),
    );
    let _slow = stalled_client(&listen);
    listen.finish();
}

#[test]
fn a_stale_or_malformed_request_is_answered_without_its_body() {
    let listen = Listen::start(
        &["--secret", SECRET, "--max-requests", "2"],
        &[],
        Stdio::inherit(),
    );
    let stale = sign(SECRET, b"never sent", unix_now() - 3600)
        .unwrap()
        .to_string();
    for (header, code) in [
        (stale.as_str(), "timestamp_too_old"),
        ("t=1,v1=xyz", "malformed_header"),
    ] {
        let mut stream = listen.connect();
        let head = format!(
            "POST /webhooks HTTP/1.1\r\nHost: x\r\nX-Qonto-Signature: {header}\r\nContent-Length: 1000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        // The body never comes: the answer must anyway.
        let (status, json) = read_answer(&mut stream);
        assert_eq!((status, &json["error"]), (400, &code.into()), "{json}");
    }
    listen.finish();
}

#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn an_overlong_header_is_refused_and_the_server_stays_up() {
    let listen = Listen::start(
        &["--secret", SECRET, "--max-requests", "2"],
        &[],
        Stdio::inherit(),
    );
    let mut stream = listen.connect();
    let mut writer = stream.try_clone().unwrap();
    // 64 MiB of one header line, written while the answer is read.
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(b"POST /webhooks HTTP/1.1\r\nX-Long: ");
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..64 {
            if writer.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let (status, json) = read_answer(&mut stream);
    assert_eq!(status, 431, "{json}");
    drop(stream);
    sender.join().unwrap();
    #[cfg(target_os = "linux")]
    {
        let peak = peak_rss_kib(listen.child.id());
        assert!(peak < 32 * 1024, "listen grew to {peak} KiB");
    }
    // Still up and serving.
    let body = event_body("v1/clients");
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("X-Qonto-Signature", &header)],
        &body,
    );
    assert_eq!(status, 200, "{json}");
    listen.finish();
}

#[test]
fn control_characters_from_the_request_are_printed_escaped() {
    let listen = Listen::start(
        &["--secret", SECRET, "--max-requests", "2"],
        &[],
        Stdio::inherit(),
    );
    let mut stream = listen.connect();
    stream
        .write_all(
            b"GET /a\x1b[31mred\x1b]0;title\x07 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let (status, _) = read_answer(&mut stream);
    assert!(status == 400 || status == 405, "{status}");
    // An event id with an escape sequence (JSON-escaped in the body, raw once parsed).
    let body = br#"{"id":"e\u001b[2J","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"v1/cards","created_at":"2026-01-01T00:00:00Z","data":{"event":"x\u009b"}}"#;
    let header = sign(SECRET, body, unix_now()).unwrap().to_string();
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("X-Qonto-Signature", &header)],
        body,
    );
    assert_eq!(status, 200, "{json}");
    let printed = listen.finish();
    let text = String::from_utf8_lossy(&printed);
    assert!(
        !printed.iter().any(|&b| b == 0x1b || b == 0x07),
        "raw control characters printed: {text:?}"
    );
    assert!(!text.contains('\u{9b}'), "{text:?}");
    assert!(text.contains("\\u{1b}"), "{text}");
}

fn id_of(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_repeated_event_is_acknowledged_as_a_duplicate_and_printed_as_one() {
    let listen = Listen::start(
        &[
            "--schemes",
            "both",
            "--secret",
            SECRET,
            "--onboarding-secret",
            ONBOARDING_SECRET,
            "--max-requests",
            "6",
        ],
        &[],
        Stdio::inherit(),
    );
    let body = event_body("v1/transfers");
    let id = id_of(&body);
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let business = |header: &str| {
        post(
            &listen,
            "/webhooks",
            &[("X-Qonto-Signature", header)],
            &body,
        )
    };
    let (status, json) = business(&header);
    assert_eq!((status, &json["received"]), (200, &true.into()), "{json}");
    // Qonto's retry: the same delivery, acknowledged (so that Qonto stops) and not processed.
    let (status, json) = business(&header);
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["duplicate"], true, "{json}");
    assert_eq!(json["id"], id.as_str(), "{json}");
    assert!(json.get("received").is_none(), "{json}");
    // Signed again (another t): the same event all the same.
    let later = sign(SECRET, &body, unix_now() + 1).unwrap().to_string();
    let (status, json) = business(&later);
    assert_eq!((status, &json["duplicate"]), (200, &true.into()), "{json}");

    // An onboarding event with the same id is another event (another key space), once.
    let onboarding = format!(
        r#"{{"id":"{id}","event_type":"registrations.pending","resource_type":"registration","resource_id":"r1","created_at":"2026-01-01T00:00:00Z"}}"#
    );
    let header = sign_onboarding(ONBOARDING_SECRET, onboarding.as_bytes())
        .unwrap()
        .to_string();
    let deliver = || {
        post(
            &listen,
            "/webhooks/onboarding",
            &[("Qonto-SHA256-Signature", &header)],
            onboarding.as_bytes(),
        )
    };
    let (status, json) = deliver();
    assert_eq!((status, &json["received"]), (200, &true.into()), "{json}");
    // A replayed onboarding webhook (no timestamp: it verifies forever) is not processed again.
    let (status, json) = deliver();
    assert_eq!((status, &json["duplicate"]), (200, &true.into()), "{json}");
    assert_eq!(json["verified"]["scheme"], "onboarding", "{json}");

    // A verified event without an id cannot be deduplicated: refused.
    let no_id = br#"{"id":"","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"v1/cards","created_at":"2026-01-01T00:00:00Z","data":{"event":"created"}}"#;
    let header = sign(SECRET, no_id, unix_now()).unwrap().to_string();
    let (status, json) = post(
        &listen,
        "/webhooks",
        &[("X-Qonto-Signature", &header)],
        no_id,
    );
    assert_eq!(
        (status, &json["error"]),
        (400, &"invalid_payload".into()),
        "{json}"
    );
    assert!(
        json["message"].as_str().unwrap().contains("no string `id`"),
        "{json}"
    );

    let printed = String::from_utf8(listen.finish()).unwrap();
    let lines: Vec<&str> = printed.lines().filter(|l| l.starts_with("POST ")).collect();
    assert_eq!(lines.len(), 6, "{printed}");
    let accepted: Vec<&&str> = lines.iter().filter(|l| l.contains(" accepted ")).collect();
    assert_eq!(accepted.len(), 2, "{printed}");
    let duplicates: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains(&format!("-> 200 duplicate {id} (already processed)")))
        .collect();
    assert_eq!(duplicates.len(), 3, "{printed}");
    assert!(
        duplicates.iter().all(|l| !l.contains("accepted")),
        "{printed}"
    );
}

#[test]
fn concurrent_deliveries_of_one_event_are_processed_once() {
    const DELIVERIES: usize = 16;
    let listen = Listen::start(
        &[
            "--secret",
            SECRET,
            "--max-requests",
            &DELIVERIES.to_string(),
        ],
        &[],
        Stdio::inherit(),
    );
    let body = event_body("v1/cards");
    let id = id_of(&body);
    let header = sign(SECRET, &body, unix_now()).unwrap().to_string();
    let barrier = std::sync::Barrier::new(DELIVERIES);
    let answers: Vec<(u16, String, serde_json::Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..DELIVERIES)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    post_full(
                        &listen,
                        "/webhooks",
                        &[("X-Qonto-Signature", &header)],
                        &body,
                    )
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
    for (status, head, json) in &answers {
        match status {
            200 if json["received"] == true => {}
            200 => assert_eq!(
                (&json["duplicate"], &json["id"]),
                (&true.into(), &id.as_str().into()),
                "{json}"
            ),
            409 => {
                assert_eq!(json["error"], "duplicate_in_progress", "{json}");
                assert!(
                    json["message"]
                        .as_str()
                        .unwrap()
                        .contains("is being processed by another delivery; Qonto will retry it"),
                    "{json}"
                );
                assert!(head.contains("\r\nRetry-After: 60\r\n"), "{head}");
            }
            _ => panic!("{status} {json}"),
        }
    }
    let printed = String::from_utf8(listen.finish()).unwrap();
    assert_eq!(printed.matches(" accepted ").count(), 1, "{printed}");
    assert_eq!(
        printed.matches(&format!(" duplicate {id} (")).count(),
        DELIVERIES - 1,
        "{printed}"
    );
}
