//! `qonto-webhooks listen`: a local receiver that verifies and pretty-prints what arrives, and
//! answers like a correct endpoint: 2xx for a genuine new event, 4xx otherwise. Events are
//! deduplicated on their `id` with the core's idempotency guard (`Guard`, in memory): a repeated
//! delivery is acknowledged with 200 `{"duplicate": true, "id": ..}` (so that Qonto stops
//! retrying) and printed as a duplicate, never processed twice.
//!
//! The endpoint's configuration (`--schemes`) picks the header to verify, never the request
//! (`Schemes::select`, the core's one rule). Each scheme is verified with its own verifier: the
//! onboarding one keyed with `--onboarding-secret` when given.
//!
//! A small HTTP/1.1 server on `std::net`, one thread per connection and one request per
//! connection: tiny_http, used before, read bodies on the accepting thread (one slow client
//! stalled every other and `--max-seconds`), had no header size limit and no read timeout. Here
//! every read is bounded in bytes and in time, the signature header and the window are checked
//! before the body is read, and what comes from the request is printed with its control
//! characters escaped.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use qonto_webhooks::events::{Event, OnboardingEvent};
use qonto_webhooks::idempotency::{ClaimState, Guard};
use qonto_webhooks::{
    BUSINESS_HEADER, Error, Incremental, ONBOARDING_HEADER, Scheme, Schemes, Tolerance, Verified,
    Verifier, unix_now,
};
use serde_json::{Value, json};

use crate::SecretString;

/// Bodies above this size are refused with 413: Qonto's events are a few KiB.
const MAX_BODY: usize = 1 << 20;
/// The request line and headers together: above this, 431 (a signature header is at most 4 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// Time for the whole request line and headers to arrive.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for the whole body to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Time for the answer to be taken by the client.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more are answered 503 at once.
const MAX_CONNECTIONS: usize = 64;
/// After answering early, what is read and thrown away (so the client sees the answer rather
/// than a reset), at most.
const DRAIN_BYTES: usize = MAX_BODY + MAX_HEAD;
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// `--schemes`: which webhooks this endpoint accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SchemesArg {
    /// Business webhooks only (`X-Qonto-Signature`).
    #[default]
    Business,
    /// Onboarding webhooks only (`Qonto-SHA256-Signature`).
    Onboarding,
    /// Both: the business header when present, else the onboarding one.
    Both,
}

impl From<SchemesArg> for Schemes {
    fn from(s: SchemesArg) -> Schemes {
        match s {
            SchemesArg::Business => Schemes::Business,
            SchemesArg::Onboarding => Schemes::Onboarding,
            SchemesArg::Both => Schemes::Both,
        }
    }
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to bind: loopback by default; use 0.0.0.0 only behind a tunnel you trust.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Which webhooks to accept. The endpoint decides which header is verified, never the
    /// request: a business webhook resent as an onboarding one is refused unless onboarding is
    /// accepted (and then fails its own secret).
    #[arg(long, value_enum, default_value_t)]
    schemes: SchemesArg,
    /// The webhook secret (business webhooks; also onboarding ones when --onboarding-secret is
    /// not given). Repeat for rotation. Prefer the environment variable: a command line is
    /// visible to other users of the machine.
    #[arg(
        long = "secret",
        value_name = "S",
        env = "QONTO_WEBHOOK_SECRET",
        hide_env_values = true,
        required_unless_present = "onboarding_secrets"
    )]
    secrets: Vec<SecretString>,
    /// The onboarding webhooks' secret (their own registration at Qonto), for --schemes both or
    /// onboarding. Repeat for rotation.
    #[arg(
        long = "onboarding-secret",
        value_name = "S",
        env = "QONTO_ONBOARDING_SECRET",
        hide_env_values = true
    )]
    onboarding_secrets: Vec<SecretString>,
    /// The replay window in seconds (default 300).
    #[arg(long, value_name = "SECS", conflicts_with = "no_tolerance")]
    tolerance: Option<u64>,
    /// Accept any timestamp: only for replaying archived events.
    #[arg(long)]
    no_tolerance: bool,
    /// Verify as if the time were this (unix seconds) instead of the system clock.
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
    /// Stop after this many requests.
    #[arg(long)]
    max_requests: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long)]
    max_seconds: Option<u64>,
}

