//! The `subscriptions` command of the `qonto-webhooks` CLI (feature `cli`).
//!
//! Wire it as a subcommand and call [`run`]:
//!
//! ```
//! use clap::{Parser, Subcommand};
//! use qonto_webhooks_subscriptions::SubscriptionsCommand;
//!
//! #[derive(Debug, Parser)]
//! struct Cli {
//!     #[command(subcommand)]
//!     command: Command,
//! }
//!
//! #[derive(Debug, Subcommand)]
//! enum Command {
//!     /// Create, get, list, delete and rotate webhook subscriptions.
//!     #[command(subcommand)]
//!     Subscriptions(SubscriptionsCommand),
//! }
//!
//! let cli = Cli::parse_from(["qonto-webhooks", "subscriptions", "get", "123e4567-e89b-12d3-a456-426614174000"]);
//! let Command::Subscriptions(cmd) = cli.command;
//! // std::process::exit code: qonto_webhooks_subscriptions::run(cmd)
//! # let _ = cmd;
//! ```
//!
//! The `onboarding` command ([`OnboardingCommand`], [`run_onboarding`]) is wired the same way.
//!
//! Exit codes: 0 success, 1 API or network error (or a deletion not confirmed), 2 usage or
//! validation error (nothing sent).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::onboarding::{
    NewOnboardingWebhook, ONBOARDING_TOKEN_ENV, OnboardingClient, OnboardingWebhook,
    OnboardingWebhookPage, PARTNER_ID_ENV, PartnerId, onboarding_token,
};
use crate::{
    Client, CreatedSubscription, Error, ListParams, MIN_SECRET_LEN, Meta, NewSubscription,
    STAGING_TOKEN_ENV, Secret, Subscription, SubscriptionPage, TOKEN_ENV, Token, generate_secret,
};

/// Create, get, list, delete and rotate Qonto webhook subscriptions
/// (`/v2/webhook_subscriptions`).
#[derive(Debug, Subcommand)]
pub enum SubscriptionsCommand {
    /// Create a subscription; prints its signing secret ONCE (Qonto never shows it again).
    ///
    /// Without --secret or --generate-secret, Qonto generates the secret. Use --secret-file to
    /// write it to a new file readable by you only (mode 0600) instead of the terminal.
    Create(CreateArgs),
    /// Show one subscription.
    Get(GetArgs),
    /// List subscriptions (a table; --json for scripts).
    List(ListArgs),
    /// Delete a subscription: Qonto stops delivering its events.
    ///
    /// Asks for confirmation (y/N) when stdin is a terminal; otherwise refuses unless --yes is
    /// given (scripts must pass --yes).
    Delete(DeleteArgs),
    /// Rotate a subscription's secret: create its replacement, then (--finish) delete it.
    ///
    /// `rotate ID --secret-file PATH` creates a new subscription with the callback URL, topics
    /// and description of ID and a freshly generated secret (written to PATH, a NEW file, mode
    /// 0600), and prints the next steps. Deploy the verifier with the secrets [new, old], watch
    /// deliveries verify with the new one (secret index 0), then `rotate ID --finish` deletes
    /// the old subscription ID. Until then Qonto delivers every event twice.
    Rotate(RotateArgs),
}

