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
    let mut child = Command::new(BIN)
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
    let (mut server, url) = listen(SECRET, 11);
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
        for label in ["genuine", "tampered", "stale", "wrong-secret", "replay"] {
            assert!(text.contains(label), "{label} missing in {text}");
        }
        assert_eq!(text.matches("as expected").count(), 5, "{text}");
        assert!(text.contains("-> 200") && text.contains("-> 409"), "{text}");
    }
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
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let status = server.wait().unwrap();
    assert!(status.success());
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
