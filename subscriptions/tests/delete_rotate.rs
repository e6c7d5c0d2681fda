//! `subscriptions delete` and `subscriptions rotate` against the local stand-in for Qonto:
//! confirmation (a terminal is asked, a script must pass --yes), the rotation end to end (a new
//! subscription and secret, a verifier holding [new, old], then --finish deletes the old one).

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
use common::{json, temp_path};
use qonto_webhooks::Verifier;

const TOKEN: &str = "tok_rotate_do-not-print-me";
const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

/// Runs `subscriptions <args>` with a stdin that is not a terminal.
fn run(args: &[&str]) -> Run {
    common::run::subscriptions(args, None, &[TOKEN])
}

/// Runs `subscriptions <args>` at a terminal where `answer` is typed.
fn run_at_terminal(args: &[&str], answer: &str) -> Run {
    common::run::subscriptions(args, Some(answer), &[TOKEN])
}

fn api<'a>(server: &'a FakeQonto, args: &[&'a str]) -> Vec<&'a str> {
    common::run::with(
        args,
        &["--token", TOKEN, "--base-url", server.base_url.as_str()],
    )
}

fn methods(server: &FakeQonto) -> Vec<String> {
    server.requests().into_iter().map(|r| r.method).collect()
}

#[test]
fn delete_without_yes_on_a_non_terminal_stdin_refuses_and_sends_nothing() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    let r = run(&api(&server, &["delete", &ids[0]]));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(
        r.err
            .starts_with("error[invalid_input]: refusing to delete subscription")
            && r.err.contains("not a terminal")
            && r.err.contains("--yes"),
        "{}",
        r.err
    );
    assert!(r.out.is_empty());
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(server.subscriptions().len(), 1);
}

/// The same through the real terminal check: the command runs in a child process whose stdin
/// is /dev/null.
#[test]
fn delete_refuses_when_the_real_stdin_is_not_a_terminal() {
    if let Some(args) = common::run::child_args() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let cli = Cli::try_parse_from(std::iter::once("subscriptions").chain(args)).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = qonto_webhooks_subscriptions::cli::run_with(cli.command, &mut out, &mut err);
        common::run::child_exit(code, &out, &err);
    }
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    let r = common::run::in_child(
        "delete_refuses_when_the_real_stdin_is_not_a_terminal",
        &api(&server, &["delete", &ids[0]]),
    );
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(
        r.err.contains("not a terminal") && r.err.contains("--yes"),
        "{}",
        r.err
    );
    assert!(server.requests().is_empty());
    // With --yes the child deletes it.
    let r = common::run::in_child(
        "delete_refuses_when_the_real_stdin_is_not_a_terminal",
        &api(&server, &["delete", &ids[0], "--yes"]),
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(server.subscriptions().is_empty());
}

