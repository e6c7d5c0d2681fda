//! Property: the C ABI (bindings-c) never panics, never reads or writes outside the buffers it
//! is given, and agrees with the core: the status of every call is the core's verdict (one-shot,
//! request-level and incremental with the case's chunking), a header in the slot of a scheme the
//! verifier does not accept is never read, a tolerance above `INT64_MAX` is an argument error
//! (never "no window"), outputs are written only on success, signing
//! reports the needed length into any buffer size, and the last error message is always a
//! NUL-terminated prefix of itself whatever the buffer size.
#![no_main]

use std::ptr;

// The ABI's Rust library (the C library re-exports it), instrumented with the rest of the build.
use qonto_webhooks_c as abi;

use abi::{qw_bytes, qw_incremental, qw_scheme, qw_schemes, qw_status, qw_verified, qw_verifier};
use libfuzzer_sys::fuzz_target;
use qonto_webhooks_fuzz::Case;

/// `qw_diagnose` (with the fuzz crate's `diagnose` feature): never panics, its verdict is the
/// one-shot verdict, a verifying input has no finding, every finding has a code and a message,
/// an index out of range is NULL, and a tolerance above `INT64_MAX` is an argument error. The
/// findings themselves are the core's (tested there). Diagnose tries many variants of the body,
/// so only bodies up to 4 KiB are diagnosed.
#[cfg(feature = "diagnose")]
fn check_diagnose(
    case: &Case,
    secrets: &[qw_bytes],
    tolerance: u64,
    expected: &qonto_webhooks_fuzz::Verdict,
) {
    if case.body.len() > 4096 {
        return;
    }
    let (body, header) = (&case.body, &case.header);
    let mut d: *mut abi::qw_diagnosis = ptr::null_mut();
    let status = unsafe {
        abi::qw_diagnose(
            secrets.as_ptr(),
            secrets.len(),
            u32::from(case.onboarding),
            header.as_ptr(),
            header.len(),
            body.as_ptr(),
            body.len(),
            case.now,
            tolerance,
            case.tolerance.is_none(),
            &mut d,
        )
    };
    if tolerance > abi::QW_MAX_TOLERANCE_SECS {
        assert_eq!(
            status,
            qw_status::InvalidArgument,
            "diagnose, tolerance {tolerance}"
        );
        assert!(d.is_null(), "diagnosis_out written on failure");
        return;
    }
    assert_eq!(status, qw_status::Ok, "diagnose: {case:?}");
    let mut out = POISON;
    let verdict = unsafe { abi::qw_diagnosis_result(d, &mut out) };
    assert_eq!(
        verdict as u32,
        status_of(expected),
        "diagnose verdict: {case:?}"
    );
    let n = unsafe { abi::qw_diagnosis_findings_len(d) };
    if verdict == qw_status::Ok {
        assert_eq!(n, 0, "findings for a verifying input");
        assert_ne!(out, POISON, "verified_out not written");
    } else {
        assert_eq!(out, POISON, "verified_out written on failure");
    }
    for i in 0..n {
        assert!(!unsafe { abi::qw_diagnosis_finding_mistake(d, i) }.is_null());
        assert!(!unsafe { abi::qw_diagnosis_finding_message(d, i) }.is_null());
    }
    assert!(unsafe { abi::qw_diagnosis_finding_mistake(d, n) }.is_null());
    assert!(unsafe { abi::qw_diagnosis_finding_message(d, n) }.is_null());
    unsafe { abi::qw_diagnosis_free(d) };
}

fn status_of(verdict: &qonto_webhooks_fuzz::Verdict) -> u32 {
    match verdict {
        Ok(_) => 0,
        Err(code) => qonto_webhooks::ErrorKind::from_code(code).map_or(u32::MAX, |k| k.number()),
    }
}

const POISON: qw_verified = qw_verified {
    secret_index: usize::MAX,
    has_timestamp: true,
    timestamp: 0xdead_beef,
    scheme: qw_scheme::Onboarding,
};