/// What a connection thread needs.
struct Shared {
    schemes: Schemes,
    business: Option<Verifier>,
    onboarding: Option<Verifier>,
    now: Option<u64>,
    /// The event ids already processed (scheme and id), for the guard's TTL.
    guard: Guard,
    active: AtomicUsize,
}

/// One answer: status, JSON body, and what is printed (one summary line, then maybe more).
struct Answer {
    status: u16,
    json: Value,
    summary: String,
    detail: Option<String>,
    /// `Retry-After`, in seconds.
    retry_after: Option<u64>,
}

impl Answer {
    fn new(status: u16, json: Value, summary: impl Into<String>) -> Answer {
        Answer {
            status,
            json,
            summary: summary.into(),
            detail: None,
            retry_after: None,
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Answer {
        Answer::new(
            status,
            json!({ "error": code, "message": message }),
            format!("rejected [{code}]: {message}"),
        )
    }

    fn rejected(e: &Error) -> Answer {
        Answer::error(400, e.code(), &e.to_string())
    }
}

fn verified_json(v: &Verified) -> Value {
    json!({ "scheme": v.scheme.as_str(), "secret_index": v.secret_index })
}

/// Control characters (C0, DEL, C1) and bidirectional overrides escaped as `\u{..}`: what a
/// request sends never reaches the terminal as an escape sequence.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`escape`] for each line of a multi-line text, keeping its line breaks.
fn escape_lines(text: &str) -> String {
    text.lines().map(escape).collect::<Vec<_>>().join("\n")
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

fn respond(stream: &mut TcpStream, answer: &Answer) -> io::Result<()> {
    let body = answer.json.to_string();
    let mut extra = String::new();
    if answer.status == 405 {
        extra.push_str("Allow: POST\r\n");
    }
    if let Some(secs) = answer.retry_after {
        extra.push_str(&format!("Retry-After: {secs}\r\n"));
    }
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        answer.status,
        reason(answer.status),
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

/// A read that gives up at `deadline`.
fn read_until(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| io::Error::from(io::ErrorKind::TimedOut))?;
    stream.set_read_timeout(Some(left))?;
    stream.read(buf)
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// Where the head ends: the index just past the empty line (`\r\n\r\n` or `\n\n`).
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.iter().enumerate().find_map(|(i, &b)| {
        if b != b'\n' {
            return None;
        }
        match buf.get(i + 1..) {
            Some([b'\n', ..]) => Some(i + 2),
            Some([b'\r', b'\n', ..]) => Some(i + 3),
            _ => None,
        }
    })
}

/// The request line and headers.
struct Head {
    method: String,
    target: String,
    /// Lowercased names, raw values (spaces and tabs around them trimmed).
    headers: Vec<(String, Vec<u8>)>,
}

impl Head {
    /// Every value of the header `name`, joined with `, ` as HTTP does for repeated fields.
    fn get(&self, name: &str) -> Option<Vec<u8>> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice());
        let first = values.next()?.to_vec();
        Some(values.fold(first, |mut all, v| {
            all.extend_from_slice(b", ");
            all.extend_from_slice(v);
            all
        }))
    }
}

fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

fn lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// The first line as it can be printed (for requests refused before they parse).
fn first_line(buf: &[u8]) -> String {
    let line = lines(buf).next().unwrap_or_default();
    let line = line.get(..200).unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

fn parse_head(raw: &[u8]) -> Result<Head, &'static str> {
    let mut lines = lines(raw).filter(|l| !l.is_empty());
    let request = lines.next().ok_or("no request line")?;
    let mut parts = request.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the request line is not `METHOD TARGET HTTP/1.x`");
    };
    if !version.starts_with(b"HTTP/1.") || method.is_empty() || target.is_empty() {
        return Err("the request line is not `METHOD TARGET HTTP/1.x`");
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            return Err("folded header lines are not accepted");
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or("a header line has no `:`")?;
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        if name.is_empty()
            || !name
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
        {
            return Err("a header name is not a token");
        }
        headers.push((
            String::from_utf8_lossy(name).to_ascii_lowercase(),
            trim(value).to_vec(),
        ));
    }
    Ok(Head {
        method: String::from_utf8_lossy(method).into_owned(),
        target: String::from_utf8_lossy(target).into_owned(),
        headers,
    })
}

