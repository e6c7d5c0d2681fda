//! `qonto-webhooks`: verify, sign and debug Qonto webhook signatures from the command line.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use qonto_webhooks::diagnose::diagnose;
use qonto_webhooks::{Error, Scheme, Tolerance, Verifier, sign, sign_onboarding, unix_now};
use zeroize::Zeroizing;

mod listen;
mod payloads;
mod send;

/// Verify, sign and debug Qonto webhook signatures.
#[derive(Debug, Parser)]
#[command(name = "qonto-webhooks", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a webhook: the raw body from FILE (or stdin) against its signature header.
    ///
    /// Prints `ok secret=<index>` and exits 0 when it verifies; prints `error[<code>]: <message>`
    /// to stderr and exits 1 when it does not. Usage errors exit 2.
    Verify(VerifyArgs),
    /// Print the signature header Qonto would send for the body in FILE (or stdin).
    Sign(SignArgs),
    /// When a signature does not verify, say which known mistake explains it.
    ///
    /// Tries the mistakes seen in the wild: secret base64-decoded or stripped of whsec_, body
    /// re-serialised (pretty or compact JSON, key order, unicode escapes), trailing newline or
    /// CRLF, the other scheme's header, a timestamp in milliseconds, clock skew. Never prints the
    /// secret or the expected signature. Exits 0 when the webhook verifies, 1 otherwise.
    Diagnose(VerifyArgs),
    /// POST a signed example event to an endpoint, as Qonto does, and check its answers.
    ///
    /// The genuine event must get a 2xx; with --tampered, --stale, --wrong-secret, --reframed,
    /// --replay (or --check for all of them) each bad variant must get a 4xx, except the replay,
    /// which an idempotent endpoint may acknowledge with a 2xx that says `"duplicate": true`
    /// (see --expect-duplicate). Exits 0 when every answer is as a correct endpoint gives, 1
    /// otherwise.
    Send(send::SendArgs),
    /// Run a local receiver that verifies and pretty-prints webhooks (2xx/4xx like a correct
    /// endpoint; a repeated event id is acknowledged 200 `{"duplicate": true}` and not processed
    /// again, or 409 `duplicate_in_progress` while its first delivery is being processed).
    ///
    /// It accepts business webhooks only unless --schemes says otherwise; the configuration, never
    /// the request, picks the header verified. With --schemes both, give the onboarding secret
    /// with --onboarding-secret (or QONTO_ONBOARDING_SECRET). Each connection has its own thread
    /// and one request: headers at most 16 KiB (431) within 10 s, bodies at most 1 MiB (413)
    /// within 30 s, and a stale or malformed signature header is refused before the body is
    /// read. What the request sends is printed with control characters escaped.
    Listen(listen::ListenArgs),
    /// Generate a webhook secret of the form Qonto documents (`whsec_` + base64 of 32 random
    /// bytes: 50 characters), e.g. for `subscriptions create --secret`.
    Secret,
    /// Create, get, list, delete and rotate webhook subscriptions through Qonto's API.
    #[command(subcommand)]
    Subscriptions(qonto_webhooks_subscriptions::SubscriptionsCommand),
    /// Register and list the onboarding API's webhook endpoints (onboarding events, signed with
    /// Qonto-SHA256-Signature; no timestamp, so deduplicate on the event id).
    #[command(subcommand)]
    Onboarding(qonto_webhooks_subscriptions::OnboardingCommand),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemeArg {
    /// `X-Qonto-Signature: t=<unix seconds>,v1=<hex>` (business API, `v1/...` topics).
    #[default]
    Business,
    /// `Qonto-SHA256-Signature: <hex>` (onboarding API).
    Onboarding,
}

/// A webhook secret from the command line or the environment: `Debug` shows `<redacted>`, and
/// its bytes are wiped when it is dropped. (clap keeps its own copy of the raw argument, and the
/// environment variable stays in the process environment: neither is ours to wipe.)
#[derive(Clone)]
pub(crate) struct SecretString(Zeroizing<String>);

