//! RFC 4231 HMAC-SHA256 test cases 1 to 7, through the onboarding scheme (the HMAC of the body
//! alone) and through the verifier.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qonto_webhooks::{Verifier, sign_onboarding};

/// (key, data, expected HMAC-SHA256 in hex; case 5 is truncated to 128 bits by the RFC).
fn cases() -> Vec<(Vec<u8>, Vec<u8>, &'static str)> {
    vec![
        (vec![0x0b; 20], b"Hi There".to_vec(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ((1..=25).collect(), vec![0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (vec![0x0c; 20], b"Test With Truncation".to_vec(), "a3b6167473100ee06e0c796c2955552b"),
        (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (vec![0xaa; 131], b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]
}

#[test]
fn rfc4231_hmac_sha256() {
    for (n, (key, data, expected)) in cases().into_iter().enumerate() {
        let header = sign_onboarding(&key, &data).expect("non-empty key");
        assert!(header.starts_with(expected), "case {}: {}", n + 1, &*header);
        if expected.len() == 64 {
            let verified = Verifier::new(&key)
                .and_then(|v| v.verify_onboarding(&data, expected))
                .expect("the RFC's MAC verifies");
            assert_eq!(verified.secret_index, 0);
        }
    }
}
