//! Property: onboarding verification never panics, and whenever it accepts, signing the body
//! again with the matched secret gives the header's signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_webhooks::{ErrorKind, Scheme, Signature, sign_onboarding};
use qonto_webhooks_fuzz::{Case, hmac_sha256, to_hex};

fuzz_target!(|data: &[u8]| {
    let case = Case::decode(data);
    let verifier = match case.verifier() {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidSecret);
            return;
        }
    };
    match verifier.verify_onboarding(&case.body, &case.header) {
        Ok(verified) => {
            assert_eq!(verified.timestamp, None);
            let sig = Signature::parse_onboarding(&case.header).expect("an accepted header parses");
            let secret = &case.secrets[verified.secret_index];
            let signed = sign_onboarding(secret, &case.body).expect("non-empty");
            assert!(sig.as_str().eq_ignore_ascii_case(&signed));
            for earlier in &case.secrets[..verified.secret_index] {
                let tag = to_hex(&hmac_sha256(earlier, &[&case.body]));
                assert!(!sig.as_str().eq_ignore_ascii_case(&tag));
            }
        }
        Err(e) => {
            assert_eq!(e.scheme(), Scheme::Onboarding);
            assert_ne!(e.kind(), ErrorKind::InvalidSecret);
            assert_eq!(ErrorKind::from_code(e.code()), Some(e.kind()));
            assert!(!e.to_string().is_empty());
        }
    }
});