impl SecretString {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for SecretString {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<SecretString, Self::Err> {
        Ok(SecretString(Zeroizing::new(s.to_owned())))
    }
}

impl AsRef<[u8]> for SecretString {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

#[derive(Debug, Args)]
pub(crate) struct SecretArgs {
    /// The webhook secret, exactly as Qonto gave it. Repeat for rotation: secrets are tried in
    /// order (verify prints the index of the first match). Prefer the environment variable: a
    /// command line is visible to other users of the machine.
    #[arg(
        long = "secret",
        value_name = "S",
        env = "QONTO_WEBHOOK_SECRET",
        hide_env_values = true,
        required = true
    )]
    pub(crate) secrets: Vec<SecretString>,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// Which signature scheme the header belongs to.
    #[arg(long, value_enum, default_value_t)]
    scheme: SchemeArg,
    #[command(flatten)]
    secret: SecretArgs,
    /// The signature header's value (X-Qonto-Signature or Qonto-SHA256-Signature).
    #[arg(long, value_name = "H", allow_hyphen_values = true)]
    header: String,
    /// The current time in unix seconds, instead of the system clock.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
    /// The replay window in seconds (default 300).
    #[arg(long, value_name = "SECS", conflicts_with = "no_tolerance")]
    tolerance: Option<u64>,
    /// Accept any timestamp: only for re-verifying archived events.
    #[arg(long)]
    no_tolerance: bool,
    /// The raw body; stdin when absent or `-`.
    file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct SignArgs {
    /// Which signature scheme to sign for.
    #[arg(long, value_enum, default_value_t)]
    scheme: SchemeArg,
    /// The webhook secret (also from QONTO_WEBHOOK_SECRET).
    #[arg(
        long,
        value_name = "S",
        env = "QONTO_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    secret: SecretString,
    /// The timestamp in unix seconds (default: now). Business scheme only.
    #[arg(long, value_name = "UNIX")]
    timestamp: Option<u64>,
    /// The raw body; stdin when absent or `-`.
    file: Option<PathBuf>,
}

fn read_body(file: Option<&PathBuf>) -> io::Result<Vec<u8>> {
    match file {
        Some(path) if path.as_os_str() != "-" => std::fs::read(path),
        _ => {
            let mut body = Vec::new();
            io::stdin().lock().read_to_end(&mut body)?;
            Ok(body)
        }
    }
}

/// Exit 1 with `error[<code>]: <message>` on stderr.
fn fail(err: &Error) -> ExitCode {
    eprintln!("error[{}]: {err}", err.code());
    ExitCode::from(1)
}

/// Exit 2 for a problem with how the command was called (as clap does).
fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

impl VerifyArgs {
    fn tolerance(&self) -> Tolerance {
        match (self.no_tolerance, self.tolerance) {
            (true, _) => Tolerance::Disabled,
            (false, Some(secs)) => Tolerance::Seconds(secs),
            (false, None) => Tolerance::default(),
        }
    }
}

fn diagnose_body(args: &VerifyArgs) -> ExitCode {
    let body = match read_body(args.file.as_ref()) {
        Ok(body) => body,
        Err(e) => return usage(format_args!("cannot read the body: {e}")),
    };
    let scheme = match args.scheme {
        SchemeArg::Business => Scheme::Business,
        SchemeArg::Onboarding => Scheme::Onboarding,
    };
    let now = args.now.unwrap_or_else(unix_now);
    let diagnosis = diagnose(
        &args.secret.secrets,
        scheme,
        args.header.as_bytes(),
        &body,
        now,
        args.tolerance(),
    );
    match &diagnosis.result {
        Ok(verified) => {
            println!(
                "ok secret={}: it verifies, nothing to diagnose",
                verified.secret_index
            );
            return ExitCode::SUCCESS;
        }
        Err(e) => println!("error[{}]: {e}", e.code()),
    }
    if diagnosis.findings.is_empty() {
        println!("no known mistake applies: the error above says what is wrong with the header");
    }
    for finding in &diagnosis.findings {
        let label = if diagnosis.explained() {
            "cause"
        } else {
            "no known mistake"
        };
        println!("{label} [{}]: {}", finding.mistake.code(), finding.message);
    }
    ExitCode::from(1)
}

fn verify(args: &VerifyArgs) -> ExitCode {
    let body = match read_body(args.file.as_ref()) {
        Ok(body) => body,
        Err(e) => return usage(format_args!("cannot read the body: {e}")),
    };
    let tolerance = args.tolerance();
    let verifier = match Verifier::with_secrets(&args.secret.secrets) {
        Ok(v) => v.with_tolerance(tolerance),
        Err(e) => return fail(&e),
    };
    let result = match args.scheme {
        SchemeArg::Business => {
            verifier.verify(&body, &args.header, args.now.unwrap_or_else(unix_now))
        }
        SchemeArg::Onboarding => verifier.verify_onboarding(&body, &args.header),
    };
    match result {
        Ok(verified) => {
            println!("ok secret={}", verified.secret_index);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn sign_body(args: &SignArgs) -> ExitCode {
    let body = match read_body(args.file.as_ref()) {
        Ok(body) => body,
        Err(e) => return usage(format_args!("cannot read the body: {e}")),
    };
    let header = match args.scheme {
        SchemeArg::Business => sign(&args.secret, &body, args.timestamp.unwrap_or_else(unix_now)),
        SchemeArg::Onboarding if args.timestamp.is_some() => {
            return usage("--timestamp applies to the business scheme only");
        }
        SchemeArg::Onboarding => sign_onboarding(&args.secret, &body),
    };
    match header {
        Ok(header) => {
            // A closed stdout (e.g. `| head -c0`) is not worth a panic.
            let _ = writeln!(io::stdout(), "{header}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Verify(args) => verify(&args),
        Command::Sign(args) => sign_body(&args),
        Command::Diagnose(args) => diagnose_body(&args),
        Command::Send(args) => send::run(&args),
        Command::Listen(args) => listen::run(&args),
        Command::Secret => match qonto_webhooks_subscriptions::generate_secret() {
            Ok(secret) => {
                println!("{}", secret.expose());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Subscriptions(cmd) => qonto_webhooks_subscriptions::run(cmd),
        Command::Onboarding(cmd) => qonto_webhooks_subscriptions::run_onboarding(cmd),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_the_parsed_arguments_is_redacted() {
        let cases: &[&[&str]] = &[
            &["verify", "--secret", "s3cret-verify", "--header", "x"],
            &["diagnose", "--secret", "s3cret-diagnose", "--header", "x"],
            &["sign", "--secret", "s3cret-sign"],
            &[
                "send",
                "--url",
                "http://127.0.0.1:9/",
                "--secret",
                "s3cret-send",
            ],
            &[
                "listen",
                "--secret",
                "s3cret-listen",
                "--secret",
                "s3cret-rotated",
                "--onboarding-secret",
                "s3cret-onboarding",
            ],
            &["subscriptions", "list", "--token", "s3cret-token"],
            &[
                "subscriptions",
                "create",
                "--url",
                "https://example.com/h",
                "--topic",
                "v1/cards",
                "--secret",
                "s3cret-create-0000000000000000000000000",
                "--staging-token",
                "s3cret-staging",
            ],
            &[
                "onboarding",
                "register",
                "--url",
                "https://example.com/h",
                "--secret",
                "s3cret-onboarding-register",
                "--token",
                "s3cret-onboarding-token",
                "--partner-id",
                "s3cret-partner",
                "--staging-token",
                "s3cret-staging",
            ],
            &[
                "onboarding",
                "list",
                "--token",
                "s3cret-onboarding-token",
                "--partner-id",
                "s3cret-partner",
            ],
        ];
        for args in cases {
            let cli =
                Cli::try_parse_from(std::iter::once("qonto-webhooks").chain(args.iter().copied()))
                    .unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let debug = format!("{cli:?}");
            assert!(debug.contains("<redacted>"), "{args:?}: {debug}");
            assert!(!debug.contains("s3cret"), "{args:?}: {debug}");
        }
    }
}
