//! The system clock that `verify_now` reads.

#![cfg(feature = "std")]
#![allow(clippy::unwrap_used)]

use qonto_webhooks::{ErrorKind, Verifier, sign, unix_now};

#[test]
fn unix_now_is_the_system_clock() {
    let system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = unix_now();
    assert!(
        now.abs_diff(system) <= 5,
        "unix_now {now}, system clock {system}"
    );
}

#[test]
fn verify_now_accepts_a_webhook_signed_now_and_refuses_one_signed_an_hour_ago() {
    let verifier = Verifier::new("s3cret").unwrap();
    let fresh = sign("s3cret", b"{}", unix_now()).unwrap();
    assert!(verifier.verify_now(b"{}", &*fresh).is_ok());
    let stale = sign("s3cret", b"{}", unix_now() - 3600).unwrap();
    let err = verifier.verify_now(b"{}", &*stale).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimestampTooOld);
}