/// What reading the head gave.
enum HeadRead {
    /// The head, and the bytes of the body read with it.
    Done(Vec<u8>, Vec<u8>),
    /// Closed before anything arrived: nothing to answer.
    Nothing,
    /// Refused, with what was read so far (for the printed line).
    Refused(Answer, Vec<u8>),
}

fn read_head(stream: &mut TcpStream) -> HeadRead {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match read_until(stream, &mut chunk, deadline) {
            Ok(0) if buf.is_empty() => return HeadRead::Nothing,
            Ok(0) => {
                let answer = Answer::error(400, "bad_request", "the request ended in its headers");
                return HeadRead::Refused(answer, buf);
            }
            Ok(n) => n,
            Err(e) if is_timeout(&e) => {
                let answer = Answer::error(
                    408,
                    "request_timeout",
                    "the request line and headers did not arrive in time",
                );
                return HeadRead::Refused(answer, buf);
            }
            Err(_) => return HeadRead::Nothing,
        };
        // Search from just before the new bytes: the empty line may straddle two reads.
        let from = buf.len().saturating_sub(2);
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(end) = buf.get(from..).and_then(head_end).map(|e| e + from) {
            if end > MAX_HEAD {
                break;
            }
            let rest = buf.split_off(end);
            return HeadRead::Done(buf, rest);
        }
        if buf.len() > MAX_HEAD {
            break;
        }
    }
    let answer = Answer::error(
        431,
        "header_too_large",
        &format!("the request line and headers exceed {MAX_HEAD} bytes"),
    );
    HeadRead::Refused(answer, buf)
}

/// The body's length from `Content-Length`, or the answer refusing the request.
fn content_length(head: &Head) -> Result<usize, Box<Answer>> {
    if head.get("transfer-encoding").is_some() {
        return Err(Box::new(Answer::error(
            411,
            "length_required",
            "send the body with Content-Length (chunked bodies are not accepted)",
        )));
    }
    let Some(value) = head.get("content-length") else {
        return Ok(0);
    };
    // Repeated fields were joined with ", ": they must all agree.
    let mut lengths = value.split(|&b| b == b',').map(trim);
    let first = lengths.next().unwrap_or_default();
    let parsed = std::str::from_utf8(first)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok());
    match parsed {
        Some(n) if lengths.all(|l| l == first) => match usize::try_from(n) {
            Ok(n) if n <= MAX_BODY => Ok(n),
            _ => Err(Box::new(Answer::error(
                413,
                "body_too_large",
                "the body is larger than 1 MiB",
            ))),
        },
        _ => Err(Box::new(Answer::error(
            400,
            "bad_request",
            "Content-Length is not one decimal number",
        ))),
    }
}

impl Shared {
    /// Chooses the header by the configured schemes, then starts verifying it with the verifier
    /// of that scheme: the header's syntax and the window are checked here, before the body.
    fn start(&self, head: &Head) -> Result<Incremental, Error> {
        let business = head.get(BUSINESS_HEADER);
        let onboarding = head.get(ONBOARDING_HEADER);
        let (scheme, header) = self
            .schemes
            .select(business.as_deref(), onboarding.as_deref())?;
        let verifier = match scheme {
            Scheme::Business => self.business.as_ref(),
            Scheme::Onboarding => self.onboarding.as_ref(),
        };
        let Some(verifier) = verifier else {
            unreachable!("a verifier is built for every accepted scheme")
        };
        match scheme {
            Scheme::Business => verifier.start(header, self.now.unwrap_or_else(unix_now)),
            Scheme::Onboarding => verifier.start_onboarding(header),
        }
    }

