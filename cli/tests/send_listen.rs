//! `send` and `listen` against each other on loopback, `send` against endpoints that are wrong,
//! and `diagnose` through the binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qonto-webhooks");
const SECRET: &str = "whsec_test_secret_for_send_and_listen_0000";
const ONBOARDING_SECRET: &str = "onboarding_secret_for_send_and_listen_1111";

fn cli(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("QONTO_WEBHOOK_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// Starts `listen` on a free port; returns the child and its URL.
fn listen(secret: &str, max_requests: u32) -> (Child, String) {
    listen_with(secret, max_requests, &[])
}

fn listen_with(secret: &str, max_requests: u32, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .env_remove("QONTO_WEBHOOK_SECRET")
        .env_remove("QONTO_ONBOARDING_SECRET")
        .args([
            "listen",
            "--port",
            "0",
            "--secret",
            secret,
            "--max-seconds",
            "60",
        ])
        .args(["--max-requests", &max_requests.to_string()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    (child, url)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn send_check_against_listen_business_and_onboarding() {
    // As the receivers tour starts it: both schemes, each with its own secret.
    let (mut server, url) = listen_with(
        SECRET,
        14,
        &[
            "--schemes",
            "both",
            "--onboarding-secret",
            ONBOARDING_SECRET,
        ],
    );
    for topic in ["v1/transactions", "v1/consent-revocations"] {
        let out = cli(
            &[
                "send", "--url", &url, "--secret", SECRET, "--topic", topic, "--check",
            ],
            b"",
        );
        let text = stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for label in [
            "genuine",
            "tampered",
            "stale",
            "wrong-secret",
            "reframed",
            "replay",
        ] {
            assert!(text.contains(label), "{label} missing in {text}");
        }
        assert_eq!(text.matches("as expected").count(), 6, "{text}");
        // listen acknowledges the replay as a duplicate.
        let replay = text.lines().find(|l| l.contains("replay")).unwrap();
        assert!(
            replay.contains("-> 200")
                && replay.contains("as expected: acknowledged as duplicate (2xx)"),
            "{text}"
        );
    }
    let onboarding = |secret: &str| {
        cli(
            &[
                "send",
                "--url",
                &url,
                "--secret",
                secret,
                "--scheme",
                "onboarding",
            ],
            b"",
        )
    };
    let out = onboarding(ONBOARDING_SECRET);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The onboarding scheme is verified with its own secret only.
    let out = onboarding(SECRET);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let status = server.wait().unwrap();
    assert!(status.success());
}

#[test]
fn listen_accepts_business_webhooks_only_by_default() {
    let (mut server, url) = listen(SECRET, 1);
    let out = cli(
        &[
            "send",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--scheme",
            "onboarding",
        ],
        b"",
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("-> 400")
            && text.contains("missing_header")
            && text.contains("carries Qonto-SHA256-Signature"),
        "{text}"
    );
    server.wait().unwrap();
}

/// A receiver with the defect of issue 14: the request's headers pick the scheme. It verifies
/// (one secret for both) and deduplicates event ids, so only the reframed shot gets through.
fn receiver_picking_the_scheme_from_the_request() -> (
    String,
    std::sync::Arc<tiny_http::Server>,
    std::thread::JoinHandle<()>,
) {
    use qonto_webhooks::{BUSINESS_HEADER, ONBOARDING_HEADER, Verifier, unix_now};
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let stop = std::sync::Arc::clone(&server);
    let handle = std::thread::spawn(move || {
        let verifier = Verifier::new(SECRET).unwrap();
        let mut seen = std::collections::HashSet::new();
        // Serves until unblocked (send has finished).
        while let Ok(mut request) = server.recv() {
            let mut body = Vec::new();
            std::io::Read::read_to_end(request.as_reader(), &mut body).unwrap();
            let header = |name: &'static str| {
                request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.as_str().to_owned())
            };
            let verified = if let Some(h) = header(BUSINESS_HEADER) {
                verifier.verify(&body, &h, unix_now()).is_ok()
            } else if let Some(h) = header(ONBOARDING_HEADER) {
                verifier.verify_onboarding(&body, &h).is_ok()
            } else {
                false
            };
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_owned));
            let fresh = id.is_none_or(|id| seen.insert(id));
            let status = if verified && fresh { 200 } else { 400 };
            request
                .respond(tiny_http::Response::from_string("{}").with_status_code(status))
                .unwrap();
        }
    });
    (format!("http://127.0.0.1:{port}/"), stop, handle)
}

#[test]
fn send_check_fails_against_a_receiver_that_accepts_the_reframed_shot() {
    let (url, server, handle) = receiver_picking_the_scheme_from_the_request();
    let out = cli(&["send", "--url", &url, "--secret", SECRET, "--check"], b"");
    server.unblock();
    handle.join().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let unexpected: Vec<&str> = text.lines().filter(|l| l.contains("UNEXPECTED")).collect();
    assert_eq!(unexpected.len(), 1, "{text}");
    assert!(
        unexpected[0].trim_start().starts_with("reframed")
            && unexpected[0].contains("-> 200")
            && unexpected[0].contains("a correct endpoint answers 4xx"),
        "{text}"
    );
}

#[test]
fn send_flags_an_endpoint_with_another_secret() {
    let (mut server, url) = listen("whsec_some_other_secret_000000000000000", 1);
    let out = cli(&["send", "--url", &url, "--secret", SECRET], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("UNEXPECTED (a correct endpoint answers 2xx)"),
        "{}",
        stdout(&out)
    );
    server.wait().unwrap();
}

#[test]
fn send_flags_an_endpoint_that_accepts_everything() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let handle = std::thread::spawn(move || {
        for _ in 0..2 {
            let request = server.recv().unwrap();
            request
                .respond(tiny_http::Response::from_string("ok"))
                .unwrap();
        }
    });
    let url = format!("http://127.0.0.1:{port}/");
    let out = cli(
        &["send", "--url", &url, "--secret", SECRET, "--tampered"],
        b"",
    );
    handle.join().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("tampered") && text.contains("UNEXPECTED (a correct endpoint answers 4xx)"),
        "{text}"
    );
}

