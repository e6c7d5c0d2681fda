//! `qonto-webhooks`: verify, sign and debug Qonto webhook signatures from the command line.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use qonto_webhooks::{Error, Tolerance, Verifier, sign, sign_onboarding, unix_now};

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
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum SchemeArg {
    /// `X-Qonto-Signature: t=<unix seconds>,v1=<hex>` (business API, `v1/...` topics).
    #[default]
    Business,
    /// `Qonto-SHA256-Signature: <hex>` (onboarding API).
    Onboarding,
}

#[derive(Debug, Args)]
struct SecretArgs {
    /// The webhook secret, exactly as Qonto gave it. Repeat for rotation: secrets are tried in
    /// order and the index of the first match is printed. Prefer the environment variable: a
    /// command line is visible to other users of the machine.
    #[arg(
        long = "secret",
        value_name = "S",
        env = "QONTO_WEBHOOK_SECRET",
        required = true
    )]
    secrets: Vec<String>,
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
    #[arg(long, value_name = "S", env = "QONTO_WEBHOOK_SECRET")]
    secret: String,
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

fn verify(args: &VerifyArgs) -> ExitCode {
    let body = match read_body(args.file.as_ref()) {
        Ok(body) => body,
        Err(e) => return usage(format_args!("cannot read the body: {e}")),
    };
    let tolerance = match (args.no_tolerance, args.tolerance) {
        (true, _) => Tolerance::Disabled,
        (false, Some(secs)) => Tolerance::Seconds(secs),
        (false, None) => Tolerance::default(),
    };
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
    match &cli.command {
        Command::Verify(args) => verify(args),
        Command::Sign(args) => sign_body(args),
    }
}
