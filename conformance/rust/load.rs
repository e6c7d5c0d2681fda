//! Load: sustained concurrent signed requests against a receiver on loopback. Every genuine event
//! must be accepted exactly once, every tampered, stale or wrong-secret one rejected, and every
//! replayed one either rejected (4xx) or acknowledged as a duplicate (2xx whose JSON body says
//! `"duplicate": true`). Prints requests per second. Bounded in count and time; loopback only.
//!
//! ```sh
//! cargo run --release -p qonto-webhooks-conformance --bin load -- http://127.0.0.1:8080/webhooks [REQUESTS] [THREADS]
//! ```

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qonto_webhooks::{BUSINESS_HEADER, sign, unix_now};

const SECRET: &str = "whsec_tour_secret_Vb3nQk9XcY2pLm7RtZ4wFhJ8sD1gA6eU";
const DEADLINE: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Genuine,
    Tampered,
    Stale,
    WrongSecret,
    Replay,
}

struct Request {
    kind: Kind,
    body: String,
    header: String,
}

fn event(i: usize) -> String {
    format!(
        r#"{{"id":"00000000-0000-4000-8000-{i:012}","subscription_id":"7f3c2a10-5b8e-4d2f-9a61-0c4e8b2d6f13","organization_id":"c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","membership_id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","type":"v1/transactions","created_at":"2026-01-01T00:00:00Z","data":{{"event":"transactions.created","id":"t{i}","amount":"{}.{:02}"}}}}"#,
        i % 9000,
        i % 100
    )
}

fn requests(n: usize) -> (Vec<Request>, Vec<Request>) {
    let now = unix_now();
    let signed = |secret: &str, body: &str, t: u64| {
        sign(secret, body.as_bytes(), t)
            .map(|h| h.to_string())
            .unwrap_or_default()
    };
    let mut main = Vec::with_capacity(n);
    let mut replays = Vec::new();
    for i in 0..n {
        let body = event(i);
        let (kind, header, body) = match i % 10 {
            7 => (
                Kind::Tampered,
                signed(SECRET, &body, now),
                body.replace("transactions.created", "transactions.updated"),
            ),
            8 => (Kind::Stale, signed(SECRET, &body, now - 600), body),
            9 => (
                Kind::WrongSecret,
                signed("whsec_wrong_secret_0000000000000000000", &body, now),
                body,
            ),
            _ => (Kind::Genuine, signed(SECRET, &body, now), body),
        };
        if kind == Kind::Genuine && i % 50 == 0 {
            replays.push(Request {
                kind: Kind::Replay,
                body: body.clone(),
                header: header.clone(),
            });
        }
        main.push(Request { kind, body, header });
    }
    (main, replays)
}

/// An answer: its status (0: no response) and whether its body says `"duplicate": true`.
#[derive(Clone, Copy, Default)]
struct Answer {
    status: u16,
    duplicate: bool,
}

impl Answer {
    /// What a correct endpoint answers to a request of `kind`.
    fn correct(self, kind: Kind) -> bool {
        let success = (200..300).contains(&self.status);
        let refusal = (400..500).contains(&self.status);
        match kind {
            Kind::Genuine => success && !self.duplicate,
            Kind::Replay => refusal || (success && self.duplicate),
            Kind::Tampered | Kind::Stale | Kind::WrongSecret => refusal,
        }
    }
}

fn says_duplicate(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("duplicate")?.as_bool())
        == Some(true)
}

/// Sends every request from `threads` threads; returns the answer to each.
fn fire(url: &str, reqs: &[Request], threads: usize, started: Instant) -> Vec<Answer> {
    let next = AtomicUsize::new(0);
    let statuses = Mutex::new(vec![Answer::default(); reqs.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(10)))
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = reqs.get(i) else { break };
                    if started.elapsed() > DEADLINE {
                        break;
                    }
                    let status = agent
                        .post(url)
                        .header("Content-Type", "application/json")
                        .header(BUSINESS_HEADER, &r.header)
                        .send(r.body.as_bytes())
                        .map_or(Answer::default(), |mut resp| {
                            let body = resp.body_mut().read_to_vec().unwrap_or_default();
                            Answer {
                                status: resp.status().as_u16(),
                                duplicate: says_duplicate(&body),
                            }
                        });
                    mine.push((i, status));
                }
                if let Ok(mut all) = statuses.lock() {
                    for (i, status) in mine {
                        if let Some(slot) = all.get_mut(i) {
                            *slot = status;
                        }
                    }
                }
            });
        }
    });
    statuses.into_inner().unwrap_or_default()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        eprintln!("usage: load URL [REQUESTS] [THREADS]");
        return ExitCode::from(2);
    };
    if !(url.starts_with("http://127.")
        || url.starts_with("http://localhost")
        || url.starts_with("http://[::1]"))
    {
        eprintln!("load only targets loopback addresses");
        return ExitCode::from(2);
    }
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let threads: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8);
    let (main, replays) = requests(n);
    let started = Instant::now();
    let statuses = fire(&url, &main, threads, started);
    let elapsed = started.elapsed();
    // Replays go after their originals were answered.
    let replay_statuses = fire(&url, &replays, threads, started);

    let mut lost = 0;
    let mut wrong = Vec::new();
    for (r, &answer) in main
        .iter()
        .zip(&statuses)
        .chain(replays.iter().zip(&replay_statuses))
    {
        if answer.status == 0 {
            lost += 1;
        } else if !answer.correct(r.kind) {
            wrong.push((r.kind, answer.status));
        }
    }
    let genuine = main.iter().filter(|r| r.kind == Kind::Genuine).count();
    let accepted = statuses
        .iter()
        .filter(|a| (200..300).contains(&a.status) && !a.duplicate)
        .count();
    let rps = statuses.len() as f64 / elapsed.as_secs_f64();
    println!(
        "load: {} requests ({} genuine, {} bad) + {} replays, {threads} threads: {:.0} req/s; \
         accepted {accepted}, lost {lost}, wrong {}",
        main.len(),
        genuine,
        main.len() - genuine,
        replays.len(),
        rps,
        wrong.len()
    );
    for (kind, status) in wrong.iter().take(5) {
        println!("  wrong answer: {kind:?} got {status}");
    }
    if lost == 0 && wrong.is_empty() && accepted == genuine {
        println!("load: 1 passed, 0 failed");
        ExitCode::SUCCESS
    } else {
        println!("load: 0 passed, 1 failed");
        ExitCode::FAILURE
    }
}