    /// The answer to a request whose head has been read; `early` is the start of the body.
    fn answer(&self, stream: &mut TcpStream, head: &Head, early: Vec<u8>) -> Answer {
        if head.method != "POST" {
            return Answer::new(
                405,
                json!({ "error": "method_not_allowed" }),
                format!("{}: only POST is accepted", head.method),
            );
        }
        let length = match content_length(head) {
            Ok(n) => n,
            Err(answer) => return *answer,
        };
        let mut state = match self.start(head) {
            Ok(state) => state,
            Err(e) => return Answer::rejected(&e),
        };
        let continue_ = head
            .get("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        if continue_ && early.is_empty() {
            let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        let body = match read_body(stream, early, length) {
            Ok(body) => body,
            Err(answer) => return *answer,
        };
        state.update(&body);
        match state.finish() {
            Ok(verified) => self.accept(&body, &verified),
            Err(e) => Answer::rejected(&e),
        }
    }

    /// A verified body: parsed, deduplicated on its scheme and id by the guard, pretty-printed.
    fn accept(&self, body: &[u8], verified: &Verified) -> Answer {
        let parsed = match verified.scheme {
            Scheme::Business => serde_json::from_slice::<Event>(body).map(|event| {
                let summary = format!(
                    "{} {} id={} created_at={}",
                    event.topic,
                    event.data.event.as_deref().unwrap_or("-"),
                    event.id,
                    event.created_at
                );
                (event.id, summary)
            }),
            Scheme::Onboarding => serde_json::from_slice::<OnboardingEvent>(body).map(|event| {
                let summary = format!(
                    "onboarding {} {}={} id={}",
                    event.event_type, event.resource_type, event.resource_id, event.id
                );
                (event.id, summary)
            }),
        };
        let how = format!(
            "(scheme={} secret={})",
            verified.scheme.as_str(),
            verified.secret_index
        );
        let (id, summary) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => {
                let message = format!("the verified body is not a Qonto event: {e}");
                return Answer::new(
                    400,
                    json!({ "error": "invalid_payload", "message": message, "verified": verified_json(verified) }),
                    format!("rejected [invalid_payload] {how}: {message}"),
                );
            }
        };
        if id.is_empty() {
            let message = "the event has no string `id` to deduplicate on";
            return Answer::new(
                400,
                json!({ "error": "invalid_payload", "message": message, "verified": verified_json(verified) }),
                format!("rejected [invalid_payload] {how}: {message}"),
            );
        }
        let claim = match self.guard.claim(verified.scheme, &id) {
            Ok(claim) => claim,
            Err(e) => return Answer::error(503, e.code(), &e.to_string()),
        };
        match claim.state {
            ClaimState::Claimed => {
                let token = claim.token.unwrap_or_default();
                let answer = processed(body, verified, &summary, &how);
                // Printing and answering cannot fail: the event is done.
                if let Err(e) = self.guard.complete(verified.scheme, &id, &token) {
                    return Answer::error(503, e.code(), &e.to_string());
                }
                answer
            }
            ClaimState::Processing => {
                let message = format!(
                    "event {id} is being processed by another delivery; Qonto will retry it"
                );
                Answer {
                    retry_after: Some(self.guard.lease().as_secs()),
                    ..Answer::new(
                        409,
                        json!({ "error": "duplicate_in_progress", "message": message, "id": id, "verified": verified_json(verified) }),
                        format!("duplicate {id} (being processed by another delivery) {how}"),
                    )
                }
            }
            ClaimState::Done => Answer::new(
                200,
                json!({ "duplicate": true, "id": id, "verified": verified_json(verified) }),
                format!("duplicate {id} (already processed) {how}"),
            ),
        }
    }
}

/// The answer to a new event: acknowledged, its summary and pretty JSON printed.
fn processed(body: &[u8], verified: &Verified, summary: &str, how: &str) -> Answer {
    let pretty = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_default();
    Answer {
        status: 200,
        json: json!({ "received": true, "verified": verified_json(verified) }),
        summary: format!("accepted {summary} {how}"),
        detail: Some(pretty),
        retry_after: None,
    }
}

/// Reads exactly `length` bytes of body (the first ones may have come with the head), within
/// [`BODY_TIMEOUT`].
fn read_body(
    stream: &mut TcpStream,
    mut body: Vec<u8>,
    length: usize,
) -> Result<Vec<u8>, Box<Answer>> {
    body.truncate(length);
    body.reserve_exact(length - body.len());
    let deadline = Instant::now() + BODY_TIMEOUT;
    let mut chunk = [0u8; 16 * 1024];
    while body.len() < length {
        let want = (length - body.len()).min(chunk.len());
        let buf = chunk.get_mut(..want).unwrap_or_default();
        match read_until(stream, buf, deadline) {
            Ok(0) => {
                return Err(Box::new(Answer::error(
                    400,
                    "bad_request",
                    "the body is shorter than its Content-Length",
                )));
            }
            Ok(n) => body.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) if is_timeout(&e) => {
                return Err(Box::new(Answer::error(
                    408,
                    "request_timeout",
                    "the body did not arrive in time",
                )));
            }
            Err(e) => {
                return Err(Box::new(Answer::error(
                    400,
                    "bad_request",
                    &format!("reading the body failed: {e}"),
                )));
            }
        }
    }
    Ok(body)
}