fuzz_target!(|data: &[u8]| {
    let case = Case::decode(data);
    let expected = case.one_shot();
    let secrets: Vec<qw_bytes> = case
        .secrets
        .iter()
        .map(|s| qw_bytes {
            // Empty secrets as NULL: NULL with a zero length is a valid empty input.
            data: if s.is_empty() {
                ptr::null()
            } else {
                s.as_ptr()
            },
            len: s.len(),
        })
        .collect();
    // No tolerance value disables the window (qw_verifier_disable_tolerance does); one above
    // INT64_MAX (a negative number converted) is an argument error.
    let tolerance = case.tolerance.unwrap_or(abi::QW_DEFAULT_TOLERANCE_SECS);
    #[cfg(feature = "diagnose")]
    check_diagnose(&case, &secrets, tolerance, &expected);
    let mut verifier: *mut qw_verifier = ptr::null_mut();
    let status =
        unsafe { abi::qw_verifier_new(secrets.as_ptr(), secrets.len(), tolerance, &mut verifier) };
    if tolerance > abi::QW_MAX_TOLERANCE_SECS {
        assert_eq!(status, qw_status::InvalidArgument, "tolerance {tolerance}");
        assert!(verifier.is_null(), "verifier_out written on failure");
        check_message();
        return;
    }
    if status == qw_status::Ok && case.tolerance.is_none() {
        assert_eq!(
            unsafe { abi::qw_verifier_disable_tolerance(verifier) },
            qw_status::Ok
        );
    }
    if status != qw_status::Ok {
        assert!(verifier.is_null(), "verifier_out written on failure");
        assert_eq!(
            status as u32,
            status_of(&expected),
            "construction: {case:?}"
        );
        check_message();
        return;
    }

    // One-shot.
    let (body, header) = (&case.body, &case.header);
    let mut out = POISON;
    let status = unsafe {
        if case.onboarding {
            abi::qw_verify_onboarding(
                verifier,
                body.as_ptr(),
                body.len(),
                header.as_ptr(),
                header.len(),
                &mut out,
            )
        } else {
            abi::qw_verify(
                verifier,
                body.as_ptr(),
                body.len(),
                header.as_ptr(),
                header.len(),
                case.now,
                &mut out,
            )
        }
    };
    assert_eq!(status as u32, status_of(&expected), "one-shot: {case:?}");
    match expected {
        Ok((index, timestamp)) => {
            assert_eq!(out.secret_index, index);
            assert_eq!(out.has_timestamp, timestamp.is_some());
            assert_eq!(out.timestamp, timestamp.unwrap_or(0));
            let scheme = if case.onboarding {
                qw_scheme::Onboarding
            } else {
                qw_scheme::Business
            };
            assert_eq!(out.scheme, scheme);
        }
        Err(_) => {
            assert_eq!(out, POISON, "verified_out written on failure");
            check_message();
        }
    }

    // Request level. The header in the slot of a scheme the verifier does not accept (business
    // only, the default) is never read: missing_header, whatever it holds.
    let absent = (ptr::null::<u8>(), 0usize);
    let given = (header.as_ptr(), header.len());
    let request = |business: (*const u8, usize), onboarding: (*const u8, usize)| {
        let mut out = POISON;
        let status = unsafe {
            abi::qw_verify_request(
                verifier,
                body.as_ptr(),
                body.len(),
                business.0,
                business.1,
                onboarding.0,
                onboarding.1,
                case.now,
                &mut out,
            )
        };
        (status, out)
    };
    if case.onboarding {
        let (status, out) = request(absent, given);
        assert_eq!(
            status,
            qw_status::MissingHeader,
            "default schemes read the onboarding slot"
        );
        assert_eq!(out, POISON);
    }
    let own = if case.onboarding {
        qw_schemes::Onboarding
    } else {
        qw_schemes::Business
    };
    for schemes in [own, qw_schemes::Both] {
        let status = unsafe { abi::qw_verifier_set_schemes(verifier, schemes as u32) };
        assert_eq!(status, qw_status::Ok);
        let (status, out) = if case.onboarding {
            request(absent, given)
        } else {
            request(given, absent)
        };
        assert_eq!(
            status as u32,
            status_of(&expected),
            "request ({schemes:?}): {case:?}"
        );
        if let Ok((index, _)) = expected {
            assert_eq!(out.secret_index, index);
        }
    }
    if !case.onboarding {
        let onboarding = qw_schemes::Onboarding as u32;
        let status = unsafe { abi::qw_verifier_set_schemes(verifier, onboarding) };
        assert_eq!(status, qw_status::Ok);
        let (status, _) = request(given, absent);
        assert_eq!(
            status,
            qw_status::MissingHeader,
            "an onboarding verifier read business"
        );
    }

    // Incremental, in the case's chunks; the verifier is freed before the state is finished.
    let mut state: *mut qw_incremental = ptr::null_mut();
    let status = unsafe {
        if case.onboarding {
            abi::qw_verify_start_onboarding(verifier, header.as_ptr(), header.len(), &mut state)
        } else {
            abi::qw_verify_start(
                verifier,
                header.as_ptr(),
                header.len(),
                case.now,
                &mut state,
            )
        }
    };
    unsafe { abi::qw_verifier_free(verifier) };
    if status == qw_status::Ok {
        for chunk in chunks(&case) {
            let chunk_ptr = if chunk.is_empty() {
                ptr::null()
            } else {
                chunk.as_ptr()
            };
            let status = unsafe { abi::qw_verify_update(state, chunk_ptr, chunk.len()) };
            assert_eq!(status, qw_status::Ok);
        }
        let mut out = POISON;
        let status = unsafe { abi::qw_verify_finish(state, &mut out) };
        assert_eq!(status as u32, status_of(&expected), "incremental: {case:?}");
    } else {
        assert!(state.is_null(), "state_out written on failure");
        assert_eq!(status as u32, status_of(&expected), "start: {case:?}");
    }

    // Signing into a buffer of a size taken from the input, then verifying what was signed.
    let secret = case.secrets.first().map_or(&[][..], |s| &s[..]);
    let cap = usize::from(case.chunks[1]).min(abi::QW_SIGN_MAX_LEN);
    let mut buf = vec![0xA5u8; cap];
    let mut len = usize::MAX;
    let status = unsafe {
        if case.onboarding {
            abi::qw_sign_onboarding(
                secret.as_ptr(),
                secret.len(),
                body.as_ptr(),
                body.len(),
                buf.as_mut_ptr(),
                cap,
                &mut len,
            )
        } else {
            abi::qw_sign(
                secret.as_ptr(),
                secret.len(),
                body.as_ptr(),
                body.len(),
                case.now,
                buf.as_mut_ptr(),
                cap,
                &mut len,
            )
        }
    };
    match status {
        qw_status::Ok => assert!(len <= cap && len <= abi::QW_SIGN_MAX_LEN),
        qw_status::BufferTooSmall => {
            assert!(len > cap && len <= abi::QW_SIGN_MAX_LEN);
            assert!(
                buf.iter().all(|&b| b == 0xA5),
                "buffer written although too small"
            );
        }
        qw_status::InvalidSecret => assert!(secret.is_empty()),
        other => panic!("sign: {other:?}"),
    }
});

