//! `qonto-webhooks send`: POST a signed example event to an endpoint, as Qonto does, and check that
//! the endpoint accepts the genuine one and rejects tampered, stale, wrong-secret and reframed
//! ones. The replay (the genuine delivery again) may be refused (4xx) or acknowledged as a
//! duplicate (2xx whose JSON body says `"duplicate": true`): `--expect-duplicate` says which.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
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
    /// Also send the genuine request a second time, unchanged: an endpoint that deduplicates
    /// event ids refuses it (4xx) or acknowledges it as a duplicate (2xx with `"duplicate": true`
    /// in its JSON body), without processing it again. See --expect-duplicate.
    #[arg(long)]
    replay: bool,
    /// Which answer to the replay passes: `4xx` (refused), `2xx` (acknowledged as a duplicate: the
    /// body must say `"duplicate": true`, or the handler may have run twice) or either.
    #[arg(long, value_enum, value_name = "2xx|4xx|either", default_value_t)]
    expect_duplicate: ExpectDuplicate,
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

/// `--expect-duplicate`: the answers to the replay that pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ExpectDuplicate {
    /// A 2xx whose JSON body says `"duplicate": true`.
    #[value(name = "2xx")]
    Acknowledged,
    /// A 4xx.
    #[value(name = "4xx")]
    Refused,
    /// Either of them.
    #[default]
    Either,
}

/// What a correct endpoint answers to a shot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// 2xx.
    Success,
    /// 4xx.
    Refusal,
    /// The replay: as `--expect-duplicate` says.
    Duplicate(ExpectDuplicate),
}

/// Whether the answer `status`, `body` is what a correct endpoint gives, and the words for it.
fn judge(expect: Expect, status: u16, body: &str) -> (bool, String) {
    let success = (200..300).contains(&status);
    let refusal = (400..500).contains(&status);
    match expect {
        Expect::Success if success => (true, "as expected".into()),
        Expect::Refusal if refusal => (true, "as expected".into()),
        Expect::Success => (false, "UNEXPECTED (a correct endpoint answers 2xx)".into()),
        Expect::Refusal => (false, "UNEXPECTED (a correct endpoint answers 4xx)".into()),
        Expect::Duplicate(mode) => {
            let says_duplicate = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("duplicate")?.as_bool())
                == Some(true);
            match (mode, success, refusal) {
                (ExpectDuplicate::Refused | ExpectDuplicate::Either, _, true) => {
                    (true, "as expected: refused (4xx)".into())
                }
                (ExpectDuplicate::Acknowledged, _, true) => (
                    false,
                    "UNEXPECTED (refused (4xx); --expect-duplicate 2xx wants it acknowledged as a duplicate)".into(),
                ),
                (_, true, _) if !says_duplicate => (
                    false,
                    "UNEXPECTED (answered 2xx without saying duplicate: the handler may have run twice)".into(),
                ),
                (ExpectDuplicate::Acknowledged | ExpectDuplicate::Either, true, _) => {
                    (true, "as expected: acknowledged as duplicate (2xx)".into())
                }
                (ExpectDuplicate::Refused, true, _) => (
                    false,
                    "UNEXPECTED (acknowledged as duplicate (2xx); --expect-duplicate 4xx wants it refused)".into(),
                ),
                _ => (
                    false,
                    "UNEXPECTED (a correct endpoint refuses a replay (4xx) or acknowledges it as a duplicate (2xx))".into(),
                ),
            }
        }
    }
}

struct Shot {
    label: &'static str,
    body: Vec<u8>,
    header_name: &'static str,
    header: String,
    expect: Expect,
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
        expect: Expect::Success,
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
            expect: Expect::Refusal,
        });
    }
    if stale {
        shots.push(Shot {
            label: "stale",
            body: body.clone(),
            header_name,
            header: signed(args.secret.expose(), now.saturating_sub(600)),
            expect: Expect::Refusal,
        });
    }
    if wrong {
        shots.push(Shot {
            label: "wrong-secret",
            body: body.clone(),
            header_name,
            header: signed("whsec_not_the_endpoint_secret_0000000000000", now),
            expect: Expect::Refusal,
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
            expect: Expect::Refusal,
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
                let (as_expected, verdict) = judge(shot.expect, status, &text);
                all_as_expected &= as_expected;
                let first_line = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(120)
                    .collect::<String>();
                println!(
                    "  {label:<13} -> {status} in {:>6.1} ms  {verdict}  {first_line}",
                    elapsed.as_secs_f64() * 1000.0,
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
            expect: Expect::Duplicate(args.expect_duplicate),
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

#[cfg(test)]
mod tests {
    use super::*;

    const DUP: &str = r#"{"duplicate":true,"id":"e1"}"#;
    const RECEIVED: &str = r#"{"received":true}"#;

    fn replay(mode: ExpectDuplicate, status: u16, body: &str) -> (bool, String) {
        judge(Expect::Duplicate(mode), status, body)
    }

    #[test]
    fn the_replay_passes_as_the_mode_says() {
        use ExpectDuplicate::{Acknowledged, Either, Refused};
        for (mode, status, body, pass, words) in [
            (Either, 200, DUP, true, "acknowledged as duplicate (2xx)"),
            (Either, 409, "", true, "refused (4xx)"),
            (
                Either,
                200,
                RECEIVED,
                false,
                "the handler may have run twice",
            ),
            (Either, 204, "", false, "the handler may have run twice"),
            (
                Either,
                500,
                DUP,
                false,
                "refuses a replay (4xx) or acknowledges",
            ),
            (
                Acknowledged,
                200,
                DUP,
                true,
                "acknowledged as duplicate (2xx)",
            ),
            (Acknowledged, 409, DUP, false, "--expect-duplicate 2xx"),
            (
                Acknowledged,
                200,
                r#"{"duplicate":"yes"}"#,
                false,
                "run twice",
            ),
            (Refused, 400, "", true, "refused (4xx)"),
            (Refused, 200, DUP, false, "--expect-duplicate 4xx"),
            (
                Refused,
                200,
                RECEIVED,
                false,
                "the handler may have run twice",
            ),
            (Refused, 302, "", false, "refuses a replay (4xx)"),
        ] {
            let (ok, text) = replay(mode, status, body);
            assert_eq!(ok, pass, "{mode:?} {status} {body}: {text}");
            assert!(text.contains(words), "{mode:?} {status} {body}: {text}");
            assert_eq!(text.starts_with("as expected"), pass, "{text}");
            assert_eq!(text.starts_with("UNEXPECTED"), !pass, "{text}");
        }
    }

    #[test]
    fn the_other_shots_are_unchanged() {
        assert!(judge(Expect::Success, 200, "").0);
        assert!(judge(Expect::Success, 200, DUP).0);
        assert!(judge(Expect::Success, 400, "").1.contains("answers 2xx"));
        assert!(judge(Expect::Refusal, 401, "").0);
        // A 2xx that says duplicate does not excuse accepting a tampered event.
        assert!(judge(Expect::Refusal, 200, DUP).1.contains("answers 4xx"));
        assert!(!judge(Expect::Refusal, 500, "").0);
    }
}
