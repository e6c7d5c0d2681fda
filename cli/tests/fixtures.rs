//! `listen` over the documentation's example payloads (core/tests/data/events): each one, signed,
//! is accepted, summarised as sent (topic, event name, id, created_at) and printed back whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use qonto_webhooks::{sign, sign_onboarding};
use serde::Deserialize;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_qonto-webhooks");
const SECRET: &str = "whsec_fixture_secret_0123456789abcdef";
const ONBOARDING_SECRET: &str = "fixture_onboarding_secret_0123456789";
const NOW: u64 = 1_772_442_000;
/// How long a test waits for an answer that must come: generous, only to fail instead of hang.
const LIVENESS: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct Entry {
    file: String,
    scheme: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/events")
}

struct Listen {
    child: Child,
    addr: String,
    stdout: BufReader<ChildStdout>,
}

impl Listen {
    /// `listen` for one request, both schemes, each with its own secret, at a fixed time.
    fn start() -> Listen {
        let now = NOW.to_string();
        let mut child = Command::new(BIN)
            .args(["listen", "--port", "0", "--schemes", "both", "--now", &now])
            .args(["--max-requests", "1", "--secret", SECRET])
            .args(["--onboarding-secret", ONBOARDING_SECRET])
            .env_remove("QONTO_WEBHOOK_SECRET")
            .env_remove("QONTO_ONBOARDING_SECRET")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .trim_end_matches('/')
            .to_owned();
        Listen {
            child,
            addr,
            stdout,
        }
    }

    /// POSTs `body` with one header; returns the status and the answer's JSON.
    fn post(&self, header: (&str, &str), body: &[u8]) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(LIVENESS)).unwrap();
        let head = format!(
            "POST /webhooks HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}: {}\r\n\r\n",
            self.addr,
            body.len(),
            header.0,
            header.1
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let status = raw
            .strip_prefix("HTTP/1.1 ")
            .and_then(|r| r.get(..3))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {raw:?}"));
        let json = raw
            .split_once("\r\n\r\n")
            .and_then(|(_, b)| serde_json::from_str(b).ok())
            .unwrap_or(Value::Null);
        (status, json)
    }

    /// Waits for the process to stop (after its one request); returns what it printed after
    /// the first line.
    fn finish(mut self) -> String {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                break;
            }
            assert!(start.elapsed() < LIVENESS, "listen did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        rest
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn listen_accepts_every_fixture_and_prints_it_as_sent() {
    let manifest = std::fs::read_to_string(dir().join("manifest.json")).unwrap();
    let entries: Vec<Entry> = serde_json::from_str(&manifest).unwrap();
    assert_eq!(entries.len(), 23);
    for entry in entries {
        let name = &entry.file;
        let body = std::fs::read(dir().join(name)).unwrap();
        let original: Value = serde_json::from_slice(&body).unwrap();
        let (header, summary) = if entry.scheme == "onboarding" {
            let header = sign_onboarding(ONBOARDING_SECRET, &body).unwrap();
            let summary = format!(
                "accepted onboarding {} {}={} id={} (scheme=onboarding secret=0)",
                original["event_type"].as_str().unwrap(),
                original["resource_type"].as_str().unwrap(),
                original["resource_id"].as_str().unwrap(),
                original["id"].as_str().unwrap(),
            );
            (("Qonto-SHA256-Signature", header.to_string()), summary)
        } else {
            let header = sign(SECRET, &body, NOW).unwrap();
            let summary = format!(
                "accepted {} {} id={} created_at={} (scheme=business secret=0)",
                original["type"].as_str().unwrap(),
                original["data"]["event"].as_str().unwrap_or("-"),
                original["id"].as_str().unwrap(),
                original["created_at"].as_str().unwrap(),
            );
            (("X-Qonto-Signature", header.to_string()), summary)
        };
        let listen = Listen::start();
        let (status, json) = listen.post((header.0, &header.1), &body);
        assert_eq!(status, 200, "{name}: {json}");
        assert_eq!(json["received"], true, "{name}: {json}");
        assert_eq!(json["verified"]["scheme"], entry.scheme.as_str(), "{name}");
        let printed = listen.finish();
        let (line, rest) = printed.split_once('\n').unwrap();
        assert_eq!(line, format!("POST /webhooks -> 200 {summary}"), "{name}");
        // The pretty-printed event is the original, every field kept.
        let back: Value =
            serde_json::from_str(rest).unwrap_or_else(|e| panic!("{name}: {e} in {rest:?}"));
        assert_eq!(back, original, "{name}");
    }
}