/// Where and how to call the API: shared by every subcommand.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// OAuth access token with the `webhook` scope (never printed).
    #[arg(long, env = TOKEN_ENV, hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<Hidden>,
    /// Use the sandbox; needs a staging token.
    #[arg(
        long,
        conflicts_with = "base_url",
        help = "Use the sandbox (https://thirdparty-sandbox.staging.qonto.co); needs --staging-token"
    )]
    pub sandbox: bool,
    /// Sandbox staging token, sent as X-Qonto-Staging-Token (never printed).
    #[arg(long, env = STAGING_TOKEN_ENV, hide_env_values = true, value_name = "TOKEN")]
    pub staging_token: Option<Hidden>,
    /// API base URL (default: production).
    #[arg(
        long,
        value_name = "URL",
        help = "API base URL [default: https://thirdparty.qonto.com]"
    )]
    pub base_url: Option<String>,
    /// Seconds before a request is abandoned.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Print JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `subscriptions create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// HTTPS URL Qonto will POST the webhooks to (at most 512 characters).
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// A topic such as v1/transactions; repeat for several.
    #[arg(long = "topic", value_name = "TOPIC", required = true)]
    pub topics: Vec<String>,
    /// The signing secret to use (32 to 128 characters). Prefer --generate-secret: a secret on
    /// the command line stays in your shell history.
    #[arg(long, value_name = "SECRET", conflicts_with = "generate_secret")]
    pub secret: Option<Hidden>,
    /// Generate the secret here (whsec_ + base64 of 32 random bytes) instead of letting Qonto.
    #[arg(long)]
    pub generate_secret: bool,
    /// A description (at most 256 characters).
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Write the secret to this NEW file (mode 0600) instead of printing it.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// Accept topics that are not among the 12 documented ones.
    #[arg(long)]
    pub allow_unknown_topic: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// `subscriptions get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The subscription id (a UUID).
    pub id: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// `subscriptions list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Page number, from 1.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub page: Option<u32>,
    /// Subscriptions per page, 1 to 100 (also with --all).
    #[arg(long, value_name = "N")]
    pub per_page: Option<u32>,
    /// Walk every page.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// `subscriptions delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The subscription id (a UUID).
    pub id: String,
    /// Delete without asking (required when stdin is not a terminal, e.g. in scripts).
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// `subscriptions rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The id of the subscription being replaced (the OLD one, also with --finish).
    pub id: String,
    /// Write the new subscription's secret to this NEW file (mode 0600; an existing file is
    /// refused).
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "finish",
        conflicts_with = "finish"
    )]
    pub secret_file: Option<PathBuf>,
    /// The last step: delete the old subscription ID, once deliveries verify with the new
    /// secret. Asks for confirmation like `delete`.
    #[arg(long)]
    pub finish: bool,
    /// With --finish: delete without asking (required when stdin is not a terminal).
    #[arg(long, short = 'y', conflicts_with = "secret_file")]
    pub yes: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiArgs,
}

/// A command-line value that must never be printed (a token, a secret): `Debug` is redacted, it
/// is checked after parsing so that a rejected value is not echoed in clap's error, and its bytes
/// are wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(zeroize::Zeroizing<String>);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for Hidden {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Hidden, Self::Err> {
        Ok(Hidden(zeroize::Zeroizing::new(s.to_owned())))
    }
}

const WARNING: &str = "Store this secret now: Qonto will NOT show it again. It signs every webhook of this subscription; give it to your receiver's verifier (e.g. from a secret manager).";

/// Runs the command, printing to stdout and stderr, reading a confirmation from stdin. 0
/// success, 1 API/network error or a deletion not confirmed, 2 usage or validation error.
pub fn run(cmd: SubscriptionsCommand) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    run_with(cmd, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run`] with the output streams given (for tests and embedding). A confirmation is read
/// from the process's stdin, asked for only when stdin is a terminal.
pub fn run_with(cmd: SubscriptionsCommand, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let stdin = io::stdin();
    let terminal = stdin.is_terminal();
    let mut input = Input {
        reader: &mut stdin.lock(),
        is_terminal: terminal,
    };
    run_with_input(cmd, &mut input, out, err)
}

/// Where `delete` and `rotate --finish` read their confirmation (y/N) from.
pub struct Input<'a> {
    /// The answer, one line.
    pub reader: &'a mut dyn BufRead,
    /// Whether a person can answer (stdin is a terminal). When `false`, a deletion needs
    /// `--yes` and nothing is read.
    pub is_terminal: bool,
}

/// [`run_with`] with the input given too (for tests and embedding).
pub fn run_with_input(
    cmd: SubscriptionsCommand,
    input: &mut Input<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let result = match cmd {
        SubscriptionsCommand::Create(a) => create(a, out, err),
        SubscriptionsCommand::Get(a) => get(a, out),
        SubscriptionsCommand::List(a) => list(a, out),
        SubscriptionsCommand::Delete(a) => delete(a, input, out, err),
        SubscriptionsCommand::Rotate(a) if a.finish => rotate_finish(a, input, out, err),
        SubscriptionsCommand::Rotate(a) => rotate(a, out, err),
    };
    exit(result, err)
}

/// Runs the `onboarding` command, printing to stdout and stderr. 0 success, 1 API/network
/// error, 2 usage or validation error.
pub fn run_onboarding(cmd: OnboardingCommand) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    run_onboarding_with(cmd, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run_onboarding`] with the output streams given (for tests and embedding).
pub fn run_onboarding_with(
    cmd: OnboardingCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let result = match cmd {
        OnboardingCommand::Register(a) => register(a, out, err),
        OnboardingCommand::List(a) => list_onboarding(a, out),
    };
    exit(result, err)
}

fn exit(result: Result<(), Failure>, err: &mut dyn Write) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            let _ = writeln!(err, "error[invalid_input]: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Api(e)) => {
            let _ = writeln!(err, "error[{}]: {e}", e.code());
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
        Err(Failure::Output(e)) => {
            let _ = writeln!(err, "error[io]: {e}");
            ExitCode::from(1)
        }
        Err(Failure::NotConfirmed(msg)) => {
            let _ = writeln!(err, "error[not_confirmed]: {msg}");
            ExitCode::from(1)
        }
    }
}