/// The body cut by the case's chunk pattern (cycled), with empty chunks fed as NULL + 0. Not
/// `Case::chunked_body`, which never ends when all eight sizes are 0 and the body is not empty.
fn chunks(case: &Case) -> Vec<&[u8]> {
    let mut rest: &[u8] = &case.body;
    let mut out = Vec::new();
    for &size in case.chunks.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        if size == 0 {
            out.push(&rest[..0]);
        }
        // Scaled so a 1 MiB body does not take a million calls; at least one byte.
        let size = usize::from(size.max(1)) * (1 + rest.len() / 4096);
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out.push(&[]);
    out
}

/// The message of the failure just recorded, through buffers of every small size.
fn check_message() {
    let full = unsafe { abi::qw_last_error_message(ptr::null_mut(), 0) };
    assert!(full > 0, "a failure without a message");
    let mut whole = vec![0u8; full + 1];
    let n = unsafe { abi::qw_last_error_message(whole.as_mut_ptr().cast(), whole.len()) };
    assert_eq!(n, full);
    assert_eq!(whole[full], 0);
    for size in [1usize, 2, 7, full] {
        let mut small = vec![0xA5u8; size + 1];
        let n = unsafe { abi::qw_last_error_message(small.as_mut_ptr().cast(), size) };
        assert_eq!(n, full);
        let written = size - 1;
        assert_eq!(small[written], 0, "NUL missing");
        assert_eq!(&small[..written], &whole[..written]);
        assert_eq!(small[size], 0xA5, "wrote past the buffer");
    }
}