/// Reads and drops what the client still sends (bounded), so that it reads the answer instead of
/// a connection reset.
fn drain(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + DRAIN_TIME;
    let mut chunk = [0u8; 16 * 1024];
    let mut drained = 0;
    while drained < DRAIN_BYTES {
        match read_until(stream, &mut chunk, deadline) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn print(request: &str, answer: &Answer) {
    let mut text = format!("{request} -> {} {}", answer.status, escape(&answer.summary));
    if let Some(detail) = answer.detail.as_deref().filter(|d| !d.is_empty()) {
        text.push('\n');
        text.push_str(&escape_lines(detail));
    }
    // A closed stdout is no reason to stop answering.
    let _ = writeln!(io::stdout().lock(), "{text}");
}

/// Serves one connection: one request, one answer. Returns whether a request was answered.
fn serve(mut stream: TcpStream, shared: &Shared) -> bool {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (request, answer) = match read_head(&mut stream) {
        HeadRead::Nothing => return false,
        HeadRead::Refused(answer, buf) => (escape(&first_line(&buf)), answer),
        HeadRead::Done(raw, early) => match parse_head(&raw) {
            Ok(head) => {
                let target = head.target.get(..200).unwrap_or(&head.target);
                let request = format!("{} {}", escape(&head.method), escape(target));
                (request, shared.answer(&mut stream, &head, early))
            }
            Err(why) => (
                escape(&first_line(&raw)),
                Answer::error(400, "bad_request", why),
            ),
        },
    };
    print(&request, &answer);
    if let Err(e) = respond(&mut stream, &answer) {
        let _ = writeln!(io::stderr(), "warning: could not answer: {e}");
    }
    drain(&mut stream);
    true
}

/// Holds one of the [`MAX_CONNECTIONS`] places until dropped.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

fn too_busy(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let answer = Answer::error(503, "too_busy", "too many connections at once");
    let _ = respond(&mut stream, &answer);
}

/// Accepts connections forever, one thread each; sends `()` for each request answered.
fn accept(listener: &TcpListener, shared: &Arc<Shared>, served: &mpsc::Sender<()>) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                let _ = writeln!(io::stderr(), "warning: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if shared.active.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            shared.active.fetch_sub(1, Ordering::AcqRel);
            too_busy(stream);
            continue;
        }
        let slot = Slot(Arc::clone(shared));
        let served = served.clone();
        let spawned = std::thread::Builder::new().spawn(move || {
            if serve(stream, &slot.0) {
                let _ = served.send(());
            }
            drop(slot);
        });
        if let Err(e) = spawned {
            let _ = writeln!(io::stderr(), "warning: cannot start a thread: {e}");
        }
    }
}

fn build(secrets: &[SecretString], tolerance: Tolerance) -> Result<Verifier, Error> {
    Verifier::with_secrets(secrets).map(|v| v.with_tolerance(tolerance))
}