#[test]
fn send_reports_an_unreachable_endpoint_after_bounded_retries() {
    // Bind then drop a listener: the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let out = cli(
        &[
            "send",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--retries",
            "1",
            "--timeout",
            "2",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("retry 1 of 1") && err.contains("after 2 attempt(s)"),
        "{err}"
    );
}

#[test]
fn diagnose_names_the_mistake() {
    let signed = br#"{"id":"e1","type":"v1/clients","data":{"event":"created"}}"#;
    let out = cli(
        &["sign", "--secret", SECRET, "--timestamp", "1700000000"],
        signed,
    );
    let header = format!("--header={}", stdout(&out).trim_end());
    let common = [
        "diagnose",
        "--secret",
        SECRET,
        &header,
        "--now",
        "1700000000",
    ];

    let out = cli(&common, signed);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("ok secret=0"));

    // The body as a framework gives it back after parsing: pretty-printed.
    let pretty = b"{\n  \"id\": \"e1\",\n  \"type\": \"v1/clients\",\n  \"data\": {\n    \"event\": \"created\"\n  }\n}";
    let out = cli(&common, pretty);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.starts_with("error[signature_mismatch]"), "{text}");
    assert!(text.contains("cause [body_reserialized]"), "{text}");
    assert!(!text.contains(SECRET));

    let out = cli(
        &[
            "diagnose",
            "--secret",
            "whsec_wrong_0000000000000000000000",
            &header,
            "--now",
            "1700000000",
        ],
        signed,
    );
    let text = stdout(&out);
    assert!(text.contains("no known mistake [wrong_secret]"), "{text}");

    let stale = [
        "diagnose",
        "--secret",
        SECRET,
        &header,
        "--now",
        "1700003600",
    ];
    let text = stdout(&cli(&stale, signed));
    assert!(
        text.contains("cause [clock_skew]") && text.contains("3600 s behind"),
        "{text}"
    );
}

/// How a test receiver answers a repeated event id.
#[derive(Clone, Copy)]
enum OnDuplicate {
    /// 200 `{"duplicate": true, "id": ..}`: idempotent, acknowledged.
    Acknowledge,
    /// 409 `duplicate_event`: refused.
    Refuse,
    /// 200 `{"received": true}`: processed again (the defect).
    ProcessAgain,
}