#[test]
fn delete_yes_deletes_and_prints_what_it_deleted() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(2);
    let r = run(&api(&server, &["delete", &ids[0], "--yes"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(
        r.out
            .starts_with(&format!("Deleted subscription {}", ids[0]))
            && r.out.contains("https://example.com/hooks/0")
            && r.out.contains("v1/transactions"),
        "{}",
        r.out
    );
    assert_eq!(methods(&server), ["GET", "DELETE"]);
    let left = server.subscriptions();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], ids[1].as_str());

    let r = run(&api(&server, &["delete", &ids[1], "-y", "--json"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    assert_eq!(v["deleted"]["id"], ids[1].as_str());
    assert_eq!(v["deleted"]["callback_url"], "https://example.com/hooks/1");
    assert!(server.subscriptions().is_empty());
}

#[test]
fn delete_at_a_terminal_asks_and_only_yes_deletes() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    for answer in ["", "\n", "n\n", "no\n", "yess\n"] {
        let r = run_at_terminal(&api(&server, &["delete", &ids[0]]), answer);
        assert_eq!(r.code, ExitCode::from(1), "{answer:?}: {}", r.err);
        assert!(
            r.err.contains(&format!("Delete subscription {}", ids[0]))
                && r.err.contains("[y/N]")
                && r.err.contains("error[not_confirmed]"),
            "{}",
            r.err
        );
        assert!(r.out.is_empty());
    }
    assert!(!methods(&server).contains(&"DELETE".to_owned()));
    assert_eq!(server.subscriptions().len(), 1);
    let r = run_at_terminal(&api(&server, &["delete", &ids[0]]), "Y\n");
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(r.out.starts_with("Deleted subscription"), "{}", r.out);
    assert!(server.subscriptions().is_empty());
}

#[test]
fn delete_of_an_unknown_id_is_a_clear_error() {
    let server = FakeQonto::start(TOKEN);
    server.seed(1);
    let r = run(&api(&server, &["delete", ID, "--yes"]));
    assert_eq!(r.code, ExitCode::from(1), "{}", r.err);
    assert!(
        r.err.starts_with("error[api_error]: ")
            && r.err.contains("HTTP 404")
            && r.err.contains("not_found: Webhook subscription not found")
            && r.err.contains("no subscription with this id"),
        "{}",
        r.err
    );
    assert!(!methods(&server).contains(&"DELETE".to_owned()));
    assert_eq!(server.subscriptions().len(), 1);
    // Not an id at all: refused before any request.
    let r = run(&api(&server, &["delete", "../v2/x", "--yes"]));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn rotation_end_to_end() {
    let server = FakeQonto::start(TOKEN);
    let old_path = temp_path("rotate", "old");
    let new_path = temp_path("rotate", "new");
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/webhooks/qonto",
            "--topic",
            "v1/transactions",
            "--topic",
            "v1/cards",
            "--description",
            "payments",
            "--generate-secret",
            "--secret-file",
            old_path.to_str().unwrap(),
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let old_id = server.subscriptions()[0]["id"].as_str().unwrap().to_owned();
    let old_secret = std::fs::read_to_string(&old_path).unwrap();

    // Step 1: the replacement, its secret in a new owner-only file.
    let r = run(&api(
        &server,
        &[
            "rotate",
            &old_id,
            "--secret-file",
            new_path.to_str().unwrap(),
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let new_secret = std::fs::read_to_string(&new_path).unwrap();
    assert!(
        new_secret.starts_with("whsec_") && new_secret.len() == 50,
        "{new_secret:?}"
    );
    assert_ne!(new_secret, old_secret);
    #[cfg(unix)]
    assert_eq!(common::mode(&new_path), 0o600);
    assert!(!r.out.contains(&new_secret) && !r.err.contains(&new_secret));
    let subs = server.subscriptions();
    assert_eq!(subs.len(), 2);
    let (old, new) = (&subs[0], &subs[1]);
    assert_eq!(old["id"], old_id.as_str());
    assert_ne!(new["id"], old["id"]);
    for field in ["callback_url", "types", "description"] {
        assert_eq!(new[field], old[field], "{field}");
    }
    let new_id = new["id"].as_str().unwrap().to_owned();
    let create = server.requests().into_iter().last().unwrap();
    assert_eq!(create.method, "POST");
    assert_eq!(json(&create.body)["secret"], new_secret.as_str());
    // The next steps, and the twice-delivered window.
    let finish = format!("qonto-webhooks subscriptions rotate {old_id} --finish");
    for expected in [
        format!("Created subscription {new_id} to replace {old_id}"),
        "[new, old]".to_owned(),
        "secret index 0".to_owned(),
        finish.clone(),
        "TWICE".to_owned(),
        "envelope `id`".to_owned(),
        "different envelope ids".to_owned(),
        "`data.id`".to_owned(),
        "keep the window short".to_owned(),
    ] {
        assert!(r.out.contains(&expected), "{expected:?} not in:\n{}", r.out);
    }

    // Step 2: Qonto delivers every event once per subscription; a verifier with [new, old]
    // accepts both copies and says which secret matched.
    let verifier = Verifier::with_secrets([new_secret.as_str(), old_secret.as_str()]).unwrap();
    let body = br#"{"id":"e1","type":"v1/transactions","data":{"id":"t1"}}"#;
    let t = 1_704_110_400;
    let deliveries = server.sign_deliveries("v1/transactions", body, t);
    assert_eq!(deliveries.len(), 2, "two subscriptions: two deliveries");
    for (sub_id, url, header) in &deliveries {
        assert_eq!(url, "https://example.com/webhooks/qonto");
        let verified = verifier.verify(body, header.as_str(), t).unwrap();
        let expected = if *sub_id == new_id { 0 } else { 1 };
        assert_eq!(verified.secret_index, expected, "{sub_id}");
    }
    // The old secret alone no longer verifies the new subscription's copy.
    let only_old = Verifier::new(old_secret.as_str()).unwrap();
    let (_, _, new_header) = deliveries.iter().find(|d| d.0 == new_id).unwrap();
    assert!(only_old.verify(body, new_header.as_str(), t).is_err());

    // Step 3: --finish deletes the old subscription only.
    let r = run(&api(&server, &["rotate", &old_id, "--finish", "--yes"]));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    assert!(
        r.out
            .starts_with(&format!("Deleted the old subscription {old_id}"))
            && r.out.contains(&new_id),
        "{}",
        r.out
    );
    let r = run(&api(&server, &["list", "--json"]));
    let v = json(&r.out);
    let listed: Vec<&str> = v["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [new_id.as_str()]);
    let r = run(&api(&server, &["get", &old_id]));
    assert_eq!(r.code, ExitCode::from(1), "{}", r.err);
    let deliveries = server.sign_deliveries("v1/transactions", body, t);
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        verifier
            .verify(body, deliveries[0].2.as_str(), t)
            .unwrap()
            .secret_index,
        0
    );
    let _ = std::fs::remove_dir_all(old_path.parent().unwrap());
    let _ = std::fs::remove_dir_all(new_path.parent().unwrap());
}

#[test]
fn rotate_json_prints_both_subscriptions_and_the_steps_on_stderr() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    let path = temp_path("rotate", "json");
    let r = run(&api(
        &server,
        &[
            "rotate",
            &ids[0],
            "--secret-file",
            path.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    let new_id = server.subscriptions()[1]["id"].clone();
    assert_eq!(v["old"]["id"], ids[0].as_str());
    assert_eq!(v["new"]["id"], new_id);
    assert_eq!(v["new"]["description"], "seeded 0");
    assert_eq!(v["new"]["secret_file"], path.to_str().unwrap());
    assert!(v["new"].get("secret").is_none());
    assert_eq!(
        v["finish"],
        format!("qonto-webhooks subscriptions rotate {} --finish", ids[0])
    );
    assert!(
        r.err.contains("Next steps") && r.err.contains("TWICE"),
        "{}",
        r.err
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn rotate_refuses_an_existing_secret_file_and_creates_nothing() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    let path = temp_path("rotate", "exists");
    std::fs::write(&path, "keep me").unwrap();
    let r = run(&api(
        &server,
        &["rotate", &ids[0], "--secret-file", path.to_str().unwrap()],
    ));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(
        r.err.contains("--secret-file") && r.err.contains("must not exist"),
        "{}",
        r.err
    );
    assert!(!methods(&server).contains(&"POST".to_owned()));
    assert_eq!(server.subscriptions().len(), 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn rotate_of_an_unknown_id_creates_nothing_and_leaves_no_file() {
    let server = FakeQonto::start(TOKEN);
    let path = temp_path("rotate", "unknown");
    let r = run(&api(
        &server,
        &["rotate", ID, "--secret-file", path.to_str().unwrap()],
    ));
    assert_eq!(r.code, ExitCode::from(1), "{}", r.err);
    assert!(r.err.contains("HTTP 404"), "{}", r.err);
    assert!(!path.exists());
    assert_eq!(methods(&server), ["GET"]);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_failed_rotation_leaves_no_secret_file() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(1);
    let path = temp_path("rotate", "failed");
    // The GET succeeds; the create answers 500 (and is not retried).
    let sub = server.subscriptions()[0].to_string();
    server.script(200, &sub);
    server.script(
        500,
        r#"{"errors":[{"code":"internal_error","detail":"boom"}]}"#,
    );
    let r = run(&api(
        &server,
        &["rotate", &ids[0], "--secret-file", path.to_str().unwrap()],
    ));
    assert_eq!(r.code, ExitCode::from(1), "{}", r.err);
    assert!(r.err.contains("internal_error: boom"), "{}", r.err);
    assert!(!path.exists());
    assert_eq!(methods(&server), ["GET", "POST"]);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn finish_needs_confirmation_and_a_replacement() {
    let server = FakeQonto::start(TOKEN);
    let ids = server.seed(2); // two different callback URLs: neither replaces the other
    // Not a terminal, no --yes: refused before any request.
    let r = run(&api(&server, &["rotate", &ids[0], "--finish"]));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(
        r.err.contains("not a terminal") && r.err.contains("--yes"),
        "{}",
        r.err
    );
    assert!(server.requests().is_empty());
    // No other subscription delivers to its URL: finishing would stop the deliveries.
    let r = run(&api(&server, &["rotate", &ids[0], "--finish", "--yes"]));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(
        r.err
            .contains("no other subscription delivers to https://example.com/hooks/0"),
        "{}",
        r.err
    );
    assert!(!methods(&server).contains(&"DELETE".to_owned()));
    assert_eq!(server.subscriptions().len(), 2);
    // Nor does one on the same URL with fewer topics.
    let r = run(&api(
        &server,
        &[
            "create",
            "--url",
            "https://example.com/hooks/0",
            "--topic",
            "v1/cards",
        ],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let r = run(&api(&server, &["rotate", &ids[0], "--finish", "--yes"]));
    assert_eq!(r.code, ExitCode::from(2), "{}", r.err);
    assert!(r.err.contains("the topics v1/transactions"), "{}", r.err);
    assert_eq!(server.subscriptions().len(), 3);
    // At a terminal, after a rotation: asked, and "n" keeps it.
    let path = temp_path("rotate", "finish");
    let r = run(&api(
        &server,
        &["rotate", &ids[0], "--secret-file", path.to_str().unwrap()],
    ));
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let r = run_at_terminal(&api(&server, &["rotate", &ids[0], "--finish"]), "n\n");
    assert_eq!(r.code, ExitCode::from(1), "{}", r.err);
    assert!(
        r.err.contains("[y/N]") && r.err.contains("not_confirmed"),
        "{}",
        r.err
    );
    assert_eq!(server.subscriptions().len(), 4);
    let r = run_at_terminal(
        &api(&server, &["rotate", &ids[0], "--finish", "--json"]),
        "y\n",
    );
    assert_eq!(r.code, ExitCode::SUCCESS, "{}", r.err);
    let v = json(&r.out);
    assert_eq!(v["deleted"]["id"], ids[0].as_str());
    let subs = server.subscriptions();
    assert_eq!(subs.len(), 3);
    assert_eq!(v["remaining"].as_array().unwrap().len(), 1);
    assert_eq!(v["remaining"][0]["id"], subs[2]["id"]);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn rotate_options_are_checked_by_the_parser() {
    for args in [
        &["rotate", ID][..],
        &["rotate", ID, "--finish", "--secret-file", "x"][..],
        &["rotate", ID, "--secret-file", "x", "--yes"][..],
        &["delete"][..],
    ] {
        let e = Cli::try_parse_from(std::iter::once("s").chain(args.iter().copied())).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}");
    }
    for args in [
        &["rotate", ID, "--finish"][..],
        &["rotate", ID, "--finish", "-y"][..],
        &["delete", ID, "--yes"][..],
    ] {
        assert!(
            Cli::try_parse_from(std::iter::once("s").chain(args.iter().copied())).is_ok(),
            "{args:?}"
        );
    }
}
