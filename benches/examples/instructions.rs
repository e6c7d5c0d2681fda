//! Runs one implementation's verification ITERATIONS times, for counting instructions under
//! `valgrind --tool=cachegrind` (see `bench.sh --instructions`): a measure other load on the
//! machine does not change.
//!
//! Usage: `instructions IMPL SCHEME SIZE ITERATIONS`, IMPL one of `qonto-webhooks`,
//! `a-ring-floor`, `b-rustcrypto`, `c-naive`; SCHEME `business` or `onboarding`.

use std::hint::black_box;
use std::process::ExitCode;

use qonto_webhooks::Verifier;
use qonto_webhooks_benches::{Input, NOW, RingFloor, RustCrypto, SECRET, naive};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [which, scheme, size, iterations] = args.as_slice() else {
        eprintln!("usage: instructions IMPL SCHEME SIZE ITERATIONS");
        return ExitCode::from(2);
    };
    let (Ok(size), Ok(iterations)) = (size.parse::<usize>(), iterations.parse::<usize>()) else {
        eprintln!("SIZE and ITERATIONS are numbers");
        return ExitCode::from(2);
    };
    let (Ok(input), Ok(verifier)) = (Input::new(size), Verifier::new(SECRET)) else {
        eprintln!("the core refused the benchmark secret");
        return ExitCode::FAILURE;
    };
    let ring = RingFloor::new(SECRET.as_bytes());
    let rc = RustCrypto::new(SECRET.as_bytes());
    let body = input.body.as_slice();
    let t = input.timestamp_text.as_bytes();
    let (bh, oh) = (
        input.business_header.as_str(),
        input.onboarding_header.as_str(),
    );
    let (bs, os) = (&input.business_signature, &input.onboarding_signature);
    let run: Box<dyn Fn() -> bool> = match (which.as_str(), scheme.as_str()) {
        ("qonto-webhooks", "business") => {
            Box::new(|| verifier.verify(black_box(body), black_box(bh), NOW).is_ok())
        }
        ("qonto-webhooks", "onboarding") => Box::new(|| {
            verifier
                .verify_onboarding(black_box(body), black_box(oh))
                .is_ok()
        }),
        ("a-ring-floor", "business") => {
            Box::new(|| ring.business(black_box(t), black_box(body), bs))
        }
        ("a-ring-floor", "onboarding") => Box::new(|| ring.onboarding(black_box(body), os)),
        ("b-rustcrypto", "business") => Box::new(|| rc.business(black_box(t), black_box(body), bs)),
        ("b-rustcrypto", "onboarding") => Box::new(|| rc.onboarding(black_box(body), os)),
        ("c-naive", "business") => Box::new(|| naive::business(SECRET, black_box(body), bh, NOW)),
        ("c-naive", "onboarding") => Box::new(|| naive::onboarding(SECRET, black_box(body), oh)),
        _ => {
            eprintln!("unknown implementation or scheme: {which} {scheme}");
            return ExitCode::from(2);
        }
    };
    let accepted = (0..iterations).filter(|_| run()).count();
    if accepted == iterations {
        ExitCode::SUCCESS
    } else {
        eprintln!("{which} rejected a valid signature");
        ExitCode::FAILURE
    }
}