enum Failure {
    Usage(String),
    Api(Error),
    Output(io::Error),
    /// The person at the terminal did not answer yes: nothing was deleted.
    NotConfirmed(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Api(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Output(e)
    }
}

fn client(api: &ApiArgs) -> Result<Client, Failure> {
    let token = Token::new(api.token.as_ref().ok_or(Error::MissingToken)?.0.as_str())?;
    let staging_token =
        match &api.staging_token {
            Some(t) => Some(Token::new(t.0.as_str()).map_err(|_| {
                Failure::Usage("the staging token is empty or has whitespace".into())
            })?),
            None => None,
        };
    if api.timeout == 0 {
        return Err(Failure::Usage("--timeout must be at least 1 second".into()));
    }
    let mut b = Client::builder(token).timeout(Duration::from_secs(api.timeout));
    if api.sandbox {
        let Some(st) = staging_token else {
            return Err(Failure::Usage(format!(
                "--sandbox needs a staging token: --staging-token or {STAGING_TOKEN_ENV}"
            )));
        };
        b = b.sandbox(st);
    } else {
        b = b.staging_token(staging_token);
        if let Some(u) = &api.base_url {
            b = b.base_url(u.clone());
        }
    }
    Ok(b.build()?)
}

/// The `--json` output of `create`: the subscription, then where the secret is.
#[derive(serde::Serialize)]
struct CreatedOut<'a> {
    #[serde(flatten)]
    subscription: &'a Subscription,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_file: Option<&'a str>,
}

fn print_json<T: serde::Serialize>(out: &mut dyn Write, v: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(v).map_err(io::Error::other)?;
    writeln!(out, "{s}")?;
    Ok(())
}

/// Creates the secret file before the request (so a bad path fails before anything is created
/// at Qonto), owner-only, refusing to overwrite.
fn open_secret_file(path: &Path) -> Result<File, Failure> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| {
        Failure::Usage(format!(
            "cannot create --secret-file {}: {e} (it must not exist yet)",
            path.display()
        ))
    })
}

fn create(a: CreateArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let client = client(&a.api)?;
    let mut new = NewSubscription::new(a.url, a.topics).allow_unknown_topics(a.allow_unknown_topic);
    let sent_secret = match (a.secret, a.generate_secret) {
        (Some(s), _) => Some(Secret::new(s.0.as_str())?),
        (None, true) => Some(generate_secret()?),
        (None, false) => None,
    };
    if let Some(s) = &sent_secret {
        new = new.secret(s.clone());
    }
    if let Some(d) = a.description {
        new = new.description(d);
    }
    let created = create_storing_secret(&client, &new, sent_secret, a.secret_file.as_deref(), err)?;
    if a.api.json {
        print_json(out, &created.json())?;
    } else {
        writeln!(out, "Created subscription {}", created.subscription.id)?;
        print_details(out, &created.subscription)?;
        created.print_secret(out)?;
    }
    created.warn(err)?;
    Ok(())
}

/// A subscription just created, and where its secret went.
struct Created {
    subscription: Subscription,
    /// Qonto's answer's secret, or the one sent.
    secret: Option<Secret>,
    /// The file the secret was written to.
    secret_file: Option<String>,
}

impl Created {
    /// The `--json` output: the subscription, then the secret or its file.
    fn json(&self) -> CreatedOut<'_> {
        CreatedOut {
            subscription: &self.subscription,
            secret: match (&self.secret_file, &self.secret) {
                (None, Some(s)) => Some(s.expose()),
                _ => None,
            },
            secret_file: self.secret_file.as_deref(),
        }
    }

    fn print_secret(&self, out: &mut dyn Write) -> io::Result<()> {
        match (&self.secret_file, &self.secret) {
            (Some(p), _) => writeln!(out, "  secret        written to {p} (mode 0600)"),
            (None, Some(s)) => writeln!(out, "  secret        {}", s.expose()),
            (None, None) => writeln!(
                out,
                "  secret        (none in Qonto's answer: it may have been generated without being returned)"
            ),
        }
    }

    fn warn(&self, err: &mut dyn Write) -> io::Result<()> {
        match (&self.secret_file, &self.secret) {
            (Some(p), _) => writeln!(
                err,
                "warning: Qonto will NOT show this secret again: keep {p} safe, or move its content to your secret manager."
            ),
            (None, Some(_)) => writeln!(err, "warning: {WARNING}"),
            (None, None) => Ok(()),
        }
    }
}

