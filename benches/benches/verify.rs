//! Verification of both schemes at 64 B to 1 MiB, and header parsing, against three baselines:
//! (a) `ring` + `subtle` on a pre-decoded header (the floor), (b) RustCrypto `hmac` + `sha2`,
//! (c) the naive code. See `src/lib.rs` for what each baseline does. `bench.sh` prints the table.

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qonto_webhooks::{Signature, SignatureHeader, Verifier};
use qonto_webhooks_benches::{Input, NOW, RingFloor, RustCrypto, SECRET, SIZES, naive};

/// The benchmark names, also the columns of `bench.sh`'s table.
const OURS: &str = "qonto-webhooks";
const RING: &str = "a-ring-floor";
const RUSTCRYPTO: &str = "b-rustcrypto";
const NAIVE: &str = "c-naive";

fn inputs() -> Vec<Input> {
    SIZES
        .iter()
        .filter_map(|&size| Input::new(size).ok())
        .collect()
}

fn business(c: &mut Criterion) {
    let Ok(verifier) = Verifier::new(SECRET) else {
        return;
    };
    let ring = RingFloor::new(SECRET.as_bytes());
    let rc = RustCrypto::new(SECRET.as_bytes());
    let mut group = c.benchmark_group("business");
    for input in inputs() {
        let size = input.body.len();
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1024 * 1024 {
            group.sample_size(20);
        }
        let body = input.body.as_slice();
        let header = input.business_header.as_str();
        let t = input.timestamp_text.as_bytes();
        let sig = &input.business_signature;
        group.bench_with_input(BenchmarkId::new(OURS, size), &size, |b, _| {
            b.iter(|| {
                verifier
                    .verify(black_box(body), black_box(header), NOW)
                    .is_ok()
            })
        });
        group.bench_with_input(BenchmarkId::new(RING, size), &size, |b, _| {
            b.iter(|| ring.business(black_box(t), black_box(body), black_box(sig)))
        });
        group.bench_with_input(BenchmarkId::new(RUSTCRYPTO, size), &size, |b, _| {
            b.iter(|| rc.business(black_box(t), black_box(body), black_box(sig)))
        });
        group.bench_with_input(BenchmarkId::new(NAIVE, size), &size, |b, _| {
            b.iter(|| naive::business(SECRET, black_box(body), black_box(header), NOW))
        });
    }
    group.finish();
}

fn onboarding(c: &mut Criterion) {
    let Ok(verifier) = Verifier::new(SECRET) else {
        return;
    };
    let ring = RingFloor::new(SECRET.as_bytes());
    let rc = RustCrypto::new(SECRET.as_bytes());
    let mut group = c.benchmark_group("onboarding");
    for input in inputs() {
        let size = input.body.len();
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1024 * 1024 {
            group.sample_size(20);
        }
        let body = input.body.as_slice();
        let header = input.onboarding_header.as_str();
        let sig = &input.onboarding_signature;
        group.bench_with_input(BenchmarkId::new(OURS, size), &size, |b, _| {
            b.iter(|| {
                verifier
                    .verify_onboarding(black_box(body), black_box(header))
                    .is_ok()
            })
        });
        group.bench_with_input(BenchmarkId::new(RING, size), &size, |b, _| {
            b.iter(|| ring.onboarding(black_box(body), black_box(sig)))
        });
        group.bench_with_input(BenchmarkId::new(RUSTCRYPTO, size), &size, |b, _| {
            b.iter(|| rc.onboarding(black_box(body), black_box(sig)))
        });
        group.bench_with_input(BenchmarkId::new(NAIVE, size), &size, |b, _| {
            b.iter(|| naive::onboarding(SECRET, black_box(body), black_box(header)))
        });
    }
    group.finish();
}

fn parse_header(c: &mut Criterion) {
    let Ok(input) = Input::new(64) else {
        return;
    };
    let business = input.business_header.as_str();
    let onboarding = input.onboarding_header.as_str();
    let mut group = c.benchmark_group("parse_header");
    group.bench_function(BenchmarkId::new(OURS, "business"), |b| {
        b.iter(|| {
            SignatureHeader::parse(black_box(business))
                .map(|h| (h.timestamp(), h.signatures().last().map(|s| s.to_bytes())))
        })
    });
    group.bench_function(BenchmarkId::new(OURS, "onboarding"), |b| {
        b.iter(|| Signature::parse_onboarding(black_box(onboarding)).map(|s| s.to_bytes()))
    });
    group.bench_function(BenchmarkId::new(NAIVE, "business"), |b| {
        b.iter(|| naive::parse(black_box(business)))
    });
    group.finish();
}

criterion_group!(benches, business, onboarding, parse_header);
criterion_main!(benches);