pub fn run(args: &ListenArgs) -> ExitCode {
    let tolerance = match (args.no_tolerance, args.tolerance) {
        (true, _) => Tolerance::Disabled,
        (false, Some(secs)) => Tolerance::Seconds(secs),
        (false, None) => Tolerance::default(),
    };
    let schemes = Schemes::from(args.schemes);
    if schemes.accepts(Scheme::Business) && args.secrets.is_empty() {
        eprintln!(
            "error: --schemes {schemes} needs the business secret: --secret or QONTO_WEBHOOK_SECRET"
        );
        return ExitCode::from(2);
    }
    let onboarding_secrets = if args.onboarding_secrets.is_empty() {
        &args.secrets
    } else {
        &args.onboarding_secrets
    };
    let verifiers = (
        schemes
            .accepts(Scheme::Business)
            .then(|| build(&args.secrets, tolerance))
            .transpose(),
        schemes
            .accepts(Scheme::Onboarding)
            .then(|| build(onboarding_secrets, tolerance))
            .transpose(),
    );
    let (business, onboarding) = match verifiers {
        (Ok(b), Ok(o)) => (b, o),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error[{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
    if schemes == Schemes::Both && args.onboarding_secrets.is_empty() {
        eprintln!(
            "warning: both schemes with the same secret: a captured business webhook can be replayed as an onboarding one; give the onboarding secret with --onboarding-secret (or QONTO_ONBOARDING_SECRET)"
        );
    }
    let listener = match TcpListener::bind((args.host.as_str(), args.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", args.host, args.port);
            return ExitCode::from(1);
        }
    };
    let addr = listener.local_addr().map_or_else(
        |_| format!("{}:{}", args.host, args.port),
        |a| a.to_string(),
    );
    let accepts = match schemes {
        Schemes::Both => "business and onboarding",
        other => other.as_str(),
    };
    println!("listening on http://{addr}/ (accepts {accepts} webhooks; Ctrl-C to stop)");
    let shared = Arc::new(Shared {
        schemes,
        business,
        onboarding,
        now: args.now,
        guard: Guard::default(),
        active: AtomicUsize::new(0),
    });
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new().spawn(move || accept(&listener, &shared, &tx));
    if let Err(e) = spawned {
        eprintln!("error: cannot start the listener thread: {e}");
        return ExitCode::from(1);
    }
    // This thread only counts answers and watches the clock, so --max-seconds holds whatever the
    // clients do.
    let deadline = args
        .max_seconds
        .map(|s| Instant::now() + Duration::from_secs(s));
    let mut served = 0u64;
    while args.max_requests.is_none_or(|max| served < max) {
        let wait = match deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left,
                _ => break,
            },
            None => Duration::from_secs(3600),
        };
        match rx.recv_timeout(wait) {
            Ok(()) => served += 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                eprintln!("error: the listener stopped");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_bidi_characters() {
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            escape("x\u{9b}y\u{7f}\u{202e}"),
            "x\\u{9b}y\\u{7f}\\u{202e}"
        );
        assert_eq!(escape("line\nnext\r"), "line\\u{a}next\\u{d}");
        assert_eq!(escape_lines("a\n\u{7}b"), "a\n\\u{7}b");
        assert_eq!(escape("été /webhooks"), "été /webhooks");
    }

    #[test]
    fn heads_end_at_the_empty_line() {
        assert_eq!(head_end(b"POST / HTTP/1.1\r\nA: b\r\n\r\nbody"), Some(25));
        assert_eq!(head_end(b"POST / HTTP/1.1\nA: b\n\nbody"), Some(22));
        assert_eq!(head_end(b"POST / HTTP/1.1\r\nA: b\r\n"), None);
    }

    #[test]
    fn heads_parse_strictly() {
        let head = parse_head(
            b"POST /w HTTP/1.1\r\nX-Qonto-Signature:  t=1,v1=ab \r\nx-qonto-signature: v1=cd\r\n\r\n",
        )
        .unwrap();
        assert_eq!((head.method.as_str(), head.target.as_str()), ("POST", "/w"));
        assert_eq!(head.get(BUSINESS_HEADER).unwrap(), b"t=1,v1=ab, v1=cd");
        assert!(head.get(ONBOARDING_HEADER).is_none());
        for bad in [
            &b"POST /w\r\n\r\n"[..],
            b"POST /w HTTP/1.1 extra\r\n\r\n",
            b"POST /w FTP/1.0\r\n\r\n",
            b"POST /w HTTP/1.1\r\nNo colon\r\n\r\n",
            b"POST /w HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            b"POST /w HTTP/1.1\r\nBad Name: x\r\n\r\n",
        ] {
            assert!(parse_head(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn content_lengths() {
        let head = |h: &[u8]| parse_head(&[b"POST / HTTP/1.1\r\n", h, b"\r\n"].concat()).unwrap();
        assert_eq!(content_length(&head(b"")).ok(), Some(0));
        assert_eq!(
            content_length(&head(b"Content-Length: 12\r\n")).ok(),
            Some(12)
        );
        assert_eq!(
            content_length(&head(b"Content-Length: 5\r\nContent-Length: 5\r\n")).ok(),
            Some(5)
        );
        let status = |h: &[u8]| content_length(&head(h)).err().map(|a| a.status);
        assert_eq!(
            status(b"Content-Length: 5\r\nContent-Length: 6\r\n"),
            Some(400)
        );
        assert_eq!(status(b"Content-Length: -1\r\n"), Some(400));
        assert_eq!(status(b"Content-Length: 1048577\r\n"), Some(413));
        assert_eq!(
            status(b"Content-Length: 99999999999999999999999\r\n"),
            Some(400)
        );
        assert_eq!(status(b"Transfer-Encoding: chunked\r\n"), Some(411));
    }
}
