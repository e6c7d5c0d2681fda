//! Soak: a million verifications (mixed good and bad), verifiers built and dropped in a loop, and
//! errors raised and rendered in a loop, while the resident set size is sampled. Fails if RSS
//! grows more than a small fixed allowance after warm-up.
//!
//! ```sh
//! cargo run --release -p qonto-webhooks-conformance --bin soak [-- ITERATIONS]
//! cargo run --release -p qonto-webhooks-conformance --bin soak -- 1000000 --plant-leak   # must fail
//! ```

use std::process::ExitCode;

use qonto_webhooks::{Verifier, sign, sign_onboarding};

/// Growth allowed after warm-up, in KiB (allocator noise, not a leak).
const ALLOWANCE_KIB: u64 = 1024;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs `round` `n` times, sampling RSS; returns (RSS after warm-up, peak after).
fn soak(name: &str, n: u64, mut round: impl FnMut(u64)) -> bool {
    let warmup = n / 10;
    for i in 0..warmup {
        round(i);
    }
    let base = rss_kib();
    let mut peak = base;
    for i in warmup..n {
        round(i);
        if i % 10_000 == 0 {
            peak = peak.max(rss_kib());
        }
    }
    peak = peak.max(rss_kib());
    let grown = peak.saturating_sub(base);
    let ok = grown <= ALLOWANCE_KIB;
    println!(
        "  {name:<34} {n:>9} rounds  RSS {base} KiB after warm-up, peak {peak} KiB (+{grown} KiB)  {}",
        if ok { "ok" } else { "GREW" }
    );
    ok
}

fn main() -> ExitCode {
    // Leaks 64 bytes a round, to show that the soak can fail.
    let plant_leak = std::env::args().any(|a| a == "--plant-leak");
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let body =
        br#"{"id":"0196","type":"v1/transactions","data":{"event":"created","amount":"12.50"}}"#;
    let now = 1_735_689_600;
    let good = sign("whsec_soak", body, now)
        .map(|h| h.to_string())
        .unwrap_or_default();
    let onboarding = sign_onboarding("whsec_soak", body)
        .map(|h| h.to_string())
        .unwrap_or_default();
    let headers = [
        good.clone(),
        good.replace("t=", "t=0"),
        format!("t={now},v1={}", "0".repeat(64)),
        "t=1,v1=zz".to_owned(),
        String::new(),
        sign("whsec_soak", body, now - 1000)
            .map(|h| h.to_string())
            .unwrap_or_default(),
    ];
    let Ok(verifier) = Verifier::with_secrets(["whsec_old", "whsec_soak"]) else {
        return ExitCode::FAILURE;
    };
    println!("soak (Rust API), allowance {ALLOWANCE_KIB} KiB after warm-up:");
    let mut all = true;
    let mut accepted = 0u64;
    all &= soak("verify, mixed good and bad", n, |i| {
        let Some(h) = headers.get((i % headers.len() as u64) as usize) else {
            return;
        };
        if verifier.verify(body, h, now).is_ok() {
            accepted += 1;
        }
        let _ = verifier.verify_onboarding(body, &onboarding);
        if plant_leak {
            std::hint::black_box(Box::leak(Box::new([0u8; 64])));
        }
    });
    all &= soak("verifier built and dropped", n / 10, |i| {
        let v = Verifier::with_secrets([format!("secret-{i}"), "whsec_soak".to_owned()]);
        std::hint::black_box(v.map(|v| v.secret_count()).ok());
    });
    all &= soak("errors raised and rendered", n, |i| {
        let Some(h) = headers.get(2 + (i % 4) as usize) else {
            return;
        };
        if let Err(e) = verifier.verify(body, h, now) {
            std::hint::black_box(e.to_string());
        }
    });
    let expected = n / headers.len() as u64;
    // One header in six verifies: "t=0..." is the same t with another text, so it does not.
    let ok = accepted.abs_diff(expected) <= 1;
    println!(
        "  verdicts: {accepted} accepted of {n} ({})",
        if ok { "as expected" } else { "WRONG" }
    );
    if all && ok {
        println!("soak: 4 passed, 0 failed");
        ExitCode::SUCCESS
    } else {
        println!("soak: failed");
        ExitCode::FAILURE
    }
}
