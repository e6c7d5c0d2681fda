//! The `onboarding` command on its own, as `qonto-webhooks onboarding` runs it:
//! `cargo run -p qonto-webhooks-subscriptions --features cli --example onboarding -- list`.

use std::process::ExitCode;

use clap::Parser;
use qonto_webhooks_subscriptions::OnboardingCommand;

/// Register and list the onboarding API's webhook endpoints.
#[derive(Debug, Parser)]
#[command(name = "onboarding")]
struct Cli {
    #[command(subcommand)]
    command: OnboardingCommand,
}

fn main() -> ExitCode {
    qonto_webhooks_subscriptions::run_onboarding(Cli::parse().command)
}
