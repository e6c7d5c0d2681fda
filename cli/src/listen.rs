//! `qonto-webhooks listen`: a local receiver that verifies and pretty-prints what arrives, and
//! answers like a correct endpoint: 2xx for a genuine new event, 4xx otherwise.

use std::collections::HashSet;
use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use crate::SecretArgs;
use qonto_webhooks::events::ConstructError;
use qonto_webhooks::{BUSINESS_HEADER, ONBOARDING_HEADER, Tolerance, Verifier, unix_now};

/// Bodies above this size are refused with 413: Qonto's events are a few KiB.
const MAX_BODY: u64 = 1 << 20;

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to bind: loopback by default; use 0.0.0.0 only behind a tunnel you trust.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[command(flatten)]
    secret: SecretArgs,
    /// The replay window in seconds (default 300).
    #[arg(long, value_name = "SECS")]
    tolerance: Option<u64>,
    /// Stop after this many requests.
    #[arg(long)]
    max_requests: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long)]
    max_seconds: Option<u64>,
}

struct Answer {
    status: u16,
    json: String,
    line: String,
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn reject(code: &str, message: &str) -> Answer {
    Answer {
        status: 400,
        json: format!(
            r#"{{"error":{},"message":{}}}"#,
            json_string(code),
            json_string(message)
        ),
        line: format!("rejected [{code}]: {message}"),
    }
}

fn handle(
    verifier: &Verifier,
    seen: &mut HashSet<String>,
    method: &str,
    headers: &[tiny_http::Header],
    body: &[u8],
) -> Answer {
    if method != "POST" {
        return Answer {
            status: 405,
            json: r#"{"error":"method_not_allowed"}"#.into(),
            line: format!("{method}: only POST is accepted"),
        };
    }
    let find = |name: &'static str| {
        headers
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let rejected = |e: ConstructError| reject(e.code(), &e.to_string());
    let (id, summary) = if let Some(header) = find(BUSINESS_HEADER) {
        match verifier.construct_event(body, &header, unix_now()) {
            Ok(event) => {
                let summary = format!(
                    "{} {} id={} created_at={}",
                    event.topic,
                    event.data.event.as_deref().unwrap_or("-"),
                    event.id,
                    event.created_at
                );
                (event.id, summary)
            }
            Err(e) => return rejected(e),
        }
    } else if let Some(header) = find(ONBOARDING_HEADER) {
        match verifier.construct_onboarding_event(body, &header) {
            Ok(event) => {
                let summary = format!(
                    "onboarding {} {}={} id={}",
                    event.event_type, event.resource_type, event.resource_id, event.id
                );
                (event.id, summary)
            }
            Err(e) => return rejected(e),
        }
    } else {
        return reject(
            "missing_header",
            "neither X-Qonto-Signature nor Qonto-SHA256-Signature is present",
        );
    };
    if !seen.insert(id.clone()) {
        return Answer {
            status: 409,
            json: format!(r#"{{"error":"duplicate_event","id":{}}}"#, json_string(&id)),
            line: format!(
                "rejected [duplicate_event]: event {id} was already processed (a replay)"
            ),
        };
    }
    let pretty = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_default();
    Answer {
        status: 200,
        json: r#"{"received":true}"#.into(),
        line: format!("accepted {summary}\n{pretty}"),
    }
}

pub fn run(args: &ListenArgs) -> ExitCode {
    let tolerance = args
        .tolerance
        .map_or(Tolerance::default(), Tolerance::Seconds);
    let verifier = match Verifier::with_secrets(&args.secret.secrets) {
        Ok(v) => v.with_tolerance(tolerance),
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
    let server = match tiny_http::Server::http((args.host.as_str(), args.port)) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", args.host, args.port);
            return ExitCode::from(1);
        }
    };
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("{}:{}", args.host, args.port), |a| a.to_string());
    println!("listening on http://{addr}/ (Ctrl-C to stop)");
    let started = Instant::now();
    let deadline = args.max_seconds.map(|s| started + Duration::from_secs(s));
    let mut seen = HashSet::new();
    let mut served = 0u64;
    loop {
        if args.max_requests.is_some_and(|max| served >= max) {
            break;
        }
        let wait = match deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) => left,
                None => break,
            },
            None => Duration::from_secs(3600),
        };
        let mut request = match server.recv_timeout(wait) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        served += 1;
        let mut body = Vec::new();
        let too_big = request.body_length().is_some_and(|n| n as u64 > MAX_BODY)
            || request
                .as_reader()
                .take(MAX_BODY + 1)
                .read_to_end(&mut body)
                .map_or(true, |n| n as u64 > MAX_BODY);
        let answer = if too_big {
            Answer {
                status: 413,
                json: r#"{"error":"body_too_large"}"#.into(),
                line: "rejected: body larger than 1 MiB".into(),
            }
        } else {
            handle(
                &verifier,
                &mut seen,
                request.method().as_str(),
                request.headers(),
                &body,
            )
        };
        println!(
            "{} {} -> {} {}",
            request.method(),
            request.url(),
            answer.status,
            answer.line
        );
        let content_type = tiny_http::Header::from_bytes("Content-Type", "application/json")
            .unwrap_or_else(|()| unreachable!("a valid header"));
        let response = tiny_http::Response::from_string(answer.json)
            .with_status_code(answer.status)
            .with_header(content_type);
        if let Err(e) = request.respond(response) {
            eprintln!("warning: could not answer: {e}");
        }
    }
    ExitCode::SUCCESS
}
