//! The demo: sign a realistic Qonto event, then verify it through the Rust API and the
//! `qonto-webhooks` CLI: one accept, then each kind of reject, with the messages users see.
//!
//! Run with `make demo` (which builds the CLI first), or
//! `cargo build --release -p qonto-webhooks-cli -p qonto-webhooks-examples && target/release/demo`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use qonto_webhooks::{Verifier, sign, sign_onboarding, unix_now};

const SECRET: &str = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA=";

/// A transaction event as Qonto's business API sends it (envelope of the webhooks overview).
const EVENT: &str = r#"{"id":"0196f5a2-7c3e-7b1a-9d4e-2f1c3a5b7d9e","subscription_id":"7f3c2a10-5b8e-4d2f-9a61-0c4e8b2d6f13","organization_id":"c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","membership_id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","type":"v1/transactions","created_at":"2026-11-24T09:00:00.000Z","data":{"event":"transactions.created","id":"e2b1c3d4-0000-4000-8000-000000000001","amount":"1250.00","currency":"EUR","side":"credit","label":"ACME SAS"}}"#;

/// A registration event of the onboarding API.
const ONBOARDING_EVENT: &str = r#"{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}"#;

struct Case {
    name: &'static str,
    onboarding: bool,
    secret: &'static str,
    header: String,
    body: Vec<u8>,
    /// The expected outcome: "ok" or an error code.
    expect: &'static str,
}

fn cases(now: u64) -> Vec<Case> {
    let body = EVENT.as_bytes().to_vec();
    let good = |t| {
        sign(SECRET, &body, t)
            .map(|h| h.to_string())
            .unwrap_or_default()
    };
    let reserialised = EVENT.replace(",\"", ", \"").into_bytes();
    vec![
        Case {
            name: "genuine event",
            onboarding: false,
            secret: SECRET,
            header: good(now),
            body: body.clone(),
            expect: "ok",
        },
        Case {
            name: "tampered body",
            onboarding: false,
            secret: SECRET,
            header: good(now),
            body: EVENT.replace("1250.00", "9250.00").into_bytes(),
            expect: "signature_mismatch",
        },
        Case {
            name: "re-serialised JSON",
            onboarding: false,
            secret: SECRET,
            header: good(now),
            body: reserialised,
            expect: "signature_mismatch",
        },
        Case {
            name: "stale (replayed 10 min later)",
            onboarding: false,
            secret: SECRET,
            header: good(now - 600),
            body: body.clone(),
            expect: "timestamp_too_old",
        },
        Case {
            name: "wrong secret",
            onboarding: false,
            secret: "whsec_not_the_subscription_secret_000000",
            header: good(now),
            body: body.clone(),
            expect: "signature_mismatch",
        },
        Case {
            name: "malformed header (base64)",
            onboarding: false,
            secret: SECRET,
            header: format!("t={now},v1=Vq/wbcIn24DWVopQcPkSxgHDHyBFF0XSV8vLXfqTgAU="),
            body: body.clone(),
            expect: "malformed_header",
        },
        Case {
            name: "missing header",
            onboarding: false,
            secret: SECRET,
            header: String::new(),
            body: body.clone(),
            expect: "missing_header",
        },
        Case {
            name: "onboarding event",
            onboarding: true,
            secret: "secret_key",
            header: sign_onboarding("secret_key", ONBOARDING_EVENT.as_bytes())
                .map(|h| h.to_string())
                .unwrap_or_default(),
            body: ONBOARDING_EVENT.as_bytes().to_vec(),
            expect: "ok",
        },
    ]
}

fn row(via: &str, case: &Case, got: &str, detail: &str) -> bool {
    let pass = got == case.expect;
    println!(
        "  {:<4} {:<30} {:<20} {}  {}",
        via,
        case.name,
        got,
        if pass { "as expected" } else { "UNEXPECTED" },
        detail
    );
    pass
}

fn via_api(case: &Case, now: u64) -> bool {
    let result = Verifier::new(case.secret).and_then(|v| {
        if case.onboarding {
            v.verify_onboarding(&case.body, &case.header)
        } else {
            v.verify(&case.body, &case.header, now)
        }
    });
    match result {
        Ok(v) => row(
            "rust",
            case,
            "ok",
            &format!("secret_index={}", v.secret_index),
        ),
        Err(e) => row("rust", case, e.code(), &e.to_string()),
    }
}

fn cli_path() -> PathBuf {
    if let Some(path) = std::env::var_os("QONTO_WEBHOOKS_CLI") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    exe.with_file_name("qonto-webhooks")
}

fn via_cli(cli: &PathBuf, case: &Case, now: u64) -> bool {
    let scheme = if case.onboarding {
        "onboarding"
    } else {
        "business"
    };
    let child = Command::new(cli)
        .args(["verify", "--scheme", scheme, "--now", &now.to_string()])
        .arg(format!("--header={}", case.header))
        .env("QONTO_WEBHOOK_SECRET", case.secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        println!("  cli  cannot run {}", cli.display());
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(&case.body);
    }
    let Ok(out) = child.wait_with_output() else {
        return false;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let got = if out.status.success() {
        "ok".to_owned()
    } else {
        stderr
            .strip_prefix("error[")
            .and_then(|s| s.split(']').next())
            .unwrap_or("?")
            .to_owned()
    };
    let detail = format!("exit {} {}", out.status.code().unwrap_or(-1), stdout.trim());
    row("cli", case, &got, &detail)
}

fn main() -> ExitCode {
    let now = unix_now();
    let cases = cases(now);
    let cli = cli_path();
    println!("qonto-webhooks demo: a signed v1/transactions event and an onboarding event");
    println!("through the Rust API and the `qonto-webhooks verify` CLI\n");
    let mut ok = true;
    for case in &cases {
        ok &= via_api(case, now);
    }
    println!();
    for case in &cases {
        ok &= via_cli(&cli, case, now);
    }
    println!();
    if ok {
        println!("Rust and CLI: every case gave the expected verdict.");
        ExitCode::SUCCESS
    } else {
        println!("Rust and CLI: some verdicts were unexpected.");
        ExitCode::FAILURE
    }
}
