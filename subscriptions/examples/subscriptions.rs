//! The `subscriptions` command (create, get, list, delete, rotate) on its own, as
//! `qonto-webhooks subscriptions` runs it:
//! `cargo run -p qonto-webhooks-subscriptions --features cli --example subscriptions -- list`.

use std::process::ExitCode;

use clap::Parser;
use qonto_webhooks_subscriptions::SubscriptionsCommand;

/// Create, get, list, delete and rotate Qonto webhook subscriptions.
#[derive(Debug, Parser)]
#[command(name = "subscriptions")]
struct Cli {
    #[command(subcommand)]
    command: SubscriptionsCommand,
}

fn main() -> ExitCode {
    qonto_webhooks_subscriptions::run(Cli::parse().command)
}
