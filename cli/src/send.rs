//! `qonto-webhooks send`: POST a signed example event to an endpoint, as Qonto does, and check that
//! the endpoint accepts the genuine one and rejects tampered, stale, wrong-secret, reframed and
//! replayed ones.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use qonto_webhooks::{BUSINESS_HEADER, ONBOARDING_HEADER, sign, sign_onboarding, unix_now};

use crate::payloads;
use crate::{SchemeArg, SecretString};

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The endpoint to POST to (only this URL is contacted).
    #[arg(long)]
    url: String,
    /// The webhook secret the endpoint verifies with (also from QONTO_WEBHOOK_SECRET).
    #[arg(
        long,
        value_name = "S",
        env = "QONTO_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    secret: SecretString,
    /// Which scheme to sign with: business (`X-Qonto-Signature`) or onboarding.
    #[arg(long, value_enum, default_value_t)]
    scheme: SchemeArg,
    /// The topic of the example event (business scheme).
    #[arg(long, default_value = "v1/transactions")]
    topic: String,
    /// The event name (default: the topic's usual one, or registrations.pending).
    #[arg(long)]
    event: Option<String>,
    /// Send this file's bytes as the body instead of an example event.
    #[arg(long, value_name = "FILE")]
    payload: Option<std::path::PathBuf>,
    /// Also send it with one byte of the body changed after signing (expect 4xx).
    #[arg(long)]
    tampered: bool,
    /// Also send it signed 10 minutes ago (expect 4xx; business scheme).
    #[arg(long)]
    stale: bool,
    /// Also send it signed with another secret (expect 4xx).
    #[arg(long)]
    wrong_secret: bool,
    /// Also send the genuine request reframed as an onboarding webhook: its v1 as
    /// Qonto-SHA256-Signature over the body `<t>.<body>` (expect 4xx; business scheme). An
    /// endpoint that lets the request's headers pick the scheme accepts it, forever.
    #[arg(long)]
    reframed: bool,
    /// Also send the genuine request a second time, unchanged (expect 4xx from an endpoint that
    /// deduplicates event ids).
    #[arg(long)]
    replay: bool,
    /// All of --tampered, --stale (business), --wrong-secret, --reframed (business) and --replay.
    #[arg(long)]
    check: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// How many times to retry a request that got no response (connection refused, timeout).
    #[arg(long, default_value_t = 2)]
    retries: u32,
}

struct Shot {
    label: &'static str,
    body: Vec<u8>,
    header_name: &'static str,
    header: String,
    expect_success: bool,
}

