//! The `onboarding` command against the local stand-in for Qonto: exit codes, text and `--json`
//! output, the secret printed once or written to an owner-only file, credentials never shown.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::ExitCode;

use clap::Parser;
use common::fake_qonto::FakeQonto;
use common::run::{OnboardingCli as Cli, Run};
use common::{env_unset, json};

const TOKEN: &str = "onb_cli_token_do-not-print";
const PARTNER: &str = "partner_cli_do-not-print";

fn run(args: &[&str]) -> Run {
    common::run::onboarding(args, &[TOKEN, PARTNER])
}

fn start() -> FakeQonto {
    let server = FakeQonto::start(TOKEN);
    server.require_partner_id(PARTNER);
    server
}

fn api<'a>(server: &'a FakeQonto, args: &[&'a str]) -> Vec<&'a str> {
    common::run::with(
        args,
        &[
            "--token",
            TOKEN,
            "--partner-id",
            PARTNER,
            "--base-url",
            server.base_url.as_str(),
        ],
    )
}

fn temp_path(name: &str) -> std::path::PathBuf {
    common::temp_path("onboarding", name)
}

#[test]
fn register_generates_the_secret_and_prints_it_once_with_a_warning() {
    let server = start();
    let r = run(&api(
        &server,
        &["register", "--url", "https://example.com/onboarding"],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let stored = &server.onboarding_webhooks()[0];
    assert!(r.out.contains(stored["id"].as_str().unwrap()), "{}", r.out);
    assert!(r.out.contains("enabled       true"), "{}", r.out);
    let secret_line = r
        .out
        .lines()
        .find(|l| l.trim_start().starts_with("secret"))
        .unwrap();
    let secret = secret_line.split_whitespace().last().unwrap();
    assert_eq!(secret, stored["secret"], "the registered secret is printed");
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50,
        "{secret}"
    );
    assert_eq!(r.out.matches(secret).count(), 1, "printed once");
    assert!(!r.err.contains(secret));
    assert!(
        r.err.contains("Store this secret now") && r.err.contains("deduplicate them on their `id`"),
        "{}",
        r.err
    );
    let body = json(&server.requests()[0].body);
    assert_eq!(body["enabled"], true);
    assert_eq!(server.requests()[0].url, "/register/webhooks");
}

#[test]
fn register_json_with_generate_secret_parses_back() {
    let server = start();
    let r = run(&api(
        &server,
        &[
            "register",
            "--url",
            "https://example.com/o",
            "--generate-secret",
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    let sent = json(&server.requests()[0].body);
    assert_eq!(v["secret"], sent["secret"]);
    assert_eq!(v["secret"].as_str().unwrap().len(), 50);
    assert_eq!(v["id"], server.onboarding_webhooks()[0]["id"]);
    assert_eq!(v["enabled"], true);
    assert_eq!(v["callback_url"], "https://example.com/o");
}

#[test]
fn register_with_a_given_secret_and_disabled() {
    let server = start();
    let secret = "1qA+9OSwfnm0NuhF+b8CJA=="; // Qonto's example: 24 characters
    let r = run(&api(
        &server,
        &[
            "register",
            "--url",
            "https://example.com/o",
            "--secret",
            secret,
            "--disabled",
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let sent = json(&server.requests()[0].body);
    assert_eq!(sent["secret"], secret);
    assert_eq!(sent["enabled"], false);
    let v = json(&r.out);
    assert_eq!(v["secret"], secret);
    assert_eq!(v["enabled"], false);
    assert!(
        r.err.contains("24 characters") && r.err.contains("--generate-secret"),
        "a short secret is warned about: {}",
        r.err
    );
}

#[test]
fn the_legacy_path_on_request() {
    let server = start();
    let r = run(&api(
        &server,
        &[
            "register",
            "--url",
            "https://example.com/o",
            "--legacy-path",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert_eq!(server.requests()[0].url, "/data_api/webhooks");
}

#[test]
fn secret_file_is_owner_only_and_the_secret_is_not_printed() {
    let server = start();
    let path = temp_path("file");
    let p = path.to_str().unwrap();
    let r = run(&api(
        &server,
        &[
            "register",
            "--url",
            "https://example.com/o",
            "--secret-file",
            p,
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let secret = std::fs::read_to_string(&path).unwrap();
    assert_eq!(secret, server.onboarding_webhooks()[0]["secret"]);
    assert!(!r.out.contains(&secret) && !r.err.contains(&secret));
    assert!(
        r.out.contains("written to") && r.out.contains(p),
        "{}",
        r.out
    );
    #[cfg(unix)]
    assert_eq!(common::mode(&path), 0o600);
    // An existing file is never overwritten, and then nothing is registered.
    let before = server.requests().len();
    let r = run(&api(
        &server,
        &[
            "register",
            "--url",
            "https://example.com/o",
            "--secret-file",
            p,
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(r.err.contains("secret-file"), "{}", r.err);
    assert_eq!(server.requests().len(), before);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), secret);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_failed_registration_leaves_no_secret_file_and_is_not_retried() {
    let server = start();
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    let path = temp_path("failed");
    let r = run(&api(
        &server,
        &[
            "register",
            "--url",
            "https://example.com/o",
            "--secret-file",
            path.to_str().unwrap(),
        ],
    ));
    assert_eq!(r.code, ExitCode::from(1));
    assert!(r.err.contains("internal_error: boom"), "{}", r.err);
    assert!(!path.exists());
    assert_eq!(server.requests().len(), 1);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_400_and_a_401_exit_1() {
    let server = start();
    server.script(
        400,
        r#"{"errors":[{"code":"bad_request","detail":"callback_url is invalid"}]}"#,
    );
    let r = run(&api(&server, &["register", "--url", "https://e.com/o"]));
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.err.starts_with("error[api_error]: ")
            && r.err.contains("HTTP 400")
            && r.err.contains("bad_request: callback_url is invalid"),
        "{}",
        r.err
    );
    assert!(r.out.is_empty(), "nothing on stdout, no secret: {}", r.out);

    let other = FakeQonto::start(TOKEN);
    other.require_partner_id("another-partner");
    for args in [&["list"][..], &["register", "--url", "https://e.com/o"][..]] {
        let r = run(&api(&other, args));
        assert_eq!(r.code, ExitCode::from(1), "{args:?}");
        assert!(
            r.err.contains("HTTP 401")
                && r.err.contains("Missing or invalid Qonto-Partner-Id")
                && r.err.contains("QONTO_PARTNER_ID"),
            "{}",
            r.err
        );
        assert!(r.out.is_empty(), "{}", r.out);
    }
}

#[test]
fn validation_errors_exit_2_before_any_request() {
    let server = start();
    let cases: [&[&str]; 7] = [
        &["register", "--url", "http://example.com/o"],
        &["register", "--url", "http://127.0.0.1:1@example.com/o"],
        &["register", "--url", "https://e.com/o", "--secret", ""],
        &[
            "register",
            "--url",
            "https://e.com/o",
            "--secret",
            "has space",
        ],
        &["list", "--per-page", "101"],
        &["list", "--page", "0"],
        &["list", "--all", "--per-page", "0"],
    ];
    for args in cases {
        let r = run(&api(&server, args));
        assert_eq!(r.code, ExitCode::from(2), "{args:?}: {}", r.err);
        assert!(r.err.starts_with("error[invalid_input]"), "{}", r.err);
        assert!(r.out.is_empty());
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn missing_credentials_exit_2() {
    let server = start();
    if env_unset("QONTO_PARTNER_ID") {
        let r = run(&[
            "list",
            "--token",
            TOKEN,
            "--base-url",
            server.base_url.as_str(),
        ]);
        assert_eq!(r.code, ExitCode::from(2));
        assert!(
            r.err.starts_with("error[missing_partner_id]") && r.err.contains("QONTO_PARTNER_ID"),
            "{}",
            r.err
        );
    }
    if env_unset("QONTO_ONBOARDING_TOKEN") {
        let r = run(&[
            "list",
            "--partner-id",
            PARTNER,
            "--base-url",
            server.base_url.as_str(),
        ]);
        assert_eq!(r.code, ExitCode::from(2));
        assert!(
            r.err.starts_with("error[missing_token]") && r.err.contains("QONTO_ONBOARDING_TOKEN"),
            "{}",
            r.err
        );
    }
    if env_unset("QONTO_STAGING_TOKEN") {
        let r = run(&[
            "list",
            "--sandbox",
            "--token",
            TOKEN,
            "--partner-id",
            PARTNER,
        ]);
        assert_eq!(r.code, ExitCode::from(2));
        assert!(r.err.contains("staging"), "{}", r.err);
    }
    let r = run(&[
        "list",
        "--token",
        TOKEN,
        "--partner-id",
        "a b",
        "--base-url",
        server.base_url.as_str(),
    ]);
    assert_eq!(r.code, ExitCode::from(2));
    assert!(r.err.contains("partner_id"), "{}", r.err);
    assert!(server.requests().is_empty());
    // Conflicting options are clap usage errors (exit 2).
    for args in [
        &[
            "register",
            "--url",
            "https://e.com",
            "--generate-secret",
            "--secret",
            "abc",
        ][..],
        &["list", "--all", "--page", "2"][..],
        &["list", "--sandbox", "--base-url", "https://e.com"][..],
        &["register"][..],
    ] {
        let e = Cli::try_parse_from(std::iter::once("o").chain(args.iter().copied())).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}");
    }
}

#[test]
fn list_as_a_table_as_json_and_all_pages_never_shows_a_secret() {
    let server = start();
    let ids = server.seed_onboarding(5);
    let r = run(&api(&server, &["list", "--per-page", "2"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert!(
        lines[0].starts_with("ID")
            && lines[0].contains("CALLBACK URL")
            && lines[0].contains("ENABLED"),
        "{}",
        r.out
    );
    assert!(
        lines[1].starts_with(&ids[0]) && lines[2].starts_with(&ids[1]),
        "{}",
        r.out
    );
    let col = lines[0].find("CALLBACK URL").unwrap();
    assert_eq!(lines[1].find("https://").unwrap(), col);
    assert!(
        lines[3].contains("page 1 of 3")
            && lines[3].contains("5 endpoint(s)")
            && lines[3].contains("--page 2"),
        "{}",
        r.out
    );

    let r = run(&api(
        &server,
        &["list", "--page", "2", "--per-page", "2", "--json"],
    ));
    let v = json(&r.out);
    assert_eq!(v["meta"]["current_page"], 2);
    assert_eq!(v["webhook_subscriptions"][0]["id"], ids[2].as_str());
    assert_eq!(v["webhook_subscriptions"][0]["enabled"], false);

    let before = server.requests().len();
    let r = run(&api(
        &server,
        &["list", "--all", "--per-page", "2", "--json"],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    let got: Vec<&str> = v["webhook_subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(v["total_count"], 5);
    assert_eq!(server.requests().len() - before, 3);

    let r = run(&api(&server, &["list", "--all"]));
    assert!(r.out.ends_with("5 endpoint(s)\n"), "{}", r.out);
    // The stand-in's list answers carry each secret: none is ever printed.
    for r in [
        run(&api(&server, &["list"])),
        run(&api(&server, &["list", "--json"])),
        run(&api(&server, &["list", "--all", "--json"])),
    ] {
        assert!(
            !format!("{}{}", r.out, r.err).contains("seeded-onboarding-secret"),
            "{}",
            r.out
        );
    }
}

#[test]
fn empty_list_says_so() {
    let server = start();
    let r = run(&api(&server, &["list"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(
        r.out.starts_with("No onboarding webhook endpoints."),
        "{}",
        r.out
    );
}

#[test]
fn debug_of_the_parsed_command_hides_every_credential_and_secret() {
    let secret = "onboarding_cli_secret_that_debug_must_hide";
    let cli = Cli::try_parse_from([
        "onboarding",
        "register",
        "--url",
        "https://example.com/o",
        "--secret",
        secret,
        "--token",
        TOKEN,
        "--partner-id",
        PARTNER,
        "--staging-token",
        "staging-do-not-print",
    ])
    .unwrap();
    let debug = format!("{cli:?}");
    for value in [secret, TOKEN, PARTNER, "staging-do-not-print"] {
        assert!(!debug.contains(value), "{value} in {debug}");
    }
    assert!(debug.contains("<redacted>"), "{debug}");
}
