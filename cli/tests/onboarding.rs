//! `qonto-webhooks onboarding` end to end, through the built binary and the local stand-in for
//! Qonto: register an endpoint (the secret generated and written to an owner-only file), list
//! it, then check that what the stand-in signs with the registered secret verifies through
//! `verify --scheme onboarding` and through `listen --schemes onboarding`, which receives the
//! stand-in's deliveries and acknowledges the repeated one as a duplicate without processing it
//! again (no timestamp: deduplicated on `id`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use qonto_webhooks_testkit::fake_qonto::FakeQonto;

const BIN: &str = env!("CARGO_BIN_EXE_qonto-webhooks");
const TOKEN: &str = "e2e_onboarding_token_never_shown";
const PARTNER: &str = "e2e_partner_id_never_shown";
const STAGING: &str = "e2e_staging_token_never_shown";
const LIVENESS: Duration = Duration::from_secs(30);

/// Runs the binary with the onboarding credentials in its environment (and no secret).
fn run(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("QONTO_WEBHOOK_SECRET")
        .env_remove("QONTO_ONBOARDING_SECRET")
        .env("QONTO_ONBOARDING_TOKEN", TOKEN)
        .env("QONTO_PARTNER_ID", PARTNER)
        .env("QONTO_STAGING_TOKEN", STAGING)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().expect("the binary exits")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn assert_no_credential(all: &str) {
    for c in [TOKEN, PARTNER, STAGING] {
        assert!(!all.contains(c), "{c} shown:\n{all}");
    }
}

fn stand_in() -> FakeQonto {
    let server = FakeQonto::start(TOKEN);
    server.require_partner_id(PARTNER);
    server.require_staging_token(STAGING);
    server
}

/// A port that was free a moment ago, for the receiver the endpoint is registered at.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn onboarding_body(id: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"{id}","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2026-01-24T10:55:00Z"}}"#
    )
    .into_bytes()
}

#[test]
fn a_delivery_signed_with_the_registered_secret_verifies_and_is_received_once() {
    let server = stand_in();
    let port = free_port();
    let callback = format!("http://127.0.0.1:{port}/webhooks/onboarding");
    let dir = std::env::temp_dir().join(format!("qw-cli-onboarding-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let secret_file = dir.join("onboarding-secret");

    // 1. Register: the secret is generated and written to a new owner-only file.
    let out = run(
        &[
            "onboarding",
            "register",
            "--url",
            &callback,
            "--generate-secret",
            "--secret-file",
            secret_file.to_str().unwrap(),
            "--base-url",
            &server.base_url,
        ],
        b"",
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let secret = std::fs::read_to_string(&secret_file).unwrap();
    let registered = &server.onboarding_webhooks()[0];
    let id = registered["id"].as_str().unwrap().to_owned();
    assert_eq!(
        registered["secret"],
        secret.as_str(),
        "the file holds the registered secret"
    );
    assert_eq!(registered["callback_url"], callback.as_str());
    assert!(stdout.contains(&id), "{stdout}");
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret));
    assert!(
        stderr.contains("deduplicate them on their `id`"),
        "{stderr}"
    );
    assert_no_credential(&format!("{stdout}{stderr}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Every request carried the three headers.
    for r in server.requests() {
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(r.partner_id.as_deref(), Some(PARTNER));
        assert_eq!(r.staging_token.as_deref(), Some(STAGING));
    }

    // 2. List it (JSON): enabled, and no secret in the output.
    let out = run(
        &[
            "onboarding",
            "list",
            "--json",
            "--base-url",
            &server.base_url,
        ],
        b"",
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["webhook_subscriptions"][0]["id"], id.as_str());
    assert_eq!(v["webhook_subscriptions"][0]["enabled"], true);
    assert!(!stdout.contains(&secret), "{stdout}");
    assert_no_credential(&format!("{stdout}{stderr}"));

    // 3. `verify --scheme onboarding`: what Qonto signs with the registered secret verifies with
    //    the stored one; a tampered body does not.
    let body = onboarding_body("75341dcb-0376-474d-97d7-d2c03ff3973c");
    let header = server.sign_onboarding(&id, &body);
    let header_arg = format!("--header={header}");
    let verify = ["verify", "--scheme", "onboarding", header_arg.as_str()];
    let out = run(&verify, &body, &[("QONTO_WEBHOOK_SECRET", &secret)]);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        (out.status.code(), stdout.as_str()),
        (Some(0), "ok secret=0\n"),
        "{stderr}"
    );
    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("pending", "completed");
    let out = run(
        &verify,
        tampered.as_bytes(),
        &[("QONTO_WEBHOOK_SECRET", &secret)],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.starts_with("error[signature_mismatch]: "),
        "{stderr}"
    );
    assert!(!stderr.contains(&secret));

    // 4. `listen --schemes onboarding` with the stored secret receives the stand-in's delivery
    //    to the registered URL; the same event again is acknowledged as a duplicate (200
    //    `"duplicate": true`) and not processed again: no timestamp, so the event id is what
    //    stops a replay.
    let mut child = Command::new(BIN)
        .args([
            "listen",
            "--port",
            &port.to_string(),
            "--schemes",
            "onboarding",
        ])
        .args(["--max-requests", "2"])
        .env_remove("QONTO_WEBHOOK_SECRET")
        .env("QONTO_ONBOARDING_SECRET", &secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains(&format!("127.0.0.1:{port}")), "{first}");
    let delivered = server.deliver_onboarding(&body);
    assert_eq!(delivered, [(callback.clone(), 200)]);
    let again = server.deliver_onboarding(&body);
    assert_eq!(
        again,
        [(callback.clone(), 200)],
        "a replayed event id is acknowledged as a duplicate"
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < LIVENESS, "listen did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(
        rest.contains("accepted onboarding registrations.pending")
            && rest.contains("scheme=onboarding")
            && rest.contains("-> 200 duplicate ")
            && rest.contains(" (already processed) (scheme=onboarding")
            && rest.matches(" accepted ").count() == 1,
        "{rest}"
    );
    assert!(!rest.contains(&secret), "{rest}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_registration_with_an_http_callback_off_loopback_or_an_empty_secret_sends_nothing() {
    let server = stand_in();
    for extra in [
        &["--url", "http://example.com/webhooks/onboarding"][..],
        &[
            "--url",
            "https://example.com/webhooks/onboarding",
            "--secret",
            "",
        ][..],
    ] {
        let mut args = vec!["onboarding", "register", "--base-url", &server.base_url];
        args.extend(extra);
        let out = run(&args, b"", &[]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stdout}{stderr}");
        assert!(
            stderr.starts_with("error[invalid_input]: invalid "),
            "{stderr}"
        );
        assert_no_credential(&format!("{stdout}{stderr}"));
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn without_a_partner_id_nothing_is_sent() {
    let server = stand_in();
    let out = run(
        &["onboarding", "list", "--base-url", &server.base_url],
        b"",
        &[("QONTO_PARTNER_ID", "")],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.starts_with("error[missing_partner_id]: "),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
}