/// Validates and creates `new`. With `secret_file`, the secret goes to that NEW owner-only
/// file: created before the request (so that a bad path fails before anything exists at
/// Qonto), removed if the request fails.
fn create_storing_secret(
    client: &Client,
    new: &NewSubscription,
    sent_secret: Option<Secret>,
    secret_file: Option<&Path>,
    err: &mut dyn Write,
) -> Result<Created, Failure> {
    new.validate()?;
    let mut file = match secret_file {
        Some(p) => Some((p, open_secret_file(p)?)),
        None => None,
    };
    let created = match client.create(new) {
        Ok(c) => c,
        Err(e) => {
            if let Some((p, f)) = file.take() {
                drop(f);
                let _ = std::fs::remove_file(p);
            }
            return Err(e.into());
        }
    };
    let CreatedSubscription {
        subscription,
        secret,
    } = created;
    let secret = secret.or(sent_secret);
    let secret_file = match (file.take(), &secret) {
        (Some((path, f)), Some(s)) => write_secret_file(path, f, s, err)?,
        _ => None,
    };
    Ok(Created {
        subscription,
        secret,
        secret_file,
    })
}

/// Writes the secret to the file opened by [`open_secret_file`]; answers its path, or `None`
/// (with a warning) when it could not be written and the secret is to be printed instead.
fn write_secret_file(
    path: &Path,
    mut f: File,
    secret: &Secret,
    err: &mut dyn Write,
) -> Result<Option<String>, Failure> {
    match f
        .write_all(secret.expose().as_bytes())
        .and_then(|()| f.sync_all())
    {
        Ok(()) => Ok(Some(path.display().to_string())),
        Err(e) => {
            writeln!(
                err,
                "warning: could not write the secret to {}: {e}; printing it instead",
                path.display()
            )?;
            Ok(None)
        }
    }
}

fn print_details(out: &mut dyn Write, s: &Subscription) -> io::Result<()> {
    writeln!(out, "  callback_url  {}", s.callback_url)?;
    writeln!(out, "  types         {}", s.types.join(", "))?;
    if let Some(d) = &s.description {
        writeln!(out, "  description   {d}")?;
    }
    if !s.organization_id.is_empty() {
        writeln!(out, "  organization  {}", s.organization_id)?;
    }
    if !s.membership_id.is_empty() {
        writeln!(out, "  membership    {}", s.membership_id)?;
    }
    if !s.created_at.is_empty() {
        writeln!(out, "  created_at    {}", s.created_at)?;
    }
    if !s.updated_at.is_empty() {
        writeln!(out, "  updated_at    {}", s.updated_at)?;
    }
    Ok(())
}

fn get(a: GetArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let client = client(&a.api)?;
    let s = client.get(&a.id)?;
    if a.api.json {
        print_json(out, &s)?;
    } else {
        writeln!(out, "Subscription {}", s.id)?;
        print_details(out, &s)?;
    }
    Ok(())
}

/// The `--json` output of `delete` and `rotate --finish`.
#[derive(serde::Serialize)]
struct DeletedOut<'a> {
    deleted: &'a Subscription,
    /// `rotate --finish`: the subscriptions left on the same callback URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining: Option<&'a [Subscription]>,
}

fn delete(
    a: DeleteArgs,
    input: &mut Input<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    let client = client(&a.api)?;
    refuse_unconfirmable(a.yes, input, "delete", &a.id)?;
    let deleted = client.get(&a.id)?;
    confirm_and_delete(&client, &deleted, a.yes, input, err)?;
    if a.api.json {
        print_json(
            out,
            &DeletedOut {
                deleted: &deleted,
                remaining: None,
            },
        )?;
    } else {
        writeln!(out, "Deleted subscription {}", deleted.id)?;
        print_details(out, &deleted)?;
    }
    Ok(())
}

/// Without `yes`, a person must confirm: refuses (before any request) when stdin is not a
/// terminal.
fn refuse_unconfirmable(
    yes: bool,
    input: &Input<'_>,
    command: &str,
    id: &str,
) -> Result<(), Failure> {
    if yes || input.is_terminal {
        return Ok(());
    }
    Err(Failure::Usage(format!(
        "refusing to {command} subscription {id} without confirmation: stdin is not a terminal, so nobody can answer; pass --yes to delete it without asking (scripts must)"
    )))
}

