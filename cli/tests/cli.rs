//! The built `qonto-webhooks` binary: every vector through `verify`, exit codes, stdin, the
//! environment variable and `sign`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use qonto_webhooks_testkit::vectors;

const BIN: &str = env!("CARGO_BIN_EXE_qonto-webhooks");
const OFFICIAL_HEADER: &str =
    "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";

fn run(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("QONTO_WEBHOOK_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin)
        .expect("writes stdin");
    child.wait_with_output().expect("the binary exits")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_vector_through_the_cli() {
    let vectors = vectors::vectors();
    let mut checked = 0;
    for v in &vectors {
        if v.secrets.is_empty() {
            // No --secret at all is a usage error of the CLI (exit 2), checked below.
            continue;
        }
        let body = v.body();
        let header = format!("--header={}", v.header);
        let now = v.now.to_string();
        let tolerance = v.tolerance.map(|t| t.to_string());
        let mut args = vec!["verify", "--scheme", &v.scheme, &header, "--now", &now];
        match &tolerance {
            Some(t) => args.extend(["--tolerance", t]),
            None => args.push("--no-tolerance"),
        }
        let secret_args: Vec<String> = v.secrets.iter().map(|s| format!("--secret={s}")).collect();
        args.extend(secret_args.iter().map(String::as_str));
        let out = run(&args, &body, &[]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        if v.expect == "ok" {
            assert_eq!(out.status.code(), Some(0), "{}: {stderr}", v.name);
            assert_eq!(
                stdout,
                format!("ok secret={}\n", v.secret_index.unwrap()),
                "{}",
                v.name
            );
        } else {
            assert_eq!(out.status.code(), Some(1), "{}: {stdout}{stderr}", v.name);
            assert!(
                stderr.starts_with(&format!("error[{}]: ", v.expect)),
                "{}: {stderr}",
                v.name
            );
        }
        checked += 1;
    }
    assert!(checked >= vectors.len() - 1);
    println!("{checked} vectors through the CLI");
}

#[test]
fn body_from_a_file_and_secret_from_the_environment() {
    let dir = std::env::temp_dir().join(format!("qw-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("body.json");
    std::fs::write(&file, br#"{"test":"data"}"#).unwrap();
    let header = format!("--header={OFFICIAL_HEADER}");
    let args = [
        "verify",
        &header,
        "--now",
        "1704110400",
        file.to_str().unwrap(),
    ];
    let out = run(&args, b"", &[("QONTO_WEBHOOK_SECRET", "test-secret")]);
    assert_eq!(text(&out.stdout), "ok secret=0\n", "{}", text(&out.stderr));
    let out = run(&args, b"", &[("QONTO_WEBHOOK_SECRET", "wrong")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("raw request body"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_system_clock_is_the_default_now() {
    // The official vector's timestamp (2024) is long past: without --now it is stale.
    let header = format!("--header={OFFICIAL_HEADER}");
    let out = run(
        &["verify", "--secret", "test-secret", &header],
        br#"{"test":"data"}"#,
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error[timestamp_too_old]: the timestamp is "));
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["verify", "--header", "x"],
        &["verify", "--secret", "s"],
        &[
            "verify",
            "--secret",
            "s",
            "--header",
            "x",
            "--tolerance",
            "5",
            "--no-tolerance",
        ],
        &["verify", "--secret", "s", "--header", "x", "--scheme", "v2"],
        &[
            "verify",
            "--secret",
            "s",
            "--header",
            "x",
            "/nonexistent/body.json",
        ],
        &[
            "sign",
            "--scheme",
            "onboarding",
            "--secret",
            "s",
            "--timestamp",
            "1",
        ],
        &["frobnicate"],
    ];
    for args in cases {
        let out = run(args, b"", &[]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty());
    }
}

#[test]
fn sign_makes_headers_that_verify() {
    let out = run(
        &[
            "sign",
            "--secret",
            "test-secret",
            "--timestamp",
            "1704110400",
        ],
        br#"{"test":"data"}"#,
        &[],
    );
    assert_eq!(text(&out.stdout), format!("{OFFICIAL_HEADER}\n"));

    let body = br#"{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}"#;
    let out = run(
        &["sign", "--scheme", "onboarding", "--secret", "secret_key"],
        body,
        &[],
    );
    assert_eq!(
        text(&out.stdout),
        "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e\n"
    );

    // Default timestamp: now, so it verifies against the clock.
    let out = run(&["sign", "--secret", "k"], b"hello", &[]);
    let header = text(&out.stdout);
    let header_arg = format!("--header={}", header.trim_end());
    let out = run(&["verify", "--secret", "k", &header_arg], b"hello", &[]);
    assert_eq!(text(&out.stdout), "ok secret=0\n", "{}", text(&out.stderr));

    let out = run(&["sign", "--secret", ""], b"hello", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error[invalid_secret]: "));
}

#[test]
fn secret_generates_documented_secrets() {
    let a = text(&run(&["secret"], b"", &[]).stdout);
    let b = text(&run(&["secret"], b"", &[]).stdout);
    for s in [&a, &b] {
        let s = s.trim_end();
        assert_eq!(s.len(), 50, "{s}");
        assert!(s.starts_with("whsec_"));
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&s[6..])
            .unwrap();
        assert_eq!(raw.len(), 32);
    }
    assert_ne!(a, b);
}

#[test]
fn subscriptions_create_validates_before_any_request() {
    // An unroutable base URL: a request would fail with a network error (exit 1), not exit 2.
    let args = [
        "subscriptions",
        "create",
        "--url",
        "http://not-https.example/hook",
        "--topic",
        "v1/transactions",
        "--base-url",
        "http://127.0.0.1:9",
    ];
    let out = run(
        &args,
        b"",
        &[("QONTO_ACCESS_TOKEN", "token-that-must-not-appear")],
    );
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.to_lowercase().contains("https"), "{all}");
    assert!(!all.contains("token-that-must-not-appear"));
}

/// The subcommands a `--help` lists under `Commands:` (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_never_shows_a_secret_or_token_from_the_environment() {
    let env = [
        ("QONTO_WEBHOOK_SECRET", "whsec_ENV_SECRET_MUST_NOT_SHOW_111"),
        (
            "QONTO_ONBOARDING_SECRET",
            "ENV_ONBOARDING_SECRET_MUST_NOT_SHOW_222",
        ),
        ("QONTO_ACCESS_TOKEN", "ENV_ACCESS_TOKEN_MUST_NOT_SHOW_333"),
        ("QONTO_STAGING_TOKEN", "ENV_STAGING_TOKEN_MUST_NOT_SHOW_444"),
        (
            "QONTO_ONBOARDING_TOKEN",
            "ENV_ONBOARDING_TOKEN_MUST_NOT_SHOW_555",
        ),
        ("QONTO_PARTNER_ID", "ENV_PARTNER_ID_MUST_NOT_SHOW_666"),
    ];
    let mut pending: Vec<Vec<String>> = vec![vec![]];
    let mut checked = Vec::new();
    while let Some(path) = pending.pop() {
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let out = run(&args, b"", &env);
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert_eq!(out.status.code(), Some(0), "{args:?}: {all}");
            for (name, value) in env {
                assert!(!all.contains(value), "{args:?} shows {name}:\n{all}");
            }
            if flag == "--help" {
                for sub in subcommands(&all) {
                    let mut next = path.clone();
                    next.push(sub);
                    pending.push(next);
                }
            }
        }
        checked.push(path.join(" "));
    }
    // Every command and the nested subscriptions and onboarding commands were seen.
    for expected in [
        "verify",
        "sign",
        "diagnose",
        "send",
        "listen",
        "secret",
        "subscriptions create",
        "subscriptions get",
        "subscriptions list",
        "subscriptions delete",
        "subscriptions rotate",
        "onboarding register",
        "onboarding list",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "{expected} not in {checked:?}"
        );
    }
}
