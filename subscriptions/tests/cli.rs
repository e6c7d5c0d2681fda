//! The `subscriptions` command against the local stand-in for Qonto: exit codes, text and
//! `--json` output, the secret printed once or written to an owner-only file.

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
use common::run::{Run, SubscriptionsCli as Cli};
use common::{env_unset, json};

const TOKEN: &str = "tok_cli_do-not-print-me";

/// Runs `subscriptions <args>` with a stdin that is not a terminal (and is never read).
fn run(args: &[&str]) -> Run {
    common::run::subscriptions(args, None, &[TOKEN])
}

fn api<'a>(server: &'a FakeQonto, args: &[&'a str]) -> Vec<&'a str> {
    common::run::with(
        args,
        &["--token", TOKEN, "--base-url", server.base_url.as_str()],
    )
}

fn temp_path(name: &str) -> std::path::PathBuf {
    common::temp_path("subscriptions", name)
}

#[test]
fn create_prints_the_secret_once_with_a_warning() {
    let server = FakeQonto::start(TOKEN);
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/transactions",
            "--topic",
            "v1/cards",
            "--description",
            "payments",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let created = &server.subscriptions()[0];
    assert!(r.out.contains(created["id"].as_str().unwrap()), "{}", r.out);
    assert!(r.out.contains("v1/transactions, v1/cards"), "{}", r.out);
    let secret_line = r
        .out
        .lines()
        .find(|l| l.trim_start().starts_with("secret"))
        .unwrap();
    let secret = secret_line.split_whitespace().last().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50,
        "{secret_line}"
    );
    assert!(r.err.contains("will NOT show it again"), "{}", r.err);
    let body = json(&server.requests()[0].body);
    assert!(body.get("secret").is_none(), "Qonto generates it: {body}");
}

#[test]
fn create_json_with_a_generated_secret_parses_back() {
    let server = FakeQonto::start(TOKEN);
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/clients",
            "--generate-secret",
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    let sent = json(&server.requests()[0].body);
    assert_eq!(
        v["secret"], sent["secret"],
        "the generated secret was sent and printed"
    );
    assert_eq!(v["secret"].as_str().unwrap().len(), 50);
    assert_eq!(v["types"], serde_json::json!(["v1/clients"]));
    assert_eq!(v["id"], server.subscriptions()[0]["id"]);
    assert!(r.err.contains("will NOT show it again"));
}

#[test]
fn create_with_a_given_secret() {
    let server = FakeQonto::start(TOKEN);
    let secret = "my-own-secret-of-at-least-32-characters";
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/cards",
            "--secret",
            secret,
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert_eq!(json(&server.requests()[0].body)["secret"], secret);
    assert_eq!(json(&r.out)["secret"], secret);
}

#[test]
fn secret_file_is_owner_only_and_the_secret_is_not_printed() {
    let server = FakeQonto::start(TOKEN);
    let path = temp_path("file");
    let p = path.to_str().unwrap();
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/cards",
            "--secret-file",
            p,
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let secret = std::fs::read_to_string(&path).unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 50,
        "{secret:?}"
    );
    assert!(!r.out.contains(&secret) && !r.err.contains(&secret));
    let v = json(&r.out);
    assert!(v.get("secret").is_none());
    assert_eq!(v["secret_file"], p);
    #[cfg(unix)]
    assert_eq!(common::mode(&path), 0o600);
    // An existing file is never overwritten, and then nothing is created at Qonto.
    let before = server.requests().len();
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/cards",
            "--secret-file",
            p,
        ],
    ));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(r.err.contains("secret-file"), "{}", r.err);
    assert_eq!(server.requests().len(), before);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), secret);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_failed_create_leaves_no_secret_file() {
    let server = FakeQonto::start(TOKEN);
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    let path = temp_path("failed");
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/cards",
            "--secret-file",
            path.to_str().unwrap(),
        ],
    ));
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.err.contains("500") && r.err.contains("internal_error: boom"),
        "{}",
        r.err
    );
    assert!(!path.exists());
    assert_eq!(server.requests().len(), 1, "POST is not retried");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn validation_errors_exit_2_before_any_request() {
    let server = FakeQonto::start(TOKEN);
    let cases: [&[&str]; 7] = [
        &[
            "create",
            "--url",
            "http://example.com/h",
            "--topic",
            "v1/cards",
        ],
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/cards",
            "--topic",
            "v1/cards",
        ],
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/unknown",
        ],
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/cards",
            "--secret",
            "short",
        ],
        &["list", "--per-page", "101"],
        &["list", "--page", "0"],
        &["get", "../../v1/organization"],
    ];
    for args in cases {
        let argv = api(&server, args);
        let r = run(&argv);
        assert_eq!(r.code, ExitCode::from(2), "{args:?}: {}", r.err);
        assert!(r.err.starts_with("error[invalid_input]"), "{}", r.err);
    }
    assert!(server.requests().is_empty());
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/h",
            "--topic",
            "v1/unknown",
            "--allow-unknown-topic",
        ],
    ));
    assert_eq!(r.code, ExitCode::from(1), "the API's 422 is an API error");
    assert!(
        r.err.contains("422") && r.err.contains("unprocessable_entity"),
        "{}",
        r.err
    );
}

