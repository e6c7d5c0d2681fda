//! Runs a command (`subscriptions` or `onboarding`) in-process, as `qonto-webhooks` would, and
//! checks that no credential shows in the parsed command's `Debug` or in the output. Also runs
//! one test again in a child process whose stdin is not a terminal (`/dev/null`), to exercise
//! the real terminal check.

use std::fmt::Debug;
use std::io::{BufRead, Write};
use std::process::{Command, ExitCode, Stdio};

use clap::Parser;
use qonto_webhooks_subscriptions::cli::{Input, run_onboarding_with, run_with_input};
use qonto_webhooks_subscriptions::{OnboardingCommand, SubscriptionsCommand};

/// `qonto-webhooks subscriptions ...`.
#[derive(Debug, Parser)]
pub struct SubscriptionsCli {
    #[command(subcommand)]
    pub command: SubscriptionsCommand,
}

/// `qonto-webhooks onboarding ...`.
#[derive(Debug, Parser)]
pub struct OnboardingCli {
    #[command(subcommand)]
    pub command: OnboardingCommand,
}

/// Runs `subscriptions <args>`. With `answer`, stdin is a terminal where `answer` is typed;
/// without, stdin is not a terminal (and is never read).
pub fn subscriptions(args: &[&str], answer: Option<&str>, credentials: &[&str]) -> Run {
    let mut typed = answer.unwrap_or("").as_bytes();
    let reader: &mut dyn BufRead = &mut typed;
    let mut input = Input {
        reader,
        is_terminal: answer.is_some(),
    };
    run_parsed::<SubscriptionsCli>("subscriptions", args, credentials, |cli, out, err| {
        run_with_input(cli.command, &mut input, out, err)
    })
}

/// Runs `onboarding <args>`.
pub fn onboarding(args: &[&str], credentials: &[&str]) -> Run {
    run_parsed::<OnboardingCli>("onboarding", args, credentials, |cli, out, err| {
        run_onboarding_with(cli.command, out, err)
    })
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub code: ExitCode,
    pub out: String,
    pub err: String,
}

/// Parses `args` as `P` (after the program name `name`), runs the result with `exec`, and
/// fails the test if any of `credentials` shows in `Debug` or in the output.
pub fn run_parsed<P: Parser + Debug>(
    name: &str,
    args: &[&str],
    credentials: &[&str],
    exec: impl FnOnce(P, &mut dyn Write, &mut dyn Write) -> ExitCode,
) -> Run {
    let cli = P::try_parse_from(std::iter::once(name).chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let debug = format!("{cli:?}");
    for c in credentials {
        assert!(!debug.contains(c), "Debug shows a credential: {debug}");
    }
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = exec(cli, &mut out, &mut err);
    let run = Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    };
    for c in credentials {
        assert!(
            !run.out.contains(c) && !run.err.contains(c),
            "credential printed: {}{}",
            run.out,
            run.err
        );
    }
    run
}

/// `args` followed by the options that point a command at the stand-in.
pub fn with<'a>(args: &[&'a str], api: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend_from_slice(api);
    v
}

const CHILD_ARGS: &str = "QW_TEST_CHILD_ARGS";
const CHILD_RESULT: &str = "qw-test-child-result: ";

/// In the child started by [`in_child`]: the arguments to run, else `None` (the parent).
pub fn child_args() -> Option<Vec<String>> {
    let v = std::env::var(CHILD_ARGS).ok()?;
    Some(serde_json::from_str(&v).unwrap())
}

/// In the child: reports what the command did to the parent and ends the process.
pub fn child_exit(code: ExitCode, out: &[u8], err: &[u8]) -> ! {
    let code = [0u8, 1, 2]
        .into_iter()
        .find(|c| code == ExitCode::from(*c))
        .map_or(-1, i32::from);
    let report = serde_json::json!({
        "code": code,
        "out": String::from_utf8_lossy(out),
        "err": String::from_utf8_lossy(err),
    });
    println!("\n{CHILD_RESULT}{report}");
    std::process::exit(0)
}

/// Runs the test `test` of this test binary again in a child process, with `args` for it to
/// run, stdin from `/dev/null` (not a terminal) and the credentials' variables removed from
/// its environment. The test calls [`child_args`] first and, in the child, runs the command
/// and calls [`child_exit`].
pub fn in_child(test: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ARGS, serde_json::to_string(args).unwrap())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    for var in super::CREDENTIAL_ENV {
        cmd.env_remove(var);
    }
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(CHILD_RESULT))
        .unwrap_or_else(|| panic!("the child did not report: {stdout}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let code = u8::try_from(v["code"].as_i64().unwrap()).expect("exit code 0, 1 or 2");
    Run {
        code: ExitCode::from(code),
        out: v["out"].as_str().unwrap().to_owned(),
        err: v["err"].as_str().unwrap().to_owned(),
    }
}