fn agent(timeout: u64) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(timeout)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// POSTs once, retrying (bounded, with backoff) only when no response came back.
fn post(
    agent: &ureq::Agent,
    url: &str,
    shot: &Shot,
    retries: u32,
) -> Result<(u16, String, Duration), String> {
    let mut attempt = 0;
    loop {
        let start = Instant::now();
        let result = agent
            .post(url)
            .header("Content-Type", "application/json")
            .header(
                "User-Agent",
                concat!("qonto-webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header(shot.header_name, &shot.header)
            .send(&shot.body[..]);
        match result {
            Ok(mut response) => {
                let elapsed = start.elapsed();
                let status = response.status().as_u16();
                let text = response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_string()
                    .unwrap_or_default();
                return Ok((status, text, elapsed));
            }
            Err(e) if attempt < retries => {
                attempt += 1;
                eprintln!("  (no response: {e}; retry {attempt} of {retries})");
                std::thread::sleep(Duration::from_millis(200 << attempt));
            }
            Err(e) => {
                return Err(format!(
                    "POST {url} got no response after {} attempt(s): {e}",
                    attempt + 1
                ));
            }
        }
    }
}

pub fn run(args: &SendArgs) -> ExitCode {
    if args.secret.expose().is_empty() {
        eprintln!("error[invalid_secret]: the webhook secret is empty");
        return ExitCode::from(2);
    }
    let onboarding = args.scheme == SchemeArg::Onboarding;
    let body = match &args.payload {
        Some(path) => match std::fs::read(path) {
            Ok(body) => body,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None if onboarding => payloads::onboarding_event(args.event.as_deref()).into_bytes(),
        None => payloads::business_event(&args.topic, args.event.as_deref()).into_bytes(),
    };
    let now = unix_now();
    let signed = |secret: &str, t: u64| -> String {
        let header = if onboarding {
            sign_onboarding(secret, &body)
        } else {
            sign(secret, &body, t)
        };
        header.map(|h| h.to_string()).unwrap_or_default()
    };
    let header_name = if onboarding {
        ONBOARDING_HEADER
    } else {
        BUSINESS_HEADER
    };
    let genuine = Shot {
        label: "genuine",
        body: body.clone(),
        header_name,
        header: signed(args.secret.expose(), now),
        expect_success: true,
    };
    let mut shots = vec![];
    let (tampered, stale, wrong, reframed, replay) = (
        args.tampered || args.check,
        (args.stale || args.check) && !onboarding,
        args.wrong_secret || args.check,
        (args.reframed || args.check) && !onboarding,
        args.replay || args.check,
    );
    if args.stale && onboarding {
        eprintln!("note: onboarding webhooks carry no timestamp; --stale does not apply");
    }
    if args.reframed && onboarding {
        eprintln!(
            "note: --reframed resends a business webhook as an onboarding one; it does not apply to --scheme onboarding"
        );
    }
    if tampered {
        let mut body = body.clone();
        // Change a digit or letter in the middle: still valid JSON, other bytes.
        let mid = body.len() / 2;
        let (head, tail) = body.split_at_mut(mid);
        match tail
            .iter_mut()
            .chain(head.iter_mut())
            .find(|b| b.is_ascii_alphanumeric())
        {
            Some(b) => *b = if *b == b'1' { b'2' } else { b'1' },
            None => body.push(b' '),
        }
        shots.push(Shot {
            label: "tampered",
            body,
            header_name,
            header: genuine.header.clone(),
            expect_success: false,
        });
    }
    if stale {
        shots.push(Shot {
            label: "stale",
            body: body.clone(),
            header_name,
            header: signed(args.secret.expose(), now.saturating_sub(600)),
            expect_success: false,
        });
    }
    if wrong {
        shots.push(Shot {
            label: "wrong-secret",
            body: body.clone(),
            header_name,
            header: signed("whsec_not_the_endpoint_secret_0000000000000", now),
            expect_success: false,
        });
    }
    if reframed {
        // The business MAC of (t, body) is the onboarding MAC of the body `t.body`.
        let mut reframed_body = format!("{now}.").into_bytes();
        reframed_body.extend_from_slice(&body);
        let v1 = genuine
            .header
            .split_once(",v1=")
            .map_or_else(String::new, |(_, v1)| v1.to_owned());
        shots.push(Shot {
            label: "reframed",
            body: reframed_body,
            header_name: ONBOARDING_HEADER,
            header: v1,
            expect_success: false,
        });
    }
    let agent = agent(args.timeout);
    let what = if onboarding {
        "onboarding event".to_owned()
    } else {
        args.topic.clone()
    };
    println!("POST {} ({what}, {} bytes)", args.url, body.len());
    let mut all_as_expected = true;
    let mut fire = |shot: &Shot, label: &str| -> Result<(), ExitCode> {
        match post(&agent, &args.url, shot, args.retries) {
            Ok((status, text, elapsed)) => {
                let ok = (200..300).contains(&status);
                let as_expected = ok == shot.expect_success && (ok || (400..500).contains(&status));
                all_as_expected &= as_expected;
                let first_line = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(120)
                    .collect::<String>();
                println!(
                    "  {label:<13} -> {status} in {:>6.1} ms  {}  {first_line}",
                    elapsed.as_secs_f64() * 1000.0,
                    match (as_expected, shot.expect_success) {
                        (true, _) => "as expected",
                        (false, true) => "UNEXPECTED (a correct endpoint answers 2xx)",
                        (false, false) => "UNEXPECTED (a correct endpoint answers 4xx)",
                    }
                );
                Ok(())
            }
            Err(message) => {
                eprintln!("error: {message}");
                Err(ExitCode::from(1))
            }
        }
    };
    if let Err(code) = fire(&genuine, genuine.label) {
        return code;
    }
    for shot in &shots {
        if let Err(code) = fire(shot, shot.label) {
            return code;
        }
    }
    if replay {
        let again = Shot {
            expect_success: false,
            ..genuine
        };
        if let Err(code) = fire(&again, "replay") {
            return code;
        }
    }
    if all_as_expected {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
