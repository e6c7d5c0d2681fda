//! The root README's Rust blocks, as shown there (between the `snippet:` comments; `.ci/snippets.py`
//! copies them into the README and fails when the README differs). They read what an application
//! reads (the environment, a file in the working directory), so each test runs them in a child
//! process of this test binary, with that environment and a working directory of its own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error;
use std::path::PathBuf;
use std::process::Command;

use qonto_webhooks::{sign, unix_now};

const SECRET: &str = "whsec_readme_test_secret";
const BODY: &[u8] = br#"{"id":"0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b","type":"v1/transactions"}"#;

/// Runs the test `name` again in a child process with QONTO_WEBHOOK_SECRET set and a fresh
/// working directory holding `qonto-secret.txt`; false when this already is that child.
fn in_child(name: &str) -> bool {
    if std::env::var_os("QONTO_WEBHOOK_SECRET").is_some() {
        return false;
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("qw-readme-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("qonto-secret.txt"), format!("{SECRET}\n")).unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env("QONTO_WEBHOOK_SECRET", SECRET)
        .current_dir(&dir)
        .status()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(status.success(), "{name} failed in its child process");
    true
}

#[test]
fn quick_start() -> Result<(), Box<dyn Error>> {
    if in_child("quick_start") {
        return Ok(());
    }
    // snippet:start quick-start
    use qonto_webhooks::Verifier;

    // Once, at start-up (the HMAC key schedule runs here).
    let verifier = Verifier::new(std::env::var("QONTO_WEBHOOK_SECRET")?)?;

    // Per request: the RAW body bytes and the header value.
    fn handle(verifier: &Verifier, body: &[u8], signature: &str) -> u16 {
        match verifier.verify_now(body, signature) {
            Ok(_) => 200, // now parse the JSON, dedupe on its id, queue it, answer fast
            Err(e) => {
                eprintln!("rejected webhook: {} ({})", e, e.code());
                400
            }
        }
    }
    // snippet:end quick-start
    let header = sign(SECRET, BODY, unix_now())?;
    assert_eq!(handle(&verifier, BODY, &header), 200);
    let mut tampered = BODY.to_vec();
    tampered.push(b'\n');
    assert_eq!(handle(&verifier, &tampered, &header), 400);
    let stale = sign(SECRET, BODY, unix_now() - 301)?;
    assert_eq!(handle(&verifier, BODY, &stale), 400);
    let other = sign("whsec_another_secret", BODY, unix_now())?;
    assert_eq!(handle(&verifier, BODY, &other), 400);
    Ok(())
}

#[test]
fn first_webhook_with_the_stored_secret() -> Result<(), Box<dyn Error>> {
    if in_child("first_webhook_with_the_stored_secret") {
        return Ok(());
    }
    let header = sign(SECRET, BODY, unix_now())?;
    let (raw_body, header_value) = (BODY, &*header);
    // snippet:start stored-secret
    let secret = std::fs::read_to_string("qonto-secret.txt")?; // or your secret manager
    let verifier = qonto_webhooks::Verifier::new(secret.trim())?;
    let verified = verifier.verify_now(raw_body, header_value)?; // X-Qonto-Signature
    // snippet:end stored-secret
    assert_eq!(verified.secret_index, 0);
    assert!(verifier.verify_now(&raw_body[1..], header_value).is_err());
    Ok(())
}