/// Asks for confirmation (unless `yes`), then deletes `sub`.
fn confirm_and_delete(
    client: &Client,
    sub: &Subscription,
    yes: bool,
    input: &mut Input<'_>,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    refuse_unconfirmable(yes, input, "delete", &sub.id)?;
    if !yes {
        write!(
            err,
            "Delete subscription {} ({} -> {})? Qonto will stop delivering its events. [y/N] ",
            sub.id,
            sub.types.join(","),
            sub.callback_url
        )?;
        err.flush()?;
        let mut answer = String::new();
        input.reader.read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Err(Failure::NotConfirmed(format!(
                "subscription {} was not deleted (the answer was not y)",
                sub.id
            )));
        }
    }
    client.delete(&sub.id)?;
    Ok(())
}

/// The `--json` output of `rotate`: the old subscription, the new one (and where its secret
/// is), the command that ends the rotation.
#[derive(serde::Serialize)]
struct RotatedOut<'a> {
    old: &'a Subscription,
    new: CreatedOut<'a>,
    finish: String,
}

fn rotate(a: RotateArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let client = client(&a.api)?;
    let Some(path) = a.secret_file.as_deref() else {
        return Err(Failure::Usage(
            "rotate needs --secret-file PATH (or --finish)".into(),
        ));
    };
    let old = client.get(&a.id)?;
    let secret = generate_secret()?;
    // The topics come from Qonto's answer: whatever it accepted then, it is sent again.
    let mut new = NewSubscription::new(old.callback_url.clone(), old.types.clone())
        .allow_unknown_topics(true)
        .secret(secret.clone());
    if let Some(d) = &old.description {
        new = new.description(d.clone());
    }
    let created = create_storing_secret(&client, &new, Some(secret), Some(path), err)?;
    let finish = format!("qonto-webhooks subscriptions rotate {} --finish", old.id);
    let steps = rotation_steps(&old, &created, &finish);
    if a.api.json {
        print_json(
            out,
            &RotatedOut {
                old: &old,
                new: created.json(),
                finish,
            },
        )?;
        write!(err, "{steps}")?;
    } else {
        writeln!(
            out,
            "Created subscription {} to replace {}",
            created.subscription.id, old.id
        )?;
        print_details(out, &created.subscription)?;
        created.print_secret(out)?;
        write!(out, "{steps}")?;
    }
    created.warn(err)?;
    Ok(())
}

/// What to do between `rotate` and `rotate --finish`, and the twice-delivered window.
fn rotation_steps(old: &Subscription, new: &Created, finish: &str) -> String {
    let new_secret = match &new.secret_file {
        Some(p) => format!("the content of {p}"),
        None => "the secret printed above".to_owned(),
    };
    format!(
        "\nNext steps:\n\
         \x20 1. Deploy your receiver's verifier with both secrets, the new one FIRST: [new, old]\n\
         \x20      new: {new_secret}\n\
         \x20      old: the secret of {old_id}, in use today\n\
         \x20    e.g. Verifier::with_secrets([new, old]), or `qonto-webhooks listen --secret NEW --secret OLD`.\n\
         \x20 2. Watch deliveries succeed under the new secret: secret index 0 (`secret_index` of the\n\
         \x20    verified result; `listen` prints secret=0). Index 1 is the old subscription's copy.\n\
         \x20 3. Delete the old subscription:\n\
         \x20      {finish}\n\
         \x20    (it asks for confirmation; --yes in scripts).\n\
         \n\
         Until step 3 both subscriptions exist, and Qonto delivers every event TWICE, once per\n\
         subscription, possibly with two different envelope ids. The idempotency guard deduplicates\n\
         on the envelope `id`: it drops the second copy only when both carry the same id, and cannot\n\
         when the ids differ. During this window make your handlers idempotent on the resource too\n\
         (e.g. `data.id` with `updated_at`), and keep the window short.\n",
        old_id = old.id,
    )
}

fn rotate_finish(
    a: RotateArgs,
    input: &mut Input<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    let client = client(&a.api)?;
    refuse_unconfirmable(a.yes, input, "finish the rotation of", &a.id)?;
    let old = client.get(&a.id)?;
    // The replacement: another subscription delivering every topic of the old one to the same
    // URL. Without one, finishing would stop deliveries: that is `delete`, not a rotation.
    let remaining: Vec<Subscription> = client
        .list_all()?
        .into_iter()
        .filter(|s| {
            s.id != old.id
                && s.callback_url == old.callback_url
                && old.types.iter().all(|t| s.types.contains(t))
        })
        .collect();
    if remaining.is_empty() {
        return Err(Failure::Usage(format!(
            "no other subscription delivers to {} the topics {}: run `rotate {} --secret-file PATH` first (use `delete {}` to stop the deliveries)",
            old.callback_url,
            old.types.join(","),
            old.id,
            old.id
        )));
    }
    confirm_and_delete(&client, &old, a.yes, input, err)?;
    let deleted = old;
    if a.api.json {
        print_json(
            out,
            &DeletedOut {
                deleted: &deleted,
                remaining: Some(&remaining),
            },
        )?;
    } else {
        writeln!(
            out,
            "Deleted the old subscription {}; the rotation is done.",
            deleted.id
        )?;
        print_details(out, &deleted)?;
        let ids: Vec<&str> = remaining.iter().map(|s| s.id.as_str()).collect();
        writeln!(
            out,
            "Still delivering to {}: {}. Remove the old secret from the verifier (keep [new]); each event is now delivered once.",
            deleted.callback_url,
            ids.join(", ")
        )?;
    }
    Ok(())
}