/// A correct receiver (verifies, business only, deduplicates ids) but for how it answers a
/// duplicate. Returns its URL; serves until `unblock`.
fn deduplicating_receiver(
    on_duplicate: OnDuplicate,
) -> (
    String,
    std::sync::Arc<tiny_http::Server>,
    std::thread::JoinHandle<usize>,
) {
    use qonto_webhooks::{BUSINESS_HEADER, Verifier, unix_now};
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let stop = std::sync::Arc::clone(&server);
    let handle = std::thread::spawn(move || {
        let verifier = Verifier::new(SECRET).unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut processed = 0;
        while let Ok(mut request) = server.recv() {
            let mut body = Vec::new();
            std::io::Read::read_to_end(request.as_reader(), &mut body).unwrap();
            let header = request
                .headers()
                .iter()
                .find(|h| h.field.equiv(BUSINESS_HEADER))
                .map(|h| h.value.as_str().to_owned())
                .unwrap_or_default();
            let (status, answer) = match verifier.construct_event(&body, &header, unix_now()) {
                Err(e) => (400, format!(r#"{{"error":"{}"}}"#, e.code())),
                Ok(event) if seen.insert(event.id.clone()) => {
                    processed += 1;
                    (200, r#"{"received":true}"#.to_owned())
                }
                Ok(event) => match on_duplicate {
                    OnDuplicate::Acknowledge => {
                        (200, format!(r#"{{"duplicate":true,"id":"{}"}}"#, event.id))
                    }
                    OnDuplicate::Refuse => (409, r#"{"error":"duplicate_event"}"#.to_owned()),
                    OnDuplicate::ProcessAgain => {
                        processed += 1;
                        (200, r#"{"received":true}"#.to_owned())
                    }
                },
            };
            request
                .respond(tiny_http::Response::from_string(answer).with_status_code(status))
                .unwrap();
        }
        processed
    });
    (format!("http://127.0.0.1:{port}/"), stop, handle)
}

#[test]
fn expect_duplicate_says_which_answers_to_the_replay_pass() {
    use OnDuplicate::{Acknowledge, ProcessAgain, Refuse};
    for (receiver, mode, pass, words) in [
        (
            Acknowledge,
            "either",
            true,
            "as expected: acknowledged as duplicate (2xx)",
        ),
        (Refuse, "either", true, "as expected: refused (4xx)"),
        (
            ProcessAgain,
            "either",
            false,
            "answered 2xx without saying duplicate: the handler may have run twice",
        ),
        (
            Acknowledge,
            "2xx",
            true,
            "as expected: acknowledged as duplicate (2xx)",
        ),
        (
            Refuse,
            "2xx",
            false,
            "UNEXPECTED (refused (4xx); --expect-duplicate 2xx",
        ),
        (
            ProcessAgain,
            "2xx",
            false,
            "answered 2xx without saying duplicate",
        ),
        (
            Acknowledge,
            "4xx",
            false,
            "UNEXPECTED (acknowledged as duplicate (2xx); --expect-duplicate 4xx",
        ),
        (Refuse, "4xx", true, "as expected: refused (4xx)"),
        (
            ProcessAgain,
            "4xx",
            false,
            "answered 2xx without saying duplicate",
        ),
    ] {
        let (url, server, handle) = deduplicating_receiver(receiver);
        let out = cli(
            &[
                "send",
                "--url",
                &url,
                "--secret",
                SECRET,
                "--check",
                "--expect-duplicate",
                mode,
            ],
            b"",
        );
        server.unblock();
        let processed = handle.join().unwrap();
        let text = stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(if pass { 0 } else { 1 }),
            "{mode}: {text}"
        );
        // Every other shot is as before: the genuine one accepted, the bad ones refused.
        assert_eq!(
            text.matches("as expected").count(),
            if pass { 6 } else { 5 },
            "{mode}: {text}"
        );
        let replay = text
            .lines()
            .find(|l| l.trim_start().starts_with("replay"))
            .unwrap();
        assert!(replay.contains(words), "{mode}: {replay}");
        assert_eq!(
            processed,
            if matches!(receiver, ProcessAgain) {
                2
            } else {
                1
            }
        );
    }
}

#[test]
fn expect_duplicate_defaults_to_either_and_refuses_other_values() {
    let (url, server, handle) = deduplicating_receiver(OnDuplicate::Acknowledge);
    let out = cli(
        &["send", "--url", &url, "--secret", SECRET, "--replay"],
        b"",
    );
    server.unblock();
    handle.join().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("acknowledged as duplicate (2xx)"), "{text}");
    let out = cli(
        &[
            "send",
            "--url",
            &url,
            "--secret",
            SECRET,
            "--expect-duplicate",
            "3xx",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2xx") && err.contains("4xx") && err.contains("either"),
        "{err}"
    );
}
