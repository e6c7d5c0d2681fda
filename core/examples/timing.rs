//! dudect-style timing evidence (Reparaz, Balasch, Verbauwhede 2017): Welch's t-test between the
//! times of two classes of inputs. |t| below 5 is no evidence of a timing difference; a leak
//! shows as |t| growing with the number of samples (the naive `==` control reaches dozens).
//!
//! ```sh
//! cargo run --release -p qonto-webhooks --example timing                 # one pass of each
//! cargo run --release -p qonto-webhooks --example timing -- --continuous verify_first_vs_last
//! ```
//!
//! Evidence, not a proof, and not a CI gate: a shared, noisy machine moves the figures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use dudect_bencher::rand::{Rng, RngExt};
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use qonto_webhooks::{Tolerance, Verifier, sign};

/// The verifier's own compare, compiled from the core's source file.
#[path = "../src/ct.rs"]
mod ct;

const SAMPLES: usize = 100_000;
const NOW: u64 = 1_735_689_600;

struct Fixture {
    verifier: Verifier,
    body: Vec<u8>,
    /// The valid header, and copies whose signature differs in the first or the last byte.
    good: String,
    first: String,
    last: String,
}

fn fixture(rng: &mut BenchRng) -> Fixture {
    let mut body = vec![0u8; 256];
    rng.fill_bytes(&mut body);
    let secret = "whsec_timing_test_secret_0123456789abcdef";
    let good = sign(secret, &body, NOW).unwrap().to_string();
    let flip = |pos: usize| {
        let mut h = good.clone().into_bytes();
        // The signature's hex digits are the last 64 bytes of the header.
        let i = h.len() - 64 + pos;
        h[i] = same_class_flip(h[i]);
        String::from_utf8(h).unwrap()
    };
    Fixture {
        verifier: Verifier::new(secret)
            .unwrap()
            .with_tolerance(Tolerance::Disabled),
        body,
        first: flip(0),
        last: flip(63),
        good,
    }
}

/// Another hex digit of the same kind (0-9 or a-f), so that both classes give the parser the
/// same work and differ only in where the candidate stops matching the MAC.
fn same_class_flip(c: u8) -> u8 {
    if c.is_ascii_digit() {
        b'0' + ((c - b'0') ^ 1)
    } else {
        b'a' + ((c - b'a') ^ 1)
    }
}

fn classes(rng: &mut BenchRng) -> Vec<Class> {
    (0..SAMPLES)
        .map(|_| {
            if rng.random::<bool>() {
                Class::Left
            } else {
                Class::Right
            }
        })
        .collect()
}

/// Times `verify` on the header of each sample's class. Every header is copied into the same
/// buffer before its timed call, so the classes differ only in content, not in memory placement.
fn verify_classes(runner: &mut CtRunner, rng: &mut BenchRng, left: &str, right: &str, f: &Fixture) {
    let mut scratch = left.as_bytes().to_vec();
    for class in classes(rng) {
        let src = if matches!(class, Class::Left) {
            left
        } else {
            right
        };
        scratch.copy_from_slice(src.as_bytes());
        runner.run_one(class, || {
            f.verifier.verify(&f.body, &scratch[..], NOW).is_ok()
        });
    }
}

/// The whole verify path: a forgery wrong in its first byte vs one wrong in its last byte.
fn verify_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let f = fixture(rng);
    verify_classes(runner, rng, &f.first, &f.last, &f);
}

/// The whole verify path: a forgery vs the genuine signature. The verdict is public (it is the
/// HTTP answer), so a difference here leaks nothing; it is shown to calibrate the others.
fn verify_forged_vs_genuine(runner: &mut CtRunner, rng: &mut BenchRng) {
    let f = fixture(rng);
    verify_classes(runner, rng, &f.first, &f.good, &f);
}

/// Times the core's compare (`ct::tag_eq`, the verifier's code) of a tag with each sample's
/// candidate, copied into the same buffer first; the result byte is returned without a branch on
/// it.
fn compare_classes(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    tag: [u8; 32],
    left: [u8; 32],
    right: [u8; 32],
) {
    let mut scratch: [u8; 32];
    for class in classes(rng) {
        scratch = if matches!(class, Class::Left) {
            left
        } else {
            right
        };
        runner.run_one(class, || {
            ct::tag_eq(&tag, std::hint::black_box(&scratch)).unwrap_u8()
        });
    }
}

/// The compare alone: first byte vs last byte different.
fn ct_compare_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let mut tag = [0u8; 32];
    rng.fill_bytes(&mut tag);
    let (mut first, mut last) = (tag, tag);
    first[0] ^= 1;
    last[31] ^= 1;
    compare_classes(runner, rng, tag, first, last);
}

/// The compare alone: a candidate wrong in its first byte vs an equal one.
fn ct_compare_first_vs_equal(runner: &mut CtRunner, rng: &mut BenchRng) {
    let mut tag = [0u8; 32];
    rng.fill_bytes(&mut tag);
    let mut first = tag;
    first[0] ^= 1;
    compare_classes(runner, rng, tag, first, tag);
}

/// The positive control: the naive `==` on hex strings that many handlers write. It must show
/// a large |t|, or this test could not detect a leak.
fn naive_eq_first_vs_last_control(runner: &mut CtRunner, rng: &mut BenchRng) {
    let mut tag = [0u8; 32];
    rng.fill_bytes(&mut tag);
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    let flip = |pos: usize| {
        let mut h = hex.clone().into_bytes();
        h[pos] = if h[pos] == b'0' { b'1' } else { b'0' };
        String::from_utf8(h).unwrap()
    };
    let (first, last) = (flip(0), flip(63));
    let mut scratch = first.clone();
    for class in classes(rng) {
        scratch.clone_from(if matches!(class, Class::Left) {
            &first
        } else {
            &last
        });
        runner.run_one(class, || {
            std::hint::black_box(&hex) == std::hint::black_box(&scratch)
        });
    }
}

ctbench_main!(
    verify_first_vs_last,
    verify_forged_vs_genuine,
    ct_compare_first_vs_last,
    ct_compare_first_vs_equal,
    naive_eq_first_vs_last_control
);