#[test]
fn get_prints_the_subscription_and_404_exits_1() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    let r = run(&api(&server, &["get", &ids[0]]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(
        r.out.contains(&ids[0]) && r.out.contains("https://example.com/hooks/0"),
        "{}",
        r.out
    );
    let r = run(&api(&server, &["get", &ids[0], "--json"]));
    assert_eq!(json(&r.out), server.subscriptions()[0]);
    let r = run(&api(
        &server,
        &["get", "123e4567-e89b-12d3-a456-426614174000"],
    ));
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.err.contains("HTTP 404") && r.err.contains("not_found: Webhook subscription not found"),
        "{}",
        r.err
    );
}

#[test]
fn unauthorized_exits_1_without_showing_the_token() {
    let server = FakeQonto::start("another-token");
    let r = run(&api(&server, &["list"]));
    assert_eq!(r.code, ExitCode::from(1));
    assert!(
        r.err.contains("HTTP 401") && r.err.contains("unauthorized: Invalid credentials"),
        "{}",
        r.err
    );
    assert!(r.err.contains("hint"), "{}", r.err);
}

#[test]
fn a_500_on_get_is_retried() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    let r = run(&api(&server, &["get", &ids[0], "--json"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert_eq!(json(&r.out)["id"], ids[0].as_str());
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn list_all_walks_every_page() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(5);
    let r = run(&api(
        &server,
        &["list", "--all", "--per-page", "2", "--json"],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    let got: Vec<&str> = v["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(v["total_count"], 5);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn list_one_page_as_json_and_as_a_table() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(3);
    let r = run(&api(
        &server,
        &["list", "--page", "2", "--per-page", "2", "--json"],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    assert_eq!(v["meta"]["current_page"], 2);
    assert_eq!(v["meta"]["total_count"], 3);
    assert_eq!(v["subscriptions"][0]["id"], ids[2].as_str());

    let r = run(&api(&server, &["list", "--per-page", "2"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("CALLBACK URL"),
        "{}",
        r.out
    );
    assert!(
        lines[1].starts_with(&ids[0]) && lines[2].starts_with(&ids[1]),
        "{}",
        r.out
    );
    assert!(
        lines[3].contains("page 1 of 2") && lines[3].contains("--page 2"),
        "{}",
        r.out
    );
    // Columns line up: the URL starts at the same offset on every row.
    let col = lines[0].find("CALLBACK URL").unwrap();
    assert_eq!(lines[1].find("https://").unwrap(), col);
}

#[test]
fn usage_problems_exit_2() {
    let server = FakeQonto::start(TOKEN);
    if env_unset("QONTO_STAGING_TOKEN") {
        let r = run(&["list", "--sandbox", "--token", TOKEN]);
        assert_eq!(r.code, ExitCode::from(2));
        assert!(r.err.contains("staging"), "{}", r.err);
    }
    if env_unset("QONTO_ACCESS_TOKEN") {
        let r = run(&["list", "--base-url", server.base_url.as_str()]);
        assert_eq!(r.code, ExitCode::from(2));
        assert!(
            r.err.contains("missing_token") && r.err.contains("QONTO_ACCESS_TOKEN"),
            "{}",
            r.err
        );
    }
    let r = run(&[
        "list",
        "--token",
        TOKEN,
        "--base-url",
        "http://api.example.com",
    ]);
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(r.err.contains("base_url"), "{}", r.err);
    assert!(server.requests().is_empty());
    // Conflicting options are clap usage errors (exit 2).
    for args in [
        &[
            "create",
            "--url",
            "https://e.com",
            "--topic",
            "v1/cards",
            "--generate-secret",
            "--secret",
            "my-own-secret-of-at-least-32-characters",
        ][..],
        &["list", "--all", "--page", "2"][..],
        &["list", "--sandbox", "--base-url", "https://e.com"][..],
        &["create", "--url", "https://e.com"][..],
    ] {
        let e = Cli::try_parse_from(std::iter::once("s").chain(args.iter().copied())).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}");
    }
}

#[test]
fn debug_of_the_parsed_command_hides_every_token_and_secret() {
    let secret = "whsec_cli_secret_that_debug_must_hide_0000000";
    let cli = Cli::try_parse_from([
        "subscriptions",
        "create",
        "--url",
        "https://example.com/h",
        "--topic",
        "v1/cards",
        "--secret",
        secret,
        "--token",
        TOKEN,
        "--staging-token",
        "staging-do-not-print",
    ])
    .unwrap();
    let debug = format!("{cli:?}");
    for value in [secret, TOKEN, "staging-do-not-print"] {
        assert!(!debug.contains(value), "{value} in {debug}");
    }
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn a_redirect_exits_1_and_says_so() {
    let target = FakeQonto::start(TOKEN);
    let server = FakeQonto::start(TOKEN);
    let location = format!("{}/v2/webhook_subscriptions", target.base_url);
    server.script_with_headers(301, "", &[("Location", &location)]);
    let r = run(&api(&server, &["list"]));
    assert_eq!(r.code, ExitCode::from(1), "{}", r.err);
    assert!(
        r.err.starts_with("error[redirect]: ") && r.err.contains(&location),
        "{}",
        r.err
    );
    assert!(target.requests().is_empty());
}
