//! Verification allocates nothing: a counting global allocator sees zero allocations across every
//! verification path, accepting and rejecting.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// A counting global allocator: GlobalAlloc is an unsafe trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;

use qonto_webhooks::{SignatureHeader, Tolerance, Verifier, sign, sign_onboarding};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// A fixed buffer for rendering messages without a heap.
struct Buf([u8; 1024], usize);
impl std::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.1 + s.len();
        self.0
            .get_mut(self.1..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}

#[test]
fn the_allocator_counts() {
    // The test must be able to fail: a Vec does allocate.
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}

#[test]
fn verification_allocates_nothing() {
    let body = vec![b'x'; 10_000];
    let now = 1_735_689_600;
    let good = sign("s3cret", &body, now).expect("signs");
    let onboarding = sign_onboarding("s3cret", &body).expect("signs");
    let stale = sign("s3cret", &body, now - 1000).expect("signs");
    let verifier = Verifier::with_secrets(["old", "s3cret"]).expect("valid secrets");
    let archive = verifier.clone().with_tolerance(Tolerance::Disabled);
    let bad_headers = [
        "",
        "t=1,v1=zz",
        "v1=00",
        "t=1735689600",
        &*stale,
        "t=1735689600,v1=0000000000000000000000000000000000000000000000000000000000000000",
    ];

    let n = allocations_in(|| {
        for _ in 0..100 {
            assert_eq!(
                verifier.verify(&body, &*good, now).map(|v| v.secret_index),
                Ok(1)
            );
            assert!(archive.verify(&body, &*stale, now).is_ok());
            assert!(verifier.verify_onboarding(&body, &*onboarding).is_ok());
            for header in bad_headers {
                let err = verifier.verify(&body, header, now).expect_err("rejected");
                let mut buf = Buf([0; 1024], 0);
                write!(buf, "{err}").expect("fits");
                assert!(buf.1 > 0);
            }
            assert!(
                verifier
                    .verify_onboarding(b"tampered", &*onboarding)
                    .is_err()
            );

            let mut state = verifier.start(&*good, now).expect("starts");
            for chunk in body.chunks(1000) {
                state.update(chunk);
            }
            assert!(state.finish().is_ok());
            let mut state = verifier.start_onboarding(&*onboarding).expect("starts");
            state.update(&body);
            assert!(state.finish().is_ok());

            let parsed = SignatureHeader::parse(&*good).expect("parses");
            assert_eq!(parsed.signatures().count(), 1);
            assert!(sign("k", &body, now).is_ok());
            assert!(sign_onboarding("k", &body).is_ok());
            assert!(Verifier::with_secrets(["a", "b", "c"]).is_ok());
        }
    });
    assert_eq!(n, 0, "verification allocated {n} times");
    println!("0 allocations over 100 rounds of every verification path");
}