fn list(a: ListArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let client = client(&a.api)?;
    if a.all {
        let all = client.list_all_with(a.per_page.unwrap_or(crate::MAX_PER_PAGE))?;
        print_list(out, a.api.json, Listing::all(&all))
    } else {
        let page: SubscriptionPage = client.list(ListParams {
            page: a.page,
            per_page: a.per_page,
        })?;
        print_list(
            out,
            a.api.json,
            Listing::Page(&page, &page.subscriptions, &page.meta),
        )
    }
}

/// One row of a `list`: `subscriptions list` and `onboarding list` print the same shape (a
/// table and a count or page line; or JSON: the page as the API answered it, or with `--all`
/// the items under [`Row::KEY`] and `total_count`).
trait Row: serde::Serialize {
    /// The key of the items in the JSON of `list --all` (the API's name for the list).
    const KEY: &'static str;
    /// The table's column titles.
    const HEADER: &'static [&'static str];
    /// What one row is, for the count line: `subscription` gives "3 subscription(s)".
    const NOUN: &'static str;
    /// The line printed instead of an empty table.
    const NONE: &'static str;
    /// The cells of this row, in [`Row::HEADER`]'s order.
    fn cells(&self) -> Vec<String>;
}

impl Row for Subscription {
    const KEY: &'static str = "subscriptions";
    const HEADER: &'static [&'static str] =
        &["ID", "CALLBACK URL", "TYPES", "DESCRIPTION", "CREATED"];
    const NOUN: &'static str = "subscription";
    const NONE: &'static str = "No subscriptions.";
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.callback_url.clone(),
            self.types.join(","),
            self.description.clone().unwrap_or_default(),
            self.created_at.clone(),
        ]
    }
}

impl Row for OnboardingWebhook {
    const KEY: &'static str = "webhook_subscriptions";
    const HEADER: &'static [&'static str] = &["ID", "CALLBACK URL", "ENABLED", "CREATED"];
    const NOUN: &'static str = "endpoint";
    const NONE: &'static str = "No onboarding webhook endpoints.";
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.callback_url.clone(),
            if self.enabled { "yes" } else { "no" }.to_owned(),
            self.created_at.clone(),
        ]
    }
}

/// What a `list` printed: every page, or one page (as answered, its items, its `meta`).
enum Listing<'a, T, P> {
    All(&'a [T]),
    Page(&'a P, &'a [T], &'a Meta),
}

impl<'a, T> Listing<'a, T, ()> {
    fn all(items: &'a [T]) -> Listing<'a, T, ()> {
        Listing::All(items)
    }
}

/// The `--json` output of `list --all`: the items under `T::KEY`, then `total_count`.
struct AllOut<'a, T>(&'a [T]);

impl<T: Row> serde::Serialize for AllOut<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("AllOut", 2)?;
        st.serialize_field(T::KEY, self.0)?;
        st.serialize_field("total_count", &self.0.len())?;
        st.end()
    }
}

fn print_list<T: Row, P: serde::Serialize>(
    out: &mut dyn Write,
    json: bool,
    listing: Listing<'_, T, P>,
) -> Result<(), Failure> {
    match listing {
        Listing::All(all) if json => print_json(out, &AllOut(all)),
        Listing::Page(page, _, _) if json => print_json(out, page),
        Listing::All(all) => {
            print_table(out, all)?;
            writeln!(out, "{} {}(s)", all.len(), T::NOUN)?;
            Ok(())
        }
        Listing::Page(_, items, m) => {
            print_table(out, items)?;
            write!(
                out,
                "page {} of {}, {} {}(s) in all",
                m.current_page,
                m.total_pages,
                m.total_count,
                T::NOUN
            )?;
            if let Some(n) = m.next_page {
                write!(out, "; next: --page {n} (or --all)")?;
            }
            writeln!(out)?;
            Ok(())
        }
    }
}

