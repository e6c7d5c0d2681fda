//! The cost of crossing the C ABI: verifying a 256-byte business webhook through `qw_verify`
//! (called through a C function pointer, so it is not inlined) vs the core's Rust API, in the
//! same run.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
// It calls the C ABI, whose functions are unsafe.
#![allow(unsafe_code)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use qonto_webhooks_c as abi;

type VerifyFn = unsafe extern "C" fn(
    *const abi::qw_verifier,
    *const u8,
    usize,
    *const u8,
    usize,
    u64,
    *mut abi::qw_verified,
) -> abi::qw_status;

const SECRET: &[u8] = b"whsec_public_example_secret_0123456789abcdef";
const NOW: u64 = 1_735_689_600;

fn verify_256(c: &mut Criterion) {
    let body = vec![b'x'; 256];
    let header = qonto_webhooks::sign(SECRET, &body, NOW).unwrap();
    let rust = qonto_webhooks::Verifier::new(SECRET).unwrap();

    let secrets = [abi::qw_bytes {
        data: SECRET.as_ptr(),
        len: SECRET.len(),
    }];
    let mut verifier = std::ptr::null_mut();
    // SAFETY: valid pointers and lengths.
    let status = unsafe {
        abi::qw_verifier_new(
            secrets.as_ptr(),
            1,
            abi::QW_DEFAULT_TOLERANCE_SECS,
            &mut verifier,
        )
    };
    assert_eq!(status, abi::qw_status::Ok);
    let verify: VerifyFn = black_box(abi::qw_verify);

    let mut group = c.benchmark_group("verify_256B");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("rust", |b| {
        b.iter(|| {
            rust.verify(black_box(&body), black_box(&*header), black_box(NOW))
                .unwrap()
        })
    });
    group.bench_function("c_abi", |b| {
        b.iter(|| {
            let mut out = abi::qw_verified::default();
            // SAFETY: valid pointers and lengths.
            let status = unsafe {
                verify(
                    black_box(verifier),
                    black_box(body.as_ptr()),
                    body.len(),
                    black_box(header.as_ptr()),
                    header.len(),
                    black_box(NOW),
                    &mut out,
                )
            };
            assert_eq!(status, abi::qw_status::Ok);
            out
        })
    });
    group.finish();

    // The same two paths interleaved in short batches, keeping each one's fastest batch: on a
    // busy machine this separates them better than two runs a few seconds apart.
    const ROUNDS: usize = 300;
    const BATCH: u32 = 2000;
    let (mut best_rust, mut best_abi) = (f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            black_box(
                rust.verify(black_box(&body), black_box(&*header), black_box(NOW))
                    .unwrap(),
            );
        }
        best_rust = best_rust.min(start.elapsed().as_nanos() as f64 / f64::from(BATCH));
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            let mut out = abi::qw_verified::default();
            // SAFETY: valid pointers and lengths.
            let status = unsafe {
                verify(
                    black_box(verifier),
                    black_box(body.as_ptr()),
                    body.len(),
                    black_box(header.as_ptr()),
                    header.len(),
                    black_box(NOW),
                    &mut out,
                )
            };
            assert_eq!(status, abi::qw_status::Ok);
            black_box(out);
        }
        best_abi = best_abi.min(start.elapsed().as_nanos() as f64 / f64::from(BATCH));
    }
    println!("interleaved verify_256B rust {best_rust:.1} c_abi {best_abi:.1} ns");

    // SAFETY: made by qw_verifier_new, used no more.
    unsafe { abi::qw_verifier_free(verifier) };
}

criterion_group!(benches, verify_256);
criterion_main!(benches);
