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
//!     /// Create, get and list webhook subscriptions.
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
//! Exit codes: 0 success, 1 API or network error, 2 usage or validation error (nothing sent).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::onboarding::{
    NewOnboardingWebhook, ONBOARDING_TOKEN_ENV, OnboardingClient, OnboardingWebhook,
    OnboardingWebhookPage, PARTNER_ID_ENV, PartnerId, onboarding_token,
};
use crate::{
    Client, CreatedSubscription, Error, ListParams, MIN_SECRET_LEN, NewSubscription,
    STAGING_TOKEN_ENV, Secret, Subscription, SubscriptionPage, TOKEN_ENV, Token, generate_secret,
};

/// Create, get and list Qonto webhook subscriptions (`/v2/webhook_subscriptions`).
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

/// Runs the command, printing to stdout and stderr. 0 success, 1 API/network error, 2 usage or
/// validation error.
pub fn run(cmd: SubscriptionsCommand) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    run_with(cmd, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run`] with the output streams given (for tests and embedding).
pub fn run_with(cmd: SubscriptionsCommand, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let result = match cmd {
        SubscriptionsCommand::Create(a) => create(a, out, err),
        SubscriptionsCommand::Get(a) => get(a, out),
        SubscriptionsCommand::List(a) => list(a, out),
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
    }
}

enum Failure {
    Usage(String),
    Api(Error),
    Output(io::Error),
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

/// The `--json` output of `list --all`.
#[derive(serde::Serialize)]
struct AllOut<'a> {
    subscriptions: &'a [Subscription],
    total_count: usize,
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
    new.validate()?;
    let mut file = match &a.secret_file {
        Some(p) => Some((p, open_secret_file(p)?)),
        None => None,
    };
    let created = match client.create(&new) {
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
    // Where the secret went, for the output.
    let secret_note = match (file.take(), &secret) {
        (Some((path, f)), Some(s)) => write_secret_file(path, f, s, err)?,
        _ => None,
    };
    if a.api.json {
        let v = CreatedOut {
            subscription: &subscription,
            secret: match (&secret_note, &secret) {
                (None, Some(s)) => Some(s.expose()),
                _ => None,
            },
            secret_file: secret_note.as_deref(),
        };
        print_json(out, &v)?;
    } else {
        writeln!(out, "Created subscription {}", subscription.id)?;
        print_details(out, &subscription)?;
        match (&secret_note, &secret) {
            (Some(p), _) => writeln!(out, "  secret        written to {p} (mode 0600)")?,
            (None, Some(s)) => writeln!(out, "  secret        {}", s.expose())?,
            (None, None) => writeln!(
                out,
                "  secret        (none in Qonto's answer: it may have been generated without being returned)"
            )?,
        }
    }
    match (&secret_note, &secret) {
        (Some(p), _) => writeln!(
            err,
            "warning: Qonto will NOT show this secret again: keep {p} safe, or move its content to your secret manager."
        )?,
        (None, Some(_)) => writeln!(err, "warning: {WARNING}")?,
        (None, None) => {}
    }
    Ok(())
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

fn list(a: ListArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let client = client(&a.api)?;
    if a.all {
        let all = client.list_all_with(a.per_page.unwrap_or(crate::MAX_PER_PAGE))?;
        if a.api.json {
            print_json(
                out,
                &AllOut {
                    subscriptions: &all,
                    total_count: all.len(),
                },
            )?;
        } else {
            print_table(out, &all)?;
            writeln!(out, "{} subscription(s)", all.len())?;
        }
    } else {
        let page: SubscriptionPage = client.list(ListParams {
            page: a.page,
            per_page: a.per_page,
        })?;
        if a.api.json {
            print_json(out, &page)?;
        } else {
            print_table(out, &page.subscriptions)?;
            let m = &page.meta;
            write!(
                out,
                "page {} of {}, {} subscription(s) in all",
                m.current_page, m.total_pages, m.total_count
            )?;
            if let Some(n) = m.next_page {
                write!(out, "; next: --page {n} (or --all)")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

fn print_table(out: &mut dyn Write, subs: &[Subscription]) -> io::Result<()> {
    if subs.is_empty() {
        return writeln!(out, "No subscriptions.");
    }
    let rows: Vec<Vec<String>> = subs
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.callback_url.clone(),
                s.types.join(","),
                s.description.clone().unwrap_or_default(),
                s.created_at.clone(),
            ]
        })
        .collect();
    table(
        out,
        &["ID", "CALLBACK URL", "TYPES", "DESCRIPTION", "CREATED"],
        &rows,
    )
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

/// The `--json` output of `onboarding list --all`.
#[derive(serde::Serialize)]
struct AllWebhooksOut<'a> {
    webhook_subscriptions: &'a [OnboardingWebhook],
    total_count: usize,
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
        if a.api.json {
            print_json(
                out,
                &AllWebhooksOut {
                    webhook_subscriptions: &all,
                    total_count: all.len(),
                },
            )?;
        } else {
            print_webhook_table(out, &all)?;
            writeln!(out, "{} endpoint(s)", all.len())?;
        }
    } else {
        let page: OnboardingWebhookPage = client.list(ListParams {
            page: a.page,
            per_page: a.per_page,
        })?;
        if a.api.json {
            print_json(out, &page)?;
        } else {
            print_webhook_table(out, &page.webhook_subscriptions)?;
            let m = &page.meta;
            write!(
                out,
                "page {} of {}, {} endpoint(s) in all",
                m.current_page, m.total_pages, m.total_count
            )?;
            if let Some(n) = m.next_page {
                write!(out, "; next: --page {n} (or --all)")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

fn print_webhook_table(out: &mut dyn Write, hooks: &[OnboardingWebhook]) -> io::Result<()> {
    if hooks.is_empty() {
        return writeln!(out, "No onboarding webhook endpoints.");
    }
    let rows: Vec<Vec<String>> = hooks
        .iter()
        .map(|w| {
            vec![
                w.id.clone(),
                w.callback_url.clone(),
                if w.enabled { "yes" } else { "no" }.to_owned(),
                w.created_at.clone(),
            ]
        })
        .collect();
    table(out, &["ID", "CALLBACK URL", "ENABLED", "CREATED"], &rows)
}