fn print_table<T: Row>(out: &mut dyn Write, items: &[T]) -> io::Result<()> {
    if items.is_empty() {
        return writeln!(out, "{}", T::NONE);
    }
    let rows: Vec<Vec<String>> = items.iter().map(Row::cells).collect();
    table(out, T::HEADER, &rows)
}

/// Left-aligned columns two spaces apart; the last column is not padded.
fn table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[&str]| -> io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(
                    ' ',
                    w.saturating_sub(c.chars().count()),
                ));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header)?;
    for r in rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(out, &cells)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `onboarding`: the onboarding API's webhook endpoints.

/// Register and list the onboarding API's webhook endpoints (`/register/webhooks`), which
/// receive `registrations.*` and `organizations.deleted` events signed with
/// `Qonto-SHA256-Signature`.
#[derive(Debug, Subcommand)]
pub enum OnboardingCommand {
    /// Register an endpoint; prints its signing secret ONCE (or writes it to --secret-file).
    ///
    /// Without --secret, the secret is generated here (as with --generate-secret: whsec_ +
    /// base64 of 32 random bytes) and sent with the registration. Onboarding webhooks carry no
    /// timestamp: the receiver must deduplicate them on their `id`.
    Register(RegisterArgs),
    /// List the registered endpoints (a table; --json for scripts). Secrets are never shown.
    List(OnboardingListArgs),
}

/// Where and how to call the onboarding API: shared by its subcommands.
#[derive(Debug, Args)]
pub struct OnboardingApiArgs {
    /// The partner's onboarding API token, sent as `Authorization: Bearer` (never printed).
    #[arg(long, env = ONBOARDING_TOKEN_ENV, hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<Hidden>,
    /// The partner id, sent as Qonto-Partner-Id (never printed).
    #[arg(long, env = PARTNER_ID_ENV, hide_env_values = true, value_name = "ID")]
    pub partner_id: Option<Hidden>,
    /// Use the sandbox; needs a staging token.
    #[arg(
        long,
        conflicts_with = "base_url",
        help = "Use the sandbox (https://thirdparty-sandbox.staging.qonto.co); needs --staging-token"
    )]
    pub sandbox: bool,
    /// Sandbox staging token, sent as X-Qonto-Staging-Token (never printed).
    #[arg(long, env = STAGING_TOKEN_ENV, hide_env_values = true, value_name = "TOKEN")]
    pub staging_token: Option<Hidden>,
    /// API base URL (default: production).
    #[arg(
        long,
        value_name = "URL",
        help = "API base URL [default: https://onboarding-partners.qonto.com]"
    )]
    pub base_url: Option<String>,
    /// Seconds before a request is abandoned.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Print JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `onboarding register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// HTTPS URL Qonto will POST the onboarding webhooks to.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The signing secret to register (1 to 256 characters, no spaces). Prefer
    /// --generate-secret: a secret on the command line stays in your shell history.
    #[arg(long, value_name = "SECRET", conflicts_with = "generate_secret")]
    pub secret: Option<Hidden>,
    /// Generate the secret here (whsec_ + base64 of 32 random bytes); also what happens
    /// without --secret.
    #[arg(long)]
    pub generate_secret: bool,
    /// Write the secret to this NEW file (mode 0600) instead of printing it.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// Register the endpoint disabled (Qonto sends nothing to it until enabled).
    #[arg(long)]
    pub disabled: bool,
    /// Register with the older POST /data_api/webhooks instead of POST /register/webhooks.
    #[arg(long)]
    pub legacy_path: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: OnboardingApiArgs,
}

/// `onboarding list`.
#[derive(Debug, Args)]
pub struct OnboardingListArgs {
    /// Page number, from 1.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub page: Option<u32>,
    /// Endpoints per page, 1 to 100 (also with --all).
    #[arg(long, value_name = "N")]
    pub per_page: Option<u32>,
    /// Walk every page.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: OnboardingApiArgs,
}

const ONBOARDING_WARNING: &str = "Store this secret now: it signs every onboarding webhook sent to this endpoint, and this command does not show it again. Give it to your receiver's verifier (e.g. `qonto-webhooks listen --schemes onboarding` with QONTO_ONBOARDING_SECRET). Onboarding webhooks carry no timestamp: deduplicate them on their `id`.";

fn onboarding_client(api: &OnboardingApiArgs, legacy: bool) -> Result<OnboardingClient, Failure> {
    let token = match &api.token {
        Some(t) => onboarding_token(t.0.as_str())?,
        None => return Err(Error::MissingOnboardingToken.into()),
    };
    let partner_id = PartnerId::new(
        api.partner_id
            .as_ref()
            .ok_or(Error::MissingPartnerId)?
            .0
            .as_str(),
    )?;
    let staging_token =
        match &api.staging_token {
            Some(t) => Some(Token::new(t.0.as_str()).map_err(|_| {
                Failure::Usage("the staging token is empty or has whitespace".into())
            })?),
            None => None,
        };
    if api.timeout == 0 {
        return Err(Failure::Usage("--timeout must be at least 1 second".into()));
    }
    let mut b = OnboardingClient::builder(token, partner_id)
        .timeout(Duration::from_secs(api.timeout))
        .legacy_register_path(legacy);
    if api.sandbox {
        let Some(st) = staging_token else {
            return Err(Failure::Usage(format!(
                "--sandbox needs a staging token: --staging-token or {STAGING_TOKEN_ENV}"
            )));
        };
        b = b.sandbox(st);
    } else {
        b = b.staging_token(staging_token);
        if let Some(u) = &api.base_url {
            b = b.base_url(u.clone());
        }
    }
    Ok(b.build()?)
}

/// The `--json` output of `onboarding register`: the endpoint, then where the secret is.
#[derive(serde::Serialize)]
struct RegisteredOut<'a> {
    #[serde(flatten)]
    webhook: &'a OnboardingWebhook,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_file: Option<&'a str>,
}

fn register(a: RegisterArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Failure> {
    let client = onboarding_client(&a.api, a.legacy_path)?;
    // Without --secret the secret is generated here: the API needs one.
    let secret = match &a.secret {
        Some(s) => Secret::new_onboarding(s.0.as_str())?,
        None => generate_secret()?,
    };
    let given_len = a.secret.as_ref().map(|_| secret.expose().chars().count());
    let new = NewOnboardingWebhook::new(a.url)
        .enabled(!a.disabled)
        .secret(secret);
    client.validate(&new)?;
    let mut file = match &a.secret_file {
        Some(p) => Some((p, open_secret_file(p)?)),
        None => None,
    };
    let registered = match client.register(&new) {
        Ok(r) => r,
        Err(e) => {
            if let Some((p, f)) = file.take() {
                drop(f);
                let _ = std::fs::remove_file(p);
            }
            return Err(e.into());
        }
    };
    let webhook = &registered.webhook;
    let secret = &registered.secret;
    let secret_note = match file.take() {
        Some((path, f)) => write_secret_file(path, f, secret, err)?,
        None => None,
    };
    if a.api.json {
        let v = RegisteredOut {
            webhook,
            secret: match &secret_note {
                None => Some(secret.expose()),
                Some(_) => None,
            },
            secret_file: secret_note.as_deref(),
        };
        print_json(out, &v)?;
    } else {
        writeln!(out, "Registered onboarding webhook endpoint {}", webhook.id)?;
        print_webhook(out, webhook)?;
        match &secret_note {
            Some(p) => writeln!(out, "  secret        written to {p} (mode 0600)")?,
            None => writeln!(out, "  secret        {}", secret.expose())?,
        }
    }
    if let Some(n) = given_len.filter(|n| *n < MIN_SECRET_LEN) {
        writeln!(
            err,
            "warning: the secret has {n} characters; a generated one (--generate-secret) has 32 random bytes"
        )?;
    }
    if let Some(p) = &secret_note {
        writeln!(
            err,
            "warning: keep {p} safe (or move its content to your secret manager): it signs every onboarding webhook sent to this endpoint. Onboarding webhooks carry no timestamp: deduplicate them on their `id`."
        )?;
    } else {
        writeln!(err, "warning: {ONBOARDING_WARNING}")?;
    }
    Ok(())
}

fn print_webhook(out: &mut dyn Write, w: &OnboardingWebhook) -> io::Result<()> {
    writeln!(out, "  callback_url  {}", w.callback_url)?;
    writeln!(out, "  enabled       {}", w.enabled)?;
    if !w.created_at.is_empty() {
        writeln!(out, "  created_at    {}", w.created_at)?;
    }
    if !w.updated_at.is_empty() {
        writeln!(out, "  updated_at    {}", w.updated_at)?;
    }
    Ok(())
}

fn list_onboarding(a: OnboardingListArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let client = onboarding_client(&a.api, false)?;
    if a.all {
        let all = client.list_all_with(a.per_page.unwrap_or(crate::MAX_PER_PAGE))?;
        print_list(out, a.api.json, Listing::all(&all))
    } else {
        let page: OnboardingWebhookPage = client.list(ListParams {
            page: a.page,
            per_page: a.per_page,
        })?;
        print_list(
            out,
            a.api.json,
            Listing::Page(&page, &page.webhook_subscriptions, &page.meta),
        )
    }
}
